"""Observation tracks for the player: clipped to its span, grouped per track, segment pieces joined."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from indexer.leg_observations import Seen
from review_app.media.tracks import observation_tracks

T = datetime(2026, 5, 4, 6, 0, tzinfo=UTC)
SPAN = (T, T + timedelta(seconds=100))


def seen(kind: str, start: float, end: float, value: float = 1.0) -> Seen:
    return Seen(kind, T + timedelta(seconds=start), T + timedelta(seconds=end), value)


def track(observations: list[Seen], name: str) -> list[tuple[float, float, str, float]]:
    [found] = [t for t in observation_tracks(observations, *SPAN) if t.name == name]
    return [((i.start - T).total_seconds(), (i.end - T).total_seconds(), i.kind, i.value) for i in found.intervals]


@pytest.mark.parametrize(
    ("observations", "name", "expected"),
    [
        # one piece per 10 s segment: joined where they meet with the same value
        (
            [seen("operator_present", 0, 10), seen("operator_present", 10, 20), seen("operator_absent", 20, 30, 0)],
            "operator",
            [(0, 20, "operator_present", 1), (20, 30, "operator_absent", 0)],
        ),
        # a recorder gap between segments keeps them apart; a sliver of clock jitter does not
        (
            [seen("operator_present", 0, 10), seen("operator_present", 10.2, 20), seen("operator_present", 25, 30)],
            "operator",
            [(0, 20, "operator_present", 1), (25, 30, "operator_present", 1)],
        ),
        # the boundary frame shared by two segments is not counted twice
        ([seen("raised_voice", 0, 10.5), seen("raised_voice", 10, 13)], "raised_voice", [(0, 13, "raised_voice", 1)]),
        # citizens: a new count is a new interval
        (
            [seen("citizen_count", 0, 5, 1), seen("citizen_count", 5, 8, 2)],
            "citizens",
            [(0, 5, "citizen_count", 1), (5, 8, "citizen_count", 2)],
        ),
        # clipped to the player's span
        (
            [seen("loudness_lufs", -5, 1, -30), seen("loudness_lufs", 99, 104, -18)],
            "loudness",
            [(0, 1, "loudness_lufs", -30), (99, 100, "loudness_lufs", -18)],
        ),
        ([seen("loudness_lufs", -5, 0, -30), seen("loudness_lufs", 100, 101, -18)], "loudness", []),
        # every tampering kind on the camera track, by start time
        ([seen("frozen", 30, 35), seen("black", 10, 30)], "camera", [(10, 30, "black", 1), (30, 35, "frozen", 1)]),
        # kinds no track shows
        ([seen("speech_share", 0, 10, 0.4)], "loudness", []),
        ([], "operator", []),
    ],
)
def test_observation_tracks(
    observations: list[Seen], name: str, expected: list[tuple[float, float, str, float]]
) -> None:
    assert track(observations, name) == expected


def test_every_track_is_there_in_a_fixed_order_even_when_nothing_was_seen() -> None:
    names = [t.name for t in observation_tracks([seen("citizen_count", 0, 5)], *SPAN)]
    assert names == ["operator", "citizens", "loudness", "raised_voice", "camera"]
