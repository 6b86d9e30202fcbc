"""The complaint and case forms as posted: fields in, the request or the faults out (pure, table-tested).

Each fault reads 'field: what is wrong', so the page can say which field to fix.
"""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import ValidationError

from seffaf.cases.complaint_intake import ComplaintIn
from seffaf.cases.states import CaseError, Closing, closing

COMPLAINT_FIELDS = tuple(ComplaintIn.model_fields)


def faults(exc: ValidationError) -> list[str]:
    """One line per fault; a check across fields names its field in its message already."""
    lines = []
    for error in exc.errors():
        message = str(error["msg"]).removeprefix("Value error, ")
        lines.append(f"{error['loc'][0]}: {message}" if error["loc"] else message)
    return lines


def complaint_form(fields: Mapping[str, str]) -> ComplaintIn | list[str]:
    """The complaint, or the faults; blank fields are left out (they mean 'not known')."""
    given = {name: value.strip() for name, value in fields.items() if name in COMPLAINT_FIELDS and value.strip()}
    try:
        return ComplaintIn.model_validate(given)
    except ValidationError as exc:
        return faults(exc)


def chosen_visits(values: list[str]) -> list[int] | str:
    """The ticked sessions' ids, or the fault."""
    try:
        ids = [int(value) for value in values]
    except ValueError:
        return "visit_id: not a session id"
    return ids or "visit_id: tick at least one session"


def close_form(outcome: str, reason: str) -> Closing | list[str]:
    try:
        return closing(outcome, reason)
    except CaseError as exc:
        return [str(exc)]
