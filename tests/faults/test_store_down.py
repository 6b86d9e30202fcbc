"""The object store down for thirty seconds while the recorder runs (real RTSP camera, real SeaweedFS).

The spool absorbs the outage: nothing is lost, every segment arrives afterwards in sequence
order with its hash intact, no gap is recorded, and the chain verifies.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.support.cli import seffaf
from tests.support.footage import stored_manifests
from tests.support.recorder_daemon import CAMERA, Recorder, gaps, spool_empty, store_for, wait_for
from tests.support.rtsp import RtspCameraFactory
from tests.support.seaweed import SeaweedFactory

pytestmark = pytest.mark.integration


def test_store_down_for_thirty_seconds_loses_nothing_and_uploads_in_order(
    tmp_path: Path, rtsp_camera_factory: RtspCameraFactory, seaweed_factory: SeaweedFactory,
    recorder_cleanup: list[Recorder],
) -> None:  # fmt: skip
    camera = rtsp_camera_factory(["/cam1"])
    server = seaweed_factory()
    url = server.url("storedown")
    store = store_for(url)
    rec = Recorder(tmp_path, camera.url("/cam1"), url, "--segment-seconds", "4")
    recorder_cleanup.append(rec)
    wait_for(lambda: stored_manifests(store, CAMERA), 40, "the first segment")
    server.stop()
    time.sleep(30)
    held = [p for p in (tmp_path / "spool" / CAMERA / "ready").glob("*.mp4")]
    assert len(held) >= 5, "segments should wait in the spool while the store is down"
    server.restart()
    wait_for(lambda: spool_empty(tmp_path), 90, "the spool to drain after the store came back")
    assert rec.terminate() == 0, rec.log()

    manifests = stored_manifests(store, CAMERA)
    assert [m.seq for m in manifests] == list(range(1, len(manifests) + 1))
    assert len(manifests) >= 9
    for manifest in manifests:
        assert store.compute_sha256(manifest.key) == manifest.sha256
    # In order: each media object was stored no later than the next one.
    stamps = [store.stat(m.key).last_modified for m in manifests]
    assert stamps == sorted(stamps)
    assert gaps(store) == []  # the spool absorbed the outage: no footage missing
    check = seffaf("verify-chain", "--camera", CAMERA, "--storage", url, cwd=tmp_path)
    assert check.returncode == 0, check.stdout
