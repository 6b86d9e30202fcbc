"""The traffic generator behaves like a real centre's queue: reproducible, valid, and clean enough that
every visit can be rebuilt from its events. The checks replay the events the way a consumer would."""

from __future__ import annotations

import csv
import json
import math
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from ingest.events import EventType, QueueEvent
from ingest.export import write_csv, write_jsonl
from ingest.traffic import CentreProfile, generate_day, generate_range, window_services

MONDAY = date(2026, 5, 4)
BAKU = ZoneInfo("Asia/Baku")
LARGE = CentreProfile("baku-1", windows=40)  # one block of windows per service
SMALL = CentreProfile("sumqayit-2", windows=12, source="qms-test")  # every window serves everything
# Two windows swamped (3x the arrivals, transfers on most visits, a short overrun): the end-of-day paths
# run here - turning away whoever never reached a window, a transfer with every other window closed.
STRESS = CentreProfile(
    "stress",
    windows=2,
    arrivals_per_window_hour=tuple(3 * a for a in LARGE.arrivals_per_window_hour),
    transfer_probability=0.9,
    recall_probability=0.3,
    no_show_probability=0.1,
    cancel_probability=0.05,
    overrun_minutes=10,
    split_shift_share=0.5,
)
PROFILES = {p.center: p for p in (LARGE, SMALL, STRESS)}
LEG_END = {
    EventType.SERVICE_COMPLETED,
    EventType.TICKET_TRANSFERRED,
    EventType.TICKET_NO_SHOW,
    EventType.TICKET_CANCELLED,
}


@pytest.fixture(scope="module")
def large_day() -> list[QueueEvent]:
    return generate_day(LARGE, MONDAY, seed=7)


@pytest.fixture(scope="module")
def small_day() -> list[QueueEvent]:
    return generate_day(SMALL, MONDAY, seed=7)


@pytest.fixture(scope="module")
def stress_day() -> list[QueueEvent]:
    return generate_day(STRESS, MONDAY, seed=2)


@pytest.fixture(params=["large", "small", "stress"])
def day(
    request: pytest.FixtureRequest,
    large_day: list[QueueEvent],
    small_day: list[QueueEvent],
    stress_day: list[QueueEvent],
) -> list[QueueEvent]:
    return {"large": large_day, "small": small_day, "stress": stress_day}[str(request.param)]


def profile_of(events: list[QueueEvent]) -> CentreProfile:
    return PROFILES[events[0].center]


def test_an_overloaded_centre_turns_the_rest_away_after_the_overrun(stress_day: list[QueueEvent]) -> None:
    turned_away = [e for e in stress_day if e.type is EventType.TICKET_CANCELLED and e.window is None]
    assert len(turned_away) > 10
    limit = datetime.combine(MONDAY, STRESS.closes, BAKU) + timedelta(minutes=STRESS.overrun_minutes)
    assert {e.occurred_at for e in turned_away} <= {limit + timedelta(milliseconds=i) for i in range(1000)}
    # Past the limit only citizens already mid-visit (transferred) are still called.
    transferred = {e.ticket for e in stress_day if e.type is EventType.TICKET_TRANSFERRED}
    late_calls = [e for e in stress_day if e.type is EventType.TICKET_CALLED and e.occurred_at > limit]
    assert late_calls and {e.ticket for e in late_calls} <= transferred


def test_the_same_seed_gives_the_same_day_and_another_seed_a_different_one() -> None:
    first = [e.content_key() for e in generate_day(SMALL, MONDAY, seed=1)]
    assert first == [e.content_key() for e in generate_day(SMALL, MONDAY, seed=1)]
    assert first != [e.content_key() for e in generate_day(SMALL, MONDAY, seed=2)]


def test_every_event_passes_the_schema(small_day: list[QueueEvent], large_day: list[QueueEvent]) -> None:
    for event in small_day + large_day[::25]:
        assert QueueEvent.model_validate(event.model_dump()) == event
        assert QueueEvent.model_validate_json(event.model_dump_json()) == event
    assert set(Counter(e.type for e in small_day)) == set(EventType)


def test_events_are_sorted_utc_and_uniquely_identified(day: list[QueueEvent]) -> None:
    times = [e.occurred_at for e in day]
    assert times == sorted(times)
    assert all(t.utcoffset() is not None and t.utcoffset() == UTC.utcoffset(None) for t in times)
    ids = [e.event_id for e in day]
    assert len(set(ids)) == len(ids)
    assert ids[0] == f"{day[0].center}-20260504-0000001"
    assert {e.source for e in day} == {profile_of(day).source}


