"""Operator shifts from login/logout events, and who was at a window at an instant (Asia/Baku, 2026-05-04)."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from ingest.events import EventType, QueueEvent
from ingest.shifts import Shift, build_shifts, operator_at

BAKU = ZoneInfo("Asia/Baku")
DAY = date(2026, 5, 4)
CENTER = "baku-1"
NOW = datetime.combine(DAY, time(19), tzinfo=BAKU).astimezone(UTC)


def at(hms: str) -> datetime:
    h, m, s = (int(part) for part in hms.split(":"))
    return datetime.combine(DAY, time(h, m, s), tzinfo=BAKU).astimezone(UTC)


def ev(
    kind: str, hms: str, operator: str, window: int = 7, *, event_id: str | None = None, center: str = CENTER
) -> QueueEvent:
    return QueueEvent(
        source="qms",
        event_id=event_id or f"{kind}|{hms}|{operator}|{window}|{center}",
        type=EventType.OPERATOR_LOGIN if kind == "login" else EventType.OPERATOR_LOGOUT,
        center=center,
        occurred_at=at(hms),
        operator=operator,
        window=window,
    )


def line(shift: Shift) -> str:
    """A shift as a reviewer reads it: "<centre> w<window> <operator> <login>-<logout> [anomalies]"."""
    logout = "open" if shift.logout_at is None else f"{shift.logout_at.astimezone(BAKU):%H:%M:%S}"
    text = f"{shift.center} w{shift.window} {shift.operator} {shift.login_at.astimezone(BAKU):%H:%M:%S}-{logout}"
    return text + (f" {list(shift.anomalies)}" if shift.anomalies else "")


# --- Rule 13 ------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("events", "expected"),
    [
        pytest.param(
            [ev("logout", "13:00:00", "3317"), ev("login", "09:00:00", "3317")],
            ["baku-1 w7 3317 09:00:00-13:00:00"],
            id="a login and its logout make one closed shift",
        ),
        pytest.param(
            [ev("login", "09:00:00", "3317")],
            ["baku-1 w7 3317 09:00:00-open"],
            id="a shift not logged out by now is open",
        ),
        pytest.param(
            [ev("login", "09:00:00", "3317"), ev("login", "11:00:00", "4410"), ev("logout", "14:00:00", "4410")],
            ["baku-1 w7 3317 09:00:00-11:00:00 ['login_without_logout']", "baku-1 w7 4410 11:00:00-14:00:00"],
            id="a login at an occupied window ends the previous shift there, flagged",
        ),
        pytest.param(
            [ev("login", "09:00:00", "3317"), ev("login", "10:00:00", "3317", event_id="again")],
            ["baku-1 w7 3317 09:00:00-10:00:00 ['login_without_logout']", "baku-1 w7 3317 10:00:00-open"],
            id="the same operator logging in twice splits the shift, flagged",
        ),
        pytest.param(
            [ev("logout", "13:00:00", "3317")],
            ["baku-1 w7 3317 13:00:00-13:00:00 ['logout_without_login']"],
            id="a logout without a login is kept as an empty shift, flagged",
        ),
        pytest.param(
            [ev("login", "09:00:00", "3317"), ev("logout", "10:00:00", "4410")],
            ["baku-1 w7 3317 09:00:00-open", "baku-1 w7 4410 10:00:00-10:00:00 ['logout_without_login']"],
            id="a logout by someone not logged in there leaves the window's shift open",
        ),
        pytest.param(
            [ev("login", "12:00:00", "4410"), ev("logout", "12:00:00", "3317"), ev("login", "09:00:00", "3317")],
            ["baku-1 w7 3317 09:00:00-12:00:00", "baku-1 w7 4410 12:00:00-open"],
            id="a hand-over in the same second reads as logout then login",
        ),
        pytest.param(
            [ev("login", "09:00:00", "3317"), ev("login", "09:00:00", "3317"), ev("logout", "13:00:00", "3317")],
            ["baku-1 w7 3317 09:00:00-13:00:00"],
            id="a redelivered login counts once",
        ),
        pytest.param(
            [
                ev("login", "09:00:00", "3317", window=7),
                ev("login", "09:05:00", "4410", window=12),
                ev("logout", "13:00:00", "3317", window=7),
            ],
            ["baku-1 w7 3317 09:00:00-13:00:00", "baku-1 w12 4410 09:05:00-open"],
            id="windows have independent shifts",
        ),
        pytest.param(
            [ev("login", "09:00:00", "3317", center="ganja-2"), ev("login", "09:05:00", "4410")],
            ["baku-1 w7 4410 09:05:00-open", "ganja-2 w7 3317 09:00:00-open"],
            id="the same window number at two centres is two windows",
        ),
        pytest.param(
            [
                ev("login", "09:00:00", "3317"),
                QueueEvent(
                    source="qms",
                    event_id="c1",
                    type=EventType.TICKET_CALLED,
                    center=CENTER,
                    occurred_at=at("10:00:00"),
                    ticket="A1",
                    window=7,
                ),
            ],
            ["baku-1 w7 3317 09:00:00-open"],
            id="events other than login and logout are skipped",
        ),
        pytest.param([], [], id="no events give no shifts"),
    ],
)
def test_build_shifts(events: list[QueueEvent], expected: list[str]) -> None:
    assert [line(s) for s in build_shifts(events, NOW)] == expected


@pytest.mark.parametrize("seed", range(10))
def test_delivery_order_never_changes_the_shifts(seed: int) -> None:
    events = [
        ev("login", "08:55:00", "3317"),
        ev("logout", "12:00:00", "3317"),
        ev("login", "12:00:00", "4410"),
        ev("login", "15:00:00", "5120"),
        ev("logout", "09:30:00", "9000", window=12),
        ev("login", "09:00:00", "4410", window=12),
        ev("logout", "17:00:00", "4410", window=12),
    ]
    expected = build_shifts(events, NOW)
    shuffled = [*events, events[0]]
    random.Random(seed).shuffle(shuffled)
    assert build_shifts(shuffled, NOW) == expected


def test_build_shifts_refuses_a_naive_now() -> None:
    with pytest.raises(ValueError, match="timezone offset"):
        build_shifts([], datetime(2026, 5, 4, 19))  # noqa: DTZ001


SHIFTS = [
    Shift(CENTER, 7, "3317", at("09:00:00"), at("12:00:00")),
    Shift(CENTER, 7, "4410", at("12:00:00"), None),
    Shift(CENTER, 9, "5120", at("09:00:00"), at("09:00:00"), ("logout_without_login",)),
    Shift("ganja-2", 3, "7777", at("09:00:00"), None),
]


@pytest.mark.parametrize(
    ("center", "window", "instant", "expected"),
    [
        pytest.param(CENTER, 7, "10:00:00", "3317", id="inside a closed shift"),
        pytest.param(CENTER, 7, "09:00:00", "3317", id="at the login instant the operator is there"),
        pytest.param(CENTER, 7, "12:00:00", "4410", id="at the logout instant the next operator is there"),
        pytest.param(CENTER, 7, "08:59:59", None, id="before anyone logged in"),
        pytest.param(CENTER, 7, "18:00:00", "4410", id="inside an open shift"),
        pytest.param(CENTER, 9, "09:00:00", None, id="an empty shift from a stray logout covers no instant"),
        pytest.param(CENTER, 3, "10:00:00", None, id="a window nobody logged in at"),
        pytest.param("ganja-2", 7, "10:00:00", None, id="the same window number at another centre"),
    ],
)
def test_operator_at(center: str, window: int, instant: str, expected: str | None) -> None:
    assert operator_at(SHIFTS, center, window, at(instant)) == expected
