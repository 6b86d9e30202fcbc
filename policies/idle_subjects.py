"""Stretches of a window-day with a citizen present and no session open, as subjects for the idle rules."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from ingest.sessions import end_of_service_day
from policies.context import LegContext, RuleContext, SeenContext, WindowIdleContext
from policies.idle_windows import citizen_without_session
from policies.ruleset import Evidence
from policies.subjects import Subject, TimeRange, idle_key
from seffaf.catalog.observation_tables import ObservationRow
from seffaf.catalog.session_tables import LegRow, ShiftRow
from seffaf.catalog.sites_tables import CenterRow, WindowRow


def window_days(session: Session, since: datetime, until: datetime) -> list[tuple[str, int, date]]:
    """Every (centre, window, local date) with a camera and footage analysed between since and until."""
    found: set[tuple[str, int, date]] = set()
    zones = {c.id: ZoneInfo(c.timezone) for c in session.scalars(select(CenterRow))}
    windows = session.execute(select(WindowRow.center, WindowRow.number, WindowRow.camera)).all()
    for center, number, camera in windows:
        if camera is None:
            continue
        starts = session.scalars(
            select(ObservationRow.start).where(
                ObservationRow.camera == camera, ObservationRow.kind == "citizen_count",
                ObservationRow.start < until, ObservationRow.end > since,
            )
        )  # fmt: skip
        found |= {(center, number, start.astimezone(zones[center]).date()) for start in starts}
    return sorted(found)


def idle_subjects(session: Session, center: str, window: int, day: date, now: datetime) -> list[Subject]:
    zone = ZoneInfo(session.scalar(select(CenterRow.timezone).where(CenterRow.id == center)) or "UTC")
    camera = session.scalar(select(WindowRow.camera).where(WindowRow.center == center, WindowRow.number == window))
    if camera is None:
        return []
    day_start = datetime.combine(day, time(), tzinfo=zone).astimezone(UTC)
    day_end = end_of_service_day(day, zone)
    citizen = [
        (start, end)
        for start, end in session.execute(
            select(ObservationRow.start, ObservationRow.end).where(
                ObservationRow.camera == camera, ObservationRow.kind == "citizen_count", ObservationRow.value >= 1,
                ObservationRow.start < day_end, ObservationRow.end > day_start,
            )
        )
    ]  # fmt: skip
    sessions = [
        (called or started or ended or now, ended or now)
        for called, started, ended in session.execute(
            select(LegRow.called_at, LegRow.started_at, LegRow.ended_at).where(
                LegRow.center == center, LegRow.window == window,
                LegRow.called_at < day_end, (LegRow.ended_at.is_(None)) | (LegRow.ended_at > day_start),
            )
        )
    ]  # fmt: skip
    shifts = list(session.scalars(select(ShiftRow).where(ShiftRow.center == center, ShiftRow.service_date == day)))
    subjects = []
    for start, end in citizen_without_session(citizen, sessions):
        at_window = [s for s in shifts if s.window == window and s.login_at <= start
                     and (s.logout_at is None or start < s.logout_at)]  # fmt: skip
        seconds = round((end - start).total_seconds(), 3)
        context = RuleContext(
            leg=LegContext(window=window, operator=at_window[0].operator if at_window else "", service="",
                           outcome="idle", wait_s=0.0, duration_s=seconds, operator_logged_in=bool(at_window),
                           shifts_reported=bool(shifts)),
            seen=SeenContext(operator_absent_s=0.0, citizen_seen_s=seconds, citizen_max=1, raised_voice_s=0.0,
                             tamper_s=0.0, analysed=True),
            idle=WindowIdleContext(citizen_without_session_s=seconds),
        )  # fmt: skip
        subjects.append(Subject(
            key=idle_key(center, window, start), kind="idle_window", center=center, service_date=day, window=window,
            start=start, end=end, context=context, timezone=zone, operator=at_window[0].operator if at_window else None,
            evidence={Evidence.IDLE_CITIZEN: (TimeRange(start, end, "citizen_without_session"),)},
        ))  # fmt: skip
    return subjects
