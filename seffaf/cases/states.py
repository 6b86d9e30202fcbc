"""A case's life: open → under review → closed (with an outcome and a reason). Pure, table-tested.

A closed case stays closed, for everyone: its holds were released when it closed, and a new
complaint about the same sessions becomes a new case with new holds. Reopening would let the
record of why a case ended change after the footage it protected may have gone.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class CaseStatus(StrEnum):
    OPEN = "open"
    UNDER_REVIEW = "under_review"
    CLOSED = "closed"


class Outcome(StrEnum):
    SUBSTANTIATED = "substantiated"
    UNSUBSTANTIATED = "unsubstantiated"
    INCONCLUSIVE = "inconclusive"
    WITHDRAWN = "withdrawn"


class CaseStep(StrEnum):
    REVIEW = "review"
    NOTE = "note"
    CLOSE = "close"


class CaseError(ValueError):
    """A case request that cannot be done; the message names the field or the state at fault."""


class CaseNotFound(CaseError):
    """No such case, complaint or session (or one the caller may not see: they answer alike)."""


class CaseConflict(CaseError):
    """The case's (or complaint's) state forbids the step: retrying the same request cannot help."""


@dataclass(frozen=True)
class Closing:
    outcome: Outcome
    reason: str


def parse_outcome(value: str) -> Outcome:
    try:
        return Outcome(value)
    except ValueError:
        known = ", ".join(o.value for o in Outcome)
        raise CaseError(f"outcome: {value!r} is not one of {known}") from None


def closing(outcome: str, reason: str) -> Closing:
    """The close request checked: a known outcome and a stated reason (the holds' release reason too)."""
    if not reason.strip():
        raise CaseError("reason: say why the case is closed (it is also why its holds are released)")
    return Closing(parse_outcome(outcome), reason.strip())


def next_status(current: CaseStatus, step: CaseStep) -> CaseStatus:
    """The status after `step`; raises CaseConflict when the current status forbids it."""
    if current is CaseStatus.CLOSED:
        raise CaseConflict(f"the case is closed: no {step.value} (closed cases are not reopened; open a new case)")
    if step is CaseStep.REVIEW:
        if current is CaseStatus.UNDER_REVIEW:
            raise CaseConflict("the case is under review already")
        return CaseStatus.UNDER_REVIEW
    if step is CaseStep.CLOSE:
        return CaseStatus.CLOSED
    return current
