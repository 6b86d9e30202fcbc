"""A year of generated service sessions for the search benchmark: visits, legs, application ids, findings.

Shape: 20 centres of 12-18 windows (Asia/Baku, open 09:00-18:30, closed on Sundays), a year of
days, each centre-day's visits spread over its windows with the simulator's arrival curve and
service mix (ingest/traffic_profile.py); 1-2 legs per visit (8 % transferred), 4 % no-shows;
about 85 % of visits register one or two application ids; operators rotate over windows, some
windows split their day between two; coverage from the linker (most legs fully on camera,
some with a hole, a few not linked yet); findings on about 5 % of legs, by the default rule
set's rules, and verdicts on half of those older than two weeks.

Rows are plain tuples in the order of the *_COLUMNS below, datetimes as naive UTC text.
"""

from __future__ import annotations

import bisect
import json
import random
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Table

from ingest.traffic_profile import DEFAULT_ARRIVALS, DEFAULT_SERVICES
from seffaf.catalog.finding_tables import VerdictRow

RULESET = Path(__file__).resolve().parent.parent / "policies" / "rulesets" / "asan-default.toml"
CENTERS = (
    *(f"baku-{n}" for n in range(1, 11)), "sumqayit-1", "sumqayit-2", "ganja-1", "ganja-2", "mingachevir-1",
    "lankaran-1", "shaki-1", "quba-1", "shamakhi-1", "nakhchivan-1",
)  # fmt: skip
FIRST_DAY = date(2025, 11, 17)  # a Monday; a year of days follows
DAYS = 364
TZ_OFFSET_S = 4 * 3600  # Asia/Baku, no DST: local = UTC + 4 h
OPENS_S, KIOSK_CLOSES_S, CLOSES_S = 9 * 3600, 17 * 3600 + 1800, 18 * 3600 + 1800  # local seconds of day
SEGMENT_S = 10
SEGMENTS_PER_DAY = (CLOSES_S - OPENS_S) // SEGMENT_S
WEEKDAY_FACTORS = (1.1, 1.0, 1.0, 1.0, 0.95, 0.7, 0.0)  # Mon..Sun
PAD_S = 30.0  # the linker's padding around a leg
RULE_WEIGHTS = {"recording_gap": 3, "operator_absent": 3, "served_without_ticket": 0.5, "ghost_service": 0.5,
                "out_of_order_call": 2, "service_too_long": 5, "raised_voice": 2, "recalls_or_fast_no_show": 2,
                "outside_shift": 1}  # fmt: skip
FINDING_SHARE = 0.05
TRANSFER_SHARE = 0.08
VISIT_COLUMNS = ("id", "center", "service_date", "ticket", "walk_in", "service", "priority", "issued_at", "outcome",
                 "application_ids", "anomalies")  # fmt: skip
LEG_COLUMNS = ("id", "visit_id", "idx", "center", "window", "operator", "operator_source", "called_at", "started_at",
               "ended_at", "outcome", "service", "application_ids", "recalls", "transferred_to", "anomalies",
               "coverage", "holes", "camera", "first_seq", "last_seq", "in_offset_s", "out_offset_s",
               "linked_at")  # fmt: skip
APPLICATION_COLUMNS = ("visit_id", "application_id")
FINDING_COLUMNS = ("id", "subject", "rule_id", "ruleset", "ruleset_version", "principle", "severity", "title",
                   "center", "service_date", "window", "operator", "ticket", "leg_index", "visit_id", "start", "end",
                   "evidence", "facts", "explanation", "evaluated_at")  # fmt: skip
# Verdicts carry a review status once the review workflow's migration is in (the status a
# verdict given outright leaves behind is the verdict itself).
VERDICT_HAS_STATUS = "status" in cast(Table, VerdictRow.__table__).c
VERDICT_COLUMNS = ("id", "finding_id", "verdict", "reviewer", "note", "decided_at",
                   *(("status",) if VERDICT_HAS_STATUS else ()))  # fmt: skip


@dataclass(frozen=True)
class Probe:
    """What a reviewer may search for: a visit as generated (a sample of them is kept)."""

    visit_id: int
    center: str
    day: date
    ticket: str
    applications: tuple[str, ...]
    legs: tuple[tuple[int, str | None], ...]  # (window, operator)
    filmed: bool


@dataclass(frozen=True)
class FindingProbe:
    center: str
    day: date
    rule: str
    severity: str


