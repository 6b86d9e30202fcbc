"""The pure session builder, which events make one visit: visit keys, and input that is not one ticket's events.

Times in the tables are local (Asia/Baku, +04:00, on 2026-05-04 unless a row says otherwise); the terse event
and summary helpers are in tests/ingest/session_helpers.py.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from ingest.events import QueueEvent
from ingest.sessions import VisitKey, build_visit, build_walk_ins, visit_key, window_overlaps
from tests.ingest.session_helpers import BAKU, BERLIN, CENTER, DAY, EVENING, ISSUE, ev


# --- Rule 14 and misuse: input that is not one ticket's events --------------------------------------------------------
@pytest.mark.parametrize(
    ("events", "now", "message"),
    [
        pytest.param([], EVENING, "no events", id="no events"),
        pytest.param(
            [ISSUE, ev("called", "10:00:00", ticket="B001", window=7)], EVENING, "2 different visits", id="two tickets"
        ),
        pytest.param(
            [ISSUE, ev("started", "10:00:00", ticket=None, window=7)], EVENING, "build_walk_ins", id="a walk-in event"
        ),
        pytest.param(
            [ev("login", "09:00:00", ticket=None, window=7, operator="3317")],
            EVENING,
            "build_shifts",
            id="an operator event",
        ),
        pytest.param([ISSUE], datetime(2026, 5, 4, 19, 0), "timezone offset", id="a naive now"),  # noqa: DTZ001
    ],
)
def test_build_visit_refuses_what_is_not_one_ticket(events: list[QueueEvent], now: datetime, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        build_visit(events, BAKU, (), now)


def test_empty_inputs_give_empty_outputs() -> None:
    assert build_walk_ins([], BAKU, (), EVENING) == []
    assert window_overlaps([]) == []


# --- Visit keys ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("event", "tz", "expected"),
    [
        pytest.param(
            ev("called", "10:02:11", window=7),
            BAKU,
            VisitKey(CENTER, DAY, "A042"),
            id="a ticketed event keys on centre, local date and ticket",
        ),
        pytest.param(
            ev("issued", "23:30:00", service="tax", day=date(2026, 10, 25), tz=BERLIN),
            BERLIN,
            VisitKey(CENTER, date(2026, 10, 25), "A042"),
            id="late evening of the Berlin 25-hour day is still that day",
        ),
        pytest.param(
            ev("started", "10:15:00", ticket=None, window=7),
            BAKU,
            VisitKey(CENTER, DAY, "walk-in/7/101500"),
            id="a walk-in start keys on window and local start time",
        ),
        pytest.param(
            ev("completed", "10:20:00", ticket=None, window=7),
            BAKU,
            None,
            id="a walk-in completion has no key until paired",
        ),
        pytest.param(
            ev("login", "09:00:00", ticket=None, window=7, operator="3317"),
            BAKU,
            None,
            id="an operator login belongs to no visit",
        ),
        pytest.param(
            ev("logout", "18:00:00", ticket=None, window=7, operator="3317"),
            BAKU,
            None,
            id="an operator logout belongs to no visit",
        ),
    ],
)
def test_visit_key(event: QueueEvent, tz: ZoneInfo, expected: VisitKey | None) -> None:
    assert visit_key(event, tz) == expected
