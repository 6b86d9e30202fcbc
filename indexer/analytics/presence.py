"""People at the service window: is the operator in their zone, how many citizens are in theirs.

Faces are found by CenterFace (``facedetect``) in each zone's crop (the zone plus a margin, so
a face across the border is seen whole) and counted in the zone their centre falls in. The
detector is gated per zone (``gating``): while nothing moved in the zone apart from the faces
already seen there, and each of those is found again in place, the previous result is reused.
Static scenes, and people sitting still, cost little. The detector runs at most once per frame,
over the crop (or the bounding box of both crops) of the zones that changed.

A face is the evidence of a person here: someone facing away or bent over the desk is not seen,
which the minimum dwell times of the spans smooth over but do not cure.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from indexer.analytics.facedetect import MODEL_VERSION, CenterFace, Face
from indexer.analytics.frames import SampledFrame
from indexer.analytics.gating import Box, FaceTrack, grow, motion_score, refind, scale_box, should_detect, snap_region
from indexer.analytics.intervals import ValueSpan, value_spans
from indexer.zones import Zone, Zones

U8Array = npt.NDArray[np.uint8]

VERSION = f"presence-1+{MODEL_VERSION}"
THUMB_WIDTH = 96
UNKNOWN = -1  # citizen_count of a frame the camera could not see


@dataclass(frozen=True)
class PresenceThresholds:
    face_score: float = 0.5  # counted as a face
    candidate_score: float = 0.2  # below face_score: not counted, but lowers the confidence
    motion_threshold: float = 6.0  # grey levels, see ``gating``
    max_reuse: int = 10
    track_min_score: float = 0.6  # normalized cross-correlation for "the same face is still there"
    mask_grow: float = 0.25  # motion this close to a tracked face is the face's own
    crop_margin: float = 0.15
    operator_min_dwell_s: float = 3.0
    citizen_min_dwell_s: float = 3.0


@dataclass(frozen=True)
class ZoneCount:
    count: int
    confidence: float


@dataclass(frozen=True)
class FramePresence:
    offset_s: float
    operator_present: bool
    operator_confidence: float
    citizen_count: int  # UNKNOWN (-1) when the frame was blind
    citizen_confidence: float
    detector_runs: int  # 0 or 1: whether the detector ran on this frame


@dataclass(frozen=True)
class PresenceResult:
    frames: tuple[FramePresence, ...]
    operator: tuple[ValueSpan, ...]  # value 1 = present, 0 = absent
    citizens: tuple[ValueSpan, ...]  # value = number of citizens
    detector_runs: int  # detector invocations; frames without one reused the previous result


def zone_count(counted: Sequence[float], ambiguous: Sequence[float]) -> ZoneCount:
    """Count and confidence from the scores of faces in a zone: the weakest counted face, lowered by
    the strongest face that nearly counted."""
    confidence = min(counted, default=1.0)
    if ambiguous:
        confidence = min(confidence, 1.0 - max(ambiguous))
    return ZoneCount(count=len(counted), confidence=float(confidence))


def union(a: Zone, b: Zone) -> Zone:
    return Zone(min(a.x0, b.x0), min(a.y0, b.y0), max(a.x1, b.x1), max(a.y1, b.y1))


class _ZoneTracker:
    """One zone's gating state (see ``gating``) and last result."""

    def __init__(self, zone: Zone, thresholds: PresenceThresholds) -> None:
        self.zone = zone
        self.crop = zone.expanded(thresholds.crop_margin)
        self.t = thresholds
        self.last_thumb: U8Array | None = None
        self.pending: U8Array | None = None
        self.tracks: list[FaceTrack] = []
        self.seen_at: list[Box] = []  # where the tracked faces were at the last detection
        self.last = ZoneCount(0, 1.0)
        self.reused = 0

    def due(self, frame: SampledFrame, thumb: U8Array) -> bool:
        th, tw = thumb.shape[:2]
        height, width = frame.gray.shape[:2]
        x0, y0, x1, y1 = self.crop.pixels(tw, th)
        self.pending = thumb[y0:y1, x0:x1]
        if self.last_thumb is None or self.reused >= self.t.max_reuse:
            return True
        masked = []
        for box in (*self.seen_at, *(track.box for track in self.tracks)):
            bx0, by0, bx1, by1 = scale_box(grow(box, self.t.mask_grow, width, height), tw / width, th / height)
            masked.append((bx0 - x0, by0 - y0, bx1 - x0, by1 - y0))
        score = motion_score(self.last_thumb, self.pending, masked=masked)
        if should_detect(score, self.reused, self.t.motion_threshold, self.t.max_reuse):
            return True
        found = [refind(frame.gray, track, self.t.track_min_score) for track in self.tracks]
        if any(track is None for track in found):
            return True
        self.tracks = [track for track in found if track is not None]
        self.reused += 1
        return False

    def update(self, faces: Sequence[Face], frame: SampledFrame) -> None:
        """Faces in analysis pixels; those centred in the zone count (and are tracked until the next run)."""
        height, width = frame.gray.shape[:2]
        counted: list[float] = []
        ambiguous: list[float] = []
        tracks: list[FaceTrack] = []
        for face in faces:
            cx, cy = face.centre
            if not self.zone.contains(cx / width, cy / height):
                continue
            (counted if face.score >= self.t.face_score else ambiguous).append(face.score)
            box = (
                int(face.x0),
                int(face.y0),
                max(int(face.x0) + 1, round(face.x1)),
                max(int(face.y0) + 1, round(face.y1)),
            )
            tracks.append(FaceTrack(box=box, patch=frame.gray[box[1] : box[3], box[0] : box[2]].copy()))
        self.last = zone_count(counted, ambiguous)
        self.tracks = tracks
        self.seen_at = [track.box for track in tracks]
        self.last_thumb = self.pending
        self.reused = 0


