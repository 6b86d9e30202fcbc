"""What the rules judge: a session leg, or a stretch of a window with no session open."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from policies.context import RuleContext
from policies.ruleset import Evidence, SubjectKind


@dataclass(frozen=True)
class TimeRange:
    start: datetime
    end: datetime
    kind: str

    def as_json(self) -> dict[str, str]:
        return {"start": self.start.isoformat(), "end": self.end.isoformat(), "kind": self.kind}


@dataclass(frozen=True)
class Subject:
    key: str  # stable across session rebuilds: findings are keyed by it
    kind: SubjectKind
    center: str
    service_date: date
    window: int
    start: datetime
    end: datetime
    context: RuleContext
    timezone: ZoneInfo
    operator: str | None = None
    ticket: str | None = None
    leg_index: int | None = None
    visit_id: int | None = None
    evidence: Mapping[Evidence, tuple[TimeRange, ...]] = field(default_factory=dict)


def leg_key(center: str, service_date: date, ticket: str, leg_index: int) -> str:
    return f"leg:{center}/{service_date.isoformat()}/{ticket}/{leg_index}"


def idle_key(center: str, window: int, start: datetime) -> str:
    return f"idle:{center}/{window}/{start:%Y-%m-%dT%H:%M:%SZ}"
