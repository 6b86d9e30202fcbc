"""Where to blur: face boxes padded, kept off the operator's zone and carried across skipped frames.

The detector runs on some frames (``redaction_gating`` decides which, at least every Nth while the
picture changes). A face seen at detection frame k is blurred on every frame within N of k and on every
frame up to the runs either side of k, so a face is covered from the run before it was first seen to the
run after it was last seen; between two runs, a face seen at both whose padded boxes touch is also
covered by the hull of the two, for a face moving across. Everything here is pure.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from seffaf.evidence.redactor import ZoneBox


@dataclass(frozen=True)
class Box:
    """A rectangle in pixels, [x0, x1) x [y0, y1)."""

    x0: int
    y0: int
    x1: int
    y1: int

    @property
    def empty(self) -> bool:
        return self.x1 <= self.x0 or self.y1 <= self.y0

    def overlaps(self, other: Box) -> bool:
        return self.x0 < other.x1 and other.x0 < self.x1 and self.y0 < other.y1 and other.y0 < self.y1

    def within(self, other: Box) -> bool:
        return other.x0 <= self.x0 and other.y0 <= self.y0 and self.x1 <= other.x1 and self.y1 <= other.y1

    def hull(self, other: Box) -> Box:
        return Box(min(self.x0, other.x0), min(self.y0, other.y0), max(self.x1, other.x1), max(self.y1, other.y1))

    def halved(self) -> Box:
        """The chroma samples (4:2:0) that touch any pixel of this box."""
        return Box(self.x0 // 2, self.y0 // 2, (self.x1 + 1) // 2, (self.y1 + 1) // 2)


def check_zone(keep: ZoneBox, name: str = "keep") -> None:
    if not (0.0 <= keep.x0 < keep.x1 <= 1.0 and 0.0 <= keep.y0 < keep.y1 <= 1.0):
        raise ValueError(f"{name} must satisfy 0 <= x0 < x1 <= 1 and 0 <= y0 < y1 <= 1, got {keep}")


def zone_pixels(zone: ZoneBox, width: int, height: int) -> Box:
    """The pixels a zone covers, rounded outwards: a pixel the zone touches belongs to it."""
    return Box(
        math.floor(zone.x0 * width),
        math.floor(zone.y0 * height),
        math.ceil(zone.x1 * width),
        math.ceil(zone.y1 * height),
    )


def in_zone(x: float, y: float, zone: ZoneBox | None, width: int, height: int) -> bool:
    """Whether the pixel point (x, y) lies in the zone (half-open, as presence's zones)."""
    if zone is None:
        return False
    return zone.x0 <= x / width < zone.x1 and zone.y0 <= y / height < zone.y1


def padded(x0: float, y0: float, x1: float, y1: float, pad: float, width: int, height: int) -> Box:
    """A face box grown by ``pad`` of its width / height on each side, rounded outwards, clipped to the picture."""
    dx, dy = (x1 - x0) * pad, (y1 - y0) * pad
    return Box(
        max(0, math.floor(x0 - dx)),
        max(0, math.floor(y0 - dy)),
        min(width, math.ceil(x1 + dx)),
        min(height, math.ceil(y1 + dy)),
    )


def outside(box: Box, keep: Box | None) -> tuple[Box, ...]:
    """``box`` minus ``keep`` as disjoint rectangles (at most four: above, below, left, right)."""
    if box.empty:
        return ()
    if keep is None or not box.overlaps(keep):
        return (box,)
    parts = (
        Box(box.x0, box.y0, box.x1, keep.y0),  # above the keep zone, full width of the box
        Box(box.x0, keep.y1, box.x1, box.y1),  # below
        Box(box.x0, max(box.y0, keep.y0), keep.x0, min(box.y1, keep.y1)),  # left, between the two
        Box(keep.x1, max(box.y0, keep.y0), box.x1, min(box.y1, keep.y1)),  # right
    )
    return tuple(p for p in parts if not p.empty)


def detection_region(keep: ZoneBox | None, margin: float) -> ZoneBox | None:
    """The part of the picture worth searching for faces to blur: the bounding box of everything outside
    ``keep``, grown by ``margin`` (of the picture) so a face across the border is seen whole. None when
    ``keep`` covers the whole picture: there is nothing to blur."""
    if keep is None:
        return ZoneBox(0.0, 0.0, 1.0, 1.0)
    full_w, full_h = keep.x0 <= 0.0 and keep.x1 >= 1.0, keep.y0 <= 0.0 and keep.y1 >= 1.0
    if full_w and full_h:
        return None
    x0, x1, y0, y1 = 0.0, 1.0, 0.0, 1.0
    if full_h:  # a vertical band: what is left is to one side unless the band is in the middle
        if keep.x0 <= 0.0:
            x0 = keep.x1
        elif keep.x1 >= 1.0:
            x1 = keep.x0
    if full_w:
        if keep.y0 <= 0.0:
            y0 = keep.y1
        elif keep.y1 >= 1.0:
            y1 = keep.y0
    return ZoneBox(max(0.0, x0 - margin), max(0.0, y0 - margin), min(1.0, x1 + margin), min(1.0, y1 + margin))


def carried(index: int, runs: Mapping[int, tuple[Box, ...]], every: int) -> tuple[Box, ...]:
    """The boxes to blur on frame ``index``: those of every detector run within ``every`` frames and of the
    nearest run on each side however far, plus, for the two runs around it, the hull of each pair of boxes
    that touch (a face moving between them)."""
    before = [k for k in runs if k < index]
    after = [k for k in runs if k > index]
    near = {k for k in runs if abs(k - index) <= every}
    near.update(k for k in (max(before, default=None), min(after, default=None)) if k is not None)
    ordered = sorted(near)
    boxes: list[Box] = [box for k in ordered for box in runs[k]]
    if before and after:
        a, b = runs[max(before)], runs[min(after)]
        boxes.extend(pa.hull(pb) for pa in a for pb in b if pa.overlaps(pb))
    return tuple(dict.fromkeys(boxes))
