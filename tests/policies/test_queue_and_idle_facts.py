"""Pure queue facts (skipped tickets, duration norms) and idle-window stretches, by table."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from policies.explain import format_value
from policies.idle_windows import Span, citizen_without_session
from policies.queue_facts import QueuedTicket, duration_norms, waiting_longer_s

T0 = datetime(2026, 5, 4, 6, 0, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def ticket(name: str, issued: float, called: float | None, service: str = "passport", priority: int = 0,
           never_served: bool = False) -> QueuedTicket:  # fmt: skip
    return QueuedTicket(name, service, priority, at(issued), at(called) if called is not None else None, never_served)


CALLED = ticket("A20", issued=20, called=25)


@pytest.mark.parametrize(
    ("name", "others", "expected_s"),
    [
        ("nobody else", [], 0.0),
        ("earlier ticket already called", [ticket("A05", 5, 24)], 0.0),
        ("earlier ticket still waiting", [ticket("A05", 5, 30)], 900.0),
        ("the longest-waiting one counts", [ticket("A05", 5, 30), ticket("A01", 1, 31)], 1140.0),
        ("other service", [ticket("A05", 5, 30, service="driving")], 0.0),
        ("other priority", [ticket("A05", 5, 30, priority=1)], 0.0),
        ("later ticket still waiting", [ticket("A22", 22, 40)], 0.0),
        ("never called, waited to the end", [ticket("A05", 5, None, never_served=True)], 900.0),
        ("cancelled before any call: when it left is unknown", [ticket("A05", 5, None)], 0.0),
    ],
)
def test_waiting_longer(name: str, others: list[QueuedTicket], expected_s: float) -> None:
    assert waiting_longer_s(CALLED, at(25), [CALLED, *others]) == expected_s, name


def test_duration_norms_are_medians_and_need_enough_history() -> None:
    norms = duration_norms({"passport": [300.0] * 10 + [600.0] * 11, "rare": [100.0] * 5}, min_samples=20)
    assert norms == {"passport": 600.0}


def s(a: float, b: float) -> Span:
    return (T0 + timedelta(seconds=a), T0 + timedelta(seconds=b))


@pytest.mark.parametrize(
    ("name", "citizen", "sessions", "expected"),
    [
        ("no one there", [], [s(0, 100)], []),
        ("citizen only during a session", [s(10, 90)], [s(0, 100)], []),
        ("citizen with no session at all", [s(0, 300)], [], [s(0, 300)]),
        ("sits down just before the call (pad 30 s)", [s(75, 300)], [s(100, 300)], []),
        ("stays on after the session", [s(0, 500)], [s(0, 100)], [s(130, 500)]),
        ("short losses of the face are bridged", [s(0, 100), s(108, 200)], [], [s(0, 200)]),
        ("a long absence splits the stretch", [s(0, 100), s(130, 200)], [], [s(0, 100), s(130, 200)]),
        ("between two sessions", [s(0, 1000)], [s(0, 100), s(700, 1000)], [s(130, 670)]),
    ],
)
def test_citizen_without_session(name: str, citizen: list[Span], sessions: list[Span], expected: list[Span]) -> None:
    assert citizen_without_session(citizen, sessions) == expected, name


@pytest.mark.parametrize(
    ("value", "shown"),
    [(212.0, "212"), (212.4, "212"), (12.345, "12.3"), (0.934, "0.93"), (0.5, "0.5"), (3, "3"), (True, "yes"),
     ("3317", "3317")],
)  # fmt: skip
def test_values_are_shown_as_a_reviewer_reads_them(value: object, shown: str) -> None:
    assert format_value(value) == shown
