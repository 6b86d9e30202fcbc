"""The demo's scripted morning, checked without running anything: its queue events rebuilt into sessions the
way ingest does it, its clips' scripts against those sessions, and each incident against its rule's threshold."""

from __future__ import annotations

import statistics
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from ingest.events import QueueEvent
from ingest.sessions import Leg, Visit, build_visit, visit_key
from ingest.shifts import build_shifts, operator_at
from ingest.traffic import CentreProfile, generate_day
from policies.idle_windows import citizen_without_session
from policies.loader import load_ruleset
from policies.queue_facts import QueuedTicket, waiting_longer_s
from seffaf.cli.policies_cmd import DEFAULT_RULESET
from seffaf.demo_incidents import (
    MIN_WINDOWS,
    WALK_S,
    IncidentPlan,
    WindowFootage,
    plan_incidents,
    scenario_day,
)
from seffaf.demo_queue import history_days
from seffaf.scripted_footage import Span

BAKU = ZoneInfo("Asia/Baku")
FRIDAY = date(2026, 11, 20)
PLAN = plan_incidents("demo-1", FRIDAY, "Asia/Baku", 3)
RULES = {rule.id: rule for rule in load_ruleset(DEFAULT_RULESET).ruleset.rules}
EVENING = datetime(2026, 11, 20, 19, tzinfo=UTC)


def _limit(rule: str, name: str) -> float:
    return float(RULES[rule].params[name])


def _visits(events: tuple[QueueEvent, ...] | list[QueueEvent]) -> dict[str, Visit]:
    grouped: dict[str, list[QueueEvent]] = defaultdict(list)
    for event in events:
        key = visit_key(event, BAKU)
        if key is not None:
            grouped[key.ticket].append(event)
    shifts = build_shifts(events, EVENING)
    return {ticket: build_visit(group, BAKU, shifts, EVENING) for ticket, group in grouped.items()}


VISITS = _visits(PLAN.events)


def _leg(ticket: str) -> Leg:
    [leg] = VISITS[ticket].legs
    return leg


def _s(moment: datetime | None) -> float:
    """Seconds from 10:00 local on the scenario day."""
    assert moment is not None
    return (moment - datetime(2026, 11, 20, 10, tzinfo=BAKU)).total_seconds()


def _footage(window: int) -> WindowFootage:
    return next(f for f in PLAN.footage if f.window == window)


def _faces(window: int, zone: str) -> list[Span]:
    return [f.span for f in _footage(window).script.faces if f.zone == zone]


def _overlap(spans: list[Span] | tuple[Span, ...], start: float, end: float) -> float:
    return sum(max(0.0, min(s.end_s, end) - max(s.start_s, start)) for s in spans)


@pytest.mark.parametrize(
    ("ticket", "window", "called", "ended", "outcome"),
    [
        ("F901", 1, 15, 795, "completed"),
        ("B902", 1, 810, 830, "no_show"),
        ("D901", 2, 15, 135, "completed"),
        ("B901", 2, 150, 255, "completed"),
        ("C901", 2, 270, 420, "completed"),
        ("A902", 2, 435, 545, "completed"),
        ("E901", 3, 290, 440, "completed"),
        ("A901", 3, 460, 570, "completed"),
        ("F902", 3, 595, 710, "completed"),
    ],
)
def test_each_scripted_ticket_becomes_one_clean_leg_at_its_window(
    ticket: str, window: int, called: float, ended: float, outcome: str
) -> None:
    visit = VISITS[ticket]
    leg = _leg(ticket)
    assert (leg.window, _s(leg.called_at), _s(leg.ended_at), str(leg.outcome)) == (window, called, ended, outcome)
    assert (leg.operator, leg.operator_source) == (f"demo-1-op{window:03d}", "event")
    assert visit.anomalies == () and leg.anomalies == () and leg.recalls == 0
    # Everything scripted is filmed: the leg lies inside its window's clip.
    footage = _footage(window)
    assert leg.called_at is not None and leg.ended_at is not None
    assert footage.starts_at <= leg.called_at and leg.ended_at <= footage.ends_at


def test_the_plan_has_exactly_the_scripted_sessions_and_nothing_happens_off_camera() -> None:
    assert sorted(VISITS) == ["A901", "A902", "B901", "B902", "C901", "D901", "E901", "F901", "F902"]
    starts = {f.starts_at for f in PLAN.footage}
    assert starts == {datetime(2026, 11, 20, 6, tzinfo=UTC)}  # 10:00 in Baku
    assert all(e.occurred_at.tzinfo is UTC for e in PLAN.events)


