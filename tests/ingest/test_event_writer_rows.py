"""What the event writer stores, read back through the ORM: on SQLite and PostgreSQL.

The writer bypasses SQLAlchemy's bind processing (COPY on PostgreSQL, raw executemany on
SQLite), so these check that every column still comes back as the ORM would have written it.
"""

from __future__ import annotations

import hashlib
import tomllib
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ingest.parsing import ParsedEvent, parse_payload
from ingest.sources import add_source
from ingest.writer import EventWriter, ItemStatus, VisitRef
from seffaf.catalog.connect import Catalog, open_catalog
from seffaf.catalog.event_tables import EventConflictRow, QueueEventRow
from seffaf.catalog.sites_repo import store_sites
from seffaf.sites import Sites
from tests.support.clock import SteppedClock
from tests.support.queue import SITES, a042_visit, event

NOW = datetime(2026, 5, 4, 12, 0, tzinfo=UTC)


@pytest.fixture
def catalog(database_url: str) -> Iterator[Catalog]:
    catalog = open_catalog(database_url)
    with catalog.sessions() as session, session.begin():
        store_sites(session, Sites.model_validate(tomllib.loads(SITES)))
        add_source(session, "qms", 0.0, NOW)
        add_source(session, "late-clock", 90.0, NOW)  # its clock runs 90 s behind
    yield catalog
    catalog.close()


def parsed(payloads: list[dict[str, Any]]) -> list[ParsedEvent]:
    rows = [parse_payload(p, f"test:{n}", "{}", None) for n, p in enumerate(payloads, start=1)]
    assert all(isinstance(row, ParsedEvent) for row in rows)
    return rows  # type: ignore[return-value]


def write(catalog: Catalog, payloads: list[dict[str, Any]]) -> list[ItemStatus]:
    with catalog.sessions() as session, session.begin():
        outcome = EventWriter(session, SteppedClock(NOW)).write(parsed(payloads))
    return [result.status for result in outcome.results]


def stored(session: Session, event_id: str, source: str = "qms") -> QueueEventRow:
    query = select(QueueEventRow).where(QueueEventRow.source == source, QueueEventRow.event_id == event_id)
    return session.scalars(query).one()


def test_every_column_comes_back_as_written(catalog: Catalog) -> None:
    visit = a042_visit()
    late = {**event(50, "ticket_called", "23:59:00.123456", ticket="B7", window=12), "source": "late-clock"}
    assert write(catalog, [*visit, late]) == [ItemStatus.ACCEPTED] * 10
    with catalog.sessions() as session:
        called = stored(session, "e4")
        assert (called.type, called.center, called.ticket, called.window) == ("ticket_called", "baku-1", "A042", 7)
        assert called.occurred_at == datetime(2026, 5, 4, 6, 2, 11, tzinfo=UTC)
        assert called.service_date == date(2026, 5, 4)
        assert called.received_at == NOW
        assert (called.service, called.priority, called.operator, called.to_window, called.to_service) == (
            None, None, None, None, None,
        )  # fmt: skip
        assert called.application_ids == []
        canonical = parsed([visit[3]])[0].event.content_key()
        assert called.content_sha256 == hashlib.sha256(canonical.encode()).hexdigest()
        assert stored(session, "e6").application_ids == ["APP-1", "APP-2"]
        assert stored(session, "e3").priority == 0
        # 23:59:00.123456 local + 90 s of clock offset is past midnight in Baku: the next service day.
        shifted = stored(session, "e50", source="late-clock")
        assert shifted.occurred_at == datetime(2026, 5, 4, 20, 0, 30, 123456, tzinfo=UTC)
        assert shifted.service_date == date(2026, 5, 5)


def test_the_batch_reports_the_visits_and_shift_days_it_touched(catalog: Catalog) -> None:
    with catalog.sessions() as session, session.begin():
        outcome = EventWriter(session, SteppedClock(NOW)).write(parsed(a042_visit()))
    assert outcome.affected.visits == {VisitRef("baku-1", date(2026, 5, 4), "A042")}
    assert outcome.affected.shift_days == {("baku-1", date(2026, 5, 4))}


def test_redelivering_a_large_batch_finds_every_stored_event(catalog: Catalog) -> None:
    """More events than one dedup query chunk: each is found again, the changed one is a conflict."""
    payloads = [event(n, "ticket_issued", "10:00:00", ticket=f"T{n}", service="passport") for n in range(6001)]
    assert write(catalog, payloads) == [ItemStatus.ACCEPTED] * 6001
    changed = {**payloads[5500], "service": "visa"}
    again = write(catalog, [*payloads[:5500], changed, *payloads[5501:]])
    assert again.count(ItemStatus.DUPLICATE) == 6000
    assert again[5500] is ItemStatus.CONFLICT
    with catalog.sessions() as session:
        assert session.scalar(select(func.count()).select_from(QueueEventRow)) == 6001
        assert stored(session, "e5500").service == "passport"  # a conflict is kept apart, never applied
        [conflict] = session.scalars(select(EventConflictRow)).all()
        assert (conflict.source, conflict.event_id) == ("qms", "e5500")