HMS = [f"{h:02d}:{m:02d}:{sec:02d}" for h in range(24) for m in range(60) for sec in range(60)]


def _stamp(day: str, local_s: float) -> str:
    """Naive UTC text of a local second-of-day on `day` (the whole open day stays on the same UTC date)."""
    seconds, us = divmod(int((local_s - TZ_OFFSET_S) * 1_000_000), 1_000_000)
    return f"{day} {HMS[seconds]}.{us:06d}"


def _iso(day: str, local_s: float) -> str:
    return _stamp(day, local_s).replace(" ", "T")[:19] + "+00:00"


def _seq(day_index: int, local_s: float) -> tuple[int, float]:
    """The segment (sequence number) of a window's camera holding local second `local_s`, and the offset in it."""
    into = min(max(local_s - OPENS_S, 0.0), SEGMENTS_PER_DAY * SEGMENT_S - 0.001)
    n = int(into // SEGMENT_S)
    return day_index * SEGMENTS_PER_DAY + n + 1, into - n * SEGMENT_S


def _rules() -> dict[str, tuple[str, str, str]]:
    data = tomllib.loads(RULESET.read_text())
    return {r["id"]: (r["principle"], r["severity"], r["title"]) for r in data["rule"]}


def open_days() -> list[int]:
    """Indexes of the days the centres open (not Sundays)."""
    return [d for d in range(DAYS) if WEEKDAY_FACTORS[(FIRST_DAY + timedelta(days=d)).weekday()] > 0]


def _day_volumes(rng: random.Random, sessions: int) -> list[tuple[str, int, int]]:
    """(centre, day index, visits) summing to `sessions`, by weekday and a day's lognormal variation."""
    weights = []
    for center in CENTERS:
        size = rng.uniform(0.6, 1.4)
        for d in range(DAYS):
            factor = WEEKDAY_FACTORS[(FIRST_DAY + timedelta(days=d)).weekday()]
            if factor > 0:
                weights.append((center, d, size * factor * rng.lognormvariate(0, 0.06)))
    total = sum(w for _, _, w in weights)
    volumes = [(c, d, int(sessions * w / total)) for c, d, w in weights]
    short = sessions - sum(v for _, _, v in volumes)
    for i in range(short):
        c, d, v = volumes[i % len(volumes)]
        volumes[i % len(volumes)] = (c, d, v + 1)
    return volumes


class SessionBuilder:
    """Visits, their legs, application ids, findings and verdicts, one centre-day at a time."""

    def __init__(self, seed: int, sessions: int, filmed_days: int) -> None:
        self.rng = random.Random(seed)
        self.sessions = sessions
        self.windows = {c: self.rng.randint(12, 18) for c in CENTERS}
        self.operators = {c: [f"{1000 + 100 * i + k}" for k in range(w + 6)] for i, (c, w) in
                          enumerate(self.windows.items())}  # fmt: skip
        self.rules = _rules()
        self.rule_ids = list(RULE_WEIGHTS)
        self.rule_cum = list(_cumulative(RULE_WEIGHTS.values()))
        self.services = DEFAULT_SERVICES
        self.service_cum = list(_cumulative(s.weight for s in self.services))
        hours = [(h, w) for h, w in enumerate(DEFAULT_ARRIVALS) if w > 0 and h * 3600 >= OPENS_S]
        self.hours, self.hour_cum = [h for h, _ in hours], list(_cumulative(w for _, w in hours))
        self.filmed_center = CENTERS[0]
        self.filmed_days = set(open_days()[-filmed_days:] if filmed_days else [])
        self.visits: list[tuple[Any, ...]] = []
        self.legs: list[tuple[Any, ...]] = []
        self.applications: list[tuple[Any, ...]] = []
        self.findings: list[tuple[Any, ...]] = []
        self.verdicts: list[tuple[Any, ...]] = []
        self.probes: list[Probe] = []
        self.finding_probes: list[FindingProbe] = []
        self.next_application = 1
        self.leg_id = 0
        self.probe_share = min(1.0, 40_000 / max(1, sessions))

    def operator(self, center: str, window: int, day: int, local_s: float) -> str:
        pool = self.operators[center]
        split = (window + day) % 5 == 0 and local_s >= 13.5 * 3600  # a fifth of windows change at 13:30
        return pool[(window * 7 + day * 3 + (len(pool) // 2 if split else 0)) % len(pool)]

    def centre_day(self, center: str, d: int, count: int) -> None:
        rng = self.rng
        day = FIRST_DAY + timedelta(days=d)
        day_s = day.isoformat()
        windows = self.windows[center]
        issued = sorted(
            min(KIOSK_CLOSES_S - 1.0, max(OPENS_S, self.hours[bisect.bisect(self.hour_cum, rng.random())] * 3600
                + rng.random() * 3600))
            for _ in range(count)
        )  # fmt: skip
        numbers: dict[str, int] = {}
        walk_ins: set[str] = set()
        for issued_s in issued:
            service = self.services[bisect.bisect(self.service_cum, rng.random())]
            window = rng.randint(1, windows)
            if rng.random() < 0.01:  # a walk-in: its key is its window and local start time
                ticket = f"walk-in/{window}/{HMS[int(issued_s)].replace(':', '')}"
                if ticket not in walk_ins:
                    walk_ins.add(ticket)
                    self.visit(center, d, day_s, ticket, True, service.code, service.median_minutes, issued_s, window)
                    continue
            numbers[service.letter] = numbers.get(service.letter, 0) + 1
            ticket = f"{service.letter}{numbers[service.letter]:03d}"
            self.visit(center, d, day_s, ticket, False, service.code, service.median_minutes, issued_s, window)

    def visit(self, center: str, d: int, day_s: str, ticket: str, walk_in: bool, service: str,
              median_min: float, issued_s: float, window: int) -> None:  # fmt: skip
        rng = self.rng
        visit_id = len(self.visits) + 1
        roll = 1.0 if walk_in else rng.random()  # a walk-in is one leg, served
        legs_n = 2 if roll < TRANSFER_SHARE else 1
        no_show = TRANSFER_SHARE <= roll < TRANSFER_SHARE + 0.04
        cancelled = TRANSFER_SHARE + 0.04 <= roll < TRANSFER_SHARE + 0.05
        applications: tuple[str, ...] = ()
        if not (no_show or cancelled) and rng.random() < 0.85:
            n = 2 if rng.random() < 0.1 else 1
            applications = tuple(f"APP-{self.next_application + i:08d}" for i in range(n))
            self.next_application += n
        apps_json = '["' + '", "'.join(applications) + '"]' if applications else "[]"
        at = issued_s + (0.0 if walk_in else rng.expovariate(1 / 480))
        probe_legs: list[tuple[int, str | None]] = []
        outcome = "completed"
        for idx in range(legs_n):
            last = idx == legs_n - 1
            called = at
            started = None if no_show else called + rng.uniform(10, 60)
            recalls = rng.randint(1, 2) if no_show else (1 if rng.random() < 0.04 else 0)
            if no_show:
                ended = called + rng.uniform(60, 150)
                outcome = "no_show"
            elif cancelled:
                assert started is not None
                ended = started + rng.uniform(30, 120)
                outcome = "cancelled"
            else:
                assert started is not None
                ended = started + 60 * median_min * rng.lognormvariate(0, 0.45) * (0.5 if legs_n > 1 else 1)
                outcome = "completed" if last else "transferred"
            to_window = None if last else rng.choice([w for w in range(1, self.windows[center] + 1) if w != window])
            source_roll = rng.random()
            operator: str | None = self.operator(center, window, d, called)
            source = "event" if source_roll < 0.96 else "shift" if source_roll < 0.99 else "unknown"
            if source == "unknown":
                operator = None
            self.leg(visit_id, idx, center, d, day_s, window, operator, source, None if walk_in else called, started,
                     ended, outcome, service, apps_json if last else "[]", recalls, to_window, ticket)  # fmt: skip
            probe_legs.append((window, operator))
            if to_window is not None:
                window, at = to_window, ended + rng.expovariate(1 / 240)
        self.visits.append((visit_id, center, day_s, ticket, walk_in, service, 1 if rng.random() < 0.05 else 0,
                            None if walk_in else _stamp(day_s, issued_s), outcome, apps_json, "[]"))  # fmt: skip
        self.applications.extend((visit_id, a) for a in applications)
        filmed = center == self.filmed_center and d in self.filmed_days
        if filmed or rng.random() < self.probe_share:  # every filmed visit: the session page's sample
            self.probes.append(Probe(visit_id, center, FIRST_DAY + timedelta(days=d), ticket, applications,
                                     tuple(probe_legs), filmed))  # fmt: skip

    def leg(self, visit_id: int, idx: int, center: str, d: int, day_s: str, window: int, operator: str | None,
            source: str, called: float | None, started: float | None, ended: float, outcome: str, service: str,
            apps_json: str, recalls: int, to_window: int | None, ticket: str) -> None:  # fmt: skip
        rng = self.rng
        self.leg_id += 1
        begin = called if called is not None else started
        assert begin is not None
        link_roll = rng.random()
        recent = d >= DAYS - 2
        linked = not (link_roll < 0.02 or (recent and link_roll < 0.3))
        coverage = holes = camera = first_seq = last_seq = in_off = out_off = linked_at = None
        if linked:
            camera = f"{center}-w{window:02d}"
            first_seq, in_off = _seq(d, begin - PAD_S)
            last_seq, out_off = _seq(d, ended + PAD_S)
            linked_at = _stamp(day_s, min(ended + 3600, 23.9 * 3600))
            hole_roll = rng.random()
            if hole_roll < 0.07:
                cut = rng.uniform(0.05, 0.6) * (ended - begin)
                coverage = round(1 - cut / (ended - begin), 6)
                holes = json.dumps([{"start": _iso(day_s, ended - cut), "end": _iso(day_s, ended),
                                     "cause": "recording_gap" if hole_roll < 0.05 else "unexplained"}])  # fmt: skip
            elif hole_roll < 0.08:
                coverage, holes = 0.0, json.dumps([{"start": _iso(day_s, begin), "end": _iso(day_s, ended),
                                                    "cause": "camera_unreachable"}])  # fmt: skip
            else:
                coverage, holes = 1.0, "[]"
        self.legs.append((self.leg_id, visit_id, idx, center, window, operator, source,
                          None if called is None else _stamp(day_s, called),
                          None if started is None else _stamp(day_s, started), _stamp(day_s, ended), outcome, service,
                          apps_json, recalls, to_window, "[]", coverage, holes, camera, first_seq, last_seq, in_off,
                          out_off, linked_at))  # fmt: skip
        if rng.random() < FINDING_SHARE:
            self.finding(visit_id, idx, center, d, day_s, window, operator, ticket, begin, ended)

    def finding(self, visit_id: int, idx: int, center: str, d: int, day_s: str, window: int, operator: str | None,
                ticket: str, begin: float, ended: float) -> None:  # fmt: skip
        rng = self.rng
        rule = self.rule_ids[bisect.bisect(self.rule_cum, rng.random() * self.rule_cum[-1])]
        principle, severity, title = self.rules[rule]
        finding_id = len(self.findings) + 1
        start = rng.uniform(begin, ended)
        end = min(ended, start + rng.uniform(5, 300))
        evaluated = _stamp(day_s, min(ended + 7200, 23.9 * 3600))
        value = round(rng.uniform(1, 400), 1)
        self.findings.append((
            finding_id, f"leg:{center}/{day_s}/{ticket}/{idx}", rule, "asan-default", "1.0", principle, severity,
            title, center, day_s, window, operator, ticket, idx, visit_id, _stamp(day_s, start), _stamp(day_s, end),
            json.dumps([{"start": _iso(day_s, start), "end": _iso(day_s, end), "kind": rule}]),
            json.dumps({"value_s": value}), f"{rule.replace('_', ' ')} {value} s", evaluated,
        ))  # fmt: skip
        if rng.random() < 0.2:
            self.finding_probes.append(FindingProbe(center, FIRST_DAY + timedelta(days=d), rule, severity))
        if d < DAYS - 14 and rng.random() < 0.5:
            decided = _stamp(day_s, 23.95 * 3600)
            if rng.random() < 0.1:
                self.verdict(finding_id, "dismissed", "reviewer-1", decided)
            self.verdict(finding_id, "confirmed" if rng.random() < 0.6 else "dismissed", "reviewer-2", decided)

    def verdict(self, finding_id: int, verdict: str, reviewer: str, decided: str) -> None:
        status = (verdict,) if VERDICT_HAS_STATUS else ()
        self.verdicts.append((len(self.verdicts) + 1, finding_id, verdict, reviewer, "", decided, *status))


def _cumulative(weights: Any) -> Iterator[float]:
    total = 0.0
    for w in weights:
        total += w
        yield total


def build(sessions: int, filmed_days: int, seed: int) -> SessionBuilder:
    """`sessions` visits over the year, built centre-day by centre-day in date order."""
    builder = SessionBuilder(seed, sessions, filmed_days)
    for center, d, count in sorted(_day_volumes(builder.rng, sessions), key=lambda v: (v[1], v[0])):
        builder.centre_day(center, d, count)
    return builder
