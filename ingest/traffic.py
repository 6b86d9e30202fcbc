"""Seeded, reproducible queue traffic for a one-stop centre: what its electronic queue would report.

A discrete-event simulation (arrivals, per-service queues, windows staffed by operators with lunch
breaks and shift handovers) that emits `QueueEvent`s. It feeds the session builder, the indexer and
load tests, so it keeps the invariants a real queue system keeps: every call is closed by exactly one
of completed / transferred / no-show / cancelled, a window never holds two tickets at once, and a
window only calls while an operator is logged in at it. Times are whole milliseconds internally so
the order the simulation decided is exactly the order of the emitted timestamps.

The centre's configuration (CentreProfile, ServiceType, the defaults, window_services) lives in
ingest.traffic_profile and is re-exported here.
"""

from __future__ import annotations

import heapq
import math
import random
from bisect import bisect
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from itertools import accumulate
from zoneinfo import ZoneInfo

from ingest.events import EventType, QueueEvent
from ingest.traffic_profile import DEFAULT_ARRIVALS as DEFAULT_ARRIVALS
from ingest.traffic_profile import DEFAULT_SERVICES as DEFAULT_SERVICES
from ingest.traffic_profile import CentreProfile as CentreProfile
from ingest.traffic_profile import ServiceType as ServiceType
from ingest.traffic_profile import window_services as window_services


def generate_day(profile: CentreProfile, day: date, seed: int) -> list[QueueEvent]:
    """One day of the centre's queue events, sorted by occurred_at; [] on a closed day."""
    return _Day(profile, day, seed).run()


def generate_range(profile: CentreProfile, first_day: date, days: int, seed: int) -> Iterator[QueueEvent]:
    """Day after day, each identical to generate_day(profile, that day, seed); one day in memory at a time."""
    for offset in range(days):
        yield from generate_day(profile, first_day + timedelta(days=offset), seed)


# Heap kinds, in the order they are handled at an equal millisecond: a ticket entering a queue is
# visible to a window calling in that same millisecond.
_ARRIVE, _TRANSFER, _CLOSING, _LIMIT, _SHIFT, _TICK = range(6)
_AWAY, _IDLE, _PENDING, _BUSY, _DONE = range(5)  # window states; _PENDING = a call is a few seconds away
_MIN = 60_000

_More = tuple[tuple[str, ...], int | None, str | None]  # application_ids, to_window, to_service
_NOTHING: _More = ((), None, None)
_WITH_PRIORITY = frozenset({EventType.TICKET_ISSUED, EventType.TICKET_CALLED})
_S = str | None
_I = int | None
# (ms since opening, emission order, type, ticket, service, priority, window, operator, *_More)
_Raw = tuple[int, int, EventType, _S, _S, _I, _I, _S, tuple[str, ...], _I, _S]


@dataclass(slots=True)
class _Ticket:
    number: str
    service: str
    priority: int
    queued_at: int  # ms since opening: issue time, or transfer time for a transferred ticket
    seq: int  # FIFO tie-break for an equal queued_at
    transfers: int = 0


@dataclass(slots=True)
class _Window:
    number: int
    services: frozenset[str]
    operator: str
    state: int = _AWAY
    idle_since: int = 0
    break_at: int | None = None  # lunch: operator logs out at the first free moment after this
    handover_at: int | None = None  # split shift: the relief operator takes over after this
    relief: str = ""
    directed: deque[_Ticket] = field(default_factory=deque)  # transferred to this window


