"""How pages show times, shares and durations (pure, table-tested; registered as Jinja filters)."""

from __future__ import annotations

import math
from datetime import datetime
from zoneinfo import ZoneInfo

from indexer.session_query import FULL_COVERAGE

NONE = "—"
CAUSES = {
    "unexplained": "footage missing with no record of why",
    "before_recording": "before seffaf filmed this window",
}


def local_time(moment: datetime | None, timezone: str, with_date: bool = False) -> str:
    """A UTC instant in the centre's local time, as its staff read their queue system's clock."""
    if moment is None:
        return NONE
    local = moment.astimezone(ZoneInfo(timezone))
    return local.strftime("%Y-%m-%d %H:%M:%S" if with_date else "%H:%M:%S")


def coverage_percent(share: float | None) -> str:
    """Rounded down, so footage missing a second never shows as 100 %; unlinked legs say so."""
    if share is None:
        return "not linked"
    if share >= FULL_COVERAGE:
        return "100 %"
    return f"{math.floor(max(share, 0.0) * 1000) / 10:.1f} %"


def seconds(value: float | None) -> str:
    """140.0 -> '2 min 20 s'; under a minute in whole seconds."""
    if value is None:
        return NONE
    total = round(value)
    minutes, rest = divmod(total, 60)
    return f"{minutes} min {rest} s" if minutes else f"{rest} s"


def hole_cause(cause: str) -> str:
    """A hole's cause as a reviewer reads it: 'recorded:camera_unreachable' -> 'recorded gap: camera unreachable'."""
    if cause.startswith("recorded:"):
        return "recorded gap: " + cause.removeprefix("recorded:").replace("_", " ")
    return CAUSES.get(cause, cause.replace("_", " "))
