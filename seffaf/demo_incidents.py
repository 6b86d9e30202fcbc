"""The demo's scripted morning: queue events and window footage in which every rule of the default
rule set (policies/rulesets/asan-default.toml) has something to find. Pure: no I/O, no clock.

From 10:00 local time each of the first three windows plays ten to fifteen minutes, all on camera:

* window 1: a 13-minute payments service (they usually take 3-4) during which the operator leaves
  the desk for 160 s while the citizen waits; then a ticket declared a no-show 20 s after its call.
* window 2: a service completed with nobody at the citizen's side of the desk; an ordinary
  service; a service in which voices are raised again and again over quiet talk; a passport
  ticket called while an older one (issued 17 minutes earlier) still waits.
* window 3: a citizen served for 4 minutes with no ticket called; a service during which the lens
  is covered for 20 s; the older passport ticket served normally; the operator logs out and the
  next ticket is served anyway.

Further windows get one ordinary service each. Durations clear each rule's threshold with a margin,
since the analytics look at one frame every 2 s and judge each 10 s segment on its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from ingest.events import EventType, QueueEvent
from seffaf.scripted_footage import ClipScript, FacePlacement, Span

SCENARIO_SOURCE = "demo-scenario"  # its own source: the scripted events are easy to tell from history
SCENARIO_START = time(10, 0)
SCENARIO_OVER = time(10, 30)  # the scripted morning lasts a quarter of an hour; footage of it exists after this
MIN_WINDOWS = 3  # the scripted incidents need three windows
# The analytics' zones for these cameras (a side view: operator on the left, citizen on the right),
# written into the demo sites file; the faces below are placed inside them.
OPERATOR_ZONE = (0.0, 0.05, 0.48, 0.85)
CITIZEN_ZONE = (0.52, 0.05, 1.0, 0.85)
CLIP_SIZE = (480, 270)  # faces are still found at this size; 640x360 took half as long again to render
CLIP_FPS = 10
CLIP_GOP_S = 2.0  # a keyframe every 2 s, as the window cameras send: the analytics sample keyframes
WALK_S = 13.0  # from the call to the citizen sitting down (service_started)
TAIL_S = 15.0  # footage after a window's last scripted moment

Figure = Literal["operator_absent_s", "citizen_seen_s", "raised_voice_s", "tamper_s"]


@dataclass(frozen=True)
class WindowFootage:
    window: int
    starts_at: datetime  # UTC instant of the clip's first frame
    script: ClipScript

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(seconds=self.script.seconds)


@dataclass(frozen=True)
class ExpectedIncident:
    rule: str  # rule id in asan-default.toml
    window: int
    ticket: str | None  # None: nothing in the queue (a citizen served without a ticket)
    description: str
    start: datetime  # UTC: what the rule is about (the leg, or the stretch at the window)
    end: datetime
    figure: Figure | None = None  # the leg observation that shows it; None: the queue events show it


@dataclass(frozen=True)
class IncidentPlan:
    center: str
    day: date
    events: tuple[QueueEvent, ...]
    footage: tuple[WindowFootage, ...]
    incidents: tuple[ExpectedIncident, ...]
    ordinary: tuple[str, ...]  # tickets whose service is unremarkable in every respect


def scenario_day(now: datetime, timezone: str) -> date:
    """The latest weekday whose scripted morning is over at `now`: today after 10:30, else the one before."""
    local = now.astimezone(ZoneInfo(timezone))
    day = local.date()
    if local.time() < SCENARIO_OVER:
        day -= timedelta(days=1)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


def operator_of(center: str, window: int) -> str:
    """The same ids as the generated history (ingest.traffic), so a window's operator is one person."""
    return f"{center}-op{window:03d}"


