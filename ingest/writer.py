"""Writing a batch of parsed rows into the catalog: accepted, duplicate, conflict or rejected.

Idempotent on (source, event_id): a redelivered identical event is a duplicate; the same id
with other content is a conflict, kept apart and never applied. Rejected rows are stored
with their reason. A bad row never costs a good one.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from ingest.event_sql import insert_events, stored_digests
from ingest.events import EventType, QueueEvent
from ingest.parsing import ParsedEvent, ParsedRow, RejectedRow
from seffaf.catalog.bulk import ValueEncoder
from seffaf.catalog.event_tables import EventConflictRow, RejectedEventRow, SourceSystemRow
from seffaf.catalog.sites_tables import CenterRow
from seffaf.clock import Clock

logger = logging.getLogger(__name__)
EVENT_COLUMNS = (
    "source", "event_id", "type", "center", "occurred_at", "service_date", "ticket", "service", "priority",
    "window", "operator", "application_ids", "to_window", "to_service", "content_sha256", "received_at",
)  # fmt: skip
FUTURE_TOLERANCE = timedelta(minutes=5)
PAST_TOLERANCE = timedelta(days=400)


class ItemStatus(StrEnum):
    ACCEPTED = "accepted"
    DUPLICATE = "duplicate"
    CONFLICT = "conflict"
    REJECTED = "rejected"


@dataclass(frozen=True)
class ItemResult:
    status: ItemStatus
    origin: str
    event_id: str | None = None
    reason: str | None = None


@dataclass(frozen=True)
class VisitRef:
    center: str
    service_date: date
    ticket: str | None  # None: the day's walk-ins


VisitKey = tuple[str, date, str | None]  # a VisitRef's fields, while a batch is written


@dataclass
class Affected:
    """What a batch touched, so only those sessions are rebuilt."""

    visits: set[VisitRef] = field(default_factory=set)
    shift_days: set[tuple[str, date]] = field(default_factory=set)

    def merge(self, other: Affected) -> None:
        self.visits |= other.visits
        self.shift_days |= other.shift_days


@dataclass(frozen=True)
class AcceptedEvent:
    event: QueueEvent
    canonical_json: str  # what the content hash covers and the archive stores


@dataclass
class BatchOutcome:
    results: list[ItemResult]
    affected: Affected
    accepted: list[AcceptedEvent]


class EventWriter:
    def __init__(self, session: Session, clock: Clock, record_rejections: bool = True) -> None:
        self._session = session
        self._clock = clock
        self._record_rejections = record_rejections  # off when retrying rows already kept
        self._clock_now = clock()
        self._latest, self._earliest = self._clock_now + FUTURE_TOLERANCE, self._clock_now - PAST_TOLERANCE
        self._encoder = ValueEncoder("sqlite")
        self._zones: dict[str, ZoneInfo] | None = None
        self._offsets: dict[str, float] | None = None
        self.clock_warnings = 0

    def _zone(self, center: str) -> ZoneInfo | None:
        if self._zones is None:
            self._zones = {row.id: ZoneInfo(row.timezone) for row in self._session.scalars(select(CenterRow))}
        return self._zones.get(center)

    def _offset(self, source: str) -> float:
        if self._offsets is None:
            self._offsets = {row.name: row.clock_offset_s for row in self._session.scalars(select(SourceSystemRow))}
        return self._offsets.get(source, 0.0)

    def write(self, rows: Sequence[ParsedRow]) -> BatchOutcome:
        now = self._clock()
        results: list[ItemResult | None] = [None] * len(rows)
        rejected: list[tuple[int, RejectedRow]] = []
        candidates: dict[tuple[str, str], tuple[int, ParsedEvent, str, str]] = {}
        for index, row in enumerate(rows):
            if isinstance(row, RejectedRow):
                rejected.append((index, row))
                continue
            event = row.event
            if self._zone(event.center) is None:
                reason = f"center: unknown centre {event.center!r} (load the sites file first)"
                rejected.append((index, RejectedRow(row.origin, row.raw, "center", reason, event.source)))
                continue
            key = (event.source, event.event_id)
            content = event.content_bytes()
            digest = hashlib.sha256(content).hexdigest()
            canonical = content.decode()
            if key in candidates:  # repeated inside the batch
                status = ItemStatus.DUPLICATE if candidates[key][2] == digest else ItemStatus.CONFLICT
                results[index] = ItemResult(status, row.origin, event.event_id)
                if status is ItemStatus.CONFLICT:
                    self._session.add(
                        EventConflictRow(source=key[0], event_id=key[1], payload=row.raw, received_at=now)
                    )
                continue
            candidates[key] = (index, row, digest, canonical)
        existing = self._existing(list(candidates))
        new_rows: list[tuple[object, ...]] = []
        self._clock_now = now
        self._latest, self._earliest = now + FUTURE_TOLERANCE, now - PAST_TOLERANCE
        self._encoder = ValueEncoder(self._session.connection().dialect.name)
        received = self._encoder.datetime(now)
        visits: set[VisitKey] = set()
        shift_days: set[tuple[str, date]] = set()
        accepted: list[AcceptedEvent] = []
        for key, (index, row, digest, canonical) in candidates.items():
            if key in existing:
                status = ItemStatus.DUPLICATE if existing[key] == digest else ItemStatus.CONFLICT
                if status is ItemStatus.CONFLICT:
                    self._session.add(
                        EventConflictRow(source=key[0], event_id=key[1], payload=row.raw, received_at=now)
                    )
                results[index] = ItemResult(status, row.origin, row.event.event_id)
                continue
            new_rows.append(self._row(row.event, digest, received, visits, shift_days))
            accepted.append(AcceptedEvent(row.event, canonical))
            results[index] = ItemResult(ItemStatus.ACCEPTED, row.origin, row.event.event_id)
        insert_events(self._session.connection(), EVENT_COLUMNS, new_rows)
        for index, rejection in rejected:
            if not self._record_rejections:
                results[index] = ItemResult(ItemStatus.REJECTED, rejection.origin, None, rejection.reason)
                continue
            self._session.add(
                RejectedEventRow(
                    source=rejection.source or "?",
                    origin=rejection.origin,
                    payload=rejection.raw,
                    field=rejection.field,
                    reason=rejection.reason,
                    received_at=now,
                )
            )
            results[index] = ItemResult(ItemStatus.REJECTED, rejection.origin, None, rejection.reason)
        self._session.flush()
        affected = Affected({VisitRef(*key) for key in visits}, shift_days)
        return BatchOutcome([r for r in results if r is not None], affected, accepted)

    def _existing(self, keys: list[tuple[str, str]]) -> dict[tuple[str, str], str]:
        """Content hashes already stored for these (source, event_id) keys."""
        by_source: dict[str, list[str]] = {}
        for source, event_id in keys:
            by_source.setdefault(source, []).append(event_id)
        connection = self._session.connection()
        found: dict[tuple[str, str], str] = {}
        for source, ids in by_source.items():
            for event_id, digest in stored_digests(connection, source, ids).items():
                found[(source, event_id)] = digest
        return found

    def _row(
        self, event: QueueEvent, digest: str, received: object, visits: set[VisitKey], shift_days: set[tuple[str, date]]
    ) -> tuple[object, ...]:
        """One queue_events row as a tuple in EVENT_COLUMNS order, already encoded (hot path)."""
        occurred = event.occurred_at
        offset = self._offset(event.source)
        if offset:
            occurred += timedelta(seconds=offset)
        if occurred > self._latest or occurred < self._earliest:
            self.clock_warnings += 1
            if self.clock_warnings <= 10:
                now = self._clock_now.isoformat()
                logger.warning("source %s: event %s occurred at %s, far from now (%s): check its clock",
                               event.source, event.event_id, occurred.isoformat(), now)  # fmt: skip
        zone = self._zone(event.center)
        assert zone is not None
        day = occurred.astimezone(zone).date()
        kind = event.type
        # Plain tuples while looping: building a frozen VisitRef per event costs more than the rest.
        if kind is EventType.OPERATOR_LOGIN or kind is EventType.OPERATOR_LOGOUT:
            shift_days.add((event.center, day))
        else:
            visits.add((event.center, day, event.ticket))
        encode = self._encoder
        if occurred.tzinfo is UTC and encode.dialect == "sqlite":
            # What encode.datetime gives (naive UTC text), minus two conversions that are no-ops here.
            occurred_value: object = occurred.isoformat(" ", "microseconds")[:-6]
        else:
            occurred_value = encode.datetime(occurred)
        return (
            event.source, event.event_id, kind.value, event.center, occurred_value,
            encode.date(day), event.ticket, event.service, event.priority, event.window, event.operator,
            encode.json_list(event.application_ids), event.to_window, event.to_service, digest, received,
        )  # fmt: skip
