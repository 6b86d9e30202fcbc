"""A case's life as a table: open → under review → closed, nothing after closed; closing needs an outcome and why."""

from __future__ import annotations

import pytest

from seffaf.cases.states import CaseConflict, CaseError, CaseStatus, CaseStep, Outcome, closing, next_status

OPEN, REVIEW, CLOSED = CaseStatus.OPEN, CaseStatus.UNDER_REVIEW, CaseStatus.CLOSED


@pytest.mark.parametrize(
    ("current", "step", "after"),
    [
        (OPEN, CaseStep.REVIEW, REVIEW),
        (OPEN, CaseStep.NOTE, OPEN),
        (OPEN, CaseStep.CLOSE, CLOSED),
        (REVIEW, CaseStep.NOTE, REVIEW),
        (REVIEW, CaseStep.CLOSE, CLOSED),
    ],
)
def test_allowed_steps(current: CaseStatus, step: CaseStep, after: CaseStatus) -> None:
    assert next_status(current, step) is after


@pytest.mark.parametrize(
    ("current", "step", "message"),
    [
        (REVIEW, CaseStep.REVIEW, "the case is under review already"),
        (CLOSED, CaseStep.REVIEW, "the case is closed: no review (closed cases are not reopened; open a new case)"),
        (CLOSED, CaseStep.NOTE, "the case is closed: no note"),
        (CLOSED, CaseStep.CLOSE, "the case is closed: no close"),
    ],
)
def test_refused_steps(current: CaseStatus, step: CaseStep, message: str) -> None:
    with pytest.raises(CaseConflict) as refused:
        next_status(current, step)
    assert str(refused.value).startswith(message)


@pytest.mark.parametrize(
    ("outcome", "reason", "expected"),
    [
        ("substantiated", " asked for money on camera ", (Outcome.SUBSTANTIATED, "asked for money on camera")),
        ("withdrawn", "complainant withdrew", (Outcome.WITHDRAWN, "complainant withdrew")),
        (
            "guilty",
            "because",
            "outcome: 'guilty' is not one of substantiated, unsubstantiated, inconclusive, withdrawn",
        ),
        ("inconclusive", "   ", "reason: say why the case is closed"),
    ],
)
def test_closing_needs_a_known_outcome_and_a_reason(outcome: str, reason: str, expected: object) -> None:
    if isinstance(expected, str):
        with pytest.raises(CaseError) as refused:
            closing(outcome, reason)
        assert str(refused.value).startswith(expected)
    else:
        asked = closing(outcome, reason)
        assert (asked.outcome, asked.reason) == expected
