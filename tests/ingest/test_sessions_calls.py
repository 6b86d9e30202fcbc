"""The pure session builder, the start of a leg: the issue event, calls and recalls, a call elsewhere while a
leg is open, and the service start.

Times in the tables are local (Asia/Baku, +04:00, on 2026-05-04 unless a row says otherwise); the terse event
and summary helpers are in tests/ingest/session_helpers.py.
"""

from __future__ import annotations

import pytest

from ingest.events import QueueEvent
from tests.ingest.session_helpers import ISSUE, ev, observed


# --- Rule 2: the issue event --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("events", "expect"),
    [
        pytest.param(
            [ISSUE],
            {"issued_at": "09:58:00", "service": "passport", "priority": 0, "anomalies": [], "outcome": "open"},
            id="issue sets issued_at, service and priority",
        ),
        pytest.param(
            [ev("called", "10:00:00", window=7, service="tax", priority=2), ev("completed", "10:09:00", window=7)],
            {
                "issued_at": "-",
                "service": "tax",
                "priority": 2,
                "anomalies": ["no_issue_event"],
                "leg_services": ["tax"],
            },
            id="without an issue event the visit is flagged and takes service and priority from the call",
        ),
        pytest.param(
            [ev("called", "10:00:00", window=7)],
            {"service": None, "priority": None, "anomalies": ["no_issue_event"]},
            id="without an issue event or any service the visit has no service",
        ),
        pytest.param(
            [ISSUE, ev("issued", "09:59:00", service="tax", priority=3)],
            {"issued_at": "09:58:00", "service": "passport", "anomalies": ["issued_twice"]},
            id="a second issue event is flagged and the first stands",
        ),
    ],
)
def test_issue(events: list[QueueEvent], expect: dict[str, object]) -> None:
    assert observed(events, expect) == expect


# --- Rule 3: calls and recalls ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("events", "expect"),
    [
        pytest.param(
            [ISSUE, ev("called", "10:02:11", window=7, operator="3317")],
            {"legs": ["w7 10:02:11 - - open"], "operators": ["3317/event"], "leg_anomalies": [[]]},
            id="a call opens a leg at its window with the calling operator",
        ),
        pytest.param(
            [ISSUE, ev("called", "10:02:11", window=7), ev("called", "10:03:00", window=7)],
            {"legs": ["w7 10:02:11 - - open recalls=1"], "leg_anomalies": [[]]},
            id="a second call at the same window counts as a recall, not a new leg",
        ),
        pytest.param(
            [
                ISSUE,
                ev("called", "10:02:11", window=7),
                ev("recalled", "10:03:00", window=7),
                ev("recalled", "10:04:00", window=7),
            ],
            {"legs": ["w7 10:02:11 - - open recalls=2"], "leg_anomalies": [[]]},
            id="recalls at the open leg's window are counted",
        ),
        pytest.param(
            [ISSUE, ev("recalled", "10:03:00", window=7)],
            {"legs": ["w7 10:03:00 - - open recalls=1"], "leg_anomalies": [["recall_without_call"]]},
            id="a recall with no call before it opens a leg flagged recall_without_call",
        ),
    ],
)
def test_calls_and_recalls(events: list[QueueEvent], expect: dict[str, object]) -> None:
    assert observed(events, expect) == expect


# --- Rule 4: a call elsewhere while a leg is open -----------------------------------------------------------------
@pytest.mark.parametrize(
    ("events", "expect"),
    [
        pytest.param(
            [ISSUE, ev("called", "10:00:00", window=7), ev("called", "10:05:00", window=9)],
            {
                "legs": ["w7 10:00:00 - 10:05:00 unterminated", "w9 10:05:00 - - open"],
                "leg_anomalies": [["called_at_another_window"], ["called_while_open_elsewhere"]],
            },
            id="a call at another window without a transfer keeps both legs and flags both",
        ),
        pytest.param(
            [
                ISSUE,
                ev("called", "10:00:00", window=7),
                ev("started", "10:01:00", window=7),
                ev("recalled", "10:05:00", window=9),
                ev("completed", "10:15:00", window=9),
            ],
            {
                "legs": ["w7 10:00:00 10:01:00 10:05:00 unterminated", "w9 10:05:00 - 10:15:00 completed recalls=1"],
                "leg_anomalies": [
                    ["called_at_another_window"],
                    ["recall_without_call", "called_while_open_elsewhere"],
                ],
                "outcome": "completed",
            },
            id="a recall at another window behaves like a call there and the visit still completes",
        ),
        pytest.param(
            [ISSUE, ev("called", "10:00:00", window=7), ev("started", "10:02:00", window=9)],
            {
                "legs": ["w7 10:00:00 - 10:02:00 unterminated", "w9 - 10:02:00 - open"],
                "leg_anomalies": [
                    ["started_at_another_window"],
                    ["started_without_call", "started_while_open_elsewhere"],
                ],
            },
            id="service started at another window also ends the open leg unterminated",
        ),
    ],
)
def test_call_at_another_window(events: list[QueueEvent], expect: dict[str, object]) -> None:
    assert observed(events, expect) == expect


# --- Rule 5: service start ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("events", "expect"),
    [
        pytest.param(
            [ISSUE, ev("called", "10:00:00", window=7), ev("started", "10:00:40", window=7)],
            {"legs": ["w7 10:00:00 10:00:40 - open"], "leg_anomalies": [[]]},
            id="service start sets started_at of the open leg at that window",
        ),
        pytest.param(
            [ISSUE, ev("started", "10:00:40", window=7, operator="3317"), ev("completed", "10:06:00", window=7)],
            {
                "legs": ["w7 - 10:00:40 10:06:00 completed"],
                "leg_anomalies": [["started_without_call"]],
                "operators": ["3317/event"],
            },
            id="service started without a call opens a leg with no called_at, flagged",
        ),
        pytest.param(
            [
                ISSUE,
                ev("called", "10:00:00", window=7),
                ev("started", "10:00:40", window=7),
                ev("started", "10:01:00", window=7),
            ],
            {"legs": ["w7 10:00:00 10:00:40 - open"], "leg_anomalies": [["started_twice"]]},
            id="a second start at the same window keeps the first start and is flagged",
        ),
    ],
)
def test_service_start(events: list[QueueEvent], expect: dict[str, object]) -> None:
    assert observed(events, expect) == expect
