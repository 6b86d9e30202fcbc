"""Whether one segment may be deleted by retention, and if not, why it stays. Pure.

A segment goes once its end is older than its centre's retention period, unless a legal hold
names it, an undecided finding's footage includes it, or the stored bytes were never confirmed
(verify_segment) to be what the recorder wrote: footage whose integrity is in doubt is evidence.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


class KeepReason(StrEnum):
    NO_RETENTION = "no_retention"  # neither the centre nor the default sets a period
    TOO_YOUNG = "too_young"
    HELD = "held"
    UNDECIDED_FINDING = "undecided_finding"
    VERIFICATION_FAILED = "verification_failed"
    NOT_VERIFIED = "not_verified"


@dataclass(frozen=True)
class SegmentFacts:
    key: str
    camera: str
    seq: int
    center: str | None
    start: datetime
    end: datetime
    verified_ok: bool | None  # None: no verify_segment job has finished for it
    hold_cases: tuple[int, ...] = ()
    undecided_findings: tuple[int, ...] = ()


@dataclass(frozen=True)
class Keep:
    reason: KeepReason
    detail: str  # what a person checks next: the case or finding ids, the cut-off


@dataclass(frozen=True)
class Delete:
    expired_by: timedelta  # how far past its retention period the segment's end is


Verdict = Keep | Delete


def _ids(kind: str, ids: tuple[int, ...]) -> str:
    return f"{kind} " + ", ".join(str(i) for i in sorted(set(ids)))


def retention_verdict(facts: SegmentFacts, now: datetime, period: timedelta | None) -> Verdict:
    """Reasons are checked in this order, so a report names the first that applies."""
    if period is None:
        return Keep(KeepReason.NO_RETENTION, "no retention period configured for its centre")
    cutoff = now - period
    if facts.end > cutoff:
        return Keep(KeepReason.TOO_YOUNG, f"ends after the cut-off {cutoff.isoformat()}")
    if facts.hold_cases:
        return Keep(KeepReason.HELD, _ids("case", facts.hold_cases))
    if facts.undecided_findings:
        return Keep(KeepReason.UNDECIDED_FINDING, _ids("finding", facts.undecided_findings))
    if facts.verified_ok is False:
        return Keep(KeepReason.VERIFICATION_FAILED, "stored bytes did not match the manifest hash")
    if facts.verified_ok is None:
        return Keep(KeepReason.NOT_VERIFIED, "not yet verified in the store")
    return Delete(cutoff - facts.end)
