"""Motion-gated redaction: when the detector runs, where it looks, which boxes outlive a run.

The footage test uses real faces (the astronaut photograph) in a still scene: a citizen who is in the
picture only between two runs the still picture would have had (frames 13-20 of 30, the forced runs
being at 0, 24 and the last frame). The change when they arrive must bring the detector in, and their
face must be blurred on every frame; with the gate blinded, the same citizen is left visible.
"""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import numpy.typing as npt
import pytest

from indexer.analytics.facedetect import CenterFace, Face
from seffaf.evidence.redaction import FaceBlurRedactor, RedactionSettings
from seffaf.evidence.redaction_boxes import Box
from seffaf.evidence.redaction_gating import (
    DetectionGate,
    GateSettings,
    Run,
    changed_cells,
    detect_area,
    detect_now,
    kept_boxes,
    luma_thumb,
    thumb_box,
)
from seffaf.evidence.redactor import ZoneBox
from seffaf.scripted_footage import ClipScript, FacePlacement, Span, write_window_clip

U8Array = npt.NDArray[np.uint8]
F32Array = npt.NDArray[np.float32]
KEEP = ZoneBox(0.0, 0.0, 1.0, 0.5)  # the operator across the desk, the clock on the wall behind them
FPS = 10
SCRIPT = ClipScript(
    seconds=3,
    fps=FPS,
    faces=(
        FacePlacement("operator", Span(0, 3), 0.3, 0.25, 0.3),
        FacePlacement("citizen", Span(1.25, 2.05), 0.62, 0.72, 0.34, variant=1),  # frames 13-20
    ),
)
CITIZEN_FRAMES = range(13, 21)


def _frames(path: Path) -> list[U8Array]:
    with av.open(str(path)) as container:
        return [np.asarray(f.to_ndarray(format="bgr24"), dtype=np.uint8) for f in container.decode(video=0)]


def _citizens(detector: CenterFace, frame: U8Array) -> list[Face]:
    """Faces centred below the keep zone, searched for in the citizen half plus a margin."""
    top = round((KEEP.y1 - 0.1) * frame.shape[0])
    found = detector.detect(np.ascontiguousarray(frame[top:]), 0.3)
    return [f for f in found if f.centre[1] + top >= KEEP.y1 * frame.shape[0]]


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_window_clip(tmp_path_factory.mktemp("gating") / "source.mp4", SCRIPT)


def test_a_face_entering_between_runs_brings_the_detector_in_and_is_blurred(source: Path, tmp_path: Path) -> None:
    detector = CenterFace()
    before = _frames(source)
    # The detector does see the citizen in the source, on exactly their frames.
    assert [i for i, frame in enumerate(before) if _citizens(detector, frame)] == list(CITIZEN_FRAMES)
    counting = CenterFace()
    result = FaceBlurRedactor(counting).redact(source, tmp_path / "gated.mp4", KEEP)
    after = _frames(tmp_path / "gated.mp4")
    assert [i for i, frame in enumerate(after) if _citizens(detector, frame)] == []
    assert result.faces_blurred >= 1
    # Gating did skip runs: fewer than the 11 of every 3rd frame and the last.
    assert counting.runs < 11


def test_with_the_gate_blind_the_same_face_would_be_shown(source: Path, tmp_path: Path) -> None:
    """The control for the test above: a change the gate never notices leaves only the forced runs, which
    do not see this citizen, so the footage proves the change is what caught them."""
    blind = RedactionSettings(motion_threshold=255.0)
    FaceBlurRedactor(CenterFace(), blind).redact(source, tmp_path / "blind.mp4", KEEP)
    detector = CenterFace()
    shown = [i for i, frame in enumerate(_frames(tmp_path / "blind.mp4")) if _citizens(detector, frame)]
    assert shown and set(shown) <= set(CITIZEN_FRAMES)


# The pure parts.


@pytest.mark.parametrize(
    ("since_run", "changed", "cut", "run"),
    [
        (None, False, False, True),  # the first frame
        (1, False, False, False),  # still picture
        (23, False, False, False),
        (24, False, False, True),  # however still: at least every max_gap frames
        (1, True, False, False),  # changed, but a run was 1 frame ago: wait for min_gap
        (2, True, False, False),
        (3, True, False, True),
        (10, True, False, True),
        (1, False, True, True),  # a scene cut: at once
        (1, True, True, True),
    ],
)
def test_when_the_detector_runs(since_run: int | None, changed: bool, cut: bool, run: bool) -> None:
    assert detect_now(since_run, changed, cut, min_gap=3, max_gap=24) is run


def _diff(cells: dict[tuple[int, int], float], shape: tuple[int, int] = (10, 16)) -> F32Array:
    diff = np.zeros(shape, dtype=np.float32)
    for (x, y), value in cells.items():
        diff[y, x] = value
    return diff


