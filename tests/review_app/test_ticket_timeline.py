"""A visit's ticket timeline: issued, each leg's call, start and end, in time order, however the legs ended."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from indexer.session_views import LegView, VisitView
from review_app.pages.ticket_timeline import TicketEvent, ticket_timeline

T = datetime(2026, 5, 4, 6, 0, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return T + timedelta(minutes=minutes)


def leg(index: int, window: int, called: float | None, started: float | None, ended: float | None, outcome: str,
        operator: str | None = "op-1", recalls: int = 0, transferred_to: int | None = None) -> LegView:  # fmt: skip
    return LegView(
        index=index, window=window, operator=operator, operator_source="event",
        called_at=None if called is None else at(called), started_at=None if started is None else at(started),
        ended_at=None if ended is None else at(ended), outcome=outcome, service="passport", application_ids=[],
        recalls=recalls, transferred_to=transferred_to, anomalies=[], coverage=None, holes=[], segments=[],
    )  # fmt: skip


def visit(legs: list[LegView], issued: float | None = 0) -> VisitView:
    return VisitView(
        id=1, center="baku-1", service_date=date(2026, 5, 4), ticket="A042", walk_in=issued is None,
        service="passport", priority=0, issued_at=None if issued is None else at(issued),
        outcome=legs[-1].outcome if legs else "open", application_ids=[], anomalies=[], legs=legs,
    )  # fmt: skip


def summary(events: list[TicketEvent]) -> list[tuple[float, str, int | None, int | None, str]]:
    return [((e.at - T).total_seconds() / 60, e.what, e.leg, e.window, e.note) for e in events]


@pytest.mark.parametrize(
    ("legs", "issued", "expected"),
    [
        (  # transferred from window 7 to 12
            [leg(0, 7, 2, 2.5, 9, "transferred", transferred_to=1), leg(1, 12, 11, None, 20, "completed", "op-2")],
            0,
            [
                (0, "issued", None, None, "passport"),
                (2, "called", 0, 7, ""),
                (2.5, "started", 0, 7, ""),
                (9, "transferred", 0, 7, "to window 12"),
                (11, "called", 1, 12, ""),
                (20, "completed", 1, 12, ""),
            ],
        ),
        (  # recalled, then a no-show
            [leg(0, 3, 1, None, 1.5, "no_show", recalls=2)],
            0,
            [
                (0, "issued", None, None, "passport"),
                (1, "called", 0, 3, "recalled 2 times"),
                (1.5, "declared a no-show", 0, 3, ""),
            ],
        ),
        (  # a walk-in: no ticket issued, never called
            [leg(0, 3, None, 5, 9, "completed")],
            None,
            [(5, "started (never called)", 0, 3, ""), (9, "completed", 0, 3, "")],
        ),
        (  # still open: no end yet
            [leg(0, 3, 1, 2, None, "open")],
            0,
            [(0, "issued", None, None, "passport"), (1, "called", 0, 3, ""), (2, "started", 0, 3, "")],
        ),
        (  # called and started at the same instant: the leg's own order
            [leg(0, 3, 1, 1, 4, "unterminated")],
            0,
            [
                (0, "issued", None, None, "passport"),
                (1, "called", 0, 3, ""),
                (1, "started", 0, 3, ""),
                (4, "closed at midnight, never completed", 0, 3, ""),
            ],
        ),
        ([], 0, [(0, "issued", None, None, "passport")]),  # issued, then cancelled before any call
    ],
)
def test_the_ticket_timeline(
    legs: list[LegView], issued: float | None, expected: list[tuple[float, str, int | None, int | None, str]]
) -> None:
    assert summary(ticket_timeline(visit(legs, issued))) == expected


def test_events_out_of_order_across_legs_are_sorted() -> None:
    # A queue whose clocks disagree: leg 1's call logged before leg 0 ended.
    events = ticket_timeline(visit([leg(0, 7, 2, 3, 10, "transferred", transferred_to=1),
                                    leg(1, 12, 9, 9.5, 15, "completed")]))  # fmt: skip
    assert [e.at for e in events] == sorted(e.at for e in events)
    assert [e.what for e in events][-3:] == ["started", "transferred", "completed"]
