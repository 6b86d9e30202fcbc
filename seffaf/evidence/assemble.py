"""From the catalog to typed evidence for one session: what the package says about a visit.

Reads only; knows nothing of cases. Each leg with footage also gets its cut plan (which
segments, from where to where) and the operator's zone, which redaction leaves visible.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from indexer.zones import zones_for
from seffaf.catalog.event_tables import QueueEventRow
from seffaf.catalog.finding_tables import FindingRow, VerdictRow
from seffaf.catalog.footage_tables import SegmentRow
from seffaf.catalog.session_tables import LegRow, VisitRow
from seffaf.evidence.cut_points import SegmentCut, SegmentSpan, plan_cuts
from seffaf.evidence.manifest import (
    FindingRecord,
    HoleRecord,
    LegRecord,
    SegmentRecord,
    SessionRecord,
    TicketEvent,
    VerdictRecord,
)
from seffaf.evidence.redactor import ZoneBox


class ExportError(ValueError):
    """An export that cannot be made; the message names the visit, segment or field."""


@dataclass(frozen=True)
class LegFootage:
    leg_index: int
    segments: list[SegmentRecord]  # the ones the clip is cut from, in seq order
    cuts: list[SegmentCut]
    keep_zone: ZoneBox | None


@dataclass(frozen=True)
class AssembledSession:
    record: SessionRecord  # legs carry no clip yet: the package builder adds them
    footage: list[LegFootage]


def _segment_record(row: SegmentRow) -> SegmentRecord:
    return SegmentRecord(key=row.key, camera=row.camera, seq=row.seq, start=row.start, end=row.end,
                         size_bytes=row.size_bytes, sha256=row.sha256, prev_sha256=row.prev_sha256)  # fmt: skip


def _ticket_event(e: QueueEventRow) -> TicketEvent:
    return TicketEvent(type=e.type, occurred_at=e.occurred_at, window=e.window, operator=e.operator,
                       service=e.service, application_ids=list(e.application_ids), source=e.source,
                       event_id=e.event_id)  # fmt: skip


def _leg_window(leg: LegRow, segments: list[SegmentRow]) -> tuple[datetime, datetime] | None:
    """The leg's service time; a leg still open (no end) runs to its last linked footage."""
    start = leg.called_at or leg.started_at
    end = leg.ended_at or (max(s.end for s in segments) if segments else None)
    return (start, end) if start is not None and end is not None and end > start else None


class SessionAssembler:
    def __init__(self, session: Session) -> None:
        self._session = session

    def assemble(self, visit_id: int) -> AssembledSession:
        visit = self._session.get(VisitRow, visit_id)
        if visit is None:
            raise ExportError(f"visit {visit_id}: no such session in the catalog")
        legs, footage = [], []
        for leg in visit.legs:
            leg_record, leg_footage = self._leg(leg)
            legs.append(leg_record)
            if leg_footage is not None:
                footage.append(leg_footage)
        record = SessionRecord(
            visit_id=visit.id, center=visit.center, service_date=visit.service_date, ticket=visit.ticket,
            walk_in=visit.walk_in, service=visit.service, outcome=visit.outcome,
            application_ids=list(visit.application_ids),
            operators=sorted({leg.operator for leg in visit.legs if leg.operator is not None}),
            ticket_events=self._ticket_events(visit), legs=legs, findings=self._findings(visit),
        )  # fmt: skip
        return AssembledSession(record, footage)

    def _leg(self, leg: LegRow) -> tuple[LegRecord, LegFootage | None]:
        rows: list[SegmentRow] = []
        if leg.camera is not None and leg.first_seq is not None and leg.last_seq is not None:
            query = select(SegmentRow).where(
                SegmentRow.camera == leg.camera, SegmentRow.seq >= leg.first_seq, SegmentRow.seq <= leg.last_seq
            )
            rows = list(self._session.scalars(query.order_by(SegmentRow.seq)))
        window = _leg_window(leg, rows)
        cuts = plan_cuts([SegmentSpan(r.seq, r.start, r.end) for r in rows], *window) if window else []
        used = {cut.seq for cut in cuts}
        segments = [_segment_record(r) for r in rows if r.seq in used]
        record = LegRecord(
            index=leg.idx, window=leg.window, operator=leg.operator, called_at=leg.called_at,
            started_at=leg.started_at, ended_at=leg.ended_at, outcome=leg.outcome,
            application_ids=list(leg.application_ids), camera=leg.camera, coverage=leg.coverage,
            holes=[HoleRecord.model_validate(hole) for hole in leg.holes or []], segments=segments, clip=None,
        )  # fmt: skip
        if not cuts or leg.camera is None:
            return record, None
        operator = zones_for(self._session, leg.camera).operator
        keep = ZoneBox(operator.x0, operator.y0, operator.x1, operator.y1)
        return record, LegFootage(leg.idx, segments, cuts, keep)

    def _ticket_events(self, visit: VisitRow) -> list[TicketEvent]:
        query = select(QueueEventRow).where(
            QueueEventRow.center == visit.center, QueueEventRow.service_date == visit.service_date,
            QueueEventRow.ticket == visit.ticket,
        )  # fmt: skip
        rows = self._session.scalars(query.order_by(QueueEventRow.occurred_at, QueueEventRow.id))
        return [_ticket_event(row) for row in rows]

    def _findings(self, visit: VisitRow) -> list[FindingRecord]:
        query = select(FindingRow).where(
            FindingRow.center == visit.center, FindingRow.service_date == visit.service_date,
            FindingRow.ticket == visit.ticket,
        )  # fmt: skip
        findings = list(self._session.scalars(query.order_by(FindingRow.start, FindingRow.id)))
        latest_ids = (
            select(func.max(VerdictRow.id))
            .where(VerdictRow.finding_id.in_([f.id for f in findings]))
            .group_by(VerdictRow.finding_id)
        )
        newest = self._session.scalars(select(VerdictRow).where(VerdictRow.id.in_(latest_ids)))
        verdicts = {v.finding_id: v for v in newest}
        records = []
        for f in findings:
            v = verdicts.get(f.id)
            latest = (VerdictRecord(verdict=v.verdict, status=v.status, reviewer=v.reviewer, decided_at=v.decided_at)
                      if v is not None else None)  # fmt: skip
            records.append(FindingRecord(
                id=f.id, rule_id=f.rule_id, ruleset=f.ruleset, ruleset_version=f.ruleset_version,
                principle=f.principle, severity=f.severity, title=f.title, leg_index=f.leg_index, start=f.start,
                end=f.end, explanation=f.explanation, review_status=v.status if v else "open",
                latest_verdict=latest,
            ))  # fmt: skip
        return records
