"""The pure session builder: tables of queue events in, the visit a reviewer would see out.

Times in the tables are local (Asia/Baku, +04:00, on 2026-05-04 unless a row says otherwise). A leg is
summarised as "w<window> <called> <started> <ended> <outcome>" with "-" for a missing time.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Sequence
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from ingest.events import EventType, QueueEvent
from ingest.sessions import (
    Leg,
    Visit,
    VisitKey,
    build_visit,
    build_walk_ins,
    end_of_service_day,
    service_date,
    visit_key,
    window_overlaps,
)
from ingest.shifts import Shift

BAKU = ZoneInfo("Asia/Baku")
BERLIN = ZoneInfo("Europe/Berlin")
DAY = date(2026, 5, 4)
CENTER = "baku-1"

TYPES = {
    "issued": EventType.TICKET_ISSUED,
    "called": EventType.TICKET_CALLED,
    "recalled": EventType.TICKET_RECALLED,
    "started": EventType.SERVICE_STARTED,
    "transferred": EventType.TICKET_TRANSFERRED,
    "completed": EventType.SERVICE_COMPLETED,
    "no_show": EventType.TICKET_NO_SHOW,
    "cancelled": EventType.TICKET_CANCELLED,
    "registered": EventType.APPLICATION_REGISTERED,
    "login": EventType.OPERATOR_LOGIN,
    "logout": EventType.OPERATOR_LOGOUT,
}


def at(hms: str, day: date = DAY, tz: ZoneInfo = BAKU) -> datetime:
    h, m, s = (int(part) for part in hms.split(":"))
    return datetime.combine(day, time(h, m, s), tzinfo=tz).astimezone(UTC)


def ev(
    kind: str,
    hms: str,
    *,
    ticket: str | None = "A042",
    window: int | None = None,
    operator: str | None = None,
    service: str | None = None,
    priority: int | None = None,
    ids: Sequence[str] = (),
    to_window: int | None = None,
    to_service: str | None = None,
    source: str = "qms",
    event_id: str | None = None,
    day: date = DAY,
    tz: ZoneInfo = BAKU,
    center: str = CENTER,
) -> QueueEvent:
    """A queue event; its id is derived from its content unless given, so equal calls are redeliveries."""
    fields = (kind, hms, ticket, window, operator, service, priority, *ids, to_window, to_service, day)
    return QueueEvent(
        source=source,
        event_id=event_id or "|".join(str(f) for f in fields),
        type=TYPES[kind],
        center=center,
        occurred_at=at(hms, day, tz),
        ticket=ticket,
        service=service,
        priority=priority,
        window=window,
        operator=operator,
        application_ids=list(ids),
        to_window=to_window,
        to_service=to_service,
    )


ISSUE = ev("issued", "09:58:00", service="passport", priority=0)
EVENING = at("19:00:00")  # the service day is still running
NEXT_MORNING = at("08:00:00", date(2026, 5, 5))


def hms(value: datetime | None, tz: ZoneInfo = BAKU) -> str:
    return "-" if value is None else value.astimezone(tz).strftime("%H:%M:%S")


def leg_line(leg: Leg) -> str:
    line = f"w{leg.window} {hms(leg.called_at)} {hms(leg.started_at)} {hms(leg.ended_at)} {leg.outcome}"
    if leg.recalls:
        line += f" recalls={leg.recalls}"
    if leg.transferred_to is not None:
        line += f" ->{leg.transferred_to}"
    return line


def summary(visit: Visit) -> dict[str, object]:
    return {
        "outcome": str(visit.outcome),
        "legs": [leg_line(leg) for leg in visit.legs],
        "anomalies": list(visit.anomalies),
        "leg_anomalies": [list(leg.anomalies) for leg in visit.legs],
        "service": visit.service,
        "priority": visit.priority,
        "issued_at": hms(visit.issued_at),
        "leg_services": [leg.service for leg in visit.legs],
        "operators": [f"{leg.operator}/{leg.operator_source}" for leg in visit.legs],
        "application_ids": list(visit.application_ids),
        "leg_ids": [list(leg.application_ids) for leg in visit.legs],
    }


def observed(
    events: Sequence[QueueEvent],
    expect: dict[str, object],
    *,
    now: datetime = EVENING,
    shifts: Sequence[Shift] = (),
) -> dict[str, object]:
    """The parts of the built visit's summary that `expect` names (the rest is other rows' business)."""
    got = summary(build_visit(events, BAKU, shifts, now))
    return {name: got[name] for name in expect}


Row = tuple[list[QueueEvent], dict[str, object]]


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


# --- Rule 8: applications -------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("events", "expect"),
    [
        pytest.param(
            [
                ISSUE,
                ev("called", "10:00:00", window=7),
                ev("registered", "10:04:00", ids=["APP-1"]),
                ev("completed", "10:09:00", window=7),
            ],
            {"leg_ids": [["APP-1"]], "application_ids": ["APP-1"]},
            id="an application registered during a leg belongs to that leg",
        ),
        pytest.param(
            [
                ISSUE,
                ev("called", "10:00:00", window=7),
                ev("transferred", "10:05:00", to_window=12),
                ev("called", "10:07:00", window=12),
                ev("registered", "10:08:00", ids=["APP-2"]),
                ev("completed", "10:09:00", window=12),
            ],
            {"leg_ids": [[], ["APP-2"]], "application_ids": ["APP-2"]},
            id="an application registered at the second window belongs to the second leg",
        ),
        pytest.param(
            [
                ISSUE,
                ev("called", "10:00:00", window=7),
                ev("completed", "10:09:00", window=7),
                ev("registered", "10:30:00", ids=["APP-1"]),
            ],
            {"leg_ids": [["APP-1"]], "application_ids": ["APP-1"]},
            id="an application registered after completion goes to the last leg",
        ),
        pytest.param(
            [
                ISSUE,
                ev("registered", "09:59:00", ids=["APP-0"]),
                ev("called", "10:00:00", window=7),
                ev("transferred", "10:05:00", to_window=12),
                ev("called", "10:07:00", window=12),
            ],
            {"leg_ids": [[], ["APP-0"]], "application_ids": ["APP-0"]},
            id="an application registered before any call goes to the visit's last leg",
        ),
        pytest.param(
            [ISSUE, ev("registered", "09:59:00", ids=["APP-0"]), ev("no_show", "10:30:00")],
            {"legs": [], "application_ids": ["APP-0"]},
            id="with no legs an application is recorded on the visit only",
        ),
        pytest.param(
            [
                ISSUE,
                ev("called", "10:00:00", window=7),
                ev("registered", "10:01:00", ids=["APP-2", "APP-1"]),
                ev("registered", "10:02:00", ids=["APP-1", "APP-3", "APP-3"]),
            ],
            {"leg_ids": [["APP-2", "APP-1", "APP-3"]], "application_ids": ["APP-2", "APP-1", "APP-3"]},
            id="application ids are a union in order of first appearance",
        ),
        pytest.param(
            [
                ISSUE,
                ev("called", "10:00:00", window=7),
                ev("registered", "10:09:00", ids=["APP-1"]),
                ev("completed", "10:09:00", window=7),
            ],
            {"leg_ids": [["APP-1"]]},
            id="an application registered in the second the leg completes still belongs to it",
        ),
    ],
)
def test_applications(events: list[QueueEvent], expect: dict[str, object]) -> None:
    assert observed(events, expect) == expect


# --- Rule 9: who served the leg -------------------------------------------------------------------------------------
OPERATOR_SHIFTS = (
    Shift(CENTER, 7, "4410", at("09:00:00"), at("12:00:00")),
    Shift(CENTER, 9, "5120", at("09:00:00"), None),
    Shift("ganja-2", 7, "7777", at("09:00:00"), None),
)


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


# --- Rule 12: local dates and the end of the day across DST ---------------------------------------------------------
@pytest.mark.parametrize(
    ("instant", "tz", "expected"),
    [
        pytest.param(
            datetime(2026, 3, 28, 22, 59, 59, tzinfo=UTC),
            BERLIN,
            date(2026, 3, 28),
            id="Berlin 23:59:59 CET before spring-forward day",
        ),
        pytest.param(
            datetime(2026, 3, 28, 23, 0, tzinfo=UTC),
            BERLIN,
            date(2026, 3, 29),
            id="Berlin spring-forward day begins 00:00 CET",
        ),
        pytest.param(
            datetime(2026, 3, 29, 21, 59, 59, tzinfo=UTC),
            BERLIN,
            date(2026, 3, 29),
            id="Berlin spring-forward day ends 23:59:59 CEST",
        ),
        pytest.param(
            datetime(2026, 3, 29, 22, 0, tzinfo=UTC),
            BERLIN,
            date(2026, 3, 30),
            id="Berlin day after spring-forward begins 00:00 CEST",
        ),
        pytest.param(
            datetime(2026, 10, 24, 22, 0, tzinfo=UTC),
            BERLIN,
            date(2026, 10, 25),
            id="Berlin fall-back day begins 00:00 CEST",
        ),
        pytest.param(
            datetime(2026, 10, 25, 22, 59, 59, tzinfo=UTC),
            BERLIN,
            date(2026, 10, 25),
            id="Berlin fall-back day ends 23:59:59 CET",
        ),
        pytest.param(datetime(2026, 5, 4, 19, 59, 59, tzinfo=UTC), BAKU, date(2026, 5, 4), id="Baku 23:59:59"),
        pytest.param(datetime(2026, 5, 4, 20, 0, tzinfo=UTC), BAKU, date(2026, 5, 5), id="Baku midnight is 20:00 UTC"),
    ],
)
def test_service_date(instant: datetime, tz: ZoneInfo, expected: date) -> None:
    assert service_date(instant, tz) == expected


@pytest.mark.parametrize(
    ("day", "tz", "end", "hours"),
    [
        pytest.param(
            date(2026, 3, 29),
            BERLIN,
            datetime(2026, 3, 29, 22, 0, tzinfo=UTC),
            23,
            id="Berlin spring-forward day is 23 hours",
        ),
        pytest.param(
            date(2026, 10, 25),
            BERLIN,
            datetime(2026, 10, 25, 23, 0, tzinfo=UTC),
            25,
            id="Berlin fall-back day is 25 hours",
        ),
        pytest.param(date(2026, 5, 4), BAKU, datetime(2026, 5, 4, 20, 0, tzinfo=UTC), 24, id="Baku has no DST"),
    ],
)
def test_end_of_service_day(day: date, tz: ZoneInfo, end: datetime, hours: int) -> None:
    assert end_of_service_day(day, tz) == end
    start = datetime.combine(day, time(), tzinfo=tz).astimezone(UTC)
    assert (end - start).total_seconds() == hours * 3600


@pytest.mark.parametrize(
    ("day", "now", "ended_at", "outcome"),
    [
        pytest.param(
            date(2026, 3, 29),
            datetime(2026, 3, 30, 6, 0, tzinfo=UTC),
            datetime(2026, 3, 29, 22, 0, tzinfo=UTC),
            "unterminated",
            id="Berlin 23-hour day closes at 22:00 UTC",
        ),
        pytest.param(
            date(2026, 3, 29),
            datetime(2026, 3, 29, 21, 30, tzinfo=UTC),
            None,
            "open",
            id="Berlin 23-hour day is running at 23:30 CEST",
        ),
        pytest.param(
            date(2026, 10, 25),
            datetime(2026, 10, 26, 6, 0, tzinfo=UTC),
            datetime(2026, 10, 25, 23, 0, tzinfo=UTC),
            "unterminated",
            id="Berlin 25-hour day closes at 23:00 UTC",
        ),
        pytest.param(
            date(2026, 10, 25),
            datetime(2026, 10, 25, 22, 30, tzinfo=UTC),
            None,
            "open",
            id="Berlin 25-hour day is running 24.5 hours in",
        ),
    ],
)
def test_open_leg_closes_at_local_midnight_across_dst(
    day: date, now: datetime, ended_at: datetime | None, outcome: str
) -> None:
    events = [
        ev("issued", "09:00:00", service="tax", day=day, tz=BERLIN),
        ev("called", "10:00:00", window=3, day=day, tz=BERLIN),
    ]
    visit = build_visit(events, BERLIN, (), now)
    assert visit.key.service_date == day
    assert (visit.legs[0].ended_at, str(visit.outcome)) == (ended_at, outcome)


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
