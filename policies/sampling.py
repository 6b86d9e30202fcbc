"""Random review samples, reproducible: which session legs of each operator are drawn in a period. Pure.

Each leg gets a score in [0, 1): HMAC-SHA256 of its identity under a secret seed. A leg is drawn
when its score is below the rate, so the same seed draws the same legs whenever (and however
often) it is run, a leg's fate does not depend on the other legs, and drawing again with a higher
rate only adds legs. An operator with few legs still gets `min_per_operator` of them: the lowest
scores. Without the seed nobody can tell which tickets will be drawn.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from dataclasses import dataclass

_SCALE = float(2**64)


@dataclass(frozen=True)
class Candidate:
    subject: str  # the leg's identity (policies.subjects.leg_key): stable across session rebuilds
    operator: str


def sample_score(seed: bytes, subject: str) -> float:
    digest = hmac.new(seed, subject.encode(), hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big") / _SCALE


def seed_id(seed: bytes) -> str:
    """A fingerprint naming the seed in sample rows without revealing it."""
    return hashlib.sha256(b"seffaf sample seed id\0" + seed).hexdigest()[:16]


def draw(candidates: Iterable[Candidate], seed: bytes, rate: float, min_per_operator: int = 0) -> list[Candidate]:
    """The legs drawn, per operator: every one scoring below `rate`, topped up to `min_per_operator`."""
    if not 0.0 <= rate <= 1.0:
        raise ValueError(f"rate: {rate} is not between 0 and 1")
    per_operator: dict[str, list[tuple[float, Candidate]]] = {}
    for candidate in set(candidates):
        per_operator.setdefault(candidate.operator, []).append((sample_score(seed, candidate.subject), candidate))
    drawn: list[Candidate] = []
    for scored in per_operator.values():
        scored.sort(key=lambda pair: (pair[0], pair[1].subject))
        below = sum(1 for score, _ in scored if score < rate)
        # A rate of 0 switches sampling off: no top-up then.
        keep = max(below, min(min_per_operator, len(scored))) if rate > 0 else 0
        drawn.extend(candidate for _, candidate in scored[:keep])
    return sorted(drawn, key=lambda c: (c.operator, c.subject))