def test_tickets_are_issued_in_opening_hours_numbered_per_service_letter(day: list[QueueEvent]) -> None:
    profile = profile_of(day)
    letters = {s.code: s.letter for s in profile.services}
    issued = [e for e in day if e.type is EventType.TICKET_ISSUED]
    numbers = [e.ticket for e in issued]
    assert len(set(numbers)) == len(numbers)
    per_letter: dict[str, list[int]] = defaultdict(list)
    for e in issued:
        assert e.ticket is not None and e.service is not None
        assert e.ticket[0] == letters[e.service]
        per_letter[e.ticket[0]].append(int(e.ticket[1:]))
        local = e.occurred_at.astimezone(BAKU)
        assert "09:00" <= f"{local:%H:%M}" < "17:30"  # the kiosk stops 30 min before closing
    assert all(counts == list(range(1, len(counts) + 1)) for counts in per_letter.values())
    known = set(numbers)
    assert all(e.ticket in known for e in day if e.ticket is not None)


def test_ticket_numbers_restart_the_next_day() -> None:
    tuesday = generate_day(SMALL, date(2026, 5, 5), seed=7)
    first = next(e for e in tuesday if e.type is EventType.TICKET_ISSUED)
    assert first.ticket is not None and first.ticket[1:] == "001"


def test_every_call_ends_in_exactly_one_terminal_event_and_every_ticket_is_closed(day: list[QueueEvent]) -> None:
    # Replay each ticket: waiting -> called at a window -> (recalled) -> started -> completed/transferred,
    # or called -> no-show/cancelled. A transfer puts it back to waiting for the target window.
    state: dict[str, str] = {}
    at_window: dict[str, int | None] = {}
    calls = ends = 0
    for e in day:
        if e.ticket is None:
            continue
        t, s = e.ticket, state.get(e.ticket)
        if e.type is EventType.TICKET_ISSUED:
            assert s is None
            state[t], at_window[t] = "waiting", None
        elif e.type is EventType.TICKET_CALLED:
            assert s == "waiting" and at_window[t] in (None, e.window), (t, s)
            state[t], at_window[t] = "called", e.window
            calls += 1
        elif e.type is EventType.TICKET_CANCELLED and s == "waiting":
            assert e.window is None  # turned away at the end of the day, never called
            state[t] = "closed"
        else:
            assert e.window == at_window[t], (t, e.type)
            allowed = {
                EventType.TICKET_RECALLED: "called",
                EventType.SERVICE_STARTED: "called",
                EventType.APPLICATION_REGISTERED: "serving",
                EventType.SERVICE_COMPLETED: "serving",
                EventType.TICKET_TRANSFERRED: "serving",
                EventType.TICKET_NO_SHOW: "called",
                EventType.TICKET_CANCELLED: "called",
            }
            assert s == allowed[e.type], (t, s, e.type)
            if e.type is EventType.SERVICE_STARTED:
                state[t] = "serving"
            elif e.type is EventType.TICKET_TRANSFERRED:
                assert e.to_window is not None and e.to_window != e.window
                state[t], at_window[t] = "waiting", e.to_window
                ends += 1
            elif e.type in LEG_END:
                state[t] = "closed"
                ends += 1
    assert calls == ends > 0
    assert set(state.values()) == {"closed"}


def test_a_window_serves_one_ticket_at_a_time(day: list[QueueEvent]) -> None:
    holding: dict[int, str] = {}
    for e in day:
        if e.window is None or e.ticket is None:
            continue
        if e.type is EventType.TICKET_CALLED:
            assert e.window not in holding, f"window {e.window} called {e.ticket} while holding {holding[e.window]}"
            holding[e.window] = e.ticket
        else:
            assert holding.get(e.window) == e.ticket
            if e.type in LEG_END:
                del holding[e.window]
    assert not holding


