"""The verdict state machine: who may judge a finding in which state, and when a verdict is final. Pure.

A finding starts `open`. A reviewer (or senior reviewer) confirms, dismisses or escalates it:

- low and medium severity: a confirmation or dismissal is final at once;
- high severity: it is a first verdict (`awaiting_senior`) until a senior reviewer who has not yet
  judged the finding confirms or dismisses it (agreeing or overruling); that second verdict is final;
- escalate (any severity) hands it to the seniors (`escalated`); a senior reviewer who has not yet
  judged it decides, and that is final (the escalating reviewer was the first pair of eyes).

A final verdict is never replaced. The operator's reply can be attached until the verdict is final.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum


class Decision(StrEnum):
    """What a reviewer says about a finding."""

    CONFIRMED = "confirmed"
    DISMISSED = "dismissed"
    ESCALATE = "escalate"


class ReviewStatus(StrEnum):
    """Where a finding's review stands (stored with every verdict as the status it led to)."""

    OPEN = "open"
    ESCALATED = "escalated"
    AWAITING_SENIOR = "awaiting_senior"
    CONFIRMED = "confirmed"
    DISMISSED = "dismissed"


FINAL_STATUSES = frozenset({ReviewStatus.CONFIRMED, ReviewStatus.DISMISSED})
PENDING_STATUSES = frozenset({ReviewStatus.OPEN, ReviewStatus.ESCALATED, ReviewStatus.AWAITING_SENIOR})
SECOND_REVIEW_SEVERITIES = frozenset({"high"})


class Refusal(StrEnum):
    NOT_A_REVIEWER = "not_a_reviewer"  # the actor gives no verdicts at all (auditor, admin…)
    NEEDS_SENIOR = "needs_senior"  # escalated or awaiting a second review: senior reviewers only
    ALREADY_JUDGED = "already_judged"  # four eyes: the second review is by someone else
    ALREADY_ESCALATED = "already_escalated"  # with the seniors already: confirm or dismiss
    FINAL = "final"  # a final verdict is never replaced; replies close with it too


@dataclass(frozen=True)
class Actor:
    username: str
    gives_verdicts: bool  # reviewer or senior reviewer
    senior: bool


@dataclass(frozen=True)
class PastVerdict:
    reviewer: str
    decision: Decision
    status: ReviewStatus  # the status this verdict led to


@dataclass(frozen=True)
class ReviewState:
    status: ReviewStatus
    judged_by: frozenset[str]  # everyone who gave a verdict (or escalated) so far

    @property
    def final(self) -> bool:
        return self.status in FINAL_STATUSES


@dataclass(frozen=True)
class Accepted:
    status: ReviewStatus

    @property
    def final(self) -> bool:
        return self.status in FINAL_STATUSES


@dataclass(frozen=True)
class Refused:
    reason: Refusal
    message: str


def review_state(history: Sequence[PastVerdict]) -> ReviewState:
    """The state after a finding's verdicts, oldest first (the last one's status is the current one)."""
    status = history[-1].status if history else ReviewStatus.OPEN
    return ReviewState(status=status, judged_by=frozenset(v.reviewer for v in history))


def needs_second_review(severity: str) -> bool:
    return severity in SECOND_REVIEW_SEVERITIES


def decide(severity: str, state: ReviewState, actor: Actor, decision: Decision) -> Accepted | Refused:
    """The status a verdict leads to, or why it is refused."""
    if not actor.gives_verdicts:
        return Refused(Refusal.NOT_A_REVIEWER, "only reviewers and senior reviewers give verdicts")
    if state.final:
        return Refused(Refusal.FINAL, f"the verdict is final ({state.status}); it is not replaced")
    if state.status is ReviewStatus.OPEN:
        if decision is Decision.ESCALATE:
            return Accepted(ReviewStatus.ESCALATED)
        if needs_second_review(severity):
            return Accepted(ReviewStatus.AWAITING_SENIOR)
        return Accepted(ReviewStatus(decision.value))
    # Escalated, or a high-severity first verdict: a senior who has not judged it yet decides, finally.
    if not actor.senior:
        return Refused(Refusal.NEEDS_SENIOR, f"{state.status}: only a senior reviewer decides it now")
    if actor.username in state.judged_by:
        return Refused(Refusal.ALREADY_JUDGED, "the second review must be by a senior reviewer who has not judged it")
    if decision is Decision.ESCALATE:
        return Refused(Refusal.ALREADY_ESCALATED, f"{state.status}: a senior reviewer confirms or dismisses it")
    return Accepted(ReviewStatus(decision.value))


def allowed_decisions(severity: str, state: ReviewState, actor: Actor) -> list[Decision]:
    """What the verdict form offers this actor now (empty: no form)."""
    return [d for d in Decision if isinstance(decide(severity, state, actor, d), Accepted)]


def reply_refusal(state: ReviewState) -> Refused | None:
    """The operator's reply is attached while the review is open; a final verdict closes it."""
    if state.final:
        return Refused(Refusal.FINAL, f"the verdict is final ({state.status}); replies are closed")
    return None


def next_step(severity: str, state: ReviewState) -> str:
    """What the finding waits for, in words for the reviewer's page."""
    if state.final:
        return f"final: {state.status}"
    if state.status is ReviewStatus.ESCALATED:
        return "escalated: a senior reviewer who has not judged it gives the final verdict"
    if state.status is ReviewStatus.AWAITING_SENIOR:
        judged = ", ".join(sorted(state.judged_by))
        return f"first verdict given: a senior reviewer other than {judged} gives the final verdict"
    if needs_second_review(severity):
        return "open: high severity, so a first verdict is final only after a senior reviewer's second"
    return "open: a reviewer's confirmation or dismissal is final"
