"""The complaint as asked for: its checks name the field, its local times become a UTC span; the page forms."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from review_app.cases.page_forms import chosen_visits, close_form, complaint_form
from seffaf.cases.complaint_intake import ComplaintIn, local_span, service_date_of
from seffaf.cases.states import Closing, Outcome

BAKU = ZoneInfo("Asia/Baku")
GIVEN = {"reference": "C-17", "received_on": "2026-03-05", "channel": "phone", "center": "baku-1",
         "service_date": "2026-03-03", "window": "4", "time_from": "10:00", "time_to": "10:30"}  # fmt: skip


@pytest.mark.parametrize(
    ("changes", "faults"),
    [
        ({}, []),
        ({"ticket": "A001", "service_date": ""},
         ["service_date: needed with a ticket (ticket numbers restart every day)"]),
        ({"time_to": ""}, ["time_to: give both time_from and time_to, or neither"]),
        ({"time_to": "09:00"}, ["time_to: must be after time_from"]),
        ({"service_date": "", "time_from": "", "time_to": ""},
         ["service_date: give the day of the visit (with a ticket or times), or an application id"]),
        ({"service_date": "", "time_from": "", "time_to": "", "application_id": "APP-7"}, []),
        ({"received_on": "2026-03-01"}, ["received_on: before the day of the visit"]),
        ({"reference": "Ali Aliyev"}, ["reference: String should match pattern '^[A-Za-z0-9][A-Za-z0-9._/-]*$'"]),
        ({"channel": "pigeon"}, ["channel: Input should be 'in_person', 'phone', 'email', 'web', 'letter' or 'other'"]),
        ({"window": "0"}, ["window: Input should be greater than or equal to 1"]),
    ],
)  # fmt: skip
def test_complaint_form(changes: dict[str, str], faults: list[str]) -> None:
    parsed = complaint_form({**GIVEN, **changes, "csrf_token": "ignored"})
    if faults:
        assert parsed == faults
    else:
        assert isinstance(parsed, ComplaintIn)


@pytest.mark.parametrize(
    ("day", "start", "end", "span"),
    [
        (date(2026, 3, 3), time(10, 0), time(10, 30),
         (datetime(2026, 3, 3, 6, 0, tzinfo=UTC), datetime(2026, 3, 3, 6, 30, tzinfo=UTC))),
        (date(2026, 3, 3), None, None,  # the whole local day
         (datetime(2026, 3, 2, 20, 0, tzinfo=UTC), datetime(2026, 3, 3, 20, 0, tzinfo=UTC))),
        (None, None, None, (None, None)),
    ],
)  # fmt: skip
def test_local_span_and_the_day_read_back(day: date | None, start: time | None, end: time | None,
                                          span: tuple[datetime | None, datetime | None]) -> None:  # fmt: skip
    body = ComplaintIn(reference="C-1", received_on=date(2026, 3, 5), channel="web", center="baku-1",
                       service_date=day, time_from=start, time_to=end, application_id="APP-1")  # fmt: skip
    assert local_span(body, BAKU) == span
    assert service_date_of(span[0], BAKU) == day


@pytest.mark.parametrize(
    ("values", "chosen"),
    [(["3", "5"], [3, 5]), ([], "visit_id: tick at least one session"), (["x"], "visit_id: not a session id")],
)
def test_chosen_visits(values: list[str], chosen: list[int] | str) -> None:
    assert chosen_visits(values) == chosen


@pytest.mark.parametrize(
    ("outcome", "reason", "expected"),
    [
        ("withdrawn", "withdrew", Closing(Outcome.WITHDRAWN, "withdrew")),
        ("", "withdrew", ["outcome: '' is not one of substantiated, unsubstantiated, inconclusive, withdrawn"]),
    ],
)
def test_close_form(outcome: str, reason: str, expected: object) -> None:
    assert close_form(outcome, reason) == expected
