"""Typed benchmark results: a figure beside its anchor, their ratio, and whether the target is met.

The pure part of bench/RESULTS.md: bench/results_read.py fills these from the JSON the benchmarks
write, bench/results_markdown.py renders them.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime


class ResultShapeError(ValueError):
    """A benchmark's JSON lacks a field or holds the wrong type there (an older or broken run)."""


class Bound(enum.Enum):
    AT_MOST = "≤"
    AT_LEAST = "≥"
    BELOW = "<"


class Applies(enum.Enum):
    """Whether a target bounds the figure itself or its ratio to the anchor."""

    VALUE = "value"
    RATIO = "ratio"


@dataclass(frozen=True)
class Target:
    bound: Bound
    limit: float
    applies: Applies = Applies.VALUE

    def met(self, value: float) -> bool:
        if self.bound is Bound.AT_MOST:
            return value <= self.limit
        if self.bound is Bound.AT_LEAST:
            return value >= self.limit
        return value < self.limit

    def text(self, unit: str) -> str:
        if self.applies is Applies.RATIO:
            return f"ratio {self.bound.value} {self.limit:.2f}"
        return f"{self.bound.value} {format_number(self.limit)}{f' {unit}' if unit else ''}"


def ratio(value: float, anchor: float | None) -> float | None:
    """value / anchor, or None when there is no anchor (or it is zero: no meaningful ratio)."""
    if anchor is None or anchor == 0:
        return None
    return value / anchor


def verdict(line: Line) -> bool | None:
    """Target met, not met, or None when the line has no target or its ratio cannot be formed."""
    if line.target is None:
        return None
    if line.target.applies is Applies.RATIO:
        r = ratio(line.value, line.anchor_value)
        return None if r is None else line.target.met(r)
    return line.target.met(line.value)


def format_number(value: float) -> str:
    """Readable precision: thousands separated, small values with two or three significant digits."""
    magnitude = abs(value)
    if magnitude >= 1000:
        return f"{value:,.0f}"
    if magnitude >= 100:
        return f"{value:.0f}"
    if magnitude >= 10 or value == 0:
        return f"{value:.1f}".removesuffix(".0")
    return f"{value:.2f}"


@dataclass(frozen=True)
class Line:
    """One figure of a benchmark: seffaf's value, the anchor measured in the same run, the target."""

    figure: str
    value: float
    unit: str = ""
    anchor: str = ""
    anchor_value: float | None = None
    target: Target | None = None

    @property
    def ratio(self) -> float | None:
        return ratio(self.value, self.anchor_value)

    @property
    def met(self) -> bool | None:
        return verdict(self)


@dataclass(frozen=True)
class Section:
    """One benchmark's table; `missing` says why there is none (not run, or an older JSON)."""

    name: str
    title: str
    command: str
    measured_at: datetime | None = None
    lines: list[Line] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    missing: str | None = None


@dataclass(frozen=True)
class SearchRow:
    search: str
    what: str
    role: str
    requests: int
    p50_ms: float
    p95_ms: float
    sql_p95_ms: float
    errors: int


@dataclass(frozen=True)
class SearchDatabase:
    """One database's searches, from the newest JSON that measured it."""

    database: str
    source: str
    measured_at: datetime | None
    load_average: list[float]
    rows: list[SearchRow]


@dataclass(frozen=True)
class SearchSection:
    target: Target
    sessions: int | None
    databases: list[SearchDatabase]
    missing: dict[str, str]  # database -> why it has no rows

    def met(self, row: SearchRow) -> bool:
        return self.target.met(row.p95_ms)


@dataclass(frozen=True)
class Machine:
    cores: int
    load_average: tuple[float, float, float] | None
