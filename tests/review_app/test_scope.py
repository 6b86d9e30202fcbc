"""Who may see a session: centre scope, all-centre roles, and the conflict-of-interest rule."""

from __future__ import annotations

import pytest

from review_app.auth.roles import Role, User
from review_app.auth.scope import AccessPolicy, can_access, can_access_all


def user(*roles: Role, centers: tuple[str, ...] = (), links: tuple[str, ...] = ()) -> User:
    return User(id=1, username="u", roles=frozenset(roles), centers=frozenset(centers), operator_links=frozenset(links))


REVIEWER = user(Role.REVIEWER, centers=("baku-1",))
LINKED = user(Role.REVIEWER, centers=("baku-1",), links=("op-7",))
ADMIN = user(Role.ADMIN)
AUDITOR_LINKED = user(Role.AUDITOR, links=("op-7",))
SENIOR_TWO = user(Role.SENIOR_REVIEWER, centers=("baku-1", "ganja-1"))
HANDLER = user(Role.COMPLAINT_HANDLER, centers=("ganja-1",))
NO_ROLE = user(centers=("baku-1",))


@pytest.mark.parametrize(
    ("who", "center", "operator", "block", "allowed"),
    [
        (REVIEWER, "baku-1", "op-1", True, True),
        (REVIEWER, "ganja-1", "op-1", True, False),  # another centre
        (REVIEWER, "baku-1", None, True, True),  # walk-in without a known operator
        (LINKED, "baku-1", "op-7", True, False),  # conflict of interest
        (LINKED, "baku-1", "op-7", False, True),  # ...unless the rule is switched off
        (LINKED, "baku-1", "op-8", True, True),
        (LINKED, "baku-1", None, True, True),
        (ADMIN, "ganja-1", "op-1", True, True),  # admins see every centre
        (AUDITOR_LINKED, "any-centre", "op-1", True, True),
        (AUDITOR_LINKED, "any-centre", "op-7", True, False),  # the conflict holds whatever the role
        (SENIOR_TWO, "ganja-1", "op-2", True, True),
        (HANDLER, "baku-1", "op-2", True, False),
        (NO_ROLE, "baku-1", "op-1", True, False),  # centres without a role give nothing
    ],
)
def test_can_access(who: User, center: str, operator: str | None, block: bool, allowed: bool) -> None:
    assert can_access(who, center, operator, block_linked_operators=block) is allowed
    assert AccessPolicy(block_linked_operators=block).can_access(who, center, operator) is allowed


@pytest.mark.parametrize(
    ("operators", "allowed"),
    [([], True), (["op-1"], True), (["op-1", "op-7"], False), (["op-1", None], True)],
)
def test_a_visit_is_visible_only_if_every_leg_operator_is(operators: list[str | None], allowed: bool) -> None:
    assert can_access_all(LINKED, "baku-1", operators) is allowed
