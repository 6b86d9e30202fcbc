"""FindingReviews: verdicts and operators' replies, by the state machine, each audited in the same transaction.

The web routes and `seffaf verdict` both go through here, so the rules are the same everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from policies.verdict_flow import (
    Accepted,
    Actor,
    Decision,
    PastVerdict,
    Refused,
    ReviewState,
    ReviewStatus,
    decide,
    reply_refusal,
    review_state,
)
from review_app.audit.entries import AuditAction
from review_app.audit.log import AuditLog
from seffaf.catalog.finding_tables import FindingRow, VerdictRow
from seffaf.catalog.review_tables import FindingReplyRow
from seffaf.clock import Clock


class ReviewRefused(Exception):
    """A verdict or reply the state machine refuses; `refused.reason` says which rule."""

    def __init__(self, refused: Refused) -> None:
        super().__init__(refused.message)
        self.refused = refused


@dataclass(frozen=True)
class Given:
    verdict_id: int
    status: ReviewStatus
    final: bool


class FindingReviews:
    def __init__(self, session: Session, clock: Clock) -> None:
        self._session = session
        self._clock = clock

    def lock(self, finding_id: int) -> FindingRow | None:
        """The finding, locked until the transaction ends, so two verdicts never both see it open.

        PostgreSQL: a row lock. SQLite: a write that changes nothing still takes the database's
        write lock, so the state read next is the newest (as AuditLog does for its chain head).
        """
        if self._session.get_bind().dialect.name == "sqlite":
            touch = update(FindingRow).where(FindingRow.id == finding_id).values(id=FindingRow.id)
            self._session.execute(touch.execution_options(synchronize_session=False))
            return self._session.get(FindingRow, finding_id, populate_existing=True)
        return self._session.scalar(select(FindingRow).where(FindingRow.id == finding_id).with_for_update())

    def history(self, finding_id: int) -> list[VerdictRow]:
        return list(self._session.scalars(select(VerdictRow).where(VerdictRow.finding_id == finding_id)
                                          .order_by(VerdictRow.id)))  # fmt: skip

    def replies(self, finding_id: int) -> list[FindingReplyRow]:
        return list(self._session.scalars(select(FindingReplyRow).where(FindingReplyRow.finding_id == finding_id)
                                          .order_by(FindingReplyRow.id)))  # fmt: skip

    def state(self, finding_id: int) -> ReviewState:
        return state_of(self.history(finding_id))

    def give(self, finding: FindingRow, actor: Actor, decision: Decision, comment: str, via: str) -> Given:
        """Record a verdict if the state machine accepts it (else ReviewRefused); audited as `verdict`."""
        state = self.state(finding.id)
        outcome = decide(finding.severity, state, actor, decision)
        if not isinstance(outcome, Accepted):
            raise ReviewRefused(outcome)
        row = VerdictRow(finding_id=finding.id, verdict=decision.value, status=outcome.status.value,
                         reviewer=actor.username, note=comment, decided_at=self._clock())  # fmt: skip
        self._session.add(row)
        self._session.flush()
        AuditLog(self._session, self._clock).append(
            AuditAction.VERDICT, actor=actor.username, object_type="finding", object_id=str(finding.id),
            reason=comment or None,
            detail={"verdict": decision.value, "status": outcome.status.value, "final": outcome.final,
                    "severity": finding.severity, "rule": finding.rule_id, "previous": state.status.value,
                    "via": via},
        )  # fmt: skip
        return Given(verdict_id=row.id, status=outcome.status, final=outcome.final)

    def reply(self, finding: FindingRow, attached_by: str, text: str, via: str) -> FindingReplyRow:
        """Attach the operator's reply (while no verdict is final); audited as `verdict`, naming who attached it."""
        refused = reply_refusal(self.state(finding.id))
        if refused is not None:
            raise ReviewRefused(refused)
        row = FindingReplyRow(finding_id=finding.id, operator=finding.operator, text=text, attached_by=attached_by,
                              attached_at=self._clock())  # fmt: skip
        self._session.add(row)
        self._session.flush()
        AuditLog(self._session, self._clock).append(
            AuditAction.VERDICT, actor=attached_by, object_type="finding", object_id=str(finding.id),
            reason="operator reply attached on the operator's behalf",
            detail={"reply": row.id, "operator": finding.operator or "", "characters": len(text), "via": via},
        )  # fmt: skip
        return row


def state_of(history: list[VerdictRow]) -> ReviewState:
    return review_state([PastVerdict(reviewer=v.reviewer, decision=Decision(v.verdict), status=ReviewStatus(v.status))
                         for v in history])  # fmt: skip
