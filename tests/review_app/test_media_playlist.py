"""The playlist and timeline map of a stretch of footage, from catalog rows alone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from review_app.media.playlist import (
    GapRef,
    SegmentRef,
    Timeline,
    build_timeline,
    player_time,
    render_playlist,
    wall_time,
)

T0 = datetime(2026, 5, 4, 6, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def seg(seq: int, start: float, duration: float, camera: str = "cam") -> SegmentRef:
    return SegmentRef(camera, seq, at(start), at(start + duration), duration)


def laid(timeline: Timeline) -> list[tuple[int, float, float]]:
    return [(s.seq, s.player_start_s, s.duration_s) for s in timeline.segments]


def holes(timeline: Timeline) -> list[tuple[float, float, str]]:
    return [((h.start - T0).total_seconds(), (h.end - T0).total_seconds(), h.cause) for h in timeline.holes]


@pytest.mark.parametrize(
    ("segments", "gaps", "span", "expected_laid", "expected_holes"),
    [
        pytest.param([], [], (0, 60), [], [(0, 60, "unexplained")], id="no footage: one hole"),
        pytest.param([seg(1, 0, 10), seg(2, 10, 10)], [], (0, 20), [(1, 0, 10), (2, 10, 10)], [], id="contiguous"),
        pytest.param([seg(2, 10, 10), seg(1, 0, 10)], [], (0, 20), [(1, 0, 10), (2, 10, 10)], [],
                     id="rows in any order: played in seq order"),
        pytest.param([seg(1, 0, 10), seg(2, 40, 10)], [GapRef(at(10), at(40), "recorder_down")], (-5, 55),
                     [(1, 0, 10), (2, 10, 10)],
                     [(-5, 0, "unexplained"), (10, 40, "recorded:recorder_down"), (50, 55, "unexplained")],
                     id="a hole takes no player time; a recorded gap names its cause"),
        pytest.param([seg(1, 0, 10), seg(2, 10, 10), seg(3, 20, 10)], [], (12, 15), [(2, 0, 10)], [],
                     id="only segments overlapping the span"),
        pytest.param([seg(1, 0, 10), seg(2, 10, 0.0)], [], (0, 20), [(1, 0, 10)], [(10, 20, "unexplained")],
                     id="an empty segment has nothing to play"),
        pytest.param([seg(1, 0, 10), seg(2, 10, 10, camera="other")], [], (0, 20), [(1, 0, 10)],
                     [(10, 20, "unexplained")], id="another camera's rows are ignored"),
        pytest.param([seg(7, 0, 10.0401), seg(8, 10.04, 9.96)], [], (0, 20), [(7, 0, 10.0401), (8, 10.0401, 9.96)],
                     [], id="offsets are the sums of the EXTINF values"),
        pytest.param([seg(5, 30, 10), seg(6, 25, 10)], [], (20, 45), [(5, 0, 10), (6, 10, 10)],
                     [(20, 25, "unexplained"), (40, 45, "unexplained")],
                     id="clock stepped back: recording order, overlap is no hole"),
    ],
)  # fmt: skip
def test_timeline_lays_segments_end_to_end(
    segments: list[SegmentRef],
    gaps: list[GapRef],
    span: tuple[float, float],
    expected_laid: list[tuple[int, float, float]],
    expected_holes: list[tuple[float, float, str]],
) -> None:
    timeline = build_timeline("cam", segments, at(span[0]), at(span[1]), gaps)
    assert laid(timeline) == expected_laid
    assert holes(timeline) == expected_holes
    assert timeline.duration_s == pytest.approx(sum(d for _, _, d in expected_laid))


def test_playlist_is_hls7_fmp4_vod_with_a_map_and_a_discontinuity_per_file() -> None:
    timeline = build_timeline("cam", [seg(1, 0.1234567, 10), seg(2, 10.2, 4.5), seg(3, 40, 10.6)], at(0), at(60))
    text = render_playlist(timeline, lambda seq: f"/m/{seq}.mp4", lambda seq: f"/m/{seq}/init.mp4")
    assert text == (
        "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-PLAYLIST-TYPE:VOD\n#EXT-X-TARGETDURATION:11\n#EXT-X-MEDIA-SEQUENCE:0\n"
        "#EXT-X-INDEPENDENT-SEGMENTS\n"
        '#EXT-X-MAP:URI="/m/1/init.mp4"\n#EXT-X-PROGRAM-DATE-TIME:2026-05-04T06:00:00.123Z\n'
        "#EXTINF:10.000000,\n/m/1.mp4\n"
        '#EXT-X-DISCONTINUITY\n#EXT-X-MAP:URI="/m/2/init.mp4"\n#EXT-X-PROGRAM-DATE-TIME:2026-05-04T06:00:10.200Z\n'
        "#EXTINF:4.500000,\n/m/2.mp4\n"
        '#EXT-X-DISCONTINUITY\n#EXT-X-MAP:URI="/m/3/init.mp4"\n#EXT-X-PROGRAM-DATE-TIME:2026-05-04T06:00:40.000Z\n'
        "#EXTINF:10.600000,\n/m/3.mp4\n#EXT-X-ENDLIST\n"
    )


@pytest.mark.parametrize(("durations", "target"), [([10.0], 10), ([10.49, 2], 10), ([10.5], 11), ([0.2], 1)])
def test_target_duration_is_the_longest_segment_rounded(durations: list[float], target: int) -> None:
    segments, start = [], 0.0
    for seq, duration in enumerate(durations, 1):
        segments.append(seg(seq, start, duration))
        start += duration
    text = render_playlist(build_timeline("cam", segments, at(0), at(start)), str, str)
    assert text is not None and f"#EXT-X-TARGETDURATION:{target}\n" in text


def test_no_footage_is_no_playlist() -> None:
    assert render_playlist(build_timeline("cam", [], at(0), at(60)), str, str) is None


HOLEY = build_timeline("cam", [seg(1, 0, 10), seg(2, 10, 5), seg(3, 40, 10)], at(-30), at(80))


@pytest.mark.parametrize(
    ("wall", "player"),
    [(0, 0.0), (7.25, 7.25), (10, 10.0), (14.9, 14.9), (20, 15.0), (39.999, 15.0), (40, 15.0), (45.5, 20.5),
     (-30, 0.0), (50, None), (79, None)],
)  # fmt: skip
def test_wall_clock_to_player_time(wall: float, player: float | None) -> None:
    """Inside footage: its offset; in a hole: where footage resumes; after the last footage: nowhere."""
    assert player_time(HOLEY, at(wall)) == (None if player is None else pytest.approx(player))


@pytest.mark.parametrize(
    ("player", "wall"), [(0.0, 0.0), (9.5, 9.5), (10.0, 10.0), (15.0, 40.0), (20.5, 45.5), (25.0, 50.0), (99, 50.0)]
)
def test_player_time_to_wall_clock(player: float, wall: float) -> None:
    shown = wall_time(HOLEY, player)
    assert shown is not None and (shown - T0).total_seconds() == pytest.approx(wall)


def test_round_trip_inside_footage() -> None:
    for wall in (0.5, 3.0, 11.0, 41.25, 49.0):
        position = player_time(HOLEY, at(wall))
        assert position is not None and wall_time(HOLEY, position) == at(wall)


def test_no_footage_no_wall_time() -> None:
    assert wall_time(build_timeline("cam", [], at(0), at(5)), 0.0) is None
