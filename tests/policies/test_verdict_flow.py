"""The verdict state machine, as a table: state, severity, who, what they say → the status it leads to, or why not."""

from __future__ import annotations

import pytest

from policies.verdict_flow import (
    Accepted,
    Actor,
    Decision,
    PastVerdict,
    Refusal,
    Refused,
    ReviewState,
    ReviewStatus,
    allowed_decisions,
    decide,
    next_step,
    reply_refusal,
    review_state,
)

AYSEL = Actor("aysel", gives_verdicts=True, senior=False)  # reviewer
NIGAR = Actor("nigar", gives_verdicts=True, senior=True)  # senior reviewer
RASHAD = Actor("rashad", gives_verdicts=True, senior=True)  # another senior reviewer
KAMRAN = Actor("kamran", gives_verdicts=False, senior=False)  # auditor, admin, complaint handler

C, D, E = Decision.CONFIRMED, Decision.DISMISSED, Decision.ESCALATE
S = ReviewStatus


def state(status: ReviewStatus, *judged_by: str) -> ReviewState:
    return ReviewState(status=status, judged_by=frozenset(judged_by))


OPEN = state(S.OPEN)


@pytest.mark.parametrize(
    ("case", "severity", "before", "actor", "decision", "expected"),
    [
        # Low and medium: a reviewer's (or senior's) confirmation or dismissal is final at once.
        ("medium confirmed", "medium", OPEN, AYSEL, C, S.CONFIRMED),
        ("low dismissed", "low", OPEN, AYSEL, D, S.DISMISSED),
        ("medium by a senior", "medium", OPEN, NIGAR, D, S.DISMISSED),
        # High: the first verdict waits for a senior's second, whoever gave it.
        ("high confirmed first", "high", OPEN, AYSEL, C, S.AWAITING_SENIOR),
        ("high dismissed first", "high", OPEN, AYSEL, D, S.AWAITING_SENIOR),
        ("high, a senior first", "high", OPEN, NIGAR, C, S.AWAITING_SENIOR),
        ("second agrees", "high", state(S.AWAITING_SENIOR, "aysel"), NIGAR, C, S.CONFIRMED),
        ("second overrules", "high", state(S.AWAITING_SENIOR, "aysel"), NIGAR, D, S.DISMISSED),
        ("second after a senior", "high", state(S.AWAITING_SENIOR, "nigar"), RASHAD, C, S.CONFIRMED),
        ("own second", "high", state(S.AWAITING_SENIOR, "nigar"), NIGAR, C, Refusal.ALREADY_JUDGED),
        ("reviewer second", "high", state(S.AWAITING_SENIOR, "nigar"), AYSEL, C, Refusal.NEEDS_SENIOR),
        ("first reviewer again", "high", state(S.AWAITING_SENIOR, "aysel"), AYSEL, D, Refusal.NEEDS_SENIOR),
        ("escalate the second", "high", state(S.AWAITING_SENIOR, "aysel"), NIGAR, E, Refusal.ALREADY_ESCALATED),
        # Escalation hands it to a senior who has not judged it; their verdict is final, any severity.
        ("escalate", "low", OPEN, AYSEL, E, S.ESCALATED),
        ("senior escalates", "high", OPEN, NIGAR, E, S.ESCALATED),
        ("escalated, senior decides", "medium", state(S.ESCALATED, "aysel"), NIGAR, C, S.CONFIRMED),
        ("escalated high, senior decides", "high", state(S.ESCALATED, "aysel"), NIGAR, D, S.DISMISSED),
        ("escalated, reviewer", "medium", state(S.ESCALATED, "aysel"), AYSEL, C, Refusal.NEEDS_SENIOR),
        ("escalated by a senior, same", "low", state(S.ESCALATED, "nigar"), NIGAR, C, Refusal.ALREADY_JUDGED),
        ("escalated by a senior, other", "low", state(S.ESCALATED, "nigar"), RASHAD, D, S.DISMISSED),
        ("escalate again", "medium", state(S.ESCALATED, "aysel"), NIGAR, E, Refusal.ALREADY_ESCALATED),
        # A final verdict is never replaced; those who give no verdicts give none.
        ("final stays", "medium", state(S.CONFIRMED, "aysel"), NIGAR, D, Refusal.FINAL),
        ("final high stays", "high", state(S.DISMISSED, "aysel", "nigar"), RASHAD, C, Refusal.FINAL),
        ("final, escalate", "low", state(S.DISMISSED, "aysel"), AYSEL, E, Refusal.FINAL),
        ("auditor", "medium", OPEN, KAMRAN, C, Refusal.NOT_A_REVIEWER),
        ("auditor escalates", "high", OPEN, KAMRAN, E, Refusal.NOT_A_REVIEWER),
        ("auditor on final", "low", state(S.CONFIRMED, "aysel"), KAMRAN, C, Refusal.NOT_A_REVIEWER),
        # An unknown severity is not high: no second review.
        ("unknown severity", "critical?", OPEN, AYSEL, C, S.CONFIRMED),
    ],
)
def test_verdict_transitions(case: str, severity: str, before: ReviewState, actor: Actor, decision: Decision,
                             expected: ReviewStatus | Refusal) -> None:  # fmt: skip
    outcome = decide(severity, before, actor, decision)
    if isinstance(expected, Refusal):
        assert isinstance(outcome, Refused) and outcome.reason is expected, case
    else:
        assert outcome == Accepted(expected), case
        assert outcome.final == (expected in (S.CONFIRMED, S.DISMISSED))


