"""Walk-ins (service without a ticket) and windows serving two visits at once (ingest.walk_ins, via
ingest.sessions).

Times in the tables are local (Asia/Baku, +04:00, on 2026-05-04 unless a row says otherwise); the terse event
and summary helpers are in tests/ingest/session_helpers.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import pytest

from ingest.events import QueueEvent
from ingest.sessions import Visit, VisitKey, build_visit, build_walk_ins, window_overlaps
from tests.ingest.session_helpers import (
    BAKU,
    CENTER,
    DAY,
    EVENING,
    ISSUE,
    NEXT_MORNING,
    OPERATOR_SHIFTS,
    at,
    ev,
    summary,
)


# --- Walk-ins -----------------------------------------------------------------------------------------------------
def walk_in(
    kind: str,
    hms: str,
    window: int = 7,
    *,
    operator: str | None = None,
    service: str | None = None,
    ids: Sequence[str] = (),
    event_id: str | None = None,
) -> QueueEvent:
    return ev(kind, hms, ticket=None, window=window, operator=operator, service=service, ids=ids, event_id=event_id)


@pytest.mark.parametrize(
    ("events", "now", "expect"),
    [
        pytest.param(
            [walk_in("completed", "10:20:00"), walk_in("started", "10:15:00", operator="3317", service="tax")],
            EVENING,
            [("walk-in/7/101500", ["w7 - 10:15:00 10:20:00 completed"], [[]], ["3317/event"])],
            id="a start and the next completion at its window make one completed walk-in",
        ),
        pytest.param(
            [
                walk_in("started", "10:00:00", window=7),
                walk_in("started", "10:01:00", window=9),
                walk_in("completed", "10:05:00", window=9),
                walk_in("completed", "10:06:00", window=7),
            ],
            EVENING,
            [
                ("walk-in/7/100000", ["w7 - 10:00:00 10:06:00 completed"], [[]], ["4410/shift"]),
                ("walk-in/9/100100", ["w9 - 10:01:00 10:05:00 completed"], [[]], ["5120/shift"]),
            ],
            id="walk-ins at different windows pair per window",
        ),
        pytest.param(
            [walk_in("started", "10:00:00"), walk_in("started", "10:10:00"), walk_in("completed", "10:15:00")],
            EVENING,
            [
                (
                    "walk-in/7/100000",
                    ["w7 - 10:00:00 10:10:00 unterminated"],
                    [["started_again_before_completion"]],
                    ["4410/shift"],
                ),
                ("walk-in/7/101000", ["w7 - 10:10:00 10:15:00 completed"], [[]], ["4410/shift"]),
            ],
            id="a second start before any completion ends the first walk-in unterminated",
        ),
        pytest.param(
            [walk_in("completed", "10:15:00")],
            EVENING,
            [("walk-in/7/101500", ["w7 - - 10:15:00 completed"], [["completed_without_start"]], ["4410/shift"])],
            id="a completion with no start is kept as a walk-in of its own, flagged",
        ),
        pytest.param(
            [walk_in("started", "17:00:00")],
            EVENING,
            [("walk-in/7/170000", ["w7 - 17:00:00 - open"], [[]], ["None/unknown"])],
            id="a walk-in still being served is open",
        ),
        pytest.param(
            [walk_in("started", "17:00:00")],
            NEXT_MORNING,
            [
                (
                    "walk-in/7/170000",
                    ["w7 - 17:00:00 00:00:00 unterminated"],
                    [["still_open_at_end_of_day"]],
                    ["None/unknown"],
                )
            ],
            id="a walk-in never completed is closed at local midnight",
        ),
        pytest.param(
            [
                walk_in("started", "10:00:00", event_id="s1"),
                walk_in("started", "10:00:00", event_id="s2"),
                walk_in("completed", "10:04:00"),
            ],
            EVENING,
            [
                (
                    "walk-in/7/100000",
                    ["w7 - 10:00:00 10:00:00 unterminated"],
                    [["started_again_before_completion"]],
                    ["4410/shift"],
                ),
                (
                    "walk-in/7/100000-2",
                    ["w7 - 10:00:00 10:04:00 completed"],
                    [["same_second_walk_in"]],
                    ["4410/shift"],
                ),
            ],
            id="two starts in one second at one window stay two walk-ins with distinct keys",
        ),
        pytest.param(
            [walk_in("started", "10:00:00", window=9), walk_in("completed", "10:04:00", window=9)],
            EVENING,
            [("walk-in/9/100000", ["w9 - 10:00:00 10:04:00 completed"], [[]], ["5120/shift"])],
            id="a walk-in's operator comes from the shift at its window when the events name none",
        ),
    ],
)
def test_walk_ins(
    events: list[QueueEvent], now: datetime, expect: list[tuple[str, list[str], list[list[str]], list[str]]]
) -> None:
    visits = build_walk_ins(events, BAKU, OPERATOR_SHIFTS, now)
    got = [(v.key.ticket, summary(v)["legs"], summary(v)["leg_anomalies"], summary(v)["operators"]) for v in visits]
    assert got == expect
    assert all(v.walk_in and v.key.service_date == DAY and v.outcome == v.legs[0].outcome for v in visits)
    shuffled = list(reversed(events))
    assert build_walk_ins(shuffled, BAKU, OPERATOR_SHIFTS, now) == visits


def test_walk_in_takes_service_priority_and_applications_from_its_events() -> None:
    [visit] = build_walk_ins(
        [
            walk_in("started", "10:00:00", service="tax", ids=["APP-1"]),
            walk_in("completed", "10:04:00", ids=["APP-2", "APP-1"]),
        ],
        BAKU,
        (),
        EVENING,
    )
    assert (visit.service, visit.application_ids, visit.legs[0].service, visit.issued_at) == (
        "tax",
        ("APP-1", "APP-2"),
        "tax",
        None,
    )


def test_build_walk_ins_refuses_ticketed_events() -> None:
    with pytest.raises(ValueError, match="not a walk-in event"):
        build_walk_ins([ISSUE], BAKU, (), EVENING)


# --- Window overlaps ----------------------------------------------------------------------------------------------
def served(
    ticket: str, window: int, called: str, started: str | None, ended: str | None, center: str = CENTER
) -> Visit:
    events = [ev("called", called, ticket=ticket, window=window, center=center)]
    if started is not None:
        events.append(ev("started", started, ticket=ticket, window=window, center=center))
    if ended is not None:
        events.append(ev("completed", ended, ticket=ticket, window=window, center=center))
    return build_visit(events, BAKU, (), EVENING)


def key(ticket: str) -> VisitKey:
    return VisitKey(CENTER, DAY, ticket)


@pytest.mark.parametrize(
    ("visits", "now", "expected"),
    [
        pytest.param(
            [served("A1", 7, "10:00:00", "10:00:10", "10:05:00"), served("A2", 7, "10:05:00", "10:05:10", "10:09:00")],
            None,
            [],
            id="back-to-back tickets at one window do not overlap",
        ),
        pytest.param(
            [served("A1", 7, "10:00:00", "10:00:10", "10:05:00"), served("A2", 7, "10:03:00", "10:03:10", "10:09:00")],
            None,
            [(key("A1"), 0, key("A2"), 0)],
            id="a window serving two tickets at once is reported",
        ),
        pytest.param(
            [served("A1", 7, "10:00:00", "10:00:10", "10:05:00"), served("A2", 9, "10:03:00", "10:03:10", "10:09:00")],
            None,
            [],
            id="the same times at different windows do not overlap",
        ),
        pytest.param(
            [
                served("A1", 7, "10:00:00", "10:00:10", "10:05:00"),
                served("A2", 7, "10:03:00", "10:03:10", "10:09:00", center="ganja-2"),
            ],
            None,
            [],
            id="the same window number at another centre does not overlap",
        ),
        pytest.param(
            [served("A1", 7, "10:00:00", "10:00:10", "10:05:00"), served("A2", 7, "10:04:00", "10:05:00", "10:09:00")],
            None,
            [],
            id="a ticket called while the previous one finishes overlaps only from its start",
        ),
        pytest.param(
            [served("A1", 7, "10:00:00", None, "10:05:00"), served("A2", 7, "10:04:00", None, "10:09:00")],
            None,
            [(key("A1"), 0, key("A2"), 0)],
            id="without a start the span begins at the call",
        ),
        pytest.param(
            [served("A1", 7, "10:00:00", "10:00:10", None), served("A2", 7, "10:30:00", "10:30:10", "10:35:00")],
            at("10:20:00"),
            [],
            id="an open leg spans only up to now",
        ),
        pytest.param(
            [served("A1", 7, "10:00:00", "10:00:10", None), served("A2", 7, "10:30:00", "10:30:10", "10:35:00")],
            None,
            [(key("A1"), 0, key("A2"), 0)],
            id="an open leg without now runs on and overlaps later service",
        ),
        pytest.param(
            [
                served("A1", 7, "10:00:00", "10:00:10", "10:05:00"),
                build_walk_ins([walk_in("started", "10:02:00"), walk_in("completed", "10:08:00")], BAKU, (), EVENING)[
                    0
                ],
            ],
            None,
            [(key("A1"), 0, key("walk-in/7/100200"), 0)],
            id="a walk-in served during a ticket at the same window overlaps it",
        ),
    ],
)
def test_window_overlaps(
    visits: list[Visit], now: datetime | None, expected: list[tuple[VisitKey, int, VisitKey, int]]
) -> None:
    assert window_overlaps(visits, now) == expected
    assert window_overlaps(list(reversed(visits)), now) == expected
