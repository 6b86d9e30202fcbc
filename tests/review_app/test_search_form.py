"""The search form: blank means any, each field at fault is named, pages of 50 keep their filters."""

from __future__ import annotations

from datetime import date

import pytest

from review_app.pages.search_form import PAGE_SIZE, Paging, SearchForm, page_link, paging, parse_search, session_filter


@pytest.mark.parametrize(
    ("params", "faults"),
    [
        ({"window": "0"}, [("window", "Window", "greater than or equal to 1")]),
        ({"window": "seven"}, [("window", "Window", "valid integer")]),
        ({"date_from": "04/05/2026"}, [("date_from", "From date", "YYYY-MM-DD")]),
        ({"date_to": "2026-02-30"}, [("date_to", "To date", "YYYY-MM-DD")]),
        ({"date_from": "2026-05-05", "date_to": "2026-05-04"}, [("date_to", "To date", "before the from date")]),
        ({"finding_severity": "urgent"}, [("finding_severity", "Severity", "'low', 'medium' or 'high'")]),
        ({"finding_status": "maybe"}, [("finding_status", "Finding status", "'open', 'confirmed' or 'dismissed'")]),
        ({"page": "0"}, [("page", "Page", "greater than or equal to 1")]),
        ({"ticket": "x" * 65}, [("ticket", "Ticket", "at most 64")]),
        (
            {"page": "-1", "window": "0", "date_from": "yesterday"},  # in the form's order, whatever the query's
            [("window", "Window", "1"), ("date_from", "From date", "YYYY"), ("page", "Page", "1")],
        ),
    ],
)
def test_bad_input_names_each_field_at_fault(params: dict[str, str], faults: list[tuple[str, str, str]]) -> None:
    errors = parse_search(params)
    assert isinstance(errors, list)
    assert [(e.field, e.label) for e in errors] == [(field, label) for field, label, _ in faults]
    for error, (_, _, words) in zip(errors, faults, strict=True):
        assert words in error.message, error


def test_blank_fields_mean_any_and_unknown_parameters_are_ignored() -> None:
    form = parse_search({"ticket": " A042 ", "window": "", "center": "  ", "utm_source": "mail"})
    assert form == SearchForm(ticket="A042")


def test_the_form_becomes_one_page_of_the_session_filter() -> None:
    form = parse_search({"ticket": "A042", "window": "7", "date_from": "2026-05-04", "coverage_below_full": "on",
                         "finding_severity": "high", "page": "3"})  # fmt: skip
    assert isinstance(form, SearchForm)
    filters = session_filter(form)
    assert (filters.ticket, filters.window, filters.date_from) == ("A042", 7, date(2026, 5, 4))
    assert filters.coverage_below_full and filters.finding_severity == "high"
    assert (filters.limit, filters.offset) == (PAGE_SIZE, 2 * PAGE_SIZE)
    assert filters.scope_centers is None  # the route adds the user's scope
    assert page_link(form, 4) == (
        "/search?ticket=A042&window=7&date_from=2026-05-04&finding_severity=high&coverage_below_full=on&page=4"
    )


@pytest.mark.parametrize(
    ("total", "page", "expected"),
    [
        (0, 1, Paging(page=1, pages=1, first_row=0, last_row=0, previous=None, next=None)),
        (50, 1, Paging(page=1, pages=1, first_row=1, last_row=50, previous=None, next=None)),
        (51, 1, Paging(page=1, pages=2, first_row=1, last_row=50, previous=None, next=2)),
        (51, 2, Paging(page=2, pages=2, first_row=51, last_row=51, previous=1, next=None)),
        (120, 2, Paging(page=2, pages=3, first_row=51, last_row=100, previous=1, next=3)),
        (120, 9, Paging(page=9, pages=3, first_row=0, last_row=0, previous=3, next=None)),  # past the end
    ],
)
def test_paging(total: int, page: int, expected: Paging) -> None:
    assert paging(total, page) == expected
