"""When redaction runs the face detector, and which boxes outlive a run: pure decisions.

Every frame gets a luma thumbnail (one pixel per ``cell`` x ``cell`` block, area-averaged, so sensor
noise averages out while a face of the smallest size the detector finds still covers whole cells).
The detector runs on a frame when:

* it is the first frame, or the picture changed as a whole since the frame before (a scene cut,
  the camera moved, the lights): at once;
* ``max_gap`` frames passed since the last run: however still the picture, so a gating blind spot
  or a face the detector missed once is looked at again soon;
* the part of the picture that is written out changed since the last run (``changed_cells``: a
  mean difference over some 2x2 cells against the thumbnail of the last run, the keep zone and the
  boxes that run blurs left out) on this frame or any frame since, and ``min_gap`` frames passed.
  A face that enters, or leaves the box it is blurred under, changes cells outside the boxes, so
  it is looked for; one that only sways inside its padded box does not force a run. Such a run
  looks only around what changed (``detect_area``), which costs a fraction of a whole run.

Compared to the last run, not the previous frame: slow drift adds up until it counts.

A box blurred at one run is kept at the next (``unchanged``) while the picture under it has not
changed and no face was found over it: a face the detector misses once (turned, lit badly) stays
blurred until something there moves. Over-blurring costs little; a face shown costs a lot.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from seffaf.evidence.redaction_boxes import Box

U8Array = npt.NDArray[np.uint8]
F32Array = npt.NDArray[np.float32]


def luma_thumb(luma: U8Array, cell: int) -> U8Array:
    """The luma plane area-averaged to one pixel per ``cell`` x ``cell`` block (at least 1 x 1)."""
    height, width = luma.shape[:2]
    # Whole cells only, so cell (x, y) is exactly pixels x * cell.. and y * cell..; the few pixels left over
    # at the right and bottom edges are too few to hold a face.
    gw, gh = max(1, width // cell), max(1, height // cell)
    whole = luma[: min(height, gh * cell), : min(width, gw * cell)]
    return np.asarray(cv2.resize(whole, (gw, gh), interpolation=cv2.INTER_AREA), dtype=np.uint8)


def thumb_box(box: Box, cell: int, inward: bool) -> Box:
    """A box in frame pixels as thumbnail cells: the cells wholly inside it (``inward``) or every cell
    it touches."""
    if inward:
        return Box(-(-box.x0 // cell), -(-box.y0 // cell), box.x1 // cell, box.y1 // cell)
    return Box(box.x0 // cell, box.y0 // cell, -(-box.x1 // cell), -(-box.y1 // cell))


def scene_cut_score(previous: U8Array | None, current: U8Array) -> float | None:
    """Mean absolute difference of two whole thumbnails; None when there is no previous one to compare."""
    if previous is None or previous.shape != current.shape:
        return None
    return float(cv2.absdiff(previous, current).mean())


def changed_cells(diff: F32Array, ignored: Sequence[Box], threshold: float) -> Box | None:
    """The bounding box (thumbnail cells) of every 2x2 cells (16x16 pixels at the usual cell of 8) whose mean
    of ``diff`` (absolute differences per cell) reaches ``threshold``, leaving out the ``ignored`` boxes; None
    when nothing changed."""
    diff = diff.copy()
    for box in ignored:
        diff[max(0, box.y0) : max(0, box.y1), max(0, box.x0) : max(0, box.x1)] = 0.0
    if diff.shape[0] >= 2 and diff.shape[1] >= 2:
        # A 2x2 window: a face spread over four cells counts at its whole strength, noise averages out.
        # The window anchored at its top left, so a hit at (x, y) stands for cells x..x+1, y..y+1.
        diff = (diff[:-1, :-1] + diff[1:, :-1] + diff[:-1, 1:] + diff[1:, 1:]) / 4.0
        span = 2
    else:
        span = 1
    ys, xs = np.nonzero(diff >= threshold)
    if len(ys) == 0:
        return None
    return Box(int(xs.min()), int(ys.min()), int(xs.max()) + span, int(ys.max()) + span)


def detect_area(
    changed: Box, blurred: Sequence[Box], grid_w: int, grid_h: int, margin: int, full_share: float
) -> Box | None:
    """Where a run caused by a change looks (thumbnail cells), or None for the whole picture: the changed
    cells, grown to take in whole every blurred box they touch (a face blurred there is either seen again
    or seen to be gone), then by half their size and ``margin`` cells each side (a face only partly changed
    is seen whole). The whole picture when that is ``full_share`` of it or more: one run is cheaper than
    the difference."""
    area = changed
    touched: set[Box] = set()
    while True:
        more = {box for box in blurred if box.overlaps(area) and box not in touched}
        if not more:
            break
        touched |= more
        for box in more:
            area = area.hull(box)
    dx = (area.x1 - area.x0) // 2 + margin
    dy = (area.y1 - area.y0) // 2 + margin
    area = Box(max(0, area.x0 - dx), max(0, area.y0 - dy), min(grid_w, area.x1 + dx), min(grid_h, area.y1 + dy))
    if (area.x1 - area.x0) * (area.y1 - area.y0) >= full_share * grid_w * grid_h:
        return None
    return area


def detect_now(since_run: int | None, changed: bool, cut: bool, min_gap: int, max_gap: int) -> bool:
    """Whether the detector runs on this frame. ``since_run``: frames since the last run (None before
    the first); ``changed``: the written-out picture changed on this frame or one since the last run;
    ``cut``: the whole picture changed since the previous frame."""
    if since_run is None or cut or since_run >= max_gap:
        return True
    return changed and since_run >= min_gap


def unchanged(before: U8Array, after: U8Array, box: Box, threshold: float) -> bool:
    """Whether the picture under ``box`` (thumbnail cells it touches) stayed the same between two
    thumbnails: the mean absolute difference there is under ``threshold``."""
    a = before[max(0, box.y0) : max(0, box.y1), max(0, box.x0) : max(0, box.x1)]
    b = after[max(0, box.y0) : max(0, box.y1), max(0, box.x0) : max(0, box.x1)]
    if a.size == 0 or a.shape != b.shape:
        return False
    return float(cv2.absdiff(a, b).mean()) < threshold


def kept_boxes(
    previous: Sequence[Box],
    found: Sequence[Box],
    looked: Box | None,
    before: U8Array,
    after: U8Array,
    cell: int,
    threshold: float,
) -> tuple[Box, ...]:
    """The boxes of the previous run kept at this one (frame pixels): those not wholly inside the area this
    run looked at (``looked``; None: everywhere), and those inside it with no face found over them whose
    picture did not change between the two runs' thumbnails."""
    return tuple(
        box
        for box in previous
        if (looked is not None and not box.within(looked))
        or (
            not any(box.overlaps(face) for face in found)
            and unchanged(before, after, thumb_box(box, cell, inward=False), threshold)
        )
    )


