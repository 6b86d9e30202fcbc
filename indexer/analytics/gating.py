"""When the face detector may be skipped, and where it must look when it runs.

The detector is the expensive part of the pass. For a zone it is skipped, and the zone's previous
result reused, while both hold:

* nothing moved in the zone outside the faces already seen there: the largest mean absolute
  difference over a 4x4 grid of blocks of a small thumbnail, with those faces masked out, stays
  under a threshold (``motion_score``);
* each face already seen is still there: its patch from the last detection is found again
  nearby by normalized cross-correlation (``refind``). A person who leaves, turns away or is
  replaced by someone else fails this, so the detector runs again.

A result is reused at most ``max_reuse`` times in a row. ``snap_region`` sizes the detector's
input to multiples of 32 pixels (the network's stride) rather than padding it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

U8Array = npt.NDArray[np.uint8]
Box = tuple[int, int, int, int]  # x0, y0, x1, y1 in pixels, end exclusive


@dataclass(frozen=True, eq=False)
class FaceTrack:
    """A face from the last detection: where it is now (analysis pixels) and how it looked then."""

    box: Box
    patch: U8Array


def motion_score(previous: U8Array | None, current: U8Array, grid: int = 4, masked: Sequence[Box] = ()) -> float | None:
    """Largest mean absolute difference over a grid of blocks, ignoring the ``masked`` boxes
    (pixels of these images); None when there is nothing to compare."""
    if previous is None or previous.shape != current.shape or current.size == 0:
        return None
    diff = cv2.absdiff(previous, current).astype(np.float32)
    for x0, y0, x1, y1 in masked:
        diff[max(0, y0) : max(0, y1), max(0, x0) : max(0, x1)] = 0.0
    cells = (min(grid, diff.shape[1]), min(grid, diff.shape[0]))
    return float(cv2.resize(diff, cells, interpolation=cv2.INTER_AREA).max())


def should_detect(score: float | None, reused: int, motion_threshold: float, max_reuse: int) -> bool:
    """Run the detector unless the zone is unchanged and the previous result is not yet too old."""
    if score is None or reused >= max_reuse:
        return True
    return score >= motion_threshold


def grow(box: Box, factor: float, width: int, height: int) -> Box:
    """The box grown by ``factor`` of its size on every side, clipped to the image."""
    x0, y0, x1, y1 = box
    dx, dy = round((x1 - x0) * factor), round((y1 - y0) * factor)
    return max(0, x0 - dx), max(0, y0 - dy), min(width, x1 + dx), min(height, y1 + dy)


def scale_box(box: Box, sx: float, sy: float) -> Box:
    x0, y0, x1, y1 = box
    return int(x0 * sx), int(y0 * sy), max(int(x0 * sx) + 1, round(x1 * sx)), max(int(y0 * sy) + 1, round(y1 * sy))


def refind(gray: U8Array, track: FaceTrack, min_score: float, search: float = 0.5) -> FaceTrack | None:
    """The face's patch matched within ``search`` of its size around where it was; None if it is gone."""
    ph, pw = track.patch.shape[:2]
    if ph < 6 or pw < 6:
        return None
    height, width = gray.shape[:2]
    sx0, sy0, sx1, sy1 = grow(track.box, search, width, height)
    window = gray[sy0:sy1, sx0:sx1]
    if window.shape[0] < ph or window.shape[1] < pw:
        return None
    scores = cv2.matchTemplate(window, track.patch, cv2.TM_CCOEFF_NORMED)
    _, best, _, (bx, by) = cv2.minMaxLoc(scores)
    if not np.isfinite(best) or best < min_score:
        return None
    return FaceTrack(box=(sx0 + bx, sy0 + by, sx0 + bx + pw, sy0 + by + ph), patch=track.patch)


def snap_axis(a: int, b: int, size: int, multiple: int) -> tuple[int, int]:
    """[a, b) resized to the nearest multiple of ``multiple`` (at least one), about its centre,
    kept inside [0, size); the whole axis when that is shorter."""
    length = max(multiple, round((b - a) / multiple) * multiple)
    if length >= size:
        return 0, size
    start = min(max(0, round((a + b - length) / 2)), size - length)
    return start, start + length


def snap_region(box: Box, width: int, height: int, multiple: int = 32) -> Box:
    x0, x1 = snap_axis(box[0], box[2], width, multiple)
    y0, y1 = snap_axis(box[1], box[3], height, multiple)
    return x0, y0, x1, y1