def _detect_in(frame: SampledFrame, region: Zone, detector: CenterFace, threshold: float) -> list[Face]:
    """Run the detector on one region of the frame, sized to the network's stride; boxes in frame pixels."""
    height, width = frame.bgr.shape[:2]
    x0, y0, x1, y1 = snap_region(region.pixels(width, height), width, height)
    faces = detector.detect(np.ascontiguousarray(frame.bgr[y0:y1, x0:x1]), threshold)
    return [Face(f.x0 + x0, f.y0 + y0, f.x1 + x0, f.y1 + y0, f.score) for f in faces]


@functools.lru_cache(maxsize=1)
def default_detector() -> CenterFace:
    return CenterFace()


def analyse_presence(
    frames: Sequence[SampledFrame],
    duration_s: float | None,
    zones: Zones,
    detector: CenterFace | None = None,
    thresholds: PresenceThresholds = PresenceThresholds(),
    blind: Sequence[bool] | None = None,
) -> PresenceResult:
    """Per-frame presence and its spans. ``blind`` marks frames the camera could not see (covered, out of
    focus, frozen): the detector does not run on them and no span is claimed there."""
    net = detector or default_detector()
    unseen = list(blind) if blind is not None else [False] * len(frames)
    operator = _ZoneTracker(zones.operator, thresholds)
    citizen = _ZoneTracker(zones.citizen, thresholds)
    out: list[FramePresence] = []
    runs = 0
    for frame, is_blind in zip(frames, unseen, strict=True):
        if is_blind:
            out.append(FramePresence(frame.offset_s, False, 0.5, UNKNOWN, 0.5, 0))  # 0.5: no evidence either way
            continue
        h, w = frame.gray.shape[:2]
        thumb_size = (THUMB_WIDTH, max(1, round(h * THUMB_WIDTH / w)))
        thumb = np.asarray(cv2.resize(frame.gray, thumb_size, interpolation=cv2.INTER_AREA), dtype=np.uint8)
        due = [tracker for tracker in (operator, citizen) if tracker.due(frame, thumb)]
        ran = 0
        if due:
            # One detector run per frame, over the crops of the zones that changed.
            region = due[0].crop if len(due) == 1 else union(due[0].crop, due[1].crop)
            faces = _detect_in(frame, region, net, thresholds.candidate_score)
            for tracker in due:
                tracker.update(faces, frame)
            ran = 1
        runs += ran
        op, cit = operator.last, citizen.last
        out.append(
            FramePresence(
                offset_s=frame.offset_s,
                operator_present=op.count > 0,
                operator_confidence=op.confidence,
                citizen_count=cit.count,
                citizen_confidence=cit.confidence,
                detector_runs=ran,
            )
        )
    offsets = [f.offset_s for f in out]
    operator_spans = value_spans(
        offsets,
        [UNKNOWN if f.citizen_count == UNKNOWN else int(f.operator_present) for f in out],
        duration_s,
        confidences=[f.operator_confidence for f in out],
        min_dwell_s=thresholds.operator_min_dwell_s,
    )
    citizen_spans = value_spans(
        offsets,
        [f.citizen_count for f in out],
        duration_s,
        confidences=[f.citizen_confidence for f in out],
        min_dwell_s=thresholds.citizen_min_dwell_s,
    )
    return PresenceResult(
        frames=tuple(out),
        operator=tuple(s for s in operator_spans if s.value != UNKNOWN),
        citizens=tuple(s for s in citizen_spans if s.value != UNKNOWN),
        detector_runs=runs,
    )
