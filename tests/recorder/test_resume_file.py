"""A file import stopped part-way (Ctrl-C in `seffaf demo`, SIGTERM) and run again continues where it stopped.

The stop lands on a keyframe, so the second run's first segment starts exactly where the chain ends:
the same frames as an uninterrupted import, no gap, no footage recorded twice.
"""

from __future__ import annotations

import itertools
import threading
from datetime import UTC, datetime
from pathlib import Path

from recorder.metrics import RecorderMetrics
from recorder.source import CameraSpec
from recorder.spool import Spool
from recorder.supervisor import EXIT_OK, Supervisor
from seffaf.clock import utcnow
from seffaf.config import RecorderConfig
from seffaf.storage.local import LocalObjectStore
from tests.support.footage import decode_file, download, stored_manifests

CAMERA = "baku-1-w07"
START = datetime(2026, 5, 1, 5, 0, tzinfo=UTC)
CONFIG = RecorderConfig(segment_seconds=4, min_free_spool_bytes=0)


class StopAfterSegments(RecorderMetrics):
    """Asks the recorder to stop once it has written a number of segments, as Ctrl-C would."""

    def __init__(self, segments: int, stop: threading.Event) -> None:
        super().__init__(CAMERA)
        self._left, self._stop = segments, stop

    def segment_written(self, size_bytes: int) -> None:
        super().segment_written(size_bytes)
        self._left -= 1
        if self._left == 0:
            self._stop.set()


def import_file(tmp_path: Path, store: LocalObjectStore, clip: Path, stop_after: int | None = None) -> None:
    stop = threading.Event()
    metrics = StopAfterSegments(stop_after, stop) if stop_after else RecorderMetrics(CAMERA)
    spec = CameraSpec(CAMERA, str(clip), center="baku-1", window=7)
    spool = Spool(tmp_path / "spool", CAMERA)
    outcome = Supervisor(spec, spool, store, CONFIG, metrics, utcnow, stop, start_time=START).run()
    assert outcome.exit_code == EXIT_OK, outcome.message


def test_an_interrupted_import_run_again_ends_with_every_frame_once_and_no_gap(tmp_path: Path, g711_clip: Path) -> None:
    store = LocalObjectStore(tmp_path / "objects")
    import_file(tmp_path, store, g711_clip, stop_after=2)
    stopped = stored_manifests(store, CAMERA)
    assert 2 <= len(stopped) < 6, "the first run should stop part-way through the 25 s clip"
    stopped_at = stopped[-1].end

    import_file(tmp_path, store, g711_clip)
    manifests = stored_manifests(store, CAMERA)
    assert manifests[: len(stopped)] == stopped  # the first run's segments are kept as they were
    assert manifests[len(stopped)].start == stopped_at  # continued exactly where it stopped
    assert [m.seq for m in manifests] == list(range(1, len(manifests) + 1))
    for before, after in itertools.pairwise(manifests):
        assert after.start == before.end and after.prev_sha256 == before.sha256
    assert sum(m.duration_s for m in manifests) == 25.0
    frames = sum(decode_file(download(store, m.key, tmp_path)).video_frames for m in manifests)
    assert frames == 25 * 25  # every source frame once: none skipped at the stop, none recorded twice
    assert list(store.list(f"gaps/{CAMERA}/")) == []


def test_an_import_run_again_after_it_finished_records_nothing_twice(tmp_path: Path, g711_clip: Path) -> None:
    store = LocalObjectStore(tmp_path / "objects")
    import_file(tmp_path, store, g711_clip)
    first = stored_manifests(store, CAMERA)
    import_file(tmp_path, store, g711_clip)
    assert stored_manifests(store, CAMERA) == first
