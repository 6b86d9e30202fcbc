"""Second-by-second precision and recall of observations against a clip script's labels.

For every whole second of the clip the label comes from the script at the middle of that second,
and a detector's prediction is whether an observation of its kind covers that moment. People are
only scored in seconds the camera could see (not covered, in focus, not frozen): there the
detector rightly claims nothing. A citizen-count second is a true positive only with the exact
count.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from indexer.analytics.observations import Observation
from seffaf.scripted_footage import ClipScript, Span, ZoneName


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, truth: bool, predicted: bool) -> None:
        self.tp += truth and predicted
        self.fp += predicted and not truth
        self.fn += truth and not predicted

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


def in_spans(spans: tuple[Span, ...], t: float) -> bool:
    return any(s.covers(t) for s in spans)


def faces_in(script: ClipScript, zone: ZoneName, t: float) -> int:
    return sum(1 for f in script.faces if f.zone == zone and f.span.covers(t))


def blind(script: ClipScript, t: float) -> bool:
    return in_spans((*script.black, *script.blur, *script.frozen), t)


Truth = Callable[[ClipScript, float], bool]
CAMERA: dict[str, Truth] = {
    "black": lambda s, t: in_spans(s.black, t),
    "defocus": lambda s, t: in_spans(s.blur, t),
    "moved": lambda s, t: in_spans(s.moved, t),
    "frozen": lambda s, t: in_spans(s.frozen, t),
    "raised_voice": lambda s, t: in_spans(s.loud, t),
}
PEOPLE: dict[str, Truth] = {
    "operator_present": lambda s, t: faces_in(s, "operator", t) > 0,
    "operator_absent": lambda s, t: faces_in(s, "operator", t) == 0,
}
KINDS = (*CAMERA, *PEOPLE, "citizen_count")


class Timeline:
    """Observations indexed by kind, asked which one covers a moment."""

    def __init__(self, observations: Sequence[Observation], start: datetime) -> None:
        self.start = start
        self.by_kind: dict[str, list[Observation]] = {}
        for o in observations:
            self.by_kind.setdefault(o.kind, []).append(o)

    def at(self, kind: str, t: float) -> Observation | None:
        moment = self.start + timedelta(seconds=t)
        return next((o for o in self.by_kind.get(kind, ()) if o.start <= moment < o.end), None)


def score_clip(
    script: ClipScript, observations: Sequence[Observation], start: datetime, scores: dict[str, Score]
) -> None:
    """Add this clip's seconds to ``scores`` (kind -> Score, created as needed)."""
    timeline = Timeline(observations, start)
    for second in range(round(script.seconds)):
        t = second + 0.5
        for kind, truth in CAMERA.items():
            scores.setdefault(kind, Score()).add(truth(script, t), timeline.at(kind, t) is not None)
        if blind(script, t):
            continue
        for kind, truth in PEOPLE.items():
            scores.setdefault(kind, Score()).add(truth(script, t), timeline.at(kind, t) is not None)
        count = scores.setdefault("citizen_count", Score())
        expected = faces_in(script, "citizen", t)
        said = timeline.at("citizen_count", t)
        n = int(said.value) if said is not None else 0
        count.tp += expected > 0 and n == expected
        count.fp += n > 0 and n != expected
        count.fn += expected > 0 and n != expected


def table(scores: dict[str, Score]) -> str:
    lines = [f"{'detector':18} {'precision':>9} {'recall':>7}  tp/fp/fn (seconds)"]
    lines += [f"{k:18} {s.precision:9.2f} {s.recall:7.2f}  {s.tp}/{s.fp}/{s.fn}" for k, s in scores.items()]
    return "\n".join(lines)
