"""check_chain: what verify-chain reports for intact, altered, missing and reordered chains."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest

from recorder.verify import MANIFEST_ABSENT, ProblemKind, StoredSegment, check_chain
from seffaf.keys import GapKey, SegmentKey
from seffaf.manifests import AudioStatus, GapCause, GapManifest, RecorderInfo, SegmentManifest, VideoTrack

T0 = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)
RECORDER = RecorderInfo(host="test", version="0")


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def chain(count: int, seconds: float = 10.0, holes: dict[int, float] | None = None) -> list[StoredSegment]:
    """An intact chain; holes maps seq -> seconds of missing time before that segment."""
    segments: list[StoredSegment] = []
    start = T0
    prev = None
    for seq in range(1, count + 1):
        start += timedelta(seconds=(holes or {}).get(seq, 0.0))
        key = SegmentKey("w1", seq, start).encode()
        digest = sha(f"media {seq}")
        manifest = SegmentManifest(
            center="c", window=1, camera="w1", seq=seq, key=key, start=start,
            end=start + timedelta(seconds=seconds), duration_s=seconds, keyframe_offsets_s=[0.0],
            video=VideoTrack(codec="h264", width=640, height=360, packets=250), audio=None,
            audio_status=AudioStatus.SOURCE_HAS_NONE, size_bytes=1000, sha256=digest, prev_sha256=prev,
            source="rtsp://cam", recorder=RECORDER, written_at=start,
        )  # fmt: skip
        segments.append(StoredSegment(seq, key, manifest, None, digest))
        prev = digest
        start += timedelta(seconds=seconds)
    return segments


def gap(after: StoredSegment, before: StoredSegment) -> GapManifest:
    assert after.manifest is not None and before.manifest is not None
    start, end = after.manifest.end, before.manifest.start
    return GapManifest(
        center="c", window=1, camera="w1", key=GapKey("w1", after.seq, start, "camera_unreachable").encode(),
        after_seq=after.seq, start=start, end=end, cause=GapCause.CAMERA_UNREACHABLE, detail="down",
        recorder=RECORDER, written_at=end,
    )  # fmt: skip


def test_intact_chain_is_intact() -> None:
    report = check_chain("w1", chain(5), [])
    assert report.intact
    assert report.segments_checked == 5


def test_flipped_byte_names_exactly_that_segment_as_altered() -> None:
    segments = chain(5)
    segments[2] = StoredSegment(3, segments[2].media_key, segments[2].manifest, None, sha("tampered"))
    report = check_chain("w1", segments, [])
    assert [(p.kind, p.seq, p.key) for p in report.problems] == [(ProblemKind.ALTERED, 3, segments[2].media_key)]


def test_removed_media_names_exactly_that_segment_as_missing() -> None:
    segments = chain(5)
    segments[3] = StoredSegment(4, segments[3].media_key, segments[3].manifest, None, None)
    report = check_chain("w1", segments, [])
    assert [(p.kind, p.seq, p.key) for p in report.problems] == [(ProblemKind.MISSING, 4, segments[3].media_key)]


def test_removed_manifest_is_missing() -> None:
    segments = chain(3)
    segments[1] = StoredSegment(2, segments[1].media_key, None, MANIFEST_ABSENT, segments[1].actual_sha256)
    report = check_chain("w1", segments, [])
    assert [(p.kind, p.seq) for p in report.problems] == [(ProblemKind.MISSING, 2)]


def test_segment_removed_with_its_manifest_is_a_sequence_hole() -> None:
    segments = chain(5)
    del segments[2]
    report = check_chain("w1", segments, [])
    assert [(p.kind, p.seq) for p in report.problems] == [(ProblemKind.MISSING, 3)]
    assert segments[1].media_key in report.problems[0].detail
    assert len(report.unexplained_holes) == 1  # and its ten seconds are unexplained


def test_swapped_segments_are_reordered() -> None:
    segments = chain(4)
    a, b = segments[1], segments[2]
    assert a.manifest is not None and b.manifest is not None
    # Someone renumbers seq 2 and 3 consistently (manifest and key): the hashes stay intact,
    # but the chain links point the wrong way.
    swapped_b = b.manifest.model_copy(update={"seq": 2, "key": a.media_key})
    swapped_a = a.manifest.model_copy(update={"seq": 3, "key": b.media_key})
    segments[1] = StoredSegment(2, a.media_key, swapped_b, None, b.actual_sha256)
    segments[2] = StoredSegment(3, b.media_key, swapped_a, None, a.actual_sha256)
    report = check_chain("w1", segments, [])
    kinds = {(p.kind, p.seq) for p in report.problems}
    assert (ProblemKind.REORDERED, 2) in kinds
    assert all(p.kind is ProblemKind.REORDERED for p in report.problems)


def test_manifest_that_disagrees_with_its_key_is_reordered() -> None:
    segments = chain(3)
    other = segments[0].manifest
    segments[1] = StoredSegment(2, segments[1].media_key, other, None, segments[1].actual_sha256)
    report = check_chain("w1", segments, [])
    assert (ProblemKind.REORDERED, 2) in {(p.kind, p.seq) for p in report.problems}


def test_recorded_gap_is_listed_apart_from_unexplained_holes() -> None:
    segments = chain(4, holes={3: 20.0})
    report = check_chain("w1", segments, [gap(segments[1], segments[2])])
    assert report.intact
    assert [h.after_seq for h in report.recorded_gaps] == [2]
    assert report.recorded_gaps[0].seconds == pytest.approx(20.0)
    assert report.unexplained_holes == []


def test_time_hole_without_gap_record_is_unexplained() -> None:
    segments = chain(4, holes={4: 30.0})
    report = check_chain("w1", segments, [])
    assert not report.intact
    assert [(h.after_seq, round(h.seconds)) for h in report.unexplained_holes] == [(3, 30)]


def test_context_segment_before_the_range_is_not_counted_but_links_are_checked() -> None:
    segments = chain(4)
    report = check_chain("w1", segments, [], checked_from_seq=3)
    assert report.segments_checked == 2
    assert report.intact
    broken = segments[2].manifest
    assert broken is not None
    segments[2] = StoredSegment(3, segments[2].media_key, broken.model_copy(update={"prev_sha256": sha("x")}),
                                None, segments[2].actual_sha256)  # fmt: skip
    report = check_chain("w1", segments, [], checked_from_seq=3)
    assert [(p.kind, p.seq) for p in report.problems] == [(ProblemKind.ALTERED, 3)]


def test_empty_store_is_trivially_intact() -> None:
    assert check_chain("w1", [], []).intact
