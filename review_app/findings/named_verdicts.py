"""Verdicts given from the command line (`seffaf verdict`) in named reviewers' names, by the web's rules.

The names must be enabled accounts: their roles say who is a senior reviewer, and their scope
(centres, operator links) applies as on the web. With a second reviewer, a high-severity finding's
first verdict and the senior's second are recorded together, or neither is.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from policies.verdict_flow import Actor, Decision
from review_app.auth.scope import AccessPolicy
from review_app.auth.users import UserDirectory, user_of
from review_app.findings.reviews import FindingReviews, Given
from review_app.findings.scope import actor_of
from seffaf.catalog.finding_tables import FindingRow
from seffaf.clock import Clock


class NamedVerdictError(ValueError):
    """A command-line verdict that cannot be recorded; the message says why (nothing was recorded)."""


def parse_decision(value: str) -> Decision:
    try:
        return Decision(value)
    except ValueError:
        known = ", ".join(d.value for d in Decision)
        raise NamedVerdictError(f"verdict: {value!r} is not one of {known}") from None


def named_actor(session: Session, username: str, finding: FindingRow, policy: AccessPolicy) -> Actor:
    account = UserDirectory(session).find(username)
    if account is None or account.disabled:
        raise NamedVerdictError(f"reviewer: no enabled account {username!r} (seffaf users add)")
    user = user_of(account)
    if not policy.can_access(user, finding.center, finding.operator):
        raise NamedVerdictError(f"finding #{finding.id} is outside {username}'s scope (centres, operator links)")
    return actor_of(user)


def give_named(session: Session, clock: Clock, policy: AccessPolicy, finding_id: int, decision: Decision,
               reviewers: list[str], note: str, via: str) -> list[Given]:  # fmt: skip
    """Each named reviewer in turn gives `decision` (the second one as the senior's review); raises on refusal."""
    reviews = FindingReviews(session, clock)
    finding = reviews.lock(finding_id)
    if finding is None:
        raise NamedVerdictError(f"finding: no finding with id {finding_id}")
    return [reviews.give(finding, named_actor(session, name, finding, policy), decision, note, via)
            for name in reviewers]  # fmt: skip
