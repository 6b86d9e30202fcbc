"""The pure session builder, replay order: delivery order never changes the visit and redeliveries count once.

Times in the tables are local (Asia/Baku, +04:00, on 2026-05-04 unless a row says otherwise); the terse event
and summary helpers are in tests/ingest/session_helpers.py.
"""

from __future__ import annotations

import itertools
import random

import pytest

from ingest.events import QueueEvent
from ingest.sessions import build_visit
from ingest.shifts import Shift
from tests.ingest.session_helpers import BAKU, CENTER, EVENING, ISSUE, at, ev, observed, summary


# --- Rule 1: deterministic replay order; redeliveries count once --------------------------------------------------
@pytest.mark.parametrize(
    ("events", "expect"),
    [
        pytest.param(
            [
                ev("completed", "10:00:00", window=7),
                ev("started", "10:00:00", window=7),
                ev("called", "10:00:00", window=7),
            ],
            {"legs": ["w7 10:00:00 10:00:00 10:00:00 completed"], "leg_anomalies": [[]]},
            id="same-second call, start and completion replay in lifecycle order whatever the delivery",
        ),
        pytest.param(
            [ISSUE, ev("called", "10:00:00", window=7), ev("called", "10:00:00", window=7), ISSUE],
            {"legs": ["w7 10:00:00 - - open"], "anomalies": []},
            id="a redelivered call is not counted as a recall and a redelivered issue is not issued_twice",
        ),
        pytest.param(
            [
                ISSUE,
                ev("called", "10:00:00", window=7, operator="3317", event_id="c1"),
                ev("called", "10:00:00", window=7, operator="9999", event_id="c1"),
            ],
            {"operators": ["3317/event"], "anomalies": ["conflicting_duplicate_event"]},
            id="same id with different content keeps one version deterministically and is flagged",
        ),
        pytest.param(
            [
                ISSUE,
                ev("called", "10:00:00", window=7),
                ev("no_show", "10:05:00", source="b-qms"),
                ev("completed", "10:05:00", window=7, source="a-qms"),
            ],
            {
                "legs": ["w7 10:00:00 - 10:05:00 completed"],
                "outcome": "no_show",
                "anomalies": ["no_show_without_open_leg"],
            },
            id="same instant and rank ties are broken by source so the completion closes the leg",
        ),
    ],
)
def test_replay_order(events: list[QueueEvent], expect: dict[str, object]) -> None:
    assert observed(events, expect) == expect
    assert observed(list(reversed(events)), expect) == expect


def test_redelivery_is_listed_once_in_event_refs() -> None:
    call = ev("called", "10:00:00", window=7)
    visit = build_visit([ISSUE, call, call, ISSUE], BAKU, (), EVENING)
    assert visit.event_refs == tuple(sorted([(ISSUE.source, ISSUE.event_id), (call.source, call.event_id)]))


A_BUSY_DAY = [
    ISSUE,
    ev("called", "10:02:11", window=7),
    ev("recalled", "10:03:00", window=7),
    ev("started", "10:03:30", window=7, operator="3317"),
    ev("registered", "10:05:00", ids=["APP-1", "APP-2"]),
    ev("transferred", "10:09:00", window=7, to_window=12, to_service="tax"),
    ev("called", "10:11:00", window=9),  # not where the transfer sent it
    ev("called", "10:12:00", window=9),
    ev("started", "10:12:30", window=9),
    ev("registered", "10:15:00", ids=["APP-2", "APP-3"]),
    ev("completed", "10:20:30", window=9),
    ev("registered", "10:25:00", ids=["APP-4"]),  # after completion
    ev("called", "10:02:11", window=7),  # a redelivery
    ev("completed", "10:20:30", window=9, event_id="resent-completion"),
]
SHIFTS = (Shift(CENTER, 9, "4410", at("08:00:00"), None),)


@pytest.mark.parametrize("seed", range(25))
def test_delivery_order_never_changes_the_visit(seed: int) -> None:
    expected = build_visit(A_BUSY_DAY, BAKU, SHIFTS, EVENING)
    shuffled = list(A_BUSY_DAY)
    random.Random(seed).shuffle(shuffled)
    assert build_visit(shuffled, BAKU, SHIFTS, EVENING) == expected
    assert summary(expected)["legs"] == [
        "w7 10:02:11 10:03:30 10:09:00 transferred recalls=1 ->1",
        "w9 10:11:00 10:12:30 10:20:30 completed recalls=1",
    ]


def test_every_permutation_of_a_short_visit_gives_the_same_visit() -> None:
    events = [
        ISSUE,
        ev("called", "10:00:00", window=7),
        ev("started", "10:00:00", window=7),
        ev("completed", "10:04:00", window=7),
    ]
    visits = {build_visit(p, BAKU, (), EVENING) for p in itertools.permutations(events)}
    assert len(visits) == 1


# --- Rule 11: late events -------------------------------------------------------------------------------------------
IN_ORDER = [
    ISSUE,
    ev("called", "10:00:00", window=7),
    ev("started", "10:01:00", window=7),
    ev("completed", "10:09:00", window=7),
    ev("registered", "10:30:00", ids=["APP-1"]),
]


@pytest.mark.parametrize(
    "delivered",
    [
        pytest.param([IN_ORDER[i] for i in (0, 3, 1, 2, 4)], id="completion delivered before the call"),
        pytest.param([IN_ORDER[i] for i in (4, 0, 1, 2, 3)], id="registration after completion delivered first"),
        pytest.param([IN_ORDER[i] for i in (1, 2, 3, 4, 0)], id="issue delivered last"),
        pytest.param(list(reversed(IN_ORDER)), id="everything delivered backwards"),
    ],
)
def test_late_events_give_the_in_order_visit(delivered: list[QueueEvent]) -> None:
    expected = build_visit(IN_ORDER, BAKU, (), EVENING)
    assert build_visit(delivered, BAKU, (), EVENING) == expected
    assert summary(expected)["legs"] == ["w7 10:00:00 10:01:00 10:09:00 completed"]
    assert expected.legs[0].application_ids == ("APP-1",)
