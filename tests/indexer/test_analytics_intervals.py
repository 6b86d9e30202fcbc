"""Table tests: building spans of time from per-sample decisions."""

from __future__ import annotations

import math

import pytest

from indexer.analytics.intervals import (
    flag_intervals,
    margin_confidence,
    sample_bounds,
    value_spans,
)

T5 = [0.0, 2.0, 4.0, 6.0, 8.0]


@pytest.mark.parametrize(
    ("offsets", "duration", "expected"),
    [
        ([], 10.0, []),
        ([0.0], None, [(0.0, 1.0)]),
        ([0.0], 10.0, [(0.0, 10.0)]),
        (T5, 10.0, [(0.0, 2.0), (2.0, 4.0), (4.0, 6.0), (6.0, 8.0), (8.0, 10.0)]),
        (T5, None, [(0.0, 2.0), (2.0, 4.0), (4.0, 6.0), (6.0, 8.0), (8.0, 10.0)]),
        (T5, 9.0, [(0.0, 2.0), (2.0, 4.0), (4.0, 6.0), (6.0, 8.0), (8.0, 9.0)]),
        (T5, 7.0, [(0.0, 2.0), (2.0, 4.0), (4.0, 6.0), (6.0, 8.0), (8.0, 10.0)]),  # duration before last: period
        ([1.0, 2.0, 4.0], 5.0, [(1.0, 2.0), (2.0, 4.0), (4.0, 5.0)]),
    ],
)
def test_sample_bounds(offsets: list[float], duration: float | None, expected: list[tuple[float, float]]) -> None:
    assert sample_bounds(offsets, duration) == expected


@pytest.mark.parametrize(
    ("flags", "min_duration", "max_gap", "expected"),
    [
        ([False] * 5, 0.0, 0.0, []),
        ([True] * 5, 0.0, 0.0, [(0.0, 10.0)]),
        ([False, True, True, False, False], 0.0, 0.0, [(2.0, 6.0)]),
        ([True, False, True, False, True], 0.0, 0.0, [(0.0, 2.0), (4.0, 6.0), (8.0, 10.0)]),
        ([True, False, True, False, True], 0.0, 2.0, [(0.0, 10.0)]),  # one-sample gaps bridged
        ([True, False, True, False, True], 0.0, 1.0, [(0.0, 2.0), (4.0, 6.0), (8.0, 10.0)]),
        ([True, False, True, True, False], 4.0, 0.0, [(4.0, 8.0)]),  # the 2 s blip is too short
        ([True, False, True, True, False], 4.1, 0.0, []),
        ([False, False, False, False, True], 0.0, 0.0, [(8.0, 10.0)]),  # last sample runs to the end
    ],
)
def test_flag_intervals(
    flags: list[bool], min_duration: float, max_gap: float, expected: list[tuple[float, float]]
) -> None:
    got = flag_intervals(T5, flags, 10.0, min_duration_s=min_duration, max_gap_s=max_gap)
    assert [(i.start_s, i.end_s) for i in got] == expected


def test_flag_intervals_summarise_scores_and_confidences() -> None:
    got = flag_intervals(
        T5,
        [True, True, True, False, False],
        10.0,
        scores=[1.0, 5.0, 3.0, 100.0, 100.0],
        confidences=[1.0, 0.5, 0.6, 0.0, 0.0],
    )
    assert len(got) == 1
    assert (got[0].start_s, got[0].end_s, got[0].value) == (0.0, 6.0, 3.0)
    assert got[0].confidence == pytest.approx(0.7)


def test_flag_intervals_rejects_mismatched_lengths() -> None:
    with pytest.raises(ValueError, match="differ"):
        flag_intervals(T5, [True], 10.0)


@pytest.mark.parametrize(
    ("values", "min_dwell", "expected"),
    [
        ([0, 0, 0, 0, 0], 0.0, [(0.0, 10.0, 0)]),
        ([0, 0, 1, 1, 1], 0.0, [(0.0, 4.0, 0), (4.0, 10.0, 1)]),
        ([1, 1, 0, 1, 1], 0.0, [(0.0, 4.0, 1), (4.0, 6.0, 0), (6.0, 10.0, 1)]),
        ([1, 1, 0, 1, 1], 3.0, [(0.0, 10.0, 1)]),  # a one-sample absence is a blip
        ([2, 2, 1, 0, 0], 3.0, [(0.0, 6.0, 2), (6.0, 10.0, 0)]),  # ties go to the longer/left neighbour
        ([0, 1, 2, 2, 2], 3.0, [(0.0, 4.0, 1), (4.0, 10.0, 2)]),  # shortest first; the first on a tie
        ([0, 3, 0, 3, 0], 3.0, [(0.0, 10.0, 3)]),  # flicker ends as one span
        ([1, 0], 100.0, [(0.0, 4.0, 0)]),  # never merges the last remaining span away
    ],
)
def test_value_spans(values: list[int], min_dwell: float, expected: list[tuple[float, float, int]]) -> None:
    offsets = T5[: len(values)]
    duration = 10.0 if len(values) == 5 else None
    got = value_spans(offsets, values, duration, min_dwell_s=min_dwell)
    assert [(s.start_s, s.end_s, s.value) for s in got] == expected


def test_value_spans_absorbed_blip_lowers_confidence() -> None:
    got = value_spans(T5, [1, 1, 0, 1, 1], 10.0, confidences=[0.9, 0.9, 0.8, 0.9, 0.9], min_dwell_s=3.0)
    # The absent sample (0.8 sure of absence) counts as 0.2 for presence.
    assert [(s.start_s, s.end_s, s.value) for s in got] == [(0.0, 10.0, 1)]
    assert got[0].confidence == pytest.approx((0.9 * 4 + 0.2) / 5)


@pytest.mark.parametrize(
    ("value", "threshold", "scale", "expected"),
    [
        (0.4, 0.4, 0.4, 0.5),
        (0.0, 0.4, 0.4, 1.0),
        (0.2, 0.4, 0.4, 0.75),
        (2.0, 0.4, 0.4, 1.0),
        (5.0, 3.0, 0.0, 0.5),
        (math.nan, 3.0, 1.0, 0.5),
    ],
)
def test_margin_confidence(value: float, threshold: float, scale: float, expected: float) -> None:
    assert margin_confidence(value, threshold, scale) == pytest.approx(expected)
