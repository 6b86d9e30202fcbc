"""A clock tests step by hand, passed wherever code takes a `Clock`."""

from __future__ import annotations

from datetime import datetime, timedelta


class SteppedClock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)
