"""How pages show times (in the centre's zone), coverage, durations and the causes of holes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from review_app.pages.formatting import coverage_percent, hole_cause, local_time, seconds


@pytest.mark.parametrize(
    ("moment", "timezone", "with_date", "shown"),
    [
        (datetime(2026, 5, 4, 6, 2, 11, tzinfo=UTC), "Asia/Baku", False, "10:02:11"),
        (datetime(2026, 5, 4, 21, 30, tzinfo=UTC), "Asia/Baku", True, "2026-05-05 01:30:00"),  # the next local day
        (datetime(2026, 3, 29, 0, 59, 59, tzinfo=UTC), "Europe/Berlin", False, "01:59:59"),  # before the DST step
        (datetime(2026, 3, 29, 1, 0, 0, tzinfo=UTC), "Europe/Berlin", False, "03:00:00"),  # after it
        (None, "Asia/Baku", False, "—"),
    ],
)
def test_times_are_shown_in_the_centres_local_time(
    moment: datetime | None, timezone: str, with_date: bool, shown: str
) -> None:
    assert local_time(moment, timezone, with_date) == shown


@pytest.mark.parametrize(
    ("share", "shown"),
    [(1.0, "100 %"), (0.9995, "100 %"), (0.9989, "99.8 %"), (0.5, "50.0 %"), (0.0, "0.0 %"), (None, "not linked")],
)
def test_coverage_is_rounded_down_so_missing_footage_never_shows_as_full(share: float | None, shown: str) -> None:
    assert coverage_percent(share) == shown


@pytest.mark.parametrize(("value", "shown"), [(0.4, "0 s"), (24.0, "24 s"), (160.0, "2 min 40 s"), (None, "—")])
def test_durations(value: float | None, shown: str) -> None:
    assert seconds(value) == shown


@pytest.mark.parametrize(
    ("cause", "shown"),
    [
        ("recorded:camera_unreachable", "recorded gap: camera unreachable"),
        ("unexplained", "footage missing with no record of why"),
        ("before_recording", "before seffaf filmed this window"),
        ("something_new", "something new"),
    ],
)
def test_hole_causes_read_as_words(cause: str, shown: str) -> None:
    assert hole_cause(cause) == shown