class _Day:
    def __init__(self, profile: CentreProfile, day: date, seed: int) -> None:
        self.p = profile
        self.day = day
        self.rng = random.Random(f"{seed}/{profile.center}/{day.isoformat()}")  # noqa: S311 - simulation, not security
        zone = ZoneInfo(profile.timezone)
        # t = 0 is local opening; DST switches happen at night, so the opening hours are wall-clock exact.
        self.base = datetime.combine(day, profile.opens, zone).astimezone(UTC)
        self.closing = self._offset(profile.closes)
        self.limit = self.closing + profile.overrun_minutes * _MIN
        self.raw: list[_Raw] = []
        self.heap: list[tuple[int, int, int, _Ticket | None, _Window | None]] = []
        self.seq = 0
        self.services = {s.code: s for s in profile.services}
        self.queues: dict[str, list[tuple[int, int, int, _Ticket]]] = {s.code: [] for s in profile.services}
        assignment = window_services(profile)
        self.windows = [_Window(n, svc, f"{profile.center}-op{n:03d}") for n, svc in assignment.items()]
        self.by_service = {code: [w for w in self.windows if code in w.services] for code in self.queues}
        self.applications = 0

    def _offset(self, local: time) -> int:
        moment = datetime.combine(self.day, local, ZoneInfo(self.p.timezone)).astimezone(UTC)
        return round((moment - self.base).total_seconds() * 1000)

    def _ms(self, low_s: float, high_s: float) -> int:
        return round(self.rng.uniform(low_s, high_s) * 1000)

    def _push(self, at: int, kind: int, tk: _Ticket | None, w: _Window | None) -> None:
        self.seq += 1
        heapq.heappush(self.heap, (at, kind, self.seq, tk, w))

    def _emit(self, at: int, kind: EventType, tk: _Ticket | None, w: _Window | None, more: _More = _NOTHING) -> None:
        self.seq += 1
        priority = tk.priority if tk and kind in _WITH_PRIORITY else None
        ticket = (tk.number, tk.service, priority) if tk else (None, None, None)
        self.raw.append((at, self.seq, kind, *ticket, *((w.number, w.operator) if w else (None, None)), *more))

    def run(self) -> list[QueueEvent]:
        factor = self.p.weekday_factors[self.day.weekday()]
        if factor <= 0:
            return []
        factor *= self.rng.lognormvariate(0.0, self.p.daily_variation)
        self._plan_arrivals(factor)
        self._plan_staff()
        self._push(self.closing, _CLOSING, None, None)
        self._push(self.limit, _LIMIT, None, None)
        while self.heap:
            now, kind, _, tk, w = heapq.heappop(self.heap)
            if kind == _ARRIVE and tk:
                self._emit(now, EventType.TICKET_ISSUED, tk, None)
                self._enqueue(tk, now, None)
            elif kind == _TRANSFER and tk and w:
                self._transfer(tk, w, now)
            elif w and (kind == _TICK or (kind == _SHIFT and w.state == _IDLE)):  # busy: at its next tick
                self._tick(w, now)
            elif kind == _CLOSING:
                for idle in (x for x in self.windows if x.state == _IDLE):  # nothing waits for them: done
                    self._sign_off(idle, now + self._ms(0, 180))
            elif kind == _LIMIT:
                self._close_queues(now)
        return self._build()

    def _plan_arrivals(self, factor: float) -> None:
        # Piecewise-constant Poisson rate per local hour; exponential gaps restart at each hour boundary
        # (memoryless, so this is exact).
        end = self.closing - self.p.last_ticket_minutes * _MIN
        codes = [s.code for s in self.p.services]
        cumulative = list(accumulate(s.weight for s in self.p.services))
        counters = dict.fromkeys(codes, 0)
        local = self.base.astimezone(ZoneInfo(self.p.timezone))
        into = (local.minute * 60 + local.second) * 1000  # opening's distance past the top of its hour
        t = 0
        while t < end:
            hours_in = (into + t) // (60 * _MIN)
            hour = (local.hour + hours_in) % 24
            next_hour = min((hours_in + 1) * 60 * _MIN - into, end)
            rate = self.p.arrivals_per_window_hour[hour] * self.p.windows * factor / 3_600_000  # per ms
            gap = self.rng.expovariate(rate) if rate > 0 else math.inf
            if t + gap >= next_hour:
                t = next_hour
                continue
            t += max(1, round(gap))
            code = codes[bisect(cumulative, self.rng.random() * cumulative[-1])]
            counters[code] += 1
            number = f"{self.services[code].letter}{counters[code]:03d}"
            priority = 1 if self.rng.random() < self.p.priority_share else 0
            self._push(t, _ARRIVE, _Ticket(number, code, priority, t, self.seq + 1), None)

    def _plan_staff(self) -> None:
        rng, p = self.rng, self.p
        lunch_from, lunch_to = self._offset(p.lunch_between[0]), self._offset(p.lunch_between[1])
        lunch_span = max(0, lunch_to - lunch_from - p.lunch_minutes * _MIN)
        reliefs = iter(range(p.windows + 1, 2 * p.windows + 2))
        for w in self.windows:
            block = self.by_service[min(w.services)]
            if rng.random() < p.split_shift_share:
                w.handover_at = self.closing // 2 + self._ms(-1200, 1200)
                w.relief = f"{p.center}-op{next(reliefs):03d}"
                self._push(w.handover_at, _SHIFT, None, w)
            else:  # lunches staggered inside a service block so the service is never unstaffed
                w.break_at = lunch_from + round(lunch_span * (block.index(w) + 0.5) / len(block)) + self._ms(-300, 300)
                self._push(w.break_at, _SHIFT, None, w)
            login = self._ms(-600, 120)  # some arrive early, a few a minute or two late
            self._emit(login, EventType.OPERATOR_LOGIN, None, w)
            self._push(max(login, 0) + self._ms(5, 60), _TICK, None, w)

    def _enqueue(self, tk: _Ticket, now: int, target: _Window | None) -> None:
        if target is not None:
            target.directed.append(tk)
            candidates = [target]
        else:
            heapq.heappush(self.queues[tk.service], (-tk.priority, tk.queued_at, tk.seq, tk))
            candidates = self.by_service[tk.service]
        idle = [w for w in candidates if w.state == _IDLE]
        if idle:  # the window idle the longest presses "next" a few seconds later
            w = min(idle, key=lambda x: (x.idle_since, x.number))
            w.state = _PENDING
            self._push(now + self._ms(2, 15), _TICK, None, w)

    def _has_work(self, w: _Window) -> bool:
        return bool(w.directed) or any(self.queues[c] for c in w.services)

    def _sign_off(self, w: _Window, at: int) -> None:
        w.state = _DONE
        self._emit(at, EventType.OPERATOR_LOGOUT, None, w)

    def _tick(self, w: _Window, now: int) -> None:
        if w.state == _DONE:
            return
        handover = w.handover_at is not None and now >= w.handover_at
        if handover or (w.break_at is not None and now >= w.break_at):
            self._emit(now, EventType.OPERATOR_LOGOUT, None, w)
            if handover:  # the relief sits down a few minutes later
                w.operator, w.handover_at, back = w.relief, None, now + self._ms(60, 300)
            else:
                w.break_at, back = None, now + self.p.lunch_minutes * _MIN + self._ms(-180, 300)
            w.state = _AWAY
            self._emit(back, EventType.OPERATOR_LOGIN, None, w)
            self._push(back + self._ms(5, 30), _TICK, None, w)
            return
        if now >= self.closing and not self._has_work(w):
            self._sign_off(w, now + self._ms(0, 120))
            return
        tk = self._take(w)
        if tk is None:
            w.state, w.idle_since = _IDLE, now
            return
        w.state = _BUSY
        self._push(self._serve(w, tk, now) + self._ms(5, 45), _TICK, None, w)  # wrap-up before the next call

    def _take(self, w: _Window) -> _Ticket | None:
        # A ticket transferred here comes first (the citizen was already served once); then the highest
        # priority, then the longest wait, across the services this window handles.
        if w.directed:
            return w.directed.popleft()
        heads = [q for q in (self.queues[c] for c in w.services) if q]
        return heapq.heappop(min(heads, key=lambda q: q[0][:3]))[3] if heads else None

    def _serve(self, w: _Window, tk: _Ticket, now: int) -> int:
        """Emit one leg from its call; returns when the window is free of it."""
        rng, p = self.rng, self.p
        self._emit(now, EventType.TICKET_CALLED, tk, w)
        t, draw = now, rng.random()
        if draw < p.no_show_probability:
            for _ in range(rng.choice((1, 1, 2))):
                t += self._ms(40, 90)
                self._emit(t, EventType.TICKET_RECALLED, tk, w)
            t += self._ms(40, 90)
            self._emit(t, EventType.TICKET_NO_SHOW, tk, w)
            return t
        if draw < p.no_show_probability + p.cancel_probability:  # wrong service, missing papers
            t += self._ms(20, 120)
            self._emit(t, EventType.TICKET_CANCELLED, tk, w)
            return t
        if draw < p.cancel_probability + p.recall_probability:  # recalled, then turned up
            for _ in range(rng.choice((1, 1, 2))):
                t += self._ms(30, 75)
                self._emit(t, EventType.TICKET_RECALLED, tk, w)
        t += self._ms(5, 40)  # walking to the window
        self._emit(t, EventType.SERVICE_STARTED, tk, w)
        svc = self.services[tk.service]
        median = round(svc.median_minutes * _MIN)
        duration = min(max(round(rng.lognormvariate(math.log(median), svc.sigma)), _MIN), 5 * median)
        transfer = p.transfer_probability / (1 + 2 * tk.transfers) if tk.transfers < 2 else 0.0
        if rng.random() < transfer:
            end = t + max(_MIN // 2, round(duration * rng.uniform(0.3, 0.8)))
            self._push(end, _TRANSFER, tk, w)
            return end
        if rng.random() < p.application_probability:
            ids = tuple(self._application_id() for _ in range(rng.choice((1, 1, 1, 2))))
            at = t + round(duration * rng.uniform(0.5, 0.95))
            self._emit(at, EventType.APPLICATION_REGISTERED, tk, w, (ids, None, None))
        self._emit(t + duration, EventType.SERVICE_COMPLETED, tk, w)
        return t + duration

    def _application_id(self) -> str:
        self.applications += 1
        return f"{self.p.application_prefix}-{self.day:%Y}-{self.day:%j}{self.applications:05d}"

    def _transfer(self, tk: _Ticket, source: _Window, now: int) -> None:
        # The target is chosen now, not at the call: only a window still open can accept the citizen.
        change = self.rng.random() < self.p.transfer_changes_service
        for changing in (change, not change):
            others = [c for c in self.queues if c != tk.service] if changing else [tk.service]
            weights = [self.services[c].weight for c in others]
            service = self.rng.choices(others, weights)[0] if others else tk.service
            targets = [w for w in self.by_service[service] if w.state != _DONE and w is not source]
            if targets:
                target = self.rng.choice(targets)
                to = ((), target.number, service if service != tk.service else None)
                self._emit(now, EventType.TICKET_TRANSFERRED, tk, source, to)
                tk.service, tk.queued_at, tk.transfers = service, now, tk.transfers + 1
                self._enqueue(tk, now, target)
                return
        self._emit(now, EventType.SERVICE_COMPLETED, tk, source)  # nowhere to send them: finished here

    def _close_queues(self, now: int) -> None:
        # Past the overrun the centre turns away whoever never reached a window.
        waiting = sorted((entry for q in self.queues.values() for entry in q), key=lambda e: e[1:3])
        for i, (_, _, _, tk) in enumerate(waiting):
            self._emit(now + i, EventType.TICKET_CANCELLED, tk, None)
        for q in self.queues.values():
            q.clear()

    def _build(self) -> list[QueueEvent]:
        self.raw.sort()
        p, base, prefix = self.p, self.base, f"{self.p.center}-{self.day:%Y%m%d}-"
        # model_construct: the simulation builds valid values itself; the tests validate a sample.
        return [
            QueueEvent.model_construct(
                source=p.source,
                event_id=f"{prefix}{n:07d}",
                type=kind,
                center=p.center,
                occurred_at=base + timedelta(milliseconds=at),
                ticket=ticket,
                service=service,
                priority=priority,
                window=window,
                operator=operator,
                application_ids=list(apps),
                to_window=to_window,
                to_service=to_service,
            )
            for n, (at, _, kind, ticket, service, priority, window, operator, apps, to_window, to_service) in enumerate(
                self.raw, 1
            )
        ]
