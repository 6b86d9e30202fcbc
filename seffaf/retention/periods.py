"""Each centre's retention period: its own `retention_days` from the sites file, else the default."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from seffaf.catalog.sites_tables import CenterRow
from seffaf.config import RetentionConfig


def _days(days: int | None) -> timedelta | None:
    return None if days is None else timedelta(days=days)


@dataclass(frozen=True)
class RetentionPeriods:
    default: timedelta | None
    by_center: dict[str, timedelta | None]  # only centres that set their own

    def period(self, center: str | None) -> timedelta | None:
        """A segment of no known centre (its camera was in no window) keeps the default."""
        if center is not None and center in self.by_center:
            return self.by_center[center]
        return self.default

    def shortest(self) -> timedelta | None:
        """The shortest period in force: nothing younger than that can go anywhere."""
        periods = [p for p in (self.default, *self.by_center.values()) if p is not None]
        return min(periods, default=None)


def load_periods(session: Session, config: RetentionConfig) -> RetentionPeriods:
    rows = session.execute(select(CenterRow.id, CenterRow.retention_days).where(CenterRow.retention_days.is_not(None)))
    return RetentionPeriods(_days(config.default_days), {center: _days(days) for center, days in rows})
