"""Which deletion records a batch needs: reuse what an interrupted attempt already wrote. Pure.

The deleter writes a batch's record to the store before its catalog change commits. A crash in
between leaves the record (truthful: the objects are gone) and the catalog rows, so the retry
deletes the same segments again. A record that already names a segment is that segment's
record; writing another would give a rebuild two overlapping gaps with the same cause. The
retry may batch differently (the plan is paged afresh), so matching is per segment, by key.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from seffaf.retention.tombstones import DeletedSegment, DeletionRecord


@dataclass(frozen=True)
class RecordPlan:
    reused: list[DeletionRecord]  # records already in the store naming some of the batch, in key order
    fresh: list[DeletedSegment]  # the batch's segments no record names: one new record for them


def plan_records(deleted: Sequence[DeletedSegment], existing: Sequence[DeletionRecord]) -> RecordPlan:
    """Split a batch's deleted segments between records in the store and a new one."""
    wanted = {segment.key for segment in deleted}
    reused = [record for record in existing if any(s.key in wanted for s in record.segments)]
    named = {s.key for record in reused for s in record.segments}
    fresh = [segment for segment in deleted if segment.key not in named]
    return RecordPlan(reused=sorted(reused, key=lambda r: r.key), fresh=fresh)
