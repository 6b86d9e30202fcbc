"""The pure session builder, who served the leg: the events' operator, else the shift at the window.

Times in the tables are local (Asia/Baku, +04:00, on 2026-05-04 unless a row says otherwise); the terse event
and summary helpers are in tests/ingest/session_helpers.py.
"""

from __future__ import annotations

import pytest

from ingest.events import QueueEvent
from tests.ingest.session_helpers import ISSUE, OPERATOR_SHIFTS, ev, observed

# --- Rule 9: who served the leg -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("events", "expect"),
    [
        pytest.param(
            [ISSUE, ev("called", "10:00:00", window=7, operator="3317")],
            {"operators": ["3317/event"]},
            id="the calling event's operator wins over the shift",
        ),
        pytest.param(
            [ISSUE, ev("called", "10:00:00", window=7), ev("started", "10:01:00", window=7, operator="3317")],
            {"operators": ["3317/event"]},
            id="the starting event names the operator when the call did not",
        ),
        pytest.param(
            [ISSUE, ev("called", "10:00:00", window=7)],
            {"operators": ["4410/shift"]},
            id="without an operator on the events the shift at that window at call time is used",
        ),
        pytest.param(
            [ISSUE, ev("called", "12:30:00", window=7)],
            {"operators": ["None/unknown"]},
            id="nobody logged in at that window at call time leaves the operator unknown",
        ),
        pytest.param(
            [ISSUE, ev("called", "10:00:00", window=3)],
            {"operators": ["None/unknown"]},
            id="a shift at another window or centre does not count",
        ),
        pytest.param(
            [ISSUE, ev("started", "10:00:00", window=9)],
            {"operators": ["5120/shift"]},
            id="a leg started without a call looks up the shift at its start",
        ),
        pytest.param(
            [
                ISSUE,
                ev("called", "10:00:00", window=7, operator="3317"),
                ev("started", "10:01:00", window=7, operator="9000"),
            ],
            {"operators": ["3317/event"], "leg_anomalies": [["operator_mismatch"]]},
            id="a start by another operator than the caller is flagged and the caller stays",
        ),
    ],
)
def test_leg_operator(events: list[QueueEvent], expect: dict[str, object]) -> None:
    assert observed(events, expect, shifts=OPERATOR_SHIFTS) == expect
