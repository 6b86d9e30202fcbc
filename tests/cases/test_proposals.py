"""Which sessions a complaint proposes, how they rank and why, as a table (Baku time, UTC+4)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from seffaf.cases.proposals import CandidateLeg, CandidateVisit, ComplaintFacts, exact_matches, propose

BAKU = ZoneInfo("Asia/Baku")
DAY = date(2026, 3, 3)


def local(hhmm: str) -> datetime:
    hours, minutes = (int(part) for part in hhmm.split(":"))
    return datetime(2026, 3, 3, hours, minutes, tzinfo=BAKU).astimezone(UTC)


def visit(visit_id: int, ticket: str, window: int, called: str, ended: str | None, *, apps: tuple[str, ...] = (),
          day: date = DAY, center: str = "baku-1") -> CandidateVisit:  # fmt: skip
    leg = CandidateLeg(0, window, "op", local(called), local(ended) if ended else None)
    return CandidateVisit(visit_id, center, day, ticket, apps, (leg,))


VISITS = [
    visit(1, "A001", 4, "09:50", "10:05"),  # window 4, overlapping 10:00-10:30
    visit(2, "A002", 4, "11:00", "11:10"),  # window 4, later that day
    visit(3, "A003", 2, "10:10", "10:20"),  # another window, during the time
    visit(4, "A004", 2, "14:00", "14:10", apps=("APP-7",)),  # only its application links it
    visit(5, "A001", 4, "10:00", "10:05", day=DAY + timedelta(days=1)),  # same ticket, next day
    visit(6, "A006", 4, "10:05", None),  # never ended: placed at its call, within the time
    visit(7, "A007", 4, "10:00", "10:05", center="baku-2"),  # another centre
]


def facts(*, window: int | None = 4, span: tuple[str, str] | None = ("10:00", "10:30"), ticket: str | None = None,
          application: str | None = None, day: date | None = DAY) -> ComplaintFacts:  # fmt: skip
    start, end = (local(span[0]), local(span[1])) if span else (None, None)
    return ComplaintFacts("baku-1", day, window, start, end, ticket, application)


@pytest.mark.parametrize(
    ("complaint", "ranked"),
    [
        # "at window 4 on 3 March around 10": the window and time first (earliest first), then the time, the window
        (facts(), [(1, 40), (6, 40), (3, 20), (2, 10)]),
        (facts(ticket="A001"), [(1, 140), (6, 40), (3, 20), (2, 10)]),  # the ticket on the day, not the next day's
        (facts(window=None, span=None, application="APP-7"), [(4, 100)]),
        (facts(window=None, span=None, ticket="A001"), [(1, 100)]),
        (facts(window=None), [(1, 20), (6, 20), (3, 20)]),  # only the time, earliest first
        (facts(span=("00:00", "23:59")), [(1, 10), (6, 10), (2, 10)]),  # a whole day states no time: window only
        (facts(window=9, span=None), []),
    ],
)
def test_ranking(complaint: ComplaintFacts, ranked: list[tuple[int, int]]) -> None:
    assert [(p.visit_id, p.score) for p in propose(complaint, VISITS, BAKU)] == ranked


@pytest.mark.parametrize(
    ("complaint", "visit_id", "why"),
    [
        (facts(ticket="A001"), 1, ("ticket A001 at baku-1 on 2026-03-03",
                                   "leg 1 at window 4, 09:50-10:05: the stated window, within 10:00-10:30")),
        (facts(), 3, ("leg 1 at window 2, 10:10-10:20: within the stated 10:00-10:30, not at the stated window",)),
        (facts(), 2, ("leg 1 at window 4, 11:00-11:10: the stated window that day",)),
        (facts(), 6, ("leg 1 at window 4, 10:05: the stated window, within 10:00-10:30",)),
        (facts(window=None, span=None, application="APP-7"), 4, ("application APP-7",)),
    ],
)  # fmt: skip
def test_each_proposal_says_why(complaint: ComplaintFacts, visit_id: int, why: tuple[str, ...]) -> None:
    found = {p.visit_id: p for p in propose(complaint, VISITS, BAKU)}
    assert found[visit_id].why == why


@pytest.mark.parametrize(
    ("complaint", "exact"),
    [(facts(), []), (facts(ticket="A001"), [1]), (facts(window=None, span=None, application="APP-7"), [4])],
)
def test_exact_matches_are_the_ticket_on_the_day_or_the_application(
    complaint: ComplaintFacts, exact: list[int]
) -> None:
    assert [p.visit_id for p in exact_matches(propose(complaint, VISITS, BAKU))] == exact
