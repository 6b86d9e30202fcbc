"""The spool's disk fills while the object store is down (real RTSP camera, SeaweedFS, a tmpfs).

The spool lives on a filesystem of a few MB made for the test. With the store stopped, segments
pile up there until free space falls below `recorder.min_free_spool_bytes`. What an operator
checks: the ALARM in the log and `seffaf_spool_full 1` on the metrics page; no segment waiting
for upload deleted to make room; once the store is back the spool drains in order with every
hash intact, recording resumes, a `spool_full` gap covers the time no footage was taken, the
chain verifies and the metric is back to 0. The second test sets the minimum below what the disk
holds, so the disk itself runs out (ENOSPC) in the middle of a segment.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from seffaf.manifests import GapCause, GapManifest
from seffaf.storage.base import ObjectStore
from tests.support.cli import seffaf
from tests.support.footage import decode_file, download, stored_manifests
from tests.support.recorder_daemon import CAMERA, Recorder, gaps, scrape_metrics, spool_empty, store_for, wait_for
from tests.support.rtsp import RtspCameraFactory, free_port
from tests.support.seaweed import SeaweedFactory, SeaweedServer
from tests.support.small_filesystem import small_filesystem

pytestmark = pytest.mark.integration
MIB = 1024 * 1024
# 2 s segments of the ~800 kb/s camera are ~0.2 MB: a 7 MiB minimum on 8 MiB trips after a handful.
SPOOL_DISK, MIN_FREE = 8 * MIB, 7 * MIB
TINY_DISK = 1 * MIB  # with no minimum to speak of, full after ~4 segments
FULL = f'seffaf_spool_full{{camera="{CAMERA}"}} 1.0'
NOT_FULL = f'seffaf_spool_full{{camera="{CAMERA}"}} 0.0'


@pytest.fixture
def small_spool(tmp_path: Path) -> Iterator[Path]:
    yield from small_filesystem(tmp_path / "spool", SPOOL_DISK)


@pytest.fixture
def tiny_spool(tmp_path: Path) -> Iterator[Path]:
    yield from small_filesystem(tmp_path / "spool", TINY_DISK)


@dataclass(frozen=True)
class Setup:
    server: SeaweedServer
    url: str
    store: ObjectStore
    recorder: Recorder
    metrics_port: int


def record_with_the_store_going_down(
    tmp_path: Path, camera_factory: RtspCameraFactory, seaweed_factory: SeaweedFactory, min_free: int,
    cleanup: list[Recorder],
) -> Setup:  # fmt: skip
    """Record 2 s segments; once the first is stored, stop the store so the rest wait in the spool."""
    camera = camera_factory(["/cam1"])
    server = seaweed_factory()
    url = server.url("spoolfull")
    store = store_for(url)
    metrics_port = free_port()
    env = {
        "SEFFAF_RECORDER__MIN_FREE_SPOOL_BYTES": str(min_free),
        "SEFFAF_RECORDER__UPLOAD_RETRY_MAX_SECONDS": "2",  # retry soon after the store is back
    }
    rec = Recorder(tmp_path, camera.url("/cam1"), url, "--segment-seconds", "2", "--metrics-port", str(metrics_port),
                   env=env)  # fmt: skip
    cleanup.append(rec)
    wait_for(lambda: stored_manifests(store, CAMERA), 40, "the first segment in the store")
    server.stop()
    return Setup(server, url, store, rec, metrics_port)


def spooled_segments(spool: Path) -> dict[int, str]:
    """Segment files waiting in the spool (named by sequence number), with the SHA-256 of their bytes."""
    ready = spool / CAMERA / "ready"
    return {int(path.stem): hashlib.sha256(path.read_bytes()).hexdigest() for path in ready.glob("*.mp4")}


def still_held(spool: Path, held: dict[int, str]) -> dict[int, str]:
    """The spool now, after checking that every segment in `held` is still there, unaltered."""
    now = spooled_segments(spool)
    assert {seq: now.get(seq) for seq in held} == held, "a segment waiting for upload was deleted or altered"
    assert sorted(now) == list(range(min(now), max(now) + 1)), sorted(now)
    return now


def arrived_after_the_store_came_back(
    setup: Setup, tmp_path: Path, held: dict[int, str], outage_from: datetime, restarted_at: datetime
) -> GapManifest:
    """Everything held arrived in order and unaltered, recording resumed; the one gap in between."""
    store, last_held = setup.store, max(held)
    wait_for(lambda: len(stored_manifests(store, CAMERA)) >= last_held + 2, 90, "recording after the outage")
    wait_for(lambda: spool_empty(tmp_path), 30, "the spool to drain")
    assert NOT_FULL in scrape_metrics(setup.metrics_port)
    assert setup.recorder.terminate() == 0, setup.recorder.log()

    manifests = stored_manifests(store, CAMERA)
    assert [m.seq for m in manifests] == list(range(1, len(manifests) + 1))
    for seq, sha256 in held.items():
        assert manifests[seq - 1].sha256 == sha256
    for manifest in manifests:
        assert store.compute_sha256(manifest.key) == manifest.sha256
    stamps = [store.stat(m.key).last_modified for m in manifests]
    assert stamps == sorted(stamps)

    [gap] = gaps(store)
    before, after = manifests[last_held - 1], manifests[last_held]
    assert (gap.start, gap.end) == (before.end, after.start)
    assert gap.start <= outage_from and gap.end >= restarted_at, (gap.start, gap.end, outage_from, restarted_at)
    assert decode_file(download(store, after.key, tmp_path)).video_frames == after.video.packets > 0
    check = seffaf("verify-chain", "--camera", CAMERA, "--storage", setup.url, cwd=tmp_path)
    assert check.returncode == 0, check.stdout + check.stderr
    return gap


def test_spool_below_its_minimum_raises_the_alarm_deletes_nothing_and_resumes_once_uploads_free_space(
    tmp_path: Path, small_spool: Path, rtsp_camera_factory: RtspCameraFactory, seaweed_factory: SeaweedFactory,
    recorder_cleanup: list[Recorder],
) -> None:  # fmt: skip
    setup = record_with_the_store_going_down(tmp_path, rtsp_camera_factory, seaweed_factory, MIN_FREE,
                                             recorder_cleanup)  # fmt: skip
    wait_for(lambda: "ALARM" in setup.recorder.log(), 60, "the spool-full alarm")
    alarm_at = datetime.now(UTC)
    assert FULL in scrape_metrics(setup.metrics_port)
    held = spooled_segments(small_spool)
    assert len(held) >= 3, "segments should have piled up in the spool before the alarm"
    assert not list((small_spool / CAMERA / "open").glob("*.part")), "the current segment should be closed"
    time.sleep(3)  # the alarm holds: no footage is taken, and nothing waiting is deleted for room
    assert still_held(small_spool, held) == held
    assert FULL in scrape_metrics(setup.metrics_port)

    setup.server.restart()
    gap = arrived_after_the_store_came_back(setup, tmp_path, held, alarm_at, datetime.now(UTC))
    assert gap.cause is GapCause.SPOOL_FULL


def test_spool_disk_out_of_space_mid_segment_keeps_every_closed_segment(
    tmp_path: Path, tiny_spool: Path, rtsp_camera_factory: RtspCameraFactory, seaweed_factory: SeaweedFactory,
    recorder_cleanup: list[Recorder],
) -> None:  # fmt: skip
    setup = record_with_the_store_going_down(tmp_path, rtsp_camera_factory, seaweed_factory, 0, recorder_cleanup)
    wait_for(lambda: "No space left on device" in setup.recorder.log(), 60, "the spool disk to run out")
    out_of_space_at = datetime.now(UTC)
    time.sleep(1)  # the segment cut short by ENOSPC is kept up to its last whole fragment
    held = spooled_segments(tiny_spool)
    assert len(held) >= 2, "segments should have piled up in the spool before the disk ran out"
    time.sleep(3)  # still out of space: nothing waiting is deleted for room
    held = still_held(tiny_spool, held)
    metrics_while_full = scrape_metrics(setup.metrics_port)

    setup.server.restart()
    gap = arrived_after_the_store_came_back(setup, tmp_path, held, out_of_space_at, datetime.now(UTC))
    assert "ALARM" in setup.recorder.log() and "reconnecting" not in setup.recorder.log(), setup.recorder.log()
    assert FULL in metrics_while_full
    assert gap.cause is GapCause.SPOOL_FULL