@dataclass
class _Desk:
    """What one window's camera will see, in seconds from the scenario start."""

    window: int
    away: list[Span] = field(default_factory=list)  # the operator's chair is empty
    citizens: list[FacePlacement] = field(default_factory=list)
    speech: list[Span] = field(default_factory=list)
    loud: list[Span] = field(default_factory=list)
    black: list[Span] = field(default_factory=list)
    until: float = 0.0

    def citizen(self, start: float, end: float, variant: int) -> None:
        # Heads of about a third of the picture's height, centred in their zones: found at keyframe after keyframe.
        self.citizens.append(FacePlacement("citizen", Span(start, end), 0.72, 0.42, 0.30, variant))
        self.speech.append(Span(start + 2, end - 2))
        self.until = max(self.until, end)

    def script(self) -> ClipScript:
        seconds = self.until + TAIL_S
        present, cursor = [], 0.0
        for gap in sorted(self.away, key=lambda s: s.start_s):
            present.append(Span(cursor, gap.start_s))
            cursor = gap.end_s
        present.append(Span(cursor, seconds))
        operator = tuple(FacePlacement("operator", span, 0.24, 0.42, 0.34) for span in present)
        return ClipScript(
            seconds=seconds, width=CLIP_SIZE[0], height=CLIP_SIZE[1], fps=CLIP_FPS, gop_s=CLIP_GOP_S,
            bitrate=400_000, seed=3 + 4 * self.window, black=tuple(self.black), faces=(*operator, *self.citizens),
            speech=tuple(_without(self.speech, self.away)), loud=tuple(self.loud),
        )  # fmt: skip


def _without(spans: list[Span], holes: list[Span]) -> list[Span]:
    """Spans with the holes cut out: a citizen left alone at the desk has nobody to talk to."""
    out = spans
    for hole in holes:
        cut: list[Span] = []
        for span in out:
            before = Span(span.start_s, min(span.end_s, hole.start_s))
            after = Span(max(span.start_s, hole.end_s), span.end_s)
            cut.extend(part for part in (before, after) if part.end_s > part.start_s)
        out = cut
    return out


class _Scenario:
    def __init__(self, center: str, day: date, timezone: str, windows: int) -> None:
        self.center, self.day = center, day
        self.t0 = datetime.combine(day, SCENARIO_START, ZoneInfo(timezone)).astimezone(UTC)
        self.events: list[QueueEvent] = []
        self.incidents: list[ExpectedIncident] = []
        self.ordinary: list[str] = []
        self.desks = {n: _Desk(n) for n in range(1, windows + 1)}

    def at(self, seconds: float) -> datetime:
        return self.t0 + timedelta(seconds=seconds)

    def _event(self, kind: EventType, seconds: float, **fields: str | int | None) -> None:
        # The id says what the event is, not where it comes in the list: a run with more windows adds
        # events, and must not give the first run's ids to other content (ingest would keep them apart).
        subject = fields.get("ticket") or f"w{fields.get('window')}"
        event_id = f"{self.center}-{self.day:%Y%m%d}-{subject}-{kind.value}-t{seconds:+.0f}"
        self.events.append(QueueEvent.model_validate({
            "source": SCENARIO_SOURCE, "event_id": event_id, "type": kind, "center": self.center,
            "occurred_at": self.at(seconds), **fields,
        }))  # fmt: skip

    def login(self, window: int, seconds: float) -> None:
        self._event(EventType.OPERATOR_LOGIN, seconds, window=window, operator=operator_of(self.center, window))

    def logout(self, window: int, seconds: float) -> None:
        self._event(EventType.OPERATOR_LOGOUT, seconds, window=window, operator=operator_of(self.center, window))

    def issue(self, ticket: str, service: str, seconds: float) -> None:
        self._event(EventType.TICKET_ISSUED, seconds, ticket=ticket, service=service, priority=0)

    def serve(
        self, window: int, ticket: str, called: float, ended: float, *, citizen: int | None = 1, no_show: bool = False
    ) -> None:
        """A ticket called at the window and served to the end; `citizen` is the face variant, None for nobody."""
        operator = operator_of(self.center, window)
        self._event(EventType.TICKET_CALLED, called, ticket=ticket, window=window, operator=operator, priority=0)
        desk = self.desks[window]
        desk.until = max(desk.until, ended)
        if no_show:
            self._event(EventType.TICKET_NO_SHOW, ended, ticket=ticket, window=window, operator=operator)
            return
        if citizen is not None:
            desk.citizen(called + WALK_S, ended, citizen)
        # With nobody coming, the operator starts the service anyway once the screen allows it.
        started = called + (WALK_S if citizen is not None else 10.0)
        self._event(EventType.SERVICE_STARTED, started, ticket=ticket, window=window, operator=operator)
        self._event(EventType.SERVICE_COMPLETED, ended, ticket=ticket, window=window, operator=operator)

    def expect(
        self, rule: str, window: int, ticket: str | None, text: str, span: tuple[float, float],
        figure: Figure | None = None,
    ) -> None:  # fmt: skip
        self.incidents.append(ExpectedIncident(rule, window, ticket, text, self.at(span[0]), self.at(span[1]), figure))

    def plan(self) -> IncidentPlan:
        footage = tuple(WindowFootage(n, self.t0, desk.script()) for n, desk in self.desks.items())
        return IncidentPlan(self.center, self.day, tuple(self.events), footage, tuple(self.incidents),
                            tuple(self.ordinary))  # fmt: skip


