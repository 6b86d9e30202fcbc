"""The queue, samples and scorecard pages' query forms: parameters in, filters or the faults out (pure, table-tested).

Blank fields mean "any". The queue shows what still needs a verdict unless another status is asked for.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Literal, TypeVar
from urllib.parse import urlencode

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from review_app.findings.models import SeverityFilter, StatusFilter
from review_app.findings.queue import QueueFilter
from review_app.findings.samples import SampleFilter

PAGE_SIZE = 50
Form = TypeVar("Form", bound=BaseModel)


class QueueForm(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)
    status: Literal["pending", "open", "escalated", "awaiting_senior", "confirmed", "dismissed", "all"] = "pending"
    severity: SeverityFilter | None = None
    rule: str | None = Field(None, max_length=64)
    center: str | None = Field(None, max_length=64)
    operator: str | None = Field(None, max_length=64)
    page: int = Field(1, ge=1, le=100_000)


class SampleForm(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)
    reviewed: Literal["all", "no", "yes"] = "all"
    center: str | None = Field(None, max_length=64)
    operator: str | None = Field(None, max_length=64)
    page: int = Field(1, ge=1, le=100_000)


class PeriodForm(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)
    date_from: date | None = None
    date_to: date | None = None


def parse_form(model: type[Form], params: Mapping[str, str]) -> Form | list[str]:
    """The form, or one 'field: what is wrong' line per field at fault."""
    given = {name: value.strip() for name, value in params.items() if name in model.model_fields and value.strip()}
    try:
        return model.model_validate(given)
    except ValidationError as exc:
        return [f"{error['loc'][0]}: {error['msg']}" for error in exc.errors() if error["loc"]]


def queue_filter(form: QueueForm) -> QueueFilter:
    status: StatusFilter | None = None if form.status == "all" else form.status
    return QueueFilter(status=status, severity=form.severity, rule=form.rule, center=form.center,
                       operator=form.operator, limit=PAGE_SIZE, offset=(form.page - 1) * PAGE_SIZE)  # fmt: skip


def sample_filter(form: SampleForm) -> SampleFilter:
    reviewed = None if form.reviewed == "all" else form.reviewed == "yes"
    return SampleFilter(center=form.center, operator=form.operator, reviewed=reviewed, limit=PAGE_SIZE,
                        offset=(form.page - 1) * PAGE_SIZE)  # fmt: skip


def page_link(path: str, form: BaseModel, page: int) -> str:
    """The same list, another page (defaults left out of the address)."""
    values = {name: str(value) for name, value in form.model_dump(exclude={"page"}, exclude_defaults=True).items()}
    return f"{path}?{urlencode({**values, 'page': page})}"
