"""The camera gone for sixty seconds while the recorder runs (real RTSP camera, real SeaweedFS).

What an auditor checks afterwards: one `camera_unreachable` gap whose bounds are when the camera
really went and came back, no segment claiming footage from inside it, the footage after it
decodes, and the chain verifies.
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
OUTAGE_S = 60


def test_camera_gone_for_sixty_seconds_is_a_gap_with_true_bounds(
    tmp_path: Path, rtsp_camera_factory: RtspCameraFactory, seaweed_server: SeaweedServer,
    recorder_cleanup: list[Recorder],
) -> None:  # fmt: skip
    camera = rtsp_camera_factory(["/cam1"])
    url = seaweed_server.url("camdown")
    store = store_for(url)
    # Short segments: the first one is stored sooner, and footage after the outage spans several.
    rec = Recorder(tmp_path, camera.url("/cam1"), url, "--segment-seconds", "4")
    recorder_cleanup.append(rec)
    wait_for(lambda: stored_manifests(store, CAMERA), 40, "the first segment")
    time.sleep(4)
    camera.stop()
    down_at = datetime.now(UTC)
    time.sleep(OUTAGE_S)
    camera.start()
    up_at = datetime.now(UTC)
    time.sleep(12)
    assert rec.terminate() == 0, rec.log()

    outages = [g for g in gaps(store) if g.cause is GapCause.CAMERA_UNREACHABLE]
    assert len(outages) == 1, gaps(store)
    gap = outages[0]
    assert abs((gap.start - down_at).total_seconds()) < 2.0, (gap.start, down_at)
    assert abs((gap.end - up_at).total_seconds()) < 2.0, (gap.end, up_at)
    assert "reconnect" in rec.log()

    manifests = stored_manifests(store, CAMERA)
    assert [m.seq for m in manifests] == list(range(1, len(manifests) + 1))
    # No segment was written while the camera was gone: each lies wholly before or after the gap.
    inside = [m.seq for m in manifests if m.end > gap.start and m.start < gap.end]
    assert inside == [], [(m.seq, m.start, m.end) for m in manifests]
    before = [m for m in manifests if m.end <= gap.start]
    after = [m for m in manifests if m.start >= gap.end]
    assert before and after
    assert before[-1].end == gap.start and after[0].start == gap.end  # the gap is exactly the missing span
    assert after[0].seq == before[-1].seq + 1
    assert sum(m.duration_s for m in after) > 8.0, [m.duration_s for m in after]
    for manifest in after:
        decoded = decode_file(download(store, manifest.key, tmp_path))
        assert decoded.video_frames == manifest.video.packets > 0
    check = seffaf("verify-chain", "--camera", CAMERA, "--storage", url, cwd=tmp_path)
    assert check.returncode == 0, check.stdout
