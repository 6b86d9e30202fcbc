from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from seffaf.keys import GapKey, KeyLayoutError, SegmentKey, gap_prefix, segment_prefix


def dt(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0, micro: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, micro, tzinfo=UTC)


@pytest.mark.parametrize(
    "key",
    [
        SegmentKey(camera="baku-1-w07", start=dt(2026, 5, 1, 9, 0, 0, 120_000), seq=42),
        SegmentKey(camera="c", start=dt(2026, 12, 31, 23, 59, 59, 999_999), seq=1),
        SegmentKey(camera="Cam_2.main", start=dt(1999, 1, 1), seq=999_999_999_999),
    ],
)
def test_segment_key_round_trips(key: SegmentKey) -> None:
    assert SegmentKey.decode(key.encode()) == key
    assert key.encode().startswith(segment_prefix(key.camera))
    assert key.manifest_key.removesuffix(".json") == key.encode().removesuffix(".mp4")


@pytest.mark.parametrize(
    "key",
    [
        GapKey(camera="baku-1-w07", after_seq=0, start=dt(2026, 5, 1, 9, 0, 0, 1), cause="recorder_down"),
        GapKey(camera="x", after_seq=123, start=dt(2026, 3, 29, 0, 30), cause="camera_unreachable"),
    ],
)
def test_gap_key_round_trips(key: GapKey) -> None:
    assert GapKey.decode(key.encode()) == key
    assert key.encode().startswith(gap_prefix(key.camera))


def test_keys_never_collide_when_the_clock_steps_back() -> None:
    start = dt(2026, 5, 1, 9, 0)
    first = SegmentKey("w1", 7, start)
    after_step = SegmentKey("w1", 8, start)  # same wall time again, one hour later in reality
    assert first.encode() != after_step.encode()
    assert sorted([after_step.encode(), first.encode()]) == [first.encode(), after_step.encode()]


def test_key_order_is_sequence_order() -> None:
    keys = [SegmentKey("w1", seq, dt(2026, 5, 1) - timedelta(minutes=seq)).encode() for seq in (1, 2, 10, 100)]
    assert sorted(keys) == keys


def test_non_utc_start_is_normalised_to_utc() -> None:
    baku = timezone(timedelta(hours=4))
    key = SegmentKey("w1", 1, datetime(2026, 5, 1, 13, 0, tzinfo=baku))
    assert key.start == dt(2026, 5, 1, 9, 0)
    assert "20260501T090000000000Z" in key.encode()


@pytest.mark.parametrize(
    "bad",
    [
        "segments/w1/1_20260501T090000000000Z.mp4",  # short sequence number
        "segments/w1/000000000001_20260501T0900Z.mp4",  # short time
        "segments/w1/000000000001_20260501T090000000000Z.mkv",
        "gaps/w1/000000000001_20260501T090000000000Z.json",
        "segments/000000000001_20260501T090000000000Z.mp4",
    ],
)
def test_malformed_segment_keys_are_rejected(bad: str) -> None:
    with pytest.raises(KeyLayoutError):
        SegmentKey.decode(bad)


@pytest.mark.parametrize("camera", ["", "a/b", "../x", "-lead", "x" * 65, "sp ace"])
def test_invalid_camera_ids_are_rejected(camera: str) -> None:
    with pytest.raises(KeyLayoutError, match="camera id"):
        SegmentKey(camera, 1, dt(2026, 1, 1))


def test_naive_datetime_is_rejected() -> None:
    with pytest.raises(ValueError, match="timezone"):
        SegmentKey("w1", 1, datetime(2026, 1, 1))  # noqa: DTZ001
