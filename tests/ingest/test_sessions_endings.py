"""The pure session builder, the end of a leg: transfers, completion, no-show and cancellation, and legs still
open (or left open past the end of their day).

Times in the tables are local (Asia/Baku, +04:00, on 2026-05-04 unless a row says otherwise); the terse event
and summary helpers are in tests/ingest/session_helpers.py.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest

from ingest.events import QueueEvent
from tests.ingest.session_helpers import EVENING, ISSUE, NEXT_MORNING, at, ev, observed


# --- Rule 6: transfers --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("events", "expect"),
    [
        pytest.param(
            [
                ISSUE,
                ev("called", "10:00:00", window=7),
                ev("transferred", "10:09:00", window=7, to_window=12, to_service="tax"),
                ev("called", "10:11:00", window=12),
                ev("completed", "10:20:00", window=12),
            ],
            {
                "legs": ["w7 10:00:00 - 10:09:00 transferred ->1", "w12 10:11:00 - 10:20:00 completed"],
                "leg_services": ["passport", "tax"],
                "leg_anomalies": [[], []],
                "service": "passport",
                "outcome": "completed",
            },
            id="a transfer closes the leg, links it to the next and gives the next leg the new service",
        ),
        pytest.param(
            [
                ISSUE,
                ev("called", "10:00:00", window=7),
                ev("transferred", "10:09:00", to_window=12),
                ev("called", "10:11:00", window=12),
            ],
            {
                "legs": ["w7 10:00:00 - 10:09:00 transferred ->1", "w12 10:11:00 - - open"],
                "leg_services": ["passport", "passport"],
            },
            id="a transfer to another window alone keeps the service",
        ),
        pytest.param(
            [
                ISSUE,
                ev("called", "10:00:00", window=7),
                ev("transferred", "10:09:00", to_window=12),
                ev("called", "10:11:00", window=14),
            ],
            {
                "legs": ["w7 10:00:00 - 10:09:00 transferred ->1", "w14 10:11:00 - - open"],
                "leg_anomalies": [[], ["called_at_unexpected_window"]],
            },
            id="the next call at a window other than the transfer's target is flagged",
        ),
        pytest.param(
            [ISSUE, ev("called", "10:00:00", window=7), ev("transferred", "10:09:00", to_window=12)],
            {"legs": ["w7 10:00:00 - 10:09:00 transferred"], "outcome": "transferred"},
            id="a transfer not yet followed by a call leaves the visit transferred",
        ),
        pytest.param(
            [ISSUE, ev("transferred", "10:01:00", to_service="tax"), ev("called", "10:05:00", window=12)],
            {"legs": ["w12 10:05:00 - - open"], "leg_services": ["tax"], "anomalies": ["transferred_without_open_leg"]},
            id="a transfer before any call is flagged but still sets the next leg's service",
        ),
    ],
)
def test_transfers(events: list[QueueEvent], expect: dict[str, object]) -> None:
    assert observed(events, expect) == expect


# --- Rule 7: completion, no-show, cancellation ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("events", "expect"),
    [
        pytest.param(
            [ISSUE, ev("called", "10:00:00", window=7), ev("completed", "10:09:00", window=7)],
            {"legs": ["w7 10:00:00 - 10:09:00 completed"], "outcome": "completed"},
            id="completion closes the open leg as completed",
        ),
        pytest.param(
            [ISSUE, ev("called", "10:00:00", window=7), ev("no_show", "10:03:00")],
            {"legs": ["w7 10:00:00 - 10:03:00 no_show"], "outcome": "no_show"},
            id="no-show closes the open leg as no_show",
        ),
        pytest.param(
            [ISSUE, ev("no_show", "10:30:00")],
            {"legs": [], "outcome": "no_show", "anomalies": []},
            id="no-show before any call makes the visit no_show with no legs",
        ),
        pytest.param(
            [ISSUE, ev("called", "10:00:00", window=7), ev("cancelled", "10:01:00")],
            {"legs": ["w7 10:00:00 - 10:01:00 cancelled"], "outcome": "cancelled"},
            id="cancellation closes the open leg as cancelled",
        ),
        pytest.param(
            [ISSUE, ev("cancelled", "10:01:00")],
            {"legs": [], "outcome": "cancelled"},
            id="cancellation before any call makes the visit cancelled with no legs",
        ),
        pytest.param(
            [
                ISSUE,
                ev("called", "10:00:00", window=7),
                ev("transferred", "10:05:00", to_window=12),
                ev("cancelled", "10:30:00"),
            ],
            {"legs": ["w7 10:00:00 - 10:05:00 transferred"], "outcome": "cancelled", "anomalies": []},
            id="cancelled while waiting after a transfer makes the visit cancelled",
        ),
        pytest.param(
            [ISSUE, ev("completed", "10:09:00", window=7)],
            {"legs": ["w7 - - 10:09:00 completed"], "leg_anomalies": [["completed_without_open_leg"]]},
            id="completion with no open leg still records a completed leg, flagged",
        ),
        pytest.param(
            [
                ISSUE,
                ev("called", "10:00:00", window=7),
                ev("completed", "10:09:00", window=7),
                ev("completed", "10:09:05", window=7),
            ],
            {"legs": ["w7 10:00:00 - 10:09:00 completed"], "leg_anomalies": [["completed_twice"]]},
            id="a completion re-sent under a new id keeps the first and is flagged",
        ),
        pytest.param(
            [ISSUE, ev("called", "10:00:00", window=7), ev("completed", "10:05:00", window=9)],
            {"legs": ["w7 10:00:00 - 10:05:00 completed"], "leg_anomalies": [["completed_at_another_window"]]},
            id="completion reported from another window closes the open leg, flagged",
        ),
        pytest.param(
            [
                ISSUE,
                ev("called", "10:00:00", window=7),
                ev("no_show", "10:03:00"),
                ev("called", "10:40:00", window=7),
                ev("completed", "10:45:00", window=7),
            ],
            {
                "legs": ["w7 10:00:00 - 10:03:00 no_show", "w7 10:40:00 - 10:45:00 completed"],
                "leg_anomalies": [[], ["reopened_after_no_show"]],
                "outcome": "completed",
            },
            id="a ticket called again after a no-show gets a new leg, flagged",
        ),
    ],
)
def test_endings(events: list[QueueEvent], expect: dict[str, object]) -> None:
    assert observed(events, expect) == expect


# --- Rule 10: legs still open -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("events", "now", "expect"),
    [
        pytest.param(
            [ISSUE, ev("called", "10:00:00", window=7)],
            EVENING,
            {"legs": ["w7 10:00:00 - - open"], "outcome": "open", "leg_anomalies": [[]]},
            id="a leg open while its day is running stays open with no end",
        ),
        pytest.param(
            [ISSUE, ev("called", "10:00:00", window=7)],
            NEXT_MORNING,
            {
                "legs": ["w7 10:00:00 - 00:00:00 unterminated"],
                "outcome": "unterminated",
                "leg_anomalies": [["still_open_at_end_of_day"]],
            },
            id="a leg still open after its day ends is closed at local midnight as unterminated",
        ),
        pytest.param(
            [ISSUE, ev("called", "10:00:00", window=7)],
            at("00:00:00", date(2026, 5, 5)),
            {"outcome": "unterminated"},
            id="at exactly local midnight the day is over",
        ),
        pytest.param(
            [ISSUE, ev("called", "10:00:00", window=7)],
            at("23:59:59"),
            {"outcome": "open"},
            id="one second before local midnight the leg is still open",
        ),
        pytest.param(
            [
                ISSUE,
                ev("called", "10:00:00", window=7),
                ev("transferred", "10:05:00", to_window=12),
                ev("called", "10:07:00", window=12),
            ],
            NEXT_MORNING,
            {
                "legs": ["w7 10:00:00 - 10:05:00 transferred ->1", "w12 10:07:00 - 00:00:00 unterminated"],
                "outcome": "unterminated",
            },
            id="the visit's outcome is its last leg's",
        ),
        pytest.param([ISSUE], EVENING, {"outcome": "open", "anomalies": []}, id="a ticket not yet called is open"),
        pytest.param(
            [ISSUE],
            NEXT_MORNING,
            {"outcome": "unterminated", "anomalies": ["never_called"], "legs": []},
            id="a ticket never called by the end of its day is unterminated and flagged",
        ),
    ],
)
def test_open_legs(events: list[QueueEvent], now: datetime, expect: dict[str, object]) -> None:
    assert observed(events, expect, now=now) == expect