def test_every_rule_of_the_default_set_has_a_scripted_incident() -> None:
    assert sorted({i.rule for i in PLAN.incidents}) == sorted(RULES)
    for incident in PLAN.incidents:
        assert incident.ticket is None or incident.ticket in VISITS
        assert incident.start < incident.end


def test_citizens_sit_at_the_desk_from_the_walk_up_to_the_end_of_each_service_and_never_at_the_ghost_one() -> None:
    for ticket, visit in VISITS.items():
        leg = _leg(ticket)
        called, ended = _s(leg.called_at), _s(leg.ended_at)
        citizens = _faces(leg.window, "citizen")
        if ticket in ("D901", "B902"):  # the ghost service, the no-show
            assert _overlap(citizens, called, ended) == 0.0
        else:
            assert _overlap(citizens, called + WALK_S, ended) == ended - called - WALK_S, ticket
            assert _s(leg.started_at) == called + WALK_S
        assert visit.service is not None


def test_the_operator_is_at_the_desk_through_every_service_but_one_absence() -> None:
    for ticket in VISITS:
        leg = _leg(ticket)
        called, ended = _s(leg.called_at), _s(leg.ended_at)
        missing = (ended - called) - _overlap(_faces(leg.window, "operator"), called, ended)
        threshold = _limit("operator_absent", "max_absent_s")
        if ticket == "F901":
            assert missing == 160 > threshold
        else:
            assert missing == 0, ticket


def test_operators_are_logged_in_at_every_call_but_the_outside_shift_one() -> None:
    shifts = build_shifts(PLAN.events, EVENING)
    for ticket in VISITS:
        leg = _leg(ticket)
        assert leg.called_at is not None
        logged_in = operator_at(shifts, "demo-1", leg.window, leg.called_at)
        assert logged_in == (None if ticket == "F902" else leg.operator), ticket


def test_one_ticket_is_called_while_an_older_one_of_its_service_waits() -> None:
    tickets = [
        QueuedTicket(t, v.service, v.priority, v.issued_at, v.legs[0].called_at if v.legs else None, False)
        for t, v in VISITS.items()
    ]
    limit = _limit("out_of_order_call", "max_extra_wait_s")
    extra = {t.ticket: waiting_longer_s(t, t.first_called_at, tickets) for t in tickets if t.first_called_at}
    assert extra["A902"] == 1020 > limit
    assert {t: s for t, s in extra.items() if s > 0} == {"A902": 1020}


def test_the_no_show_is_declared_twenty_seconds_after_the_call() -> None:
    leg = _leg("B902")
    assert leg.ended_at is not None and leg.called_at is not None
    limit = _limit("recalls_or_fast_no_show", "min_no_show_wait_s")
    assert (leg.ended_at - leg.called_at).total_seconds() == 20 < limit


def test_the_long_service_lasts_over_three_times_the_usual_for_its_type_in_the_history() -> None:
    profile = CentreProfile(center="demo-1", windows=3, source="demo-queue")
    history = [e for day in history_days(FRIDAY) for e in generate_day(profile, day, 1)]
    durations: dict[str, list[float]] = defaultdict(list)
    grouped: dict[tuple[date, str], list[QueueEvent]] = defaultdict(list)
    for event in history:
        key = visit_key(event, BAKU)
        if key is not None:
            grouped[(key.service_date, key.ticket)].append(event)
    shifts = build_shifts(history, EVENING)
    for events in grouped.values():
        for leg in build_visit(events, BAKU, shifts, EVENING).legs:
            if str(leg.outcome) == "completed" and leg.called_at and leg.ended_at and leg.service:
                durations[leg.service].append((leg.ended_at - leg.called_at).total_seconds())
    usual = statistics.median(durations["payments"])
    factor = _limit("service_too_long", "factor")
    long_leg = _leg("F901")
    assert long_leg.service == "payments" and len(durations["payments"]) >= 20
    assert _s(long_leg.ended_at) - _s(long_leg.called_at) > factor * usual * 1.1  # a margin for other weeks
    # No other scripted service comes near its type's usual duration times the factor.
    for ticket in VISITS.keys() - {"F901"}:
        leg = _leg(ticket)
        assert _s(leg.ended_at) - _s(leg.called_at) < factor * statistics.median(durations[leg.service or ""])


