"""The findings pages' query forms: blank means any, the queue defaults to pending, faults are named (pure)."""

from __future__ import annotations

import pytest

from review_app.findings.page_forms import (
    PAGE_SIZE,
    PeriodForm,
    QueueForm,
    SampleForm,
    page_link,
    parse_form,
    queue_filter,
    sample_filter,
)


@pytest.mark.parametrize(
    ("params", "status", "severity", "offset"),
    [
        ({}, "pending", None, 0),
        ({"status": "all", "severity": " ", "page": "3"}, None, None, 2 * PAGE_SIZE),
        ({"status": "awaiting_senior", "severity": "high", "unknown": "x"}, "awaiting_senior", "high", 0),
    ],
)
def test_the_queue_form_becomes_a_filter(params: dict[str, str], status: str | None, severity: str | None,
                                         offset: int) -> None:  # fmt: skip
    form = parse_form(QueueForm, params)
    assert isinstance(form, QueueForm)
    filters = queue_filter(form)
    assert (filters.status, filters.severity, filters.offset, filters.limit) == (status, severity, offset, PAGE_SIZE)


@pytest.mark.parametrize(
    ("model", "params", "fault"),
    [
        (QueueForm, {"status": "maybe"}, "status:"),
        (QueueForm, {"page": "0"}, "page:"),
        (SampleForm, {"reviewed": "perhaps"}, "reviewed:"),
        (PeriodForm, {"date_from": "04/05/2026"}, "date_from:"),
    ],
)
def test_faults_name_their_field(model: type[QueueForm | SampleForm | PeriodForm], params: dict[str, str],
                                 fault: str) -> None:  # fmt: skip
    errors = parse_form(model, params)
    assert isinstance(errors, list) and errors[0].startswith(fault)


@pytest.mark.parametrize(("reviewed", "expected"), [("all", None), ("no", False), ("yes", True)])
def test_the_samples_form(reviewed: str, expected: bool | None) -> None:
    form = parse_form(SampleForm, {"reviewed": reviewed})
    assert isinstance(form, SampleForm) and sample_filter(form).reviewed is expected


def test_page_links_keep_the_filters_and_leave_defaults_out() -> None:
    assert page_link("/findings", QueueForm(), 2) == "/findings?page=2"
    assert page_link("/findings", QueueForm(status="all", operator="3317", page=5), 4) == (
        "/findings?status=all&operator=3317&page=4"
    )