def test_calls_take_transfers_first_then_priority_then_the_longest_wait(day: list[QueueEvent]) -> None:
    services = window_services(profile_of(day))
    # ticket -> (priority, queued since, service, the window it was transferred to)
    waiting: dict[str, tuple[int, datetime, str, int | None]] = {}
    priority: dict[str, int] = {}
    contested = 0
    for e in day:
        t = e.ticket
        if t is None:
            continue
        if e.type is EventType.TICKET_ISSUED:
            assert e.priority is not None and e.service is not None
            priority[t] = e.priority
            waiting[t] = (e.priority, e.occurred_at, e.service, None)
        elif e.type is EventType.TICKET_TRANSFERRED:
            assert e.service is not None
            waiting[t] = (priority[t], e.occurred_at, e.to_service or e.service, e.to_window)
        elif e.type is EventType.TICKET_CANCELLED and t in waiting:
            del waiting[t]
        elif e.type is EventType.TICKET_CALLED:
            assert e.window is not None and e.priority == priority[t]
            directed = [k for k, v in waiting.items() if v[3] == e.window]
            if directed:
                candidates = directed
                best = min(waiting[k][1] for k in directed)
                assert waiting[t][1] == best, f"{t} called before an earlier transfer to window {e.window}"
            else:
                candidates = [k for k, v in waiting.items() if v[3] is None and v[2] in services[e.window]]
                assert t in candidates, f"window {e.window} called {t} for a service it does not serve"
                best_key = min((-waiting[k][0], waiting[k][1]) for k in candidates)
                assert (-waiting[t][0], waiting[t][1]) == best_key, f"window {e.window} skipped the queue for {t}"
            contested += len(candidates) > 1
            del waiting[t]
    assert contested > 20  # the rule was actually exercised, not vacuously true on empty queues


def test_priority_tickets_wait_less(large_day: list[QueueEvent]) -> None:
    issued = {e.ticket: e for e in large_day if e.type is EventType.TICKET_ISSUED}
    waits: dict[int, list[float]] = defaultdict(list)
    for e in large_day:
        if e.type is EventType.TICKET_CALLED and e.ticket in issued:
            first = issued.pop(e.ticket)
            waits[e.priority or 0].append((e.occurred_at - first.occurred_at).total_seconds())
    assert 0.02 < len(waits[1]) / (len(waits[0]) + len(waits[1])) < 0.09
    assert sum(waits[1]) / len(waits[1]) < sum(waits[0]) / len(waits[0])


def test_an_operator_is_logged_in_at_a_window_whenever_it_works(day: list[QueueEvent]) -> None:
    seated: dict[int, str] = {}
    logins: Counter[int] = Counter()
    for e in day:
        if e.type is EventType.OPERATOR_LOGIN:
            assert e.window is not None and e.window not in seated
            seated[e.window] = e.operator or ""
            logins[e.window] += 1
        elif e.type is EventType.OPERATOR_LOGOUT:
            assert e.window is not None and seated.pop(e.window) == e.operator
        elif e.window is not None:
            assert seated.get(e.window) == e.operator, f"{e.type.value} at window {e.window} with nobody logged in"
    assert not seated  # everyone logged out at the end of the day
    assert set(logins) == set(range(1, profile_of(day).windows + 1))
    assert all(n == 2 for n in logins.values())  # the morning login and back from lunch or the relief's


def test_hourly_arrivals_follow_the_profile() -> None:
    profile = CentreProfile("ganja-1", windows=40, daily_variation=0.0)
    days = [date(2026, 5, 5), date(2026, 5, 6), date(2026, 5, 7)]  # Tue-Thu, weekday factor 1.0
    counts: Counter[int] = Counter()
    for d in days:
        for e in generate_day(profile, d, seed=3):
            if e.type is EventType.TICKET_ISSUED:
                counts[e.occurred_at.astimezone(BAKU).hour] += 1
    assert set(counts) == set(range(9, 18))
    for hour in range(9, 18):
        share = 0.5 if hour == 17 else 1.0  # tickets stop at 17:30
        expected = profile.arrivals_per_window_hour[hour] * profile.windows * len(days) * share
        assert abs(counts[hour] - expected) <= 4 * math.sqrt(expected), (hour, counts[hour], expected)
    assert counts[10] > 1.4 * counts[9] and counts[14] > 1.4 * counts[13]  # morning and after-lunch peaks


def test_visit_outcomes_have_realistic_shares(large_day: list[QueueEvent]) -> None:
    kinds = Counter(e.type for e in large_day)
    calls = kinds[EventType.TICKET_CALLED]
    recalled_calls = len({(e.ticket, e.window) for e in large_day if e.type is EventType.TICKET_RECALLED})
    assert 0.02 < kinds[EventType.TICKET_NO_SHOW] / calls < 0.07
    assert 0.04 < recalled_calls / calls < 0.13
    assert 0.03 < kinds[EventType.TICKET_TRANSFERRED] / kinds[EventType.SERVICE_STARTED] < 0.10
    assert 0.75 < kinds[EventType.APPLICATION_REGISTERED] / kinds[EventType.SERVICE_COMPLETED] < 0.93
    ids = [i for e in large_day for i in e.application_ids]
    assert len(set(ids)) == len(ids) and all(i.startswith("APP-2026-") for i in ids)