@pytest.mark.parametrize(
    ("history", "expected"),
    [
        ([], OPEN),
        ([PastVerdict("aysel", C, S.AWAITING_SENIOR)], state(S.AWAITING_SENIOR, "aysel")),
        ([PastVerdict("aysel", E, S.ESCALATED), PastVerdict("nigar", D, S.DISMISSED)],
         state(S.DISMISSED, "aysel", "nigar")),
        # Verdicts from before the workflow (migration 0005: status = verdict): the latest stands.
        ([PastVerdict("aysel", C, S.CONFIRMED), PastVerdict("aysel", D, S.DISMISSED)], state(S.DISMISSED, "aysel")),
    ],
)  # fmt: skip
def test_state_is_the_latest_status_and_everyone_who_judged(history: list[PastVerdict], expected: ReviewState) -> None:
    assert review_state(history) == expected


@pytest.mark.parametrize(
    ("before", "allowed"),
    [(OPEN, True), (state(S.ESCALATED, "a"), True), (state(S.AWAITING_SENIOR, "a"), True),
     (state(S.CONFIRMED, "a"), False), (state(S.DISMISSED, "a"), False)],
)  # fmt: skip
def test_the_operator_reply_is_attached_only_before_the_verdict_is_final(before: ReviewState, allowed: bool) -> None:
    refused = reply_refusal(before)
    assert (refused is None) == allowed
    assert refused is None or refused.reason is Refusal.FINAL


@pytest.mark.parametrize(
    ("severity", "before", "actor", "offered"),
    [
        ("high", OPEN, AYSEL, [C, D, E]),
        ("high", state(S.AWAITING_SENIOR, "aysel"), AYSEL, []),
        ("high", state(S.AWAITING_SENIOR, "aysel"), NIGAR, [C, D]),
        ("low", state(S.ESCALATED, "nigar"), NIGAR, []),
        ("low", state(S.CONFIRMED, "aysel"), NIGAR, []),
        ("low", OPEN, KAMRAN, []),
    ],
)
def test_the_form_offers_only_what_the_actor_may_decide(severity: str, before: ReviewState, actor: Actor,
                                                        offered: list[Decision]) -> None:  # fmt: skip
    assert allowed_decisions(severity, before, actor) == offered


@pytest.mark.parametrize(
    ("severity", "before", "words"),
    [
        ("medium", OPEN, "final"),
        ("high", OPEN, "senior reviewer's second"),
        ("high", state(S.AWAITING_SENIOR, "aysel"), "other than aysel"),
        ("low", state(S.ESCALATED, "aysel"), "escalated"),
        ("low", state(S.CONFIRMED, "aysel"), "final: confirmed"),
    ],
)
def test_next_step_says_what_the_finding_waits_for(severity: str, before: ReviewState, words: str) -> None:
    assert words in next_step(severity, before)
