"""The pure session builder, local dates: the service date and the end of the service day across DST.

Instants in the tables are UTC, checked against Europe/Berlin (which switches) and Asia/Baku (which does not);
the terse event helpers are in tests/ingest/session_helpers.py.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from ingest.sessions import build_visit, end_of_service_day, service_date
from tests.ingest.session_helpers import BAKU, BERLIN, ev


# --- Rule 12: local dates and the end of the day across DST ---------------------------------------------------------
@pytest.mark.parametrize(
    ("instant", "tz", "expected"),
    [
        pytest.param(
            datetime(2026, 3, 28, 22, 59, 59, tzinfo=UTC),
            BERLIN,
            date(2026, 3, 28),
            id="Berlin 23:59:59 CET before spring-forward day",
        ),
        pytest.param(
            datetime(2026, 3, 28, 23, 0, tzinfo=UTC),
            BERLIN,
            date(2026, 3, 29),
            id="Berlin spring-forward day begins 00:00 CET",
        ),
        pytest.param(
            datetime(2026, 3, 29, 21, 59, 59, tzinfo=UTC),
            BERLIN,
            date(2026, 3, 29),
            id="Berlin spring-forward day ends 23:59:59 CEST",
        ),
        pytest.param(
            datetime(2026, 3, 29, 22, 0, tzinfo=UTC),
            BERLIN,
            date(2026, 3, 30),
            id="Berlin day after spring-forward begins 00:00 CEST",
        ),
        pytest.param(
            datetime(2026, 10, 24, 22, 0, tzinfo=UTC),
            BERLIN,
            date(2026, 10, 25),
            id="Berlin fall-back day begins 00:00 CEST",
        ),
        pytest.param(
            datetime(2026, 10, 25, 22, 59, 59, tzinfo=UTC),
            BERLIN,
            date(2026, 10, 25),
            id="Berlin fall-back day ends 23:59:59 CET",
        ),
        pytest.param(datetime(2026, 5, 4, 19, 59, 59, tzinfo=UTC), BAKU, date(2026, 5, 4), id="Baku 23:59:59"),
        pytest.param(datetime(2026, 5, 4, 20, 0, tzinfo=UTC), BAKU, date(2026, 5, 5), id="Baku midnight is 20:00 UTC"),
    ],
)
def test_service_date(instant: datetime, tz: ZoneInfo, expected: date) -> None:
    assert service_date(instant, tz) == expected


@pytest.mark.parametrize(
    ("day", "tz", "end", "hours"),
    [
        pytest.param(
            date(2026, 3, 29),
            BERLIN,
            datetime(2026, 3, 29, 22, 0, tzinfo=UTC),
            23,
            id="Berlin spring-forward day is 23 hours",
        ),
        pytest.param(
            date(2026, 10, 25),
            BERLIN,
            datetime(2026, 10, 25, 23, 0, tzinfo=UTC),
            25,
            id="Berlin fall-back day is 25 hours",
        ),
        pytest.param(date(2026, 5, 4), BAKU, datetime(2026, 5, 4, 20, 0, tzinfo=UTC), 24, id="Baku has no DST"),
    ],
)
def test_end_of_service_day(day: date, tz: ZoneInfo, end: datetime, hours: int) -> None:
    assert end_of_service_day(day, tz) == end
    start = datetime.combine(day, time(), tzinfo=tz).astimezone(UTC)
    assert (end - start).total_seconds() == hours * 3600


@pytest.mark.parametrize(
    ("day", "now", "ended_at", "outcome"),
    [
        pytest.param(
            date(2026, 3, 29),
            datetime(2026, 3, 30, 6, 0, tzinfo=UTC),
            datetime(2026, 3, 29, 22, 0, tzinfo=UTC),
            "unterminated",
            id="Berlin 23-hour day closes at 22:00 UTC",
        ),
        pytest.param(
            date(2026, 3, 29),
            datetime(2026, 3, 29, 21, 30, tzinfo=UTC),
            None,
            "open",
            id="Berlin 23-hour day is running at 23:30 CEST",
        ),
        pytest.param(
            date(2026, 10, 25),
            datetime(2026, 10, 26, 6, 0, tzinfo=UTC),
            datetime(2026, 10, 25, 23, 0, tzinfo=UTC),
            "unterminated",
            id="Berlin 25-hour day closes at 23:00 UTC",
        ),
        pytest.param(
            date(2026, 10, 25),
            datetime(2026, 10, 25, 22, 30, tzinfo=UTC),
            None,
            "open",
            id="Berlin 25-hour day is running 24.5 hours in",
        ),
    ],
)
def test_open_leg_closes_at_local_midnight_across_dst(
    day: date, now: datetime, ended_at: datetime | None, outcome: str
) -> None:
    events = [
        ev("issued", "09:00:00", service="tax", day=day, tz=BERLIN),
        ev("called", "10:00:00", window=3, day=day, tz=BERLIN),
    ]
    visit = build_visit(events, BERLIN, (), now)
    assert visit.key.service_date == day
    assert (visit.legs[0].ended_at, str(visit.outcome)) == (ended_at, outcome)
