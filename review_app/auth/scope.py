"""Who may see what: pure decisions on a User, table-tested; routes ask these, never the roles directly."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from review_app.auth.roles import ALL_CENTER_ROLES, CASE_ROLES, Role, User


def has_any_role(user: User, roles: Collection[Role]) -> bool:
    return not user.roles.isdisjoint(roles)


def sees_all_centers(user: User) -> bool:
    return has_any_role(user, ALL_CENTER_ROLES)


def may_export_unredacted(user: User) -> bool:
    """The permission counts only with a role that handles cases: on its own it opens nothing."""
    return Role.UNREDACTED_EXPORT in user.roles and has_any_role(user, CASE_ROLES)


def can_access(user: User, center: str, operator: str | None, *, block_linked_operators: bool = True) -> bool:
    """May `user` see a session (or its footage, findings…) of `operator` at `center`?

    A user with no role sees nothing. Admins and auditors see every centre; everyone else only
    their own. With `block_linked_operators`, nobody sees sessions of an operator they are linked
    to (a relative, a former colleague): the conflict of interest holds whatever the role.
    """
    if not user.roles:
        return False
    if not sees_all_centers(user) and center not in user.centers:
        return False
    return not (block_linked_operators and operator is not None and operator in user.operator_links)


def can_access_all(
    user: User, center: str, operators: Collection[str | None], *, block_linked_operators: bool = True
) -> bool:
    """A visit served by several operators (one per leg) is visible only if every one of them is."""
    if not operators:
        return can_access(user, center, None, block_linked_operators=block_linked_operators)
    return all(can_access(user, center, op, block_linked_operators=block_linked_operators) for op in operators)


@dataclass(frozen=True)
class AccessPolicy:
    """The scope rules with the configured conflict-of-interest switch (settings `review.block_linked_operators`)."""

    block_linked_operators: bool = True

    def can_access(self, user: User, center: str, operator: str | None) -> bool:
        return can_access(user, center, operator, block_linked_operators=self.block_linked_operators)

    def can_access_all(self, user: User, center: str, operators: Collection[str | None]) -> bool:
        return can_access_all(user, center, operators, block_linked_operators=self.block_linked_operators)
