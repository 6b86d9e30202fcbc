"""Which findings, samples and operators a user sees: the centre scope and conflict of interest, for queries."""

from __future__ import annotations

from dataclasses import dataclass

from policies.verdict_flow import Actor
from review_app.auth.roles import Role, User
from review_app.auth.scope import AccessPolicy, has_any_role, sees_all_centers

VERDICT_ROLES = frozenset({Role.REVIEWER, Role.SENIOR_REVIEWER})


@dataclass(frozen=True)
class Scope:
    """Applied inside queries, so totals and pages never count what the user may not see."""

    centers: frozenset[str] | None  # None: every centre
    hidden_operators: frozenset[str]


def scope_of(user: User, policy: AccessPolicy) -> Scope:
    if not user.roles:
        return Scope(centers=frozenset(), hidden_operators=frozenset())
    hidden = user.operator_links if policy.block_linked_operators else frozenset()
    return Scope(centers=None if sees_all_centers(user) else user.centers, hidden_operators=hidden)


def actor_of(user: User) -> Actor:
    return Actor(username=user.username, gives_verdicts=has_any_role(user, VERDICT_ROLES),
                 senior=Role.SENIOR_REVIEWER in user.roles)  # fmt: skip