def test_windows_are_split_between_services_by_workload() -> None:
    large = window_services(LARGE)
    assert sorted(large) == list(range(1, 41)) and all(len(s) == 1 for s in large.values())
    per_service = Counter(next(iter(s)) for s in large.values())
    assert set(per_service) == {s.code for s in LARGE.services}
    assert per_service["passport"] > per_service["registry"] > per_service["payments"] >= 1
    assert set(window_services(SMALL).values()) == {frozenset(s.code for s in SMALL.services)}


def test_generate_range_streams_the_same_days_and_skips_closed_ones() -> None:
    stream = generate_range(SMALL, date(2026, 5, 9), 3, seed=5)  # Sat, Sun (closed), Mon
    assert isinstance(stream, Iterator)
    first = next(stream)
    rest = [first, *stream]
    saturday = generate_day(SMALL, date(2026, 5, 9), seed=5)
    assert generate_day(SMALL, date(2026, 5, 10), seed=5) == []
    monday = generate_day(SMALL, date(2026, 5, 11), seed=5)
    assert [e.content_key() for e in rest] == [e.content_key() for e in saturday + monday]
    assert 0 < len(saturday) < len(monday)  # Saturdays are quieter


def test_files_parse_back_to_the_same_events(tmp_path: Path) -> None:
    events = generate_day(SMALL, MONDAY, seed=11)
    jsonl, table = tmp_path / "events.jsonl", tmp_path / "events.csv"
    assert write_jsonl(iter(events), jsonl) == len(events)
    assert write_csv(iter(events), table) == len(events)

    lines = jsonl.read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(events)
    assert list(json.loads(lines[0])) == list(QueueEvent.model_fields)
    assert json.loads(lines[0])["occurred_at"].endswith("+00:00")
    assert [QueueEvent.model_validate_json(line) for line in lines] == events

    with table.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        rows = list(reader)
    assert ",".join(header) == (
        "source,event_id,type,center,occurred_at,ticket,service,priority,window,operator,application_ids,"
        "to_window,to_service"
    )
    assert len(rows) == len(events)
    rebuilt = []
    for row in rows:
        record: dict[str, object] = {k: v for k, v in zip(header, row, strict=True) if v != ""}
        record["application_ids"] = (
            row[header.index("application_ids")].split(";") if "application_ids" in record else []
        )
        rebuilt.append(QueueEvent.model_validate(record))
    assert rebuilt == events
    assert any(";" in row[header.index("application_ids")] for row in rows)  # two ids in one cell


def test_a_forty_window_day_is_generated_in_well_under_two_seconds() -> None:
    started = time.perf_counter()
    events = generate_day(LARGE, date(2026, 5, 6), seed=99)
    elapsed = time.perf_counter() - started
    assert 4000 < len(events) < 20000
    assert elapsed < 2.0, f"{len(events)} events took {elapsed:.2f} s"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"arrivals_per_window_hour": (1.0,) * 9}, "arrivals_per_window_hour"),
        ({"windows": 0}, "windows"),
        ({"no_show_probability": 0.2}, "recall_probability"),
        ({"timezone": "Mars/Olympus"}, "timezone: unknown zone 'Mars/Olympus'"),
    ],
)
def test_inconsistent_profiles_are_rejected_with_a_value_error(change: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        CentreProfile("x", **change)


def test_opening_hours_are_local_time_across_a_daylight_saving_switch() -> None:
    berlin = CentreProfile("berlin-1", windows=6, timezone="Europe/Berlin")
    zone = ZoneInfo("Europe/Berlin")
    for d in (date(2026, 3, 27), date(2026, 3, 30)):  # the clocks go forward on Sunday 29 March
        events = generate_day(berlin, d, seed=1)
        issued = [e.occurred_at.astimezone(zone) for e in events if e.type is EventType.TICKET_ISSUED]
        assert min(issued).hour == 9 and max(issued) < datetime.combine(d, berlin.closes, zone) - timedelta(minutes=30)
        calls = [e.occurred_at for e in events if e.type is EventType.TICKET_CALLED]
        assert min(calls) > datetime.combine(d, berlin.opens, zone)
