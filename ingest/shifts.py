"""Operator shifts at windows, derived from operator_login / operator_logout events. Pure: no I/O.

A shift answers "who sat at window W at instant T" for legs whose events did not name the operator.
One operator per window at a time: a login at a window ends whatever shift was open there.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from ingest.events import EventType, QueueEvent
from seffaf.clock import require_utc

# At one instant a logout sorts before a login, so a hand-over at a window (A out, B in) reads cleanly.
_RANK = {EventType.OPERATOR_LOGOUT: 0, EventType.OPERATOR_LOGIN: 1}


@dataclass(frozen=True)
class Shift:
    center: str
    window: int
    operator: str
    login_at: datetime
    logout_at: datetime | None
    anomalies: tuple[str, ...] = ()


@dataclass
class _Open:
    operator: str
    login_at: datetime
    anomalies: list[str] = field(default_factory=list)


def build_shifts(events: Iterable[QueueEvent], now: datetime) -> list[Shift]:
    """Shifts from the login/logout events among `events` (other types are skipped), as of `now`.

    A shift with no logout yet has logout_at None. The result is sorted by (center, window, login_at, operator)
    and does not depend on delivery order; redeliveries (same source + event_id) count once.
    """
    require_utc(now, "now")  # only checked: a shift's end is its logout, which `now` cannot supply
    chosen: dict[tuple[str, str], QueueEvent] = {}
    relevant = [e for e in events if e.type in _RANK]
    # content_key breaks ties between conflicting redeliveries so the same one always wins.
    for event in sorted(relevant, key=lambda e: (e.occurred_at, _RANK[e.type], e.source, e.event_id, e.content_key())):
        chosen.setdefault((event.source, event.event_id), event)

    open_at: dict[tuple[str, int], _Open] = {}
    shifts: list[Shift] = []
    for event in chosen.values():
        if event.window is None or event.operator is None:  # the event schema requires both; keeps mypy honest
            raise ValueError(f"build_shifts: {event.type.value} {event.source}/{event.event_id} lacks window/operator")
        slot = (event.center, event.window)
        current = open_at.get(slot)
        if event.type is EventType.OPERATOR_LOGIN:
            if current is not None:
                # The previous operator never logged out; their shift cannot have lasted past this login.
                shifts.append(_closed(slot, current, event.occurred_at, "login_without_logout"))
            open_at[slot] = _Open(event.operator, event.occurred_at)
        elif current is not None and current.operator == event.operator:
            del open_at[slot]
            shifts.append(_closed(slot, current, event.occurred_at))
        else:
            # Keep the fact (someone was at this window) without inventing when they arrived.
            stray = _Open(event.operator, event.occurred_at, ["logout_without_login"])
            shifts.append(_closed(slot, stray, event.occurred_at))
    for slot, current in open_at.items():
        shifts.append(Shift(slot[0], slot[1], current.operator, current.login_at, None, tuple(current.anomalies)))
    return sorted(shifts, key=lambda s: (s.center, s.window, s.login_at, s.operator))


def _closed(slot: tuple[str, int], shift: _Open, at: datetime, anomaly: str | None = None) -> Shift:
    anomalies = (*shift.anomalies, anomaly) if anomaly else tuple(shift.anomalies)
    return Shift(slot[0], slot[1], shift.operator, shift.login_at, at, anomalies)


def operator_at(shifts: Sequence[Shift], center: str, window: int, at: datetime) -> str | None:
    """The operator logged in at `window` of `center` at instant `at` (login inclusive, logout exclusive)."""
    present = [
        s
        for s in shifts
        if s.center == center and s.window == window and s.login_at <= at and (s.logout_at is None or at < s.logout_at)
    ]
    if not present:
        return None
    # Overlaps only arise from hand-built shift lists; the latest login is the one sitting there.
    return max(present, key=lambda s: (s.login_at, s.operator)).operator
