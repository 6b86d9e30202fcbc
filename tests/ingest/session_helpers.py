"""Shared helpers for the session builder tests (tests/ingest/test_sessions_*.py, test_walk_ins.py): terse queue
events, the summary of a built visit that the tables compare, and the fixed instants and shifts they use.

Times are local (Asia/Baku, +04:00, on 2026-05-04 unless a call says otherwise). A leg is summarised as
"w<window> <called> <started> <ended> <outcome>" with "-" for a missing time.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from ingest.events import EventType, QueueEvent
from ingest.sessions import Leg, Visit, build_visit
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


# Who is logged in where: the operator rule and the walk-ins look legs up in these.
OPERATOR_SHIFTS = (
    Shift(CENTER, 7, "4410", at("09:00:00"), at("12:00:00")),
    Shift(CENTER, 9, "5120", at("09:00:00"), None),
    Shift("ganja-2", 7, "7777", at("09:00:00"), None),
)
