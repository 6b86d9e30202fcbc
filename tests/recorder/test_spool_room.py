"""How much free spool space the recorder waits for before it takes footage again."""

from __future__ import annotations

import pytest

from recorder.supervisor import DISK_FULL_FLOOR_BYTES, spool_room_needed

MiB = 1 << 20


@pytest.mark.parametrize(
    ("min_free", "free_now", "largest_waiting", "needed"),
    [
        (256 * MiB, 100 * MiB, None, 256 * MiB),  # below the configured minimum: wait for the minimum
        (0, 0, None, 0),  # no minimum and not out of space: nothing to wait for
        (0, 20_000, 150_000, 170_000),  # out of space, minimum 0: one more waiting segment's worth
        (0, 20_000, 0, 20_000 + DISK_FULL_FLOOR_BYTES),  # out of space, nothing waits: a floor, never "now"
        (256 * MiB, 20_000, 150_000, 256 * MiB),  # the minimum still rules when it asks for more
    ],
)
def test_room_waited_for(min_free: int, free_now: int, largest_waiting: int | None, needed: int) -> None:
    assert spool_room_needed(min_free, free_now, largest_waiting) == needed
