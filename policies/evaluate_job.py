"""The evaluation jobs: judge a leg once its footage is analysed, and a window's idle stretches once its day is over."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from indexer.job_kinds import EVALUATE_IDLE, EVALUATE_LEG
from indexer.jobs import Claim, enqueue
from indexer.worker import Handler
from ingest.sessions import end_of_service_day
from policies.evaluator import EvaluationReport, Evaluator
from policies.idle_subjects import idle_subjects
from policies.loader import CheckedRuleSet
from policies.readiness import HORIZON, footage_analysed, ready_legs
from seffaf.catalog.session_tables import LegRow, VisitRow
from seffaf.catalog.sites_tables import CenterRow
from seffaf.clock import Clock


def _result(report: EvaluationReport) -> dict[str, object]:
    return {"subjects": report.subjects, "findings": report.new_findings, "rules": dict(report.per_rule()),
            "errors": [f"{e.rule_id}: {e.message}" for e in report.errors]}  # fmt: skip


def evaluate_leg_job(checked: CheckedRuleSet, clock: Clock) -> Handler:
    def handle(session: Session, job: Claim) -> dict[str, object]:
        leg = session.get(LegRow, int(job.subject.removeprefix("leg:")))
        if leg is None:
            return {"subjects": 0, "reason": "leg no longer in the catalog (sessions rebuilt)"}
        return _result(Evaluator(session, checked, clock).legs([leg]))

    return handle


def idle_job_subject(center: str, window: int, day: date) -> str:
    return f"{center}/{window}/{day.isoformat()}"


def evaluate_idle_job(checked: CheckedRuleSet, clock: Clock) -> Handler:
    def handle(session: Session, job: Claim) -> dict[str, object]:
        center, window, day = job.subject.rsplit("/", 2)
        subjects = idle_subjects(session, center, int(window), date.fromisoformat(day), clock())
        return _result(Evaluator(session, checked, clock).judge(subjects))

    return handle


def enqueue_evaluations(session: Session, now: datetime) -> int:
    """Queue legs that became ready, and the idle stretches of recently linked window-days that are over."""
    added = enqueue(session, EVALUATE_LEG, [f"leg:{leg.id}" for leg in ready_legs(session, now)], now)
    zones = {c.id: ZoneInfo(c.timezone) for c in session.scalars(select(CenterRow))}
    recent = session.execute(
        select(LegRow.center, LegRow.window, LegRow.camera, VisitRow.service_date)
        .join(VisitRow, VisitRow.id == LegRow.visit_id)
        .where(LegRow.linked_at > now - HORIZON, LegRow.camera.is_not(None))
        .distinct()
    )
    over = []
    for center, window, camera, day in recent:
        zone = zones.get(center, ZoneInfo("UTC"))
        if camera is None or day >= now.astimezone(zone).date():
            continue  # the day is not over: more sessions may open
        start = datetime.combine(day, time(), tzinfo=zone).astimezone(UTC)
        if footage_analysed(session, camera, start, end_of_service_day(day, zone)):
            over.append(idle_job_subject(center, window, day))
    return added + enqueue(session, EVALUATE_IDLE, over, now)
