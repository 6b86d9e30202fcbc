"""Which sessions a complaint is about: candidate visits scored and ranked, each with why. Pure, table-tested.

A ticket on the stated day at the stated centre, or an application id, names a session exactly.
Without them, a leg at the stated window during the stated time is the best lead, then a leg
during that time at any window, then a leg at that window that day. The handler confirms.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

EXACT_SCORE = 100
WINDOW_AND_TIME_SCORE = 40
TIME_SCORE = 20
WINDOW_SCORE = 10
MAX_PROPOSALS = 50
# A stated span this long (the complaint gave only the day) says nothing about the time.
LONGEST_STATED_SPAN = timedelta(hours=12)


@dataclass(frozen=True)
class ComplaintFacts:
    """What the complaint says about the session; times are UTC."""

    center: str
    service_date: date | None
    window: int | None
    approx_from: datetime | None
    approx_to: datetime | None
    ticket: str | None
    application_id: str | None

    @property
    def states_time(self) -> bool:
        if self.approx_from is None or self.approx_to is None:
            return False
        return self.approx_to - self.approx_from < LONGEST_STATED_SPAN


@dataclass(frozen=True)
class CandidateLeg:
    index: int
    window: int
    operator: str | None
    start: datetime | None  # called, or started for a walk-in
    end: datetime | None
    application_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class CandidateVisit:
    visit_id: int
    center: str
    service_date: date
    ticket: str
    application_ids: tuple[str, ...]
    legs: tuple[CandidateLeg, ...]


@dataclass(frozen=True)
class Proposal:
    visit_id: int
    center: str
    service_date: date
    ticket: str
    score: int
    exact: bool
    why: tuple[str, ...]
    first_start: datetime | None


def _clock(moment: datetime, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).strftime("%H:%M")


def _during(leg: CandidateLeg, facts: ComplaintFacts) -> bool:
    if leg.start is None or facts.approx_from is None or facts.approx_to is None:
        return False
    end = leg.end or leg.start  # a leg never ended is placed at its call
    return leg.start < facts.approx_to and end >= facts.approx_from


def _leg_words(leg: CandidateLeg, tz: ZoneInfo) -> str:
    if leg.start is None:
        return f"leg {leg.index + 1} at window {leg.window}"
    until = f"-{_clock(leg.end, tz)}" if leg.end is not None else ""
    return f"leg {leg.index + 1} at window {leg.window}, {_clock(leg.start, tz)}{until}"


def _timed_reasons(visit: CandidateVisit, facts: ComplaintFacts, tz: ZoneInfo) -> tuple[int, list[str]]:
    """The best of window-and-time, time, window for one visit (one leg is enough)."""
    timed = facts.states_time and (facts.service_date is None or visit.service_date == facts.service_date)
    same_day = facts.service_date is None or visit.service_date == facts.service_date
    stated = ""
    if facts.approx_from is not None and facts.approx_to is not None:
        stated = f"{_clock(facts.approx_from, tz)}-{_clock(facts.approx_to, tz)}"
    at_window = [leg for leg in visit.legs if facts.window is not None and leg.window == facts.window]
    during = [leg for leg in visit.legs if timed and _during(leg, facts)]
    both = [leg for leg in at_window if leg in during]
    if both:
        return WINDOW_AND_TIME_SCORE, [f"{_leg_words(both[0], tz)}: the stated window, within {stated}"]
    if during:
        return TIME_SCORE, [f"{_leg_words(during[0], tz)}: within the stated {stated}, not at the stated window"]
    if at_window and same_day:
        return WINDOW_SCORE, [f"{_leg_words(at_window[0], tz)}: the stated window that day"]
    return 0, []


def score_visit(visit: CandidateVisit, facts: ComplaintFacts, tz: ZoneInfo) -> Proposal | None:
    """The visit's score and reasons against the complaint; None when nothing links them."""
    if visit.center != facts.center:
        return None
    score, why = 0, []
    ticket = facts.ticket.strip() if facts.ticket else None
    if ticket and visit.ticket == ticket and visit.service_date == facts.service_date:
        score += EXACT_SCORE
        why.append(f"ticket {ticket} at {visit.center} on {visit.service_date.isoformat()}")
    applications = set(visit.application_ids).union(*(leg.application_ids for leg in visit.legs))
    application = facts.application_id.strip() if facts.application_id else None
    if application and application in applications:
        score += EXACT_SCORE
        why.append(f"application {application}")
    exact = score >= EXACT_SCORE
    timed_score, timed_why = _timed_reasons(visit, facts, tz)
    score += timed_score
    why += timed_why
    if score == 0:
        return None
    starts = [leg.start for leg in visit.legs if leg.start is not None]
    return Proposal(visit.visit_id, visit.center, visit.service_date, visit.ticket, score, exact, tuple(why),
                    min(starts) if starts else None)  # fmt: skip


def propose(facts: ComplaintFacts, candidates: list[CandidateVisit], tz: ZoneInfo) -> list[Proposal]:
    """The candidates the complaint may be about, best first (then earliest); at most MAX_PROPOSALS."""
    scored = [p for p in (score_visit(visit, facts, tz) for visit in candidates) if p is not None]
    far_future = datetime.max.replace(tzinfo=tz)
    scored.sort(key=lambda p: (-p.score, p.first_start or far_future, p.visit_id))
    return scored[:MAX_PROPOSALS]


def exact_matches(proposals: list[Proposal]) -> list[Proposal]:
    return [p for p in proposals if p.exact]
