"""Wall-clock access, passed in as a collaborator so tests can step time."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def utcnow() -> datetime:
    return datetime.now(UTC)


def require_utc(value: datetime, field: str) -> datetime:
    """Reject naive datetimes and normalise aware ones to UTC."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{field}: datetime must carry a timezone offset")
    return value.astimezone(UTC)
