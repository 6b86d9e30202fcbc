"""Chain continuity of the original segments a package includes: pure, shared by export and verify.

Each segment's prev_sha256 is the media hash of the camera's previous sequence number. Within a
package the included originals of one camera must link up: consecutive seqs link by hash, and a
jump in seq (segments missing) is acceptable only where a recorded hole covers the missing time.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import datetime, timedelta

# Segment boundaries and hole boundaries come from different clocks (stream vs wall time).
HOLE_TOLERANCE = timedelta(seconds=1)


@dataclass(frozen=True)
class Link:
    name: str  # what a failure names: the original's path in the package
    seq: int
    sha256: str
    prev_sha256: str | None
    start: datetime
    end: datetime


@dataclass(frozen=True)
class Span:
    start: datetime
    end: datetime


@dataclass(frozen=True)
class ChainBreak:
    name: str
    detail: str


def _hole_covers(holes: list[Span], start: datetime, end: datetime) -> bool:
    return any(h.start <= start + HOLE_TOLERANCE and h.end >= end - HOLE_TOLERANCE for h in holes)


def chain_breaks(links: list[Link], holes: list[Span]) -> list[ChainBreak]:
    """Every break between consecutive included originals of one camera, naming the later one."""
    ordered = sorted(links, key=lambda link: link.seq)
    breaks = []
    for before, after in itertools.pairwise(ordered):
        if after.seq == before.seq:
            breaks.append(ChainBreak(after.name, f"seq {after.seq} appears twice"))
        elif after.seq == before.seq + 1:
            if after.prev_sha256 != before.sha256:
                breaks.append(ChainBreak(after.name, f"seq {after.seq} does not link to seq {before.seq}: its "
                                         f"prev_sha256 {after.prev_sha256} is not {before.sha256}"))  # fmt: skip
        elif not _hole_covers(holes, before.end, after.start):
            breaks.append(ChainBreak(after.name, f"seqs {before.seq + 1}..{after.seq - 1} are missing and no hole "
                                     f"covers {before.end.isoformat()} to {after.start.isoformat()}"))  # fmt: skip
    return breaks