@pytest.mark.parametrize(
    ("cells", "ignored", "changed"),
    [
        ({}, (), None),
        ({(5, 5): 5.0}, (), None),  # one cell at 5: 1.25 over its 2x2 windows, noise
        ({(5, 5): 30.0}, (), Box(4, 4, 7, 7)),  # one cell strongly changed: the windows around it
        ({(5, 5): 8.0, (6, 5): 8.0, (5, 6): 8.0, (6, 6): 8.0}, (), Box(5, 5, 7, 7)),  # a 2x2 block at 8
        ({(5, 5): 30.0}, (Box(4, 4, 8, 8),), None),  # inside a blurred box: not a change
        ({(5, 5): 30.0, (12, 2): 40.0}, (Box(4, 4, 8, 8),), Box(11, 1, 14, 4)),  # the other one still counts
        ({(0, 0): 30.0, (15, 9): 30.0}, (), Box(0, 0, 16, 10)),  # corners: the bounding box of both
    ],
)
def test_which_cells_changed(
    cells: dict[tuple[int, int], float], ignored: tuple[Box, ...], changed: Box | None
) -> None:
    assert changed_cells(_diff(cells), ignored, threshold=6.0) == changed


@pytest.mark.parametrize(
    ("changed", "blurred", "area"),
    [
        (Box(10, 10, 12, 12), (), Box(7, 7, 15, 15)),  # grown by half its size (1) and the margin (2)
        (Box(10, 10, 12, 12), (Box(11, 11, 20, 16),), Box(3, 5, 27, 21)),  # and the blurred box it touches, whole
        (Box(10, 10, 12, 12), (Box(30, 30, 34, 34),), Box(7, 7, 15, 15)),  # a box elsewhere: not taken in
        (Box(0, 0, 2, 2), (), Box(0, 0, 5, 5)),  # clipped to the picture
        (Box(0, 0, 30, 30), (), None),  # most of the picture: one whole run instead
    ],
)
def test_where_a_run_for_a_change_looks(changed: Box, blurred: tuple[Box, ...], area: Box | None) -> None:
    assert detect_area(changed, blurred, grid_w=40, grid_h=40, margin=2, full_share=0.5) == area


FACE = Box(80, 80, 160, 160)  # frame pixels: thumbnail cells 10..20 at 8 px a cell


@pytest.mark.parametrize(
    ("found", "looked", "change", "kept"),
    [
        ((), None, 0, (FACE,)),  # missed once, nothing moved there: still blurred
        ((), None, 40, ()),  # the picture under it changed: they left (or the next run will tell)
        ((Box(90, 85, 170, 165),), None, 0, ()),  # found again, a little moved: the new box replaces it
        ((), Box(300, 0, 400, 100), 40, (FACE,)),  # a run that looked elsewhere keeps it whatever happened
        ((), Box(100, 0, 400, 400), 40, (FACE,)),  # looked at part of it only: kept
        ((), Box(0, 0, 400, 400), 40, ()),  # looked at it whole and it changed
    ],
)
def test_which_boxes_outlive_a_run(
    found: tuple[Box, ...], looked: Box | None, change: int, kept: tuple[Box, ...]
) -> None:
    before = np.full((40, 50), 100, dtype=np.uint8)
    after = before.copy()
    after[10:20, 10:20] += change
    assert kept_boxes((FACE,), found, looked, before, after, cell=8, threshold=6.0) == kept


@pytest.mark.parametrize(
    ("box", "inward", "cells"),
    [
        (Box(80, 80, 160, 160), True, Box(10, 10, 20, 20)),
        (Box(83, 81, 157, 159), True, Box(11, 11, 19, 19)),  # the cells wholly inside
        (Box(83, 81, 157, 159), False, Box(10, 10, 20, 20)),  # every cell touched
    ],
)
def test_boxes_as_thumbnail_cells(box: Box, inward: bool, cells: Box) -> None:
    assert thumb_box(box, 8, inward) == cells


def test_thumbnails_average_whole_cells() -> None:
    luma = np.zeros((37, 45), dtype=np.uint8)
    luma[8:16, 16:24] = 200
    thumb = luma_thumb(luma, 8)
    assert thumb.shape == (4, 5)  # the 5 and 5 pixels left over are not a cell
    assert thumb[1, 2] == 200 and int(thumb.sum()) == 200


def test_the_gate_runs_where_something_appeared_and_not_while_still() -> None:
    gate = DetectionGate(GateSettings(6.0, 30.0, min_gap=3, max_gap=24, cell=8), None, 320, 240)
    rng = np.random.default_rng(3)
    still = rng.integers(90, 110, (240, 320), dtype=np.uint8)
    noisy = [np.clip(still + rng.normal(0, 2.5, still.shape), 0, 255).astype(np.uint8) for _ in range(12)]
    appeared = noisy[6].copy()
    appeared[96:144, 200:240] = 230  # something 40x48 px, from frame 6 on

    def decide(index: int, luma: U8Array) -> Run | None:
        return gate.decide(index, luma_thumb(luma, 8), lambda: ())

    assert decide(0, noisy[0]) == Run(None)
    assert [decide(i, noisy[i]) for i in range(1, 6)] == [None] * 5
    run = decide(6, appeared)
    assert run is not None and run.area is not None
    assert Box(200, 96, 240, 144).within(run.area) and run.area != Box(0, 0, 320, 240)
    assert decide(7, appeared) is None  # nothing changed since the run at 6
