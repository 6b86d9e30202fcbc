"""The shape of a simulated one-stop centre: its services, arrival curve, opening hours, staffing and the odds
of each turn a visit can take, validated on construction; and which windows serve which services.
ingest.traffic simulates a day of queue events from a CentreProfile.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


@dataclass(frozen=True)
class ServiceType:
    code: str
    letter: str  # ticket prefix on the screen: "A" in A042
    weight: float  # relative share of arrivals
    median_minutes: float
    sigma: float = 0.45  # lognormal shape: service times have a long right tail


DEFAULT_SERVICES = (
    ServiceType("passport", "A", 0.24, 12.0),
    ServiceType("registry", "B", 0.22, 6.0),
    ServiceType("notary", "C", 0.14, 10.0, 0.55),
    ServiceType("driving_licence", "D", 0.14, 7.0),
    ServiceType("social", "E", 0.14, 8.0, 0.5),
    ServiceType("payments", "F", 0.12, 3.0, 0.4),
)

# Arrivals per window per local hour (index = hour of day): a morning peak 10-12, a lunch dip, an
# after-lunch peak 14-15 and a quiet evening. Sized so a weekday keeps windows ~60-65 % busy (call to end
# of visit) and the queue drains by closing, while the peaks queue up for a while, as in real centres.
DEFAULT_ARRIVALS: tuple[float, ...] = (0.0,) * 8 + (2.2, 3.0, 5.1, 4.6, 3.2, 2.9, 4.9, 4.2, 3.2, 2.1, 1.3) + (0.0,) * 5


@dataclass(frozen=True)
class CentreProfile:
    center: str
    windows: int = 12
    timezone: str = "Asia/Baku"
    opens: time = time(9)
    closes: time = time(18)
    last_ticket_minutes: int = 30  # the kiosk stops issuing this long before closing
    overrun_minutes: int = 60  # tickets issued before closing are served until closing + this
    arrivals_per_window_hour: tuple[float, ...] = DEFAULT_ARRIVALS
    weekday_factors: tuple[float, ...] = (1.1, 1.0, 1.0, 1.0, 0.95, 0.7, 0.0)  # Mon..Sun, 0 = closed
    daily_variation: float = 0.06  # lognormal sigma of a day's volume around the weekday level
    services: tuple[ServiceType, ...] = DEFAULT_SERVICES
    priority_share: float = 0.05  # priority 1: elderly, disabled, pregnant
    transfer_probability: float = 0.06
    transfer_changes_service: float = 0.4  # else the transfer goes to another window of the same service
    recall_probability: float = 0.08  # calls with 1-2 recalls (includes the no-shows, always recalled)
    no_show_probability: float = 0.04
    cancel_probability: float = 0.01
    application_probability: float = 0.85
    split_shift_share: float = 0.2  # windows with a morning and an afternoon operator instead of a lunch
    lunch_between: tuple[time, time] = (time(12), time(15))
    lunch_minutes: int = 45
    source: str = "qms-sim"
    application_prefix: str = "APP"  # give centres distinct prefixes if their ids must not collide

    def __post_init__(self) -> None:
        try:  # unknown zones fail here, not mid-generation, and as a ValueError like every other mistake
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"timezone: unknown zone {self.timezone!r}") from exc
        problems = [
            (not 1 <= len(self.center) <= 48, "center: 1-48 characters (operator ids derive from it)"),
            (not 1 <= self.windows <= 9999, "windows: 1-9999"),
            (self.closes <= self.opens, "closes: must be after opens"),
            (len(self.arrivals_per_window_hour) != 24, "arrivals_per_window_hour: one value per hour of day"),
            (len(self.weekday_factors) != 7, "weekday_factors: one value per weekday, Monday first"),
            (not self.services, "services: at least one"),
            (len({s.letter for s in self.services}) != len(self.services), "services: letters must differ"),
            (len({s.code for s in self.services}) != len(self.services), "services: codes must differ"),
            (self.no_show_probability > self.recall_probability, "recall_probability: includes no-shows"),
            (self.no_show_probability + self.cancel_probability >= 1, "no_show + cancel probability: below 1"),
        ]
        for bad, message in problems:
            if bad:
                raise ValueError(message)


def window_services(profile: CentreProfile) -> dict[int, frozenset[str]]:
    """Which services each window calls: consecutive blocks sized by workload (share x mean duration), at
    least one window per service. Below three windows per service the blocks would be too small to absorb
    peaks and lunches (a one-window service stalls), so a small centre has every window serve everything."""
    codes = [s.code for s in profile.services]
    if profile.windows < 3 * len(codes):
        return dict.fromkeys(range(1, profile.windows + 1), frozenset(codes))
    # + 1 min per ticket: calling, walking up and wrap-up weigh most on the short services.
    loads = [s.weight * (s.median_minutes * math.exp(s.sigma**2 / 2) + 1.0) for s in profile.services]
    counts = [1] * len(loads)
    for _ in range(profile.windows - len(loads)):  # D'Hondt: the next window goes to the most loaded service
        counts[max(range(len(loads)), key=lambda i: loads[i] / counts[i])] += 1
    numbers = iter(range(1, profile.windows + 1))
    return {next(numbers): frozenset({code}) for code, count in zip(codes, counts, strict=True) for _ in range(count)}
