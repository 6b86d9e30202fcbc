from __future__ import annotations

from datetime import UTC, datetime, timedelta

from recorder.clocking import StreamClock

T0 = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)


def test_first_segment_is_moved_back_when_packets_arrived_before_the_anchor_predicted() -> None:
    clock = StreamClock(live=True, tolerance_s=2.0)
    # The first packet (stream 0 s) surfaced 0.8 s late because the demuxer probed first.
    clock.anchor(0.0, T0 + timedelta(seconds=0.8))
    for second in range(10):
        clock.observe(float(second), T0 + timedelta(seconds=second + (0.8 if second == 0 else 0.05)))
    start, step = clock.close_segment(0.0)
    assert start == T0 + timedelta(seconds=0.05)
    assert step is None
    # The next segment continues from the corrected anchor, contiguous with the first.
    for second in range(10, 20):
        clock.observe(float(second), T0 + timedelta(seconds=second + 0.06))
    second_start, step = clock.close_segment(10.0)
    assert second_start == T0 + timedelta(seconds=10.05)
    assert step is None


def test_clock_step_is_reported_and_places_the_next_segment() -> None:
    clock = StreamClock(live=True, tolerance_s=2.0)
    clock.anchor(0.0, T0)
    clock.observe(0.0, T0)
    clock.close_segment(0.0)
    for second in range(10, 20):  # the host clock jumped back an hour
        clock.observe(float(second), T0 + timedelta(seconds=second) - timedelta(hours=1))
    start, step = clock.close_segment(10.0)
    assert start == T0 + timedelta(seconds=10)  # this segment started before the step
    assert step == -3600.0
    assert clock.provisional_start(20.0) == T0 + timedelta(seconds=20) - timedelta(hours=1)


def test_file_sources_are_never_moved() -> None:
    clock = StreamClock(live=False, tolerance_s=2.0)
    clock.anchor(5.0, T0)
    start, step = clock.close_segment(5.0)
    assert (start, step) == (T0, None)
    assert clock.close_segment(15.0) == (T0 + timedelta(seconds=10), None)
