"""The search page's form: query parameters in, a SessionFilter or the fields at fault out (pure, table-tested)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import get_args
from urllib.parse import urlencode

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from indexer.session_query import SessionFilter

PAGE_SIZE = 50
LABELS = {
    "ticket": "Ticket", "application": "Application ID", "operator": "Operator", "window": "Window",
    "center": "Centre", "service": "Service", "date_from": "From date", "date_to": "To date",
    "finding_rule": "Finding rule", "finding_severity": "Severity", "finding_status": "Finding status",
    "coverage_below_full": "Coverage below 100 %", "page": "Page",
}  # fmt: skip
_DATE_ERRORS = ("date_parsing", "date_from_datetime_parsing", "date_from_datetime_inexact", "date_type")


class SearchForm(BaseModel):
    """What the reviewer typed; blank fields are absent. The page number is 1-based."""

    model_config = ConfigDict(extra="ignore", frozen=True)
    ticket: str | None = Field(None, max_length=64)
    application: str | None = Field(None, max_length=64)
    operator: str | None = Field(None, max_length=64)
    window: int | None = Field(None, ge=1, le=10_000)
    center: str | None = Field(None, max_length=64)
    service: str | None = Field(None, max_length=64)
    date_from: date | None = None
    date_to: date | None = None
    finding_rule: str | None = Field(None, max_length=64)
    # Which severities and statuses exist is SessionFilter's to say (checked by parse_search).
    finding_severity: str | None = Field(None, max_length=32)
    finding_status: str | None = Field(None, max_length=32)
    coverage_below_full: bool = False
    page: int = Field(1, ge=1, le=100_000)

    @model_validator(mode="after")
    def _dates_in_order(self) -> SearchForm:
        if self.date_from is not None and self.date_to is not None and self.date_to < self.date_from:
            raise ValueError("date_to: before the from date")
        return self


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str

    @property
    def label(self) -> str:
        return LABELS.get(self.field, self.field)


def _message(error_type: str, message: str) -> str:
    if error_type in _DATE_ERRORS:
        return "a date as YYYY-MM-DD"
    message = message.removeprefix("Value error, ")
    return message[:1].lower() + message[1:]


def parse_search(params: Mapping[str, str]) -> SearchForm | list[FieldError]:
    """Blank fields mean 'any'; each field at fault is named once, in the form's order.

    The form's own checks and SessionFilter's (e.g. the finding statuses it knows) both run,
    so every fault is named at once.
    """
    given = {name: value.strip() for name, value in params.items() if name in LABELS and value.strip()}
    faults: dict[str, FieldError] = {}
    for model, values in ((SearchForm, given), (SessionFilter, {k: v for k, v in given.items() if k != "page"})):
        try:
            model.model_validate(values)
        except ValidationError as exc:
            for error in exc.errors(include_url=False):
                message = _message(error["type"], error["msg"])
                if error["loc"]:
                    field = str(error["loc"][0])
                else:  # a check across fields names its field first: "date_to: ..."
                    field, _, message = message.partition(": ")
                faults.setdefault(field, FieldError(field, message))
    if not faults:
        return SearchForm.model_validate(given)
    order = list(LABELS)
    return sorted(faults.values(), key=lambda e: order.index(e.field) if e.field in order else len(order))


def choices(field: str) -> tuple[str, ...]:
    """The values SessionFilter accepts for a Literal field, for the form's drop-down."""
    annotation = SessionFilter.model_fields[field].annotation
    return tuple(value for part in get_args(annotation) for value in get_args(part) if isinstance(value, str))


def session_filter(form: SearchForm) -> SessionFilter:
    """The form as a SessionFilter for one page of PAGE_SIZE (the caller adds the user's scope)."""
    values = form.model_dump(exclude={"page"})
    return SessionFilter(**values, limit=PAGE_SIZE, offset=(form.page - 1) * PAGE_SIZE)


def page_link(form: SearchForm, page: int) -> str:
    """The search page's address for another page of the same results."""
    values = form.model_dump(exclude={"page"}, exclude_defaults=True)
    query = {name: "on" if value is True else str(value) for name, value in values.items()}
    return "/search?" + urlencode({**query, "page": page})


@dataclass(frozen=True)
class Paging:
    page: int
    pages: int
    first_row: int  # 1-based; 0 when the page is empty
    last_row: int
    previous: int | None
    next: int | None


def paging(total: int, page: int, size: int = PAGE_SIZE) -> Paging:
    pages = max(1, -(-total // size))
    first = (page - 1) * size + 1
    last = min(total, page * size)
    shown = first <= last
    return Paging(
        page=page, pages=pages, first_row=first if shown else 0, last_row=last if shown else 0,
        previous=min(page - 1, pages) if page > 1 else None, next=page + 1 if page < pages else None,
    )  # fmt: skip
