"""Queue facts the rules compare a session with: who was skipped, how long a service usually takes (pure)."""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

# Fewer past services than this say too little about a service type's usual duration.
MIN_NORM_SAMPLES = 20


@dataclass(frozen=True)
class QueuedTicket:
    ticket: str
    service: str | None
    priority: int | None
    issued_at: datetime | None
    first_called_at: datetime | None
    never_served: bool  # nobody called it and it was not cancelled: it waited to the end of its day


def waiting_longer_s(called: QueuedTicket, call_at: datetime, tickets: Iterable[QueuedTicket]) -> float:
    """How much longer than `called` the longest-waiting earlier ticket of the same service and priority
    had waited at `call_at`, while still waiting; 0 when the queue's order was kept.

    A ticket cancelled before any call is left out: when it left the queue is not known, and a rule
    that fires wrongly costs a civil servant's reputation.
    """
    if called.issued_at is None or called.service is None:
        return 0.0
    longest = 0.0
    for other in tickets:
        if other.ticket == called.ticket or other.issued_at is None or other.issued_at >= called.issued_at:
            continue
        if other.service != called.service or other.priority != called.priority or other.issued_at > call_at:
            continue
        waiting = (other.first_called_at is not None and other.first_called_at > call_at) or (
            other.first_called_at is None and other.never_served
        )
        if waiting:
            longest = max(longest, (called.issued_at - other.issued_at).total_seconds())
    return longest


def duration_norms(durations: Mapping[str, Sequence[float]], min_samples: int = MIN_NORM_SAMPLES) -> dict[str, float]:
    """The median completed-service duration per service type; types with too little history get none."""
    return {
        service: float(statistics.median(values)) for service, values in durations.items() if len(values) >= min_samples
    }
