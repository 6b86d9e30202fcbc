"""Face redaction for exports: on real faces (the astronaut photograph), with the project's detector.

A 3 s clip at 10 fps with AAC audio: the operator in the left half for the whole clip, one citizen
who leaves after frame 22 and another who arrives at frame 11 (both between two detector runs, which
are every 3rd frame) in the right half.
Redacted with the left half kept, the detector must find no face in the citizen zone on any frame
while the operator's face and zone come through as recorded, and the audio is copied untouched.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import av
import cv2
import numpy as np
import numpy.typing as npt
import pytest

from indexer.analytics.facedetect import CenterFace, Face
from seffaf.evidence.redaction import FaceBlurRedactor, RedactionSettings, pixelate
from seffaf.evidence.redaction_boxes import (
    Box,
    carried,
    check_zone,
    detection_region,
    in_zone,
    outside,
    padded,
    zone_pixels,
)
from seffaf.evidence.redactor import RedactionResult, ZoneBox
from seffaf.scripted_footage import ClipScript, FacePlacement, Span, write_window_clip
from seffaf.synthetic_media import SyntheticClip, write_clip

U8Array = npt.NDArray[np.uint8]
KEEP = ZoneBox(0.0, 0.0, 0.5, 1.0)
THRESHOLD = 0.3  # the redactor's own: a face it would act on
FPS = 10
SCRIPT = ClipScript(
    seconds=3,
    fps=FPS,
    gop_s=1.0,
    speech=(Span(0, 3),),
    faces=(
        FacePlacement("operator", Span(0, 3), 0.25, 0.42, 0.3),
        FacePlacement("citizen", Span(0, 2.25), 0.66, 0.42, 0.3, variant=1),
        FacePlacement("citizen", Span(1.03, 3), 0.87, 0.45, 0.28, variant=2),
    ),
)


@dataclass(frozen=True)
class Redacted:
    source: Path
    target: Path
    result: RedactionResult
    before: list[U8Array]  # BGR frames
    after: list[U8Array]


def _frames(path: Path) -> list[U8Array]:
    with av.open(str(path)) as container:
        return [np.asarray(f.to_ndarray(format="bgr24"), dtype=np.uint8) for f in container.decode(video=0)]


def _psnr(a: U8Array, b: U8Array) -> float:
    mse = float(np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2))
    return math.inf if mse == 0 else 10 * math.log10(255**2 / mse)


@pytest.fixture(scope="module")
def redacted(tmp_path_factory: pytest.TempPathFactory) -> Redacted:
    folder = tmp_path_factory.mktemp("redaction")
    source = write_window_clip(folder / "source.mp4", SCRIPT)
    target = folder / "export" / "redacted.mp4"
    result = FaceBlurRedactor(CenterFace()).redact(source, target, KEEP)
    return Redacted(source, target, result, _frames(source), _frames(target))


def _citizens(detector: CenterFace, frame: U8Array) -> list[Face]:
    """Faces centred in the citizen zone (frame pixels), searched for as the analytics do: in the zone plus
    a margin."""
    left = round((KEEP.x1 - 0.1) * frame.shape[1])
    found = detector.detect(np.ascontiguousarray(frame[:, left:]), THRESHOLD)
    faces = [Face(f.x0 + left, f.y0, f.x1 + left, f.y1, f.score) for f in found]
    return [f for f in faces if f.centre[0] >= KEEP.x1 * frame.shape[1]]


def test_no_face_is_left_in_the_citizen_zone(redacted: Redacted) -> None:
    detector = CenterFace()
    for index, (before, after) in enumerate(zip(redacted.before, redacted.after, strict=True)):
        t = index / FPS
        expected = sum(1 for p in SCRIPT.faces if p.zone == "citizen" and p.span.covers(t))
        # The detector does see the citizens in the source, so finding none afterwards means something.
        assert len(_citizens(detector, before)) == expected, index
        assert _citizens(detector, after) == [], index
    for after in redacted.after[::5]:
        faces = detector.detect(after, THRESHOLD)
        assert [f.score > 0.7 and f.centre[0] < KEEP.x1 * after.shape[1] for f in faces] == [True]  # the operator


def test_the_operator_zone_is_as_recorded_but_for_re_encoding(redacted: Redacted) -> None:
    height, width = redacted.before[0].shape[:2]
    keep = zone_pixels(KEEP, width, height)
    face = Box(round(0.25 * width) - 60, round(0.42 * height) - 70, round(0.25 * width) + 60, round(0.42 * height) + 70)
    for index, (before, after) in enumerate(zip(redacted.before, redacted.after, strict=True)):
        zone = (slice(keep.y0, keep.y1), slice(keep.x0, keep.x1))
        assert _psnr(before[zone], after[zone]) > 36.0, index
        assert _psnr(before[face.y0 : face.y1, face.x0 : face.x1], after[face.y0 : face.y1, face.x0 : face.x1]) > 34.0


def test_citizen_faces_are_replaced_not_merely_softened(redacted: Redacted) -> None:
    detector = CenterFace()
    compared = 0
    for index in range(0, len(redacted.before), 5):
        before, after = redacted.before[index], redacted.after[index]
        for face in _citizens(detector, before):
            x0, y0, x1, y1 = (round(v) for v in (face.x0, face.y0, face.x1, face.y1))
            grey_before = cv2.cvtColor(before[y0:y1, x0:x1], cv2.COLOR_BGR2GRAY).astype(np.float32)
            grey_after = cv2.cvtColor(after[y0:y1, x0:x1], cv2.COLOR_BGR2GRAY).astype(np.float32)
            # The face's detail (eyes, mouth, outline) is gone: little of it left, and what is left is the
            # mosaic's cell edges, unrelated to the face's.
            detail_before = cv2.Laplacian(cv2.GaussianBlur(grey_before, (0, 0), 1.0), cv2.CV_32F)
            detail_after = cv2.Laplacian(cv2.GaussianBlur(grey_after, (0, 0), 1.0), cv2.CV_32F)
            likeness = float(cv2.matchTemplate(detail_after, detail_before, cv2.TM_CCOEFF_NORMED)[0, 0])
            assert likeness < 0.2, index
            assert float(np.abs(detail_after).mean()) < 0.5 * float(np.abs(detail_before).mean()), index
            compared += 1
    assert compared >= 8


def test_audio_packets_are_copied_byte_for_byte(redacted: Redacted) -> None:
    def packets(path: Path) -> list[tuple[int | None, bytes]]:
        with av.open(str(path)) as container:
            return [(p.pts, bytes(p)) for p in container.demux(audio=0) if p.size]

    before, after = packets(redacted.source), packets(redacted.target)
    assert len(before) > 40
    assert after == before
    assert "audio unchanged" in redacted.result.method


def test_frames_timestamps_and_duration_are_kept(redacted: Redacted) -> None:
    def timing(path: Path) -> tuple[list[float], float, object, tuple[int, int], str]:
        with av.open(str(path)) as container:
            stream = container.streams.video[0]
            times = [float(f.pts * f.time_base) for f in container.decode(video=0) if f.pts is not None and f.time_base]
            duration = float(container.duration or 0) / av.time_base
            return times, duration, stream.average_rate, (stream.width, stream.height), stream.codec_context.name

    before, after = timing(redacted.source), timing(redacted.target)
    assert len(before[0]) == round(SCRIPT.seconds * FPS) == redacted.result.frames
    assert after[0] == pytest.approx(before[0], abs=1e-3)
    assert after[1] == pytest.approx(before[1], abs=1e-3)
    assert after[2:] == before[2:] == (FPS, (SCRIPT.width, SCRIPT.height), "h264")
    # Faces found at the detector's runs, the operator not counted: each citizen at least once, and no more
    # than one per citizen present at each of every 3rd frame and the last (motion gating skips runs).
    runs = sorted({*range(0, redacted.result.frames, 3), redacted.result.frames - 1})
    present = sum(1 for i in runs for p in SCRIPT.faces if p.zone == "citizen" and p.span.covers(i / FPS))
    assert 2 <= redacted.result.faces_blurred <= present


def test_the_mp4_starts_with_its_index_for_streaming(redacted: Redacted) -> None:
    data = redacted.target.read_bytes()
    boxes, at = [], 0
    while at + 8 <= len(data):  # top-level MP4 boxes: 4-byte size, 4-byte type
        size = int.from_bytes(data[at : at + 4], "big")
        boxes.append(data[at + 4 : at + 8].decode("ascii"))
        at += size if size >= 8 else len(data)
    assert boxes.index("moov") < boxes.index("mdat")


def test_without_a_keep_zone_every_face_is_blurred(tmp_path: Path) -> None:
    script = ClipScript(seconds=1, fps=10, faces=(FacePlacement("operator", Span(0, 1), 0.25, 0.42, 0.3),))
    source = write_window_clip(tmp_path / "source.mp4", script)
    result = FaceBlurRedactor(CenterFace()).redact(source, tmp_path / "all.mp4", None)
    detector = CenterFace()
    assert all(detector.detect(frame, THRESHOLD) for frame in _frames(source))
    assert [detector.detect(frame, THRESHOLD) for frame in _frames(tmp_path / "all.mp4")] == [()] * 10
    assert 2 <= result.faces_blurred <= len({*range(0, 10, 3), 9})  # found at the first and last frames' runs


def test_a_keep_zone_over_the_whole_picture_needs_no_detector(tmp_path: Path) -> None:
    source = write_clip(tmp_path / "plain.mp4", SyntheticClip(seconds=1, fps=10, audio="none", width=320, height=180))
    detector = CenterFace()
    result = FaceBlurRedactor(detector).redact(source, tmp_path / "out.mp4", ZoneBox(0.0, 0.0, 1.0, 1.0))
    assert (result.frames, result.faces_blurred, detector.runs) == (10, 0, 0)
    assert min(_psnr(a, b) for a, b in zip(_frames(source), _frames(tmp_path / "out.mp4"), strict=True)) > 34.0


def test_bad_input_is_named(tmp_path: Path) -> None:
    redactor = FaceBlurRedactor(CenterFace())
    with pytest.raises(ValueError, match="keep must satisfy"):
        redactor.redact(tmp_path / "missing.mp4", tmp_path / "out.mp4", ZoneBox(0.6, 0.0, 0.4, 1.0))
    audio_only = write_clip(tmp_path / "tone.mp4", SyntheticClip(seconds=1, audio="aac", audio_rate=16000))
    with av.open(str(audio_only)) as src, av.open(str(tmp_path / "only_audio.mp4"), "w") as out:
        stream = out.add_stream_from_template(src.streams.audio[0])
        for packet in src.demux(audio=0):
            if packet.dts is not None:
                packet.stream = stream
                out.mux(packet)
    with pytest.raises(ValueError, match=r"no video stream: .*only_audio\.mp4"):
        redactor.redact(tmp_path / "only_audio.mp4", tmp_path / "out.mp4", None)
    with pytest.raises(ValueError, match=r"RedactionSettings\.every"):
        RedactionSettings(every=0)
    with pytest.raises(ValueError, match=r"RedactionSettings\.crf"):
        RedactionSettings(crf=60)


class _BrokenDetector:
    def detect(self, bgr: U8Array, threshold: float) -> tuple[Face, ...]:
        raise RuntimeError("model failed")


def test_a_failed_redaction_leaves_no_clip_behind(tmp_path: Path) -> None:
    source = write_clip(tmp_path / "plain.mp4", SyntheticClip(seconds=1, fps=10, audio="none", width=320, height=180))
    with pytest.raises(RuntimeError, match="model failed"):
        FaceBlurRedactor(_BrokenDetector()).redact(source, tmp_path / "out.mp4", KEEP)
    assert not (tmp_path / "out.mp4").exists()


# The pure parts.


@pytest.mark.parametrize(
    ("x", "y", "zone", "inside"),
    [
        (100, 100, ZoneBox(0.0, 0.0, 0.5, 1.0), True),
        (320, 100, ZoneBox(0.0, 0.0, 0.5, 1.0), False),  # the border belongs to the other side
        (319.9, 359, ZoneBox(0.0, 0.0, 0.5, 1.0), True),
        (500, 100, ZoneBox(0.0, 0.0, 0.5, 1.0), False),
        (500, 100, ZoneBox(0.5, 0.2, 1.0, 0.8), True),
        (500, 20, ZoneBox(0.5, 0.2, 1.0, 0.8), False),
        (100, 100, None, False),  # no keep zone: nobody's face is kept
    ],
)
def test_a_face_is_the_operators_when_its_centre_is_in_the_keep_zone(
    x: float, y: float, zone: ZoneBox | None, inside: bool
) -> None:
    assert in_zone(x, y, zone, 640, 360) is inside


@pytest.mark.parametrize(
    ("face", "pad", "box"),
    [
        ((100.0, 100.0, 200.0, 220.0), 0.0, Box(100, 100, 200, 220)),
        ((100.0, 100.0, 200.0, 220.0), 0.3, Box(70, 64, 230, 256)),
        ((100.4, 100.6, 199.5, 219.2), 0.0, Box(100, 100, 200, 220)),  # rounded outwards
        ((10.0, 5.0, 60.0, 80.0), 0.5, Box(0, 0, 85, 118)),  # clipped at the top left
        ((600.0, 300.0, 640.0, 360.0), 0.5, Box(580, 270, 640, 360)),  # and the bottom right
    ],
)
def test_face_boxes_are_padded_and_clipped_to_the_picture(
    face: tuple[float, float, float, float], pad: float, box: Box
) -> None:
    assert padded(*face, pad, 640, 360) == box


KEEP_PX = Box(0, 0, 320, 360)


@pytest.mark.parametrize(
    ("box", "keep", "parts"),
    [
        (Box(400, 100, 500, 200), KEEP_PX, (Box(400, 100, 500, 200),)),
        (Box(100, 100, 200, 200), KEEP_PX, ()),  # inside the keep zone: nothing
        (Box(280, 100, 380, 200), KEEP_PX, (Box(320, 100, 380, 200),)),  # straddling: only the outside part
        (Box(280, 100, 380, 200), None, (Box(280, 100, 380, 200),)),
        (
            Box(0, 0, 100, 100),
            Box(20, 30, 60, 70),  # a keep zone inside the box: a frame of four parts around it
            (Box(0, 0, 100, 30), Box(0, 70, 100, 100), Box(0, 30, 20, 70), Box(60, 30, 100, 70)),
        ),
        (Box(50, 50, 50, 80), None, ()),  # empty
    ],
)
def test_blurred_parts_never_reach_into_the_keep_zone(box: Box, keep: Box | None, parts: tuple[Box, ...]) -> None:
    assert outside(box, keep) == parts
    area = sum((p.x1 - p.x0) * (p.y1 - p.y0) for p in parts)
    covered = (
        0
        if keep is None or box.empty
        else max(0, min(box.x1, keep.x1) - max(box.x0, keep.x0)) * max(0, min(box.y1, keep.y1) - max(box.y0, keep.y0))
    )
    assert area == max(0, (box.x1 - box.x0) * (box.y1 - box.y0)) - covered


A, B, C = Box(400, 100, 480, 200), Box(440, 110, 520, 210), Box(100, 100, 150, 150)


@pytest.mark.parametrize(
    ("index", "runs", "boxes"),
    [
        (0, {0: (A,), 3: ()}, (A,)),
        (2, {0: (), 3: (A,)}, (A,)),  # seen at the next run: blurred before it too
        (3, {0: (A,), 3: (), 6: ()}, (A,)),  # seen at the previous run: blurred up to this one
        (4, {0: (A,), 3: (), 6: ()}, ()),  # more than 3 frames after the last sighting
        (5, {3: (A,), 6: (B,)}, (A, B, Box(400, 100, 520, 210))),  # moving: the hull of the two sightings
        (5, {3: (A,), 6: (C,)}, (A, C)),  # far apart: two faces, no hull
        (3, {0: (C,), 3: (A,), 6: (B,)}, (C, A, B)),  # a run's own frame: the runs either side too
        (7, {6: (A,), 7: (B,)}, (A, B)),  # the last frame has its own run, closer than 3
    ],
)
def test_boxes_are_carried_across_the_frames_between_runs(
    index: int, runs: dict[int, tuple[Box, ...]], boxes: tuple[Box, ...]
) -> None:
    assert carried(index, runs, 3) == boxes


@pytest.mark.parametrize(
    ("keep", "region"),
    [
        (None, ZoneBox(0.0, 0.0, 1.0, 1.0)),
        (ZoneBox(0.0, 0.0, 0.5, 1.0), ZoneBox(0.4, 0.0, 1.0, 1.0)),  # left half kept: search the right
        (ZoneBox(0.5, 0.0, 1.0, 1.0), ZoneBox(0.0, 0.0, 0.6, 1.0)),
        (ZoneBox(0.0, 0.0, 1.0, 0.3), ZoneBox(0.0, 0.2, 1.0, 1.0)),  # top band kept
        (ZoneBox(0.3, 0.0, 0.6, 1.0), ZoneBox(0.0, 0.0, 1.0, 1.0)),  # a band in the middle: both sides
        (ZoneBox(0.1, 0.1, 0.5, 0.9), ZoneBox(0.0, 0.0, 1.0, 1.0)),
        (ZoneBox(0.0, 0.0, 1.0, 1.0), None),  # everything kept: nothing to search
    ],
)
def test_the_detector_searches_only_outside_the_keep_zone(keep: ZoneBox | None, region: ZoneBox | None) -> None:
    found = detection_region(keep, 0.1)
    if region is None:
        assert found is None
    else:
        assert found is not None
        assert (found.x0, found.y0, found.x1, found.y1) == pytest.approx((region.x0, region.y0, region.x1, region.y1))


@pytest.mark.parametrize(
    ("box", "halved"),
    [(Box(10, 20, 30, 40), Box(5, 10, 15, 20)), (Box(11, 21, 31, 41), Box(5, 10, 16, 21))],
)
def test_chroma_boxes_cover_every_sample_the_box_touches(box: Box, halved: Box) -> None:
    assert box.halved() == halved


@pytest.mark.parametrize(
    "zone", [ZoneBox(0.5, 0.0, 0.5, 1.0), ZoneBox(-0.1, 0.0, 0.5, 1.0), ZoneBox(0.0, 0.0, 0.5, 1.2)]
)
def test_a_bad_keep_zone_is_refused(zone: ZoneBox) -> None:
    with pytest.raises(ValueError, match="keep must satisfy"):
        check_zone(zone)


def test_pixelation_changes_the_box_outside_the_keep_zone_only() -> None:
    plane = np.random.default_rng(1).integers(0, 256, (120, 160), dtype=np.uint8)
    original = plane.copy()
    box, keep = Box(40, 20, 120, 100), Box(0, 0, 80, 120)
    pixelate(plane, box, keep, cells=8)
    assert np.array_equal(plane[:, :80], original[:, :80])  # the keep zone, even where the box covers it
    assert np.array_equal(plane[:20], original[:20]) and np.array_equal(plane[100:], original[100:])
    assert np.array_equal(plane[:, 120:], original[:, 120:])
    changed = plane[20:100, 80:120]
    assert np.mean(changed != original[20:100, 80:120]) > 0.9
    # A mosaic: cells of 10 px (80 / 8), each one flat.
    assert len(np.unique(changed[0:10, 0:10])) == 1 and len(np.unique(changed[10:20, 10:20])) == 1
