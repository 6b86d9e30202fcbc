"""Judging sessions with a rule set and keeping the findings: by job, by `seffaf evaluate`, or as a dry run.

Findings and evaluations are inserted, never updated: the same subject evaluated again with the
same rule-set version adds nothing, and a new version adds its own rows beside the old ones.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from policies.evaluation import FindingDraft, RuleError, evaluate_subject
from policies.idle_subjects import idle_subjects, window_days
from policies.leg_subjects import LegSubjects
from policies.loader import CheckedRuleSet
from policies.subjects import Subject
from seffaf.catalog.finding_tables import EvaluationRow, FindingRow
from seffaf.catalog.session_tables import LegRow
from seffaf.clock import Clock

logger = logging.getLogger(__name__)
BATCH = 500


@dataclass
class EvaluationReport:
    subjects: int = 0
    new_findings: int = 0
    drafts: list[FindingDraft] = field(default_factory=list)
    errors: list[RuleError] = field(default_factory=list)

    def per_rule(self) -> Counter[str]:
        return Counter(draft.rule.id for draft in self.drafts)

    def add(self, other: EvaluationReport) -> None:
        self.subjects += other.subjects
        self.new_findings += other.new_findings
        self.drafts += other.drafts
        self.errors += other.errors


def _finding_row(draft: FindingDraft, now: datetime) -> dict[str, object]:
    s = draft.subject
    return {
        "subject": s.key, "rule_id": draft.rule.id, "ruleset": draft.ruleset, "ruleset_version": draft.ruleset_version,
        "principle": draft.rule.principle.value, "severity": draft.rule.severity.value, "title": draft.rule.title,
        "center": s.center, "service_date": s.service_date, "window": s.window, "operator": s.operator,
        "ticket": s.ticket, "leg_index": s.leg_index, "visit_id": s.visit_id, "start": s.start, "end": s.end,
        "evidence": [r.as_json() for r in draft.evidence], "facts": draft.facts, "explanation": draft.explanation,
        "evaluated_at": now,
    }  # fmt: skip


class Evaluator:
    def __init__(self, session: Session, checked: CheckedRuleSet, clock: Clock) -> None:
        self._session = session
        self._checked = checked
        self._clock = clock

    def legs(self, legs: Sequence[LegRow], write: bool = True) -> EvaluationReport:
        return self.judge(LegSubjects(self._session, self._clock()).build(legs), write)

    def period(self, since: datetime, until: datetime, write: bool = True) -> EvaluationReport:
        """Every ended, linked leg that began in [since, until), and every idle stretch starting in it."""
        report = EvaluationReport()
        begin = func.coalesce(LegRow.called_at, LegRow.started_at)
        query = (
            select(LegRow)
            .where(begin >= since, begin < until, LegRow.ended_at.is_not(None), LegRow.linked_at.is_not(None))
            .order_by(LegRow.id)
        )
        legs = list(self._session.scalars(query))
        for start in range(0, len(legs), BATCH):
            report.add(self.legs(legs[start : start + BATCH], write))
        now = self._clock()
        for center, window, day in window_days(self._session, since, until):
            stretches = [s for s in idle_subjects(self._session, center, window, day, now) if since <= s.start < until]
            report.add(self.judge(stretches, write))
        return report

    def judge(self, subjects: Iterable[Subject], write: bool = True) -> EvaluationReport:
        report = EvaluationReport()
        now = self._clock()
        evaluations: list[dict[str, object]] = []
        findings: list[dict[str, object]] = []
        for subject in subjects:
            result = evaluate_subject(self._checked, subject)
            report.subjects += 1
            report.drafts += result.findings
            report.errors += result.errors
            for error in result.errors:
                logger.warning("rule %s failed on %s: %s", error.rule_id, error.subject, error.message)
            evaluations.append({"subject": subject.key, "ruleset": self._checked.ruleset.name,
                                "ruleset_version": self._checked.ruleset.version, "findings": len(result.findings),
                                "evaluated_at": now})  # fmt: skip
            findings += [_finding_row(draft, now) for draft in result.findings]
        if write:
            self._insert_new(EvaluationRow, evaluations)
            report.new_findings = self._insert_new(FindingRow, findings)
        return report

    def _insert_new(self, table: type[EvaluationRow] | type[FindingRow], rows: list[dict[str, object]]) -> int:
        if not rows:
            return 0
        insert = pg_insert if self._session.connection().dialect.name == "postgresql" else sqlite_insert
        added = 0
        for start in range(0, len(rows), 500):
            statement = insert(table).values(rows[start : start + 500]).on_conflict_do_nothing().returning(table.id)
            added += len(self._session.execute(statement).all())
        return added