def plan_incidents(center: str, day: date, timezone: str, windows: int) -> IncidentPlan:
    """The scripted morning of `day` at `center` (local time in `timezone`), for `windows` windows."""
    if windows < MIN_WINDOWS:
        raise ValueError(f"windows: the scripted incidents need at least {MIN_WINDOWS}, got {windows}")
    s = _Scenario(center, day, timezone, windows)
    for window in s.desks:
        s.login(window, -3600)  # 09:00, before anything is filmed
    _window_1(s)
    _window_2(s)
    _window_3(s)
    for window in range(MIN_WINDOWS + 1, windows + 1):
        ticket = f"D9{window % 10}1"
        s.issue(ticket, "driving_licence", 20 + window)  # after D901 was called: the queue stays in order
        s.serve(window, ticket, 40 + 10 * window, 160 + 10 * window, citizen=window % 4)
        s.ordinary.append(ticket)
    return s.plan()


def _window_1(s: _Scenario) -> None:
    s.issue("F901", "payments", -90)
    s.serve(1, "F901", 15, 795)
    s.desks[1].away.append(Span(300, 460))
    s.expect("operator_absent", 1, "F901", "the operator leaves the desk for 160 s; the citizen waits", (300, 460),
             "operator_absent_s")  # fmt: skip
    s.expect("service_too_long", 1, "F901", "a payments service of 13 minutes (usually 3 to 4)", (15, 795))
    s.issue("B902", "registry", 700)
    s.serve(1, "B902", 810, 830, no_show=True)
    s.expect("recalls_or_fast_no_show", 1, "B902", "declared a no-show 20 s after the call", (810, 830))


def _window_2(s: _Scenario) -> None:
    s.issue("D901", "driving_licence", -200)
    s.serve(2, "D901", 15, 135, citizen=None)
    s.expect("ghost_service", 2, "D901", "completed with the operator alone: no citizen ever at the desk",
             (15, 135), "citizen_seen_s")  # fmt: skip
    s.issue("B901", "registry", -60)
    s.serve(2, "B901", 150, 255, citizen=2)
    s.ordinary.append("B901")
    s.issue("C901", "notary", 100)
    s.serve(2, "C901", 270, 420, citizen=3)
    # 3 s of shouting in every 10 s, 8 times: each segment's own baseline stays the quiet talk around it.
    s.desks[2].loud += [Span(304 + 10 * k, 307 + 10 * k) for k in range(8)]
    s.expect("raised_voice", 2, "C901", "voices raised for 3 s, eight times, over quiet talk", (304, 377),
             "raised_voice_s")  # fmt: skip
    s.issue("A901", "passport", -1500)  # 09:35; called at window 3 only after A902
    s.issue("A902", "passport", -480)
    s.serve(2, "A902", 435, 545, citizen=1)
    s.expect("out_of_order_call", 2, "A902", "called while A901, issued 17 minutes earlier, still waits", (435, 545))


def _window_3(s: _Scenario) -> None:
    # The rule looks 30 s either side of every session at the window: this citizen leaves 40 s before the next call.
    s.desks[3].citizen(10, 250, 3)
    s.expect("served_without_ticket", 3, None, "a citizen at the desk for 4 minutes, no ticket called", (10, 250))
    s.issue("E901", "social", 150)
    s.serve(3, "E901", 290, 440, citizen=1)
    s.desks[3].black.append(Span(350, 370))
    s.expect("recording_gap", 3, "E901", "the lens is covered for 20 s during the service", (350, 370), "tamper_s")
    s.serve(3, "A901", 460, 570, citizen=2)
    s.ordinary.append("A901")
    s.logout(3, 580)
    s.issue("F902", "payments", 480)
    s.serve(3, "F902", 595, 710, citizen=3)
    s.expect("outside_shift", 3, "F902", f"served after {operator_of(s.center, 3)} logged out", (595, 710))
