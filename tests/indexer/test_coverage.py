from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from indexer.coverage import BEFORE_RECORDING, UNEXPLAINED, Span, link_leg

T0 = datetime(2026, 5, 4, 6, 0, tzinfo=UTC)


def t(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def segs(*bounds: tuple[float, float]) -> list[Span]:
    return [Span(f"s{i}", t(a), t(b)) for i, (a, b) in enumerate(bounds)]


def gap(a: float, b: float, cause: str = "camera_unreachable") -> Span:
    return Span(f"g{a}", t(a), t(b), cause)


@pytest.mark.parametrize(
    ("name", "leg", "segments", "gaps", "ratio", "holes"),
    [
        ("fully covered by one segment", (12, 18), segs((10, 20)), [], 1.0, []),
        ("covered across a boundary", (15, 25), segs((10, 20), (20, 30)), [], 1.0, []),
        ("no footage at all", (0, 10), [], [], 0.0, [(0, 10, UNEXPLAINED)]),
        ("missing segment in the middle", (0, 30), segs((0, 10), (20, 30)), [], 2 / 3, [(10, 20, UNEXPLAINED)]),
        (
            "hole explained by a recorded gap",
            (0, 30),
            segs((0, 10), (20, 30)),
            [gap(10, 20)],
            2 / 3,
            [(10, 20, "recorded:camera_unreachable")],
        ),
        (
            "gap explains only part of the hole",
            (0, 30),
            segs((0, 10), (25, 30)),
            [gap(12, 20, "recorder_down")],
            0.5,
            [(10, 12, UNEXPLAINED), (12, 20, "recorded:recorder_down"), (20, 25, UNEXPLAINED)],
        ),
        ("footage starts late", (0, 20), segs((5, 30)), [], 0.75, [(0, 5, UNEXPLAINED)]),
        ("footage ends early", (0, 20), segs((-10, 15)), [], 0.75, [(15, 20, UNEXPLAINED)]),
        ("overlapping segments count once", (0, 20), segs((0, 12), (8, 20)), [], 1.0, []),
        ("zero-length leg is fully covered", (5, 5), [], [], 1.0, []),
    ],
)
def test_coverage_and_holes(
    name: str,
    leg: tuple[float, float],
    segments: list[Span],
    gaps: list[Span],
    ratio: float,
    holes: list[tuple[float, float, str]],
) -> None:
    coverage = link_leg(t(leg[0]), t(leg[1]), 0.0, segments, gaps)
    assert coverage.ratio == pytest.approx(ratio), name
    assert [(h.start, h.end, h.cause) for h in coverage.holes] == [(t(a), t(b), c) for a, b, c in holes], name


@pytest.mark.parametrize(
    ("pad", "expected"),
    [
        (0.0, [("s1", 2.0, 8.0)]),  # only the segment under the leg
        (3.0, [("s0", 9.0, 10.0), ("s1", 0.0, 10.0), ("s2", 0.0, 1.0)]),  # padding reaches the neighbours
        (30.0, [("s0", 0.0, 10.0), ("s1", 0.0, 10.0), ("s2", 0.0, 10.0)]),
    ],
)
def test_links_carry_in_and_out_offsets_over_the_padded_leg(
    pad: float, expected: list[tuple[str, float, float]]
) -> None:
    coverage = link_leg(t(12), t(18), pad, segs((0, 10), (10, 20), (20, 30)), [])
    assert [(link.key, link.in_offset_s, link.out_offset_s) for link in coverage.links] == expected


def test_padding_never_changes_coverage() -> None:
    segments = segs((0, 10), (20, 30))
    assert link_leg(t(5), t(25), 0, segments, []).ratio == link_leg(t(5), t(25), 60, segments, []).ratio


def test_leg_ending_before_it_starts_is_refused() -> None:
    with pytest.raises(ValueError, match="before it starts"):
        link_leg(t(10), t(5), 0, [], [])


@pytest.mark.parametrize(
    ("name", "since", "holes"),
    [
        ("camera filming long before the leg", -100.0, [(10, 20, UNEXPLAINED)]),
        ("camera's first recording during the leg", 15.0, [(10, 15, BEFORE_RECORDING), (15, 20, UNEXPLAINED)]),
        ("camera's first recording after the leg", 50.0, [(10, 20, BEFORE_RECORDING)]),
        ("camera never recorded", None, [(10, 20, BEFORE_RECORDING)]),
    ],
)
def test_time_before_a_cameras_first_recording_is_not_a_recording_gap(
    name: str, since: float | None, holes: list[tuple[float, float, str]]
) -> None:
    coverage = link_leg(t(10), t(20), 0.0, [], [], None if since is None else t(since))
    assert [(h.start, h.end, h.cause) for h in coverage.holes] == [(t(a), t(b), c) for a, b, c in holes], name
