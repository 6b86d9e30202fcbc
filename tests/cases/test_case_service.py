"""A complaint becomes a case on real recorded footage: proposals, holds on exactly the right segments,
closing releases them with the reason, each change audited; retention's guard; the export provider."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from review_app.audit.entries import AuditFilter
from review_app.audit.log import AuditLog
from seffaf.cases.case_service import CaseService
from seffaf.cases.export_scope import case_export_scope
from seffaf.cases.holds import held_segment_keys
from seffaf.cases.states import CaseConflict, CaseError, CaseNotFound, CaseStatus
from seffaf.catalog.connect import Catalog, open_catalog
from seffaf.catalog.footage_tables import SegmentRow
from tests.cases.case_support import DAY, RememberingSink, add_segment, complaint, hold_rows, segment_keys
from tests.support.clock import SteppedClock
from tests.support.recorded_leg import T0, CataloguedLeg, catalog_leg

RECORDED = 6  # tests/support/recorded_leg.py: the clip twice, three segments each


@pytest.fixture
def leg(recorded_footage: Path, tmp_path: Path, database_url: str) -> CataloguedLeg:
    return catalog_leg(recorded_footage, tmp_path, database_url)


@pytest.fixture
def catalog(leg: CataloguedLeg) -> Catalog:
    """The leg (called 10:00:08, ended 10:00:50, padding 30 s) and segments around it that are not its own."""
    opened = open_catalog(leg.database_url)
    with opened.sessions() as session, session.begin():
        add_segment(session, 1000, -40, -25)  # ends before the padded call (-22 s): not held
        add_segment(session, 1001, 75, 85)  # starts within the padding after the end (80 s): held
        add_segment(session, 1002, 85, 95)  # after the padding: not held
        add_segment(session, 1003, 20, 30, camera="baku-1-w12")  # another window's camera: not held
    return opened


def test_intake_proposes_the_ticket_then_holds_exactly_the_legs_footage(catalog: Catalog, leg: CataloguedLeg) -> None:
    clock, sink = SteppedClock(T0), RememberingSink()
    with catalog.sessions() as session, session.begin():
        service = CaseService(session, clock, sink)
        row = service.record_complaint(complaint(), "leyla")
        proposals = service.propose(row.id, "leyla")
        assert [(p.visit_id, p.exact, p.ticket) for p in proposals] == [(leg.visit_id, True, "A9")]
        assert proposals[0].why == (
            "ticket A9 at baku-1 on 2026-05-04",
            "leg 1 at window 7, 10:00-10:00: the stated window, within 09:55-10:10",
        )
        case = service.open_case(row.id, service.visits([leg.visit_id]), "leyla")
    with catalog.sessions() as session:
        keys = segment_keys(session)
        recorded = sorted(seq for seq in keys if seq < 1000)
        assert len(recorded) == RECORDED
        expected = {keys[seq] for seq in [*recorded, 1001]}
        rows = hold_rows(session, case.id)
        assert {r.segment_key for r in rows} == expected == sink.held
        assert all(r.placed_by == "leyla" and r.placed_at == T0 and r.store_hold and r.released_at is None
                   for r in rows)  # fmt: skip
        every_key = set(session.scalars(select(SegmentRow.key)))
        assert held_segment_keys(session, every_key) == expected
        trail = AuditLog(session).search(AuditFilter(actor="leyla"))
    changes = [(e.action, e.object_type, e.reason) for e in reversed(trail)]
    assert changes == [("case_change", "complaint", "complaint recorded"), ("search", "complaint", None),
                       ("case_change", "case", "case opened"), ("hold_change", "case", "case opened")]  # fmt: skip
    placed = trail[0].detail
    assert placed["placed"] == RECORDED + 1 and placed["store"] == RECORDED + 1
    assert placed["segments"] == [f"baku-1-w07:{recorded[0]}-{recorded[-1]}", "baku-1-w07:1001"]


def test_closing_releases_the_cases_holds_with_the_reason_but_not_another_open_cases(
    catalog: Catalog, leg: CataloguedLeg
) -> None:
    clock, sink = SteppedClock(T0), RememberingSink()
    with catalog.sessions() as session, session.begin():
        service = CaseService(session, clock, sink)
        first = service.open_case(service.record_complaint(complaint("C-17"), "leyla").id,
                                  service.visits([leg.visit_id]), "leyla")  # fmt: skip
        second = service.open_case(service.record_complaint(complaint("C-18", ticket=None), "leyla").id,
                                   service.visits([leg.visit_id]), "leyla")  # fmt: skip
    clock.advance(3600)
    with catalog.sessions() as session, session.begin():
        closed = CaseService(session, clock, sink).close(
            first.id, "unsubstantiated", "footage shows no payment", "murad"
        )
    assert (closed.holds_released, closed.store_holds_lifted) == (RECORDED + 1, 0)  # the second case still holds
    assert sink.released == []
    with catalog.sessions() as session:
        released = hold_rows(session, first.id)
        assert {(r.released_by, r.released_at, r.release_reason) for r in released} == {
            ("murad", clock(), "footage shows no payment")
        }
        assert held_segment_keys(session, [r.segment_key for r in released]) == {r.segment_key for r in released}
    with catalog.sessions() as session, session.begin():
        last = CaseService(session, clock, sink).close(second.id, "withdrawn", "complainant withdrew", "murad")
    assert last.store_holds_lifted == RECORDED + 1 and sink.held == set()
    with catalog.sessions() as session:
        assert held_segment_keys(session, [r.segment_key for r in released]) == set()
        trail = AuditLog(session).search(AuditFilter(actor="murad", action="hold_change"))
        detail = CaseService(session, clock).reader().detail(first.id)
    assert [(e.object_id, e.reason, e.detail["released"]) for e in reversed(trail)] == [
        (str(first.id), "footage shows no payment", RECORDED + 1),
        (str(second.id), "complainant withdrew", RECORDED + 1),
    ]
    assert detail.status is CaseStatus.CLOSED and detail.outcome == "unsubstantiated"
    assert (detail.holds.active, detail.holds.released) == (0, RECORDED + 1)


def test_a_closed_case_stays_closed_and_refusals_change_nothing(catalog: Catalog, leg: CataloguedLeg) -> None:
    clock = SteppedClock(T0)
    with catalog.sessions() as session, session.begin():
        service = CaseService(session, clock)
        row = service.record_complaint(complaint(), "leyla")
        case = service.open_case(row.id, service.visits([leg.visit_id]), "leyla")
        service.add_note(case.id, "called the complainant back", "leyla")
        assert service.start_review(case.id, "leyla").status == "under_review"
        with pytest.raises(CaseConflict, match="under review already"):
            service.start_review(case.id, "leyla")
        with pytest.raises(CaseError, match="outcome: 'guilty' is not one of substantiated"):
            service.close(case.id, "guilty", "because", "leyla")
        with pytest.raises(CaseError, match="reason: say why"):
            service.close(case.id, "withdrawn", "  ", "leyla")
        service.close(case.id, "substantiated", "the officer asked for money on camera", "leyla")
        for step in (lambda: service.close(case.id, "withdrawn", "again", "leyla"),
                     lambda: service.add_note(case.id, "late note", "leyla"),
                     lambda: service.start_review(case.id, "leyla")):  # fmt: skip
            with pytest.raises(CaseConflict, match="the case is closed"):
                step()
        with pytest.raises(CaseConflict, match="complaint 'C-17' is case #"):
            service.open_case(row.id, service.visits([leg.visit_id]), "leyla")
        with pytest.raises(CaseNotFound, match="visit_ids: no session 999"):
            service.visits([999])
        with pytest.raises(CaseConflict, match="reference: a complaint 'C-17' exists already"):
            service.record_complaint(complaint(), "leyla")
        with pytest.raises(CaseError, match="center: unknown centre 'nowhere'"):
            service.record_complaint(complaint("C-99", center="nowhere"), "leyla")
        detail = service.reader().detail(case.id)
    assert [n.text for n in detail.notes] == ["called the complainant back"]
    assert detail.close_reason == "the officer asked for money on camera" and detail.closed_by == "leyla"


def test_the_export_scope_names_the_case_its_complaint_and_the_sessions_current_ids(
    catalog: Catalog, leg: CataloguedLeg
) -> None:
    with catalog.sessions() as session, session.begin():
        service = CaseService(session, SteppedClock(T0))
        case = service.open_case(service.record_complaint(complaint(), "leyla").id, service.visits([leg.visit_id]),
                                 "leyla")  # fmt: skip
    with catalog.sessions() as session:
        scope = case_export_scope(session, case.id)
        with pytest.raises(CaseNotFound):
            case_export_scope(session, case.id + 1)
    assert (scope.case_id, scope.complaint_reference, scope.status) == (case.id, "C-17", CaseStatus.OPEN)
    assert [(v.center, v.service_date, v.ticket, v.visit_id) for v in scope.visits] == [
        ("baku-1", DAY, "A9", leg.visit_id)
    ]