@dataclass(frozen=True)
class GateSettings:
    motion_threshold: float  # grey levels over 2x2 cells since the last run
    scene_threshold: float  # grey levels over the whole picture since the previous frame
    min_gap: int
    max_gap: int
    cell: int
    margin: int = 4  # cells around a changed area, see ``detect_area``
    full_share: float = 0.5


@dataclass(frozen=True)
class Run:
    """The gate's answer for a frame where the detector runs: where to look (frame pixels; None: the whole
    detection region)."""

    area: Box | None


class DetectionGate:
    """The gate's state over one pass: the thumbnail the picture is compared to (each part as it was at the
    last run that looked there), the previous frame's, and the largest difference of each cell from it
    since the last run. ``decide`` is called once per frame, in order."""

    def __init__(self, settings: GateSettings, keep: Box | None, width: int, height: int) -> None:
        self.s = settings
        self.width, self.height = width, height
        self.keep = (thumb_box(keep, settings.cell, inward=True),) if keep is not None else ()
        self.reference: U8Array | None = None
        self.previous: U8Array | None = None
        self.diff: F32Array | None = None
        self.last_run: int | None = None
        self.blurred: tuple[Box, ...] | None = None  # the last run's boxes, once asked for

    def decide(self, index: int, thumb: U8Array, last_boxes: Callable[[], Sequence[Box]]) -> Run | None:
        """Whether (and where) to run the detector on frame ``index``. ``last_boxes`` gives the boxes the last
        run blurs (frame pixels): asked only when the picture changed and a run is due, since the answer may
        mean waiting for the detector; ``min_gap`` frames after it, it has usually finished."""
        s = self.s
        cut_score = scene_cut_score(self.previous, thumb)
        cut = cut_score is not None and cut_score >= s.scene_threshold
        self.previous = thumb
        if self.reference is not None and self.reference.shape == thumb.shape:
            # The largest difference each cell showed on any frame since the last run: a face passing through
            # between two runs counts, not only where things are at the run.
            step = cv2.absdiff(self.reference, thumb).astype(np.float32)
            self.diff = step if self.diff is None else np.maximum(self.diff, step)
        since = None if self.last_run is None else index - self.last_run
        changed = None
        if since is not None and since >= s.min_gap and not cut and self.diff is not None:
            changed = changed_cells(self.diff, self.keep, s.motion_threshold)
            if changed is not None:  # leaving out the blurred boxes can only shrink it: only now ask for them
                if self.blurred is None:
                    self.blurred = tuple(last_boxes())
                inside = tuple(thumb_box(box, s.cell, inward=True) for box in self.blurred)
                changed = changed_cells(self.diff, (*self.keep, *inside), s.motion_threshold)
        if not detect_now(since, changed is not None, cut, s.min_gap, s.max_gap):
            return None
        area = None
        if changed is not None and since is not None and since < s.max_gap:
            cells = tuple(thumb_box(box, s.cell, inward=False) for box in self.blurred or ())
            area = detect_area(changed, cells, thumb.shape[1], thumb.shape[0], s.margin, s.full_share)
        if area is None or self.reference is None:
            self.reference = thumb.copy()
        else:
            self.reference[area.y0 : area.y1, area.x0 : area.x1] = thumb[area.y0 : area.y1, area.x0 : area.x1]
        self.last_run, self.diff, self.blurred = index, None, None
        if area is None:
            return Run(None)
        grid_h, grid_w = thumb.shape[:2]
        x1 = self.width if area.x1 >= grid_w else area.x1 * s.cell  # the left-over edge pixels too
        y1 = self.height if area.y1 >= grid_h else area.y1 * s.cell
        return Run(Box(area.x0 * s.cell, area.y0 * s.cell, x1, y1))
