"""kill -9 of the recorder half-way through a segment (real RTSP camera, real SeaweedFS).

What an auditor checks afterwards: the partial segment is kept up to its last whole fragment
and decodes, the downtime is a `recorder_down` gap with true bounds, and the chain verifies.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from seffaf.manifests import GapCause
from tests.support.cli import seffaf
from tests.support.footage import decode_file, download, stored_manifests
from tests.support.recorder_daemon import CAMERA, Recorder, gaps, store_for, wait_for
from tests.support.rtsp import RtspCameraFactory
from tests.support.seaweed import SeaweedServer

pytestmark = pytest.mark.integration


def test_kill_9_mid_segment_recovers_the_partial_segment_and_records_the_downtime(
    tmp_path: Path, rtsp_camera_factory: RtspCameraFactory, seaweed_server: SeaweedServer,
    recorder_cleanup: list[Recorder],
) -> None:  # fmt: skip
    camera = rtsp_camera_factory(["/cam1"])
    url = seaweed_server.url("kill9")
    store = store_for(url)
    rec = Recorder(tmp_path, camera.url("/cam1"), url)
    recorder_cleanup.append(rec)
    wait_for(lambda: len(stored_manifests(store, CAMERA)) >= 1, 40, "the first segment")
    first = stored_manifests(store, CAMERA)[0]
    # Kill half-way through the second segment.
    time.sleep(max(0.0, (first.end - datetime.now(UTC)).total_seconds() + 5.5))
    killed_at = datetime.now(UTC)
    rec.kill9()
    part = list((tmp_path / "spool" / CAMERA / "open").glob("*.part"))
    assert len(part) == 1, "a partial segment should be left by the crash"
    time.sleep(3)
    rec.restart()
    wait_for(lambda: len(stored_manifests(store, CAMERA)) >= 3, 60, "segments after the restart")
    assert rec.terminate() == 0, rec.log()

    manifests = stored_manifests(store, CAMERA)
    assert [m.seq for m in manifests] == list(range(1, len(manifests) + 1))
    recovered = manifests[1]
    assert recovered.recovered and any("recovered" in w for w in recovered.warnings)
    # At most ~1 s (one fragment) is lost to the kill.
    assert abs((recovered.end - killed_at).total_seconds()) < 1.5, (recovered.end, killed_at)
    decoded = decode_file(download(store, recovered.key, tmp_path))
    assert decoded.video_frames == recovered.video.packets > 0
    downtime = [g for g in gaps(store) if g.cause is GapCause.RECORDER_DOWN]
    assert len(downtime) == 1
    assert downtime[0].start == recovered.end
    assert downtime[0].end == manifests[2].start
    assert downtime[0].duration_s > 2.5
    check = seffaf("verify-chain", "--camera", CAMERA, "--storage", url, cwd=tmp_path)
    assert check.returncode == 0, check.stdout
    assert "recorded gap" in check.stdout
