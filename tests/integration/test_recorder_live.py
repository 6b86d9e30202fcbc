"""The recorder daemon against a real RTSP camera (GStreamer) and a real S3 store (SeaweedFS).

Thirty seconds of a healthy camera, checked as an auditor would: every segment decodes with its
audio, durations add up to the wall-clock time, the chain verifies. The ways it breaks (kill -9,
camera gone, store down, spool disk full) are in tests/faults/.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.support.cli import seffaf
from tests.support.footage import decode_file, download, stored_manifests
from tests.support.recorder_daemon import CAMERA, Recorder, gaps, scrape_metrics, store_for, wait_for
from tests.support.rtsp import RtspCameraFactory, free_port
from tests.support.seaweed import SeaweedServer

pytestmark = pytest.mark.integration


def test_thirty_seconds_of_camera_become_decodable_segments_with_audio(
    tmp_path: Path, rtsp_camera_factory: RtspCameraFactory, seaweed_server: SeaweedServer,
    recorder_cleanup: list[Recorder],
) -> None:  # fmt: skip
    camera = rtsp_camera_factory(["/cam1"])
    url = seaweed_server.url("live30")
    metrics_port = free_port()
    rec = Recorder(tmp_path, camera.url("/cam1"), url, "--metrics-port", str(metrics_port))
    recorder_cleanup.append(rec)
    store = store_for(url)
    wait_for(lambda: stored_manifests(store, CAMERA), 40, "the first segment in the store")
    first_start = stored_manifests(store, CAMERA)[0].start
    time.sleep(max(0.0, 30 - (datetime.now(UTC) - first_start).total_seconds()))
    metrics = scrape_metrics(metrics_port)
    stopped_at = datetime.now(UTC)
    assert rec.terminate() == 0, rec.log()

    manifests = stored_manifests(store, CAMERA)
    assert [m.seq for m in manifests] == list(range(1, len(manifests) + 1))
    assert len(manifests) in (3, 4), [m.duration_s for m in manifests]
    recorded = sum(m.duration_s for m in manifests)
    wall = (stopped_at - manifests[0].start).total_seconds()
    assert abs(recorded - wall) < 1.0, (recorded, wall)
    for manifest in manifests:
        decoded = decode_file(download(store, manifest.key, tmp_path))
        assert decoded.video_frames == manifest.video.packets > 0
        assert decoded.audio_codec == "aac"
        if manifest.duration_s >= 1.0:  # a last sliver cut by SIGTERM may hold no audio packet yet
            assert decoded.audio_frames > 0
        assert manifest.audio_status.value == "transcoded" and manifest.audio is not None
        assert manifest.audio.source_codec == "pcm_alaw"
    assert f'seffaf_segments_written_total{{camera="{CAMERA}"}}' in metrics
    assert gaps(store) == []
    check = seffaf("verify-chain", "--camera", CAMERA, "--storage", url, cwd=tmp_path)
    assert check.returncode == 0, check.stdout + check.stderr