def test_a_citizen_sits_at_window_3_with_no_session_open_longer_than_the_rule_allows() -> None:
    def at(seconds: float) -> datetime:
        return datetime(2026, 11, 20, 6, tzinfo=UTC) + timedelta(seconds=seconds)

    limit = _limit("served_without_ticket", "min_citizen_s")
    for window in (1, 2, 3):
        citizens = [(at(s.start_s), at(s.end_s)) for s in _faces(window, "citizen")]
        sessions = [(leg.called_at, leg.ended_at) for v in VISITS.values() for leg in v.legs if leg.window == window]
        idle = citizen_without_session(citizens, [(a, b) for a, b in sessions if a and b])
        longest = max(((b - a).total_seconds() for a, b in idle), default=0.0)
        assert (longest > limit) == (window == 3), (window, longest)


def test_the_lens_is_covered_and_voices_raised_only_inside_their_sessions() -> None:
    e901, c901 = _leg("E901"), _leg("C901")
    black = _footage(3).script.black
    assert _overlap(black, _s(e901.called_at), _s(e901.ended_at)) == 20 > _limit("recording_gap", "max_tamper_s")
    assert all(not f.script.black for f in PLAN.footage if f.window != 3)
    script = _footage(2).script
    assert _overlap(script.loud, _s(c901.called_at), _s(c901.ended_at)) == 24 > _limit("raised_voice", "min_raised_s")
    # Each 10 s segment is judged against its own median loudness: shouting must stay the minority of it.
    for start in range(0, int(script.seconds) - 10):
        assert _overlap(script.loud, start, start + 10) <= 3
        if _overlap(script.loud, start, start + 10):
            assert _overlap(script.speech, start, start + 10) == 10


def test_ordinary_sessions_are_listed_and_have_no_incident() -> None:
    assert set(PLAN.ordinary) == {"B901", "A901"}
    assert not {i.ticket for i in PLAN.incidents} & set(PLAN.ordinary)


def test_more_windows_add_an_ordinary_filmed_service_each_and_fewer_than_three_are_refused() -> None:
    wide = plan_incidents("demo-1", FRIDAY, "Asia/Baku", 5)
    assert [f.window for f in wide.footage] == [1, 2, 3, 4, 5]
    assert set(wide.ordinary) == {"B901", "A901", "D941", "D951"}
    extra = _visits(wide.events)
    assert [(leg.window, str(leg.outcome)) for t in ("D941", "D951") for leg in extra[t].legs] == [
        (4, "completed"),
        (5, "completed"),
    ]
    with pytest.raises(ValueError, match="at least 3"):
        plan_incidents("demo-1", FRIDAY, "Asia/Baku", MIN_WINDOWS - 1)


def test_plans_are_reproducible() -> None:
    assert plan_incidents("demo-1", FRIDAY, "Asia/Baku", 3) == PLAN
    assert isinstance(PLAN, IncidentPlan)


@pytest.mark.parametrize(
    ("local_now", "expected"),
    [
        (datetime(2026, 11, 20, 11, 0, tzinfo=BAKU), date(2026, 11, 20)),  # Friday, the morning is over
        (datetime(2026, 11, 20, 10, 10, tzinfo=BAKU), date(2026, 11, 19)),  # Friday, still being played
        (datetime(2026, 11, 23, 9, 0, tzinfo=BAKU), date(2026, 11, 20)),  # Monday morning: last Friday
        (datetime(2026, 11, 22, 18, 0, tzinfo=BAKU), date(2026, 11, 20)),  # Sunday
        (datetime(2026, 11, 21, 12, 0, tzinfo=BAKU), date(2026, 11, 20)),  # Saturday
    ],
)
def test_the_scenario_day_is_the_latest_weekday_whose_morning_is_over(local_now: datetime, expected: date) -> None:
    assert scenario_day(local_now.astimezone(UTC), "Asia/Baku") == expected


def test_event_ids_are_unique_and_do_not_depend_on_the_number_of_windows() -> None:
    ids = [e.event_id for e in PLAN.events]
    assert len(set(ids)) == len(ids)
    wide = {e.event_id: e for e in plan_incidents("demo-1", FRIDAY, "Asia/Baku", 5).events}
    assert all(wide[e.event_id] == e for e in PLAN.events)
