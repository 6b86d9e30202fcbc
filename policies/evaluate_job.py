"""The evaluation jobs: judge a leg once its footage is analysed, and a window's idle stretches once its day is over."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from indexer.jobs import Claim, enqueue
from indexer.worker import Handler
from policies.evaluator import EvaluationReport, Evaluator
from policies.idle_subjects import idle_subjects, window_days
from policies.loader import CheckedRuleSet
from policies.readiness import EVALUATE_LEG, HORIZON, ready_legs
from seffaf.catalog.session_tables import LegRow
from seffaf.catalog.sites_tables import CenterRow
from seffaf.clock import Clock

EVALUATE_IDLE = "evaluate_idle"


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
    """Queue legs that became ready, and the idle stretches of window-days that are over."""
    added = enqueue(session, EVALUATE_LEG, [f"leg:{leg.id}" for leg in ready_legs(session, now)], now)
    zones = {c.id: ZoneInfo(c.timezone) for c in session.scalars(select(CenterRow))}
    over = [
        idle_job_subject(center, window, day)
        for center, window, day in window_days(session, now - HORIZON - timedelta(days=1), now)
        if day < now.astimezone(zones[center]).date()
    ]
    return added + enqueue(session, EVALUATE_IDLE, over, now)
