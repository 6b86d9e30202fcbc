from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from indexer.leg_observations import Seen, aggregate

T0 = datetime(2026, 5, 4, 6, 0, tzinfo=UTC)


def s(kind: str, a: float, b: float, value: float = 1.0) -> Seen:
    return Seen(kind, T0 + timedelta(seconds=a), T0 + timedelta(seconds=b), value)


@pytest.mark.parametrize(
    ("name", "observations", "field", "expected"),
    [
        ("nothing seen", [], "operator_absent_s", 0.0),
        ("absence inside the leg", [s("operator_absent", 10, 40)], "operator_absent_s", 30.0),
        ("absence clipped to the leg", [s("operator_absent", -20, 15)], "operator_absent_s", 15.0),
        ("absence after the leg ignored", [s("operator_absent", 60, 90)], "operator_absent_s", 0.0),
        ("absences add up", [s("operator_absent", 0, 5), s("operator_absent", 20, 30)], "operator_absent_s", 15.0),
        ("overlaps once", [s("operator_absent", 0, 10.2), s("operator_absent", 10, 20)], "operator_absent_s", 20.0),
        ("citizen never seen", [s("citizen_count", 0, 60, 0)], "citizen_seen_s", 0.0),
        ("citizen seen", [s("citizen_count", 0, 20, 0), s("citizen_count", 20, 60, 1)], "citizen_seen_s", 40.0),
        ("most citizens at once", [s("citizen_count", 0, 10, 1), s("citizen_count", 10, 20, 3)], "citizen_max", 3),
        ("raised voice", [s("raised_voice", 30, 34)], "raised_voice_s", 4.0),
        ("tampering of any kind", [s("black", 0, 5), s("moved", 10, 12), s("frozen", 50, 70)], "tamper_s", 17.0),
        ("loudest second", [s("loudness_lufs", 0, 1, -30), s("loudness_lufs", 1, 2, -18)], "loudness_max_lufs", -18),
    ],
)
def test_leg_figures(name: str, observations: list[Seen], field: str, expected: float) -> None:
    assert getattr(aggregate(observations, T0, T0 + timedelta(seconds=60)), field) == expected, name


def test_intervals_are_clipped_and_ordered() -> None:
    result = aggregate([s("raised_voice", 50, 70), s("raised_voice", 5, 8)], T0, T0 + timedelta(seconds=60))
    assert [(i.start, i.end) for i in result.raised_voice] == [
        (T0 + timedelta(seconds=5), T0 + timedelta(seconds=8)),
        (T0 + timedelta(seconds=50), T0 + timedelta(seconds=60)),
    ]


def test_absence_pieces_from_consecutive_segments_are_one_interval_to_watch() -> None:
    pieces = [s("operator_absent", 10, 20), s("operator_absent", 20, 30), s("operator_absent", 45, 50)]
    result = aggregate(pieces, T0, T0 + timedelta(seconds=60))
    assert [(i.start, i.end) for i in result.operator_absent] == [
        (T0 + timedelta(seconds=10), T0 + timedelta(seconds=30)),
        (T0 + timedelta(seconds=45), T0 + timedelta(seconds=50)),
    ]
    assert result.operator_absent_s == 25.0
