"""The recorder's wall clock stepped an hour forward, then back, in the middle of a live recording.

A live camera (MPEG-TS over TCP, generated at test time) feeds the real supervisor in-process;
its wall clock is a test clock that moves one frame per packet, so the step lands on a known
frame whatever the machine's speed. The policy under test (recorder/clocking.py, session.py):
durations come from stream time, a disagreement beyond the clock tolerance re-anchors the wall
clock and is noted on the next segment's warnings, a forward step leaves a `clock_step` gap
so the skipped span is explained, and keys lead with the sequence number.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import re
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypedDict

import av
import pytest
from typer.testing import CliRunner

from recorder.metrics import RecorderMetrics
from recorder.source import CameraSpec
from recorder.spool import Spool
from recorder.supervisor import EXIT_OK, Supervisor
from seffaf.cli.main import app
from seffaf.config import RecorderConfig
from seffaf.manifests import GapCause, SegmentManifest
from seffaf.storage.local import LocalObjectStore
from seffaf.synthetic_media import SyntheticClip, write_clip
from tests.support.footage import download, stored_manifests
from tests.support.recorder_daemon import CAMERA, gaps

pytestmark = pytest.mark.integration
T0 = datetime(2026, 5, 4, 6, 0, tzinfo=UTC)
FPS = 25
CLIP = SyntheticClip(seconds=16.0, width=320, height=180, fps=FPS, gop_seconds=2.0, audio="none")
STEP_FORWARD_AT, STEP_BACK_AT = 125, 275  # frames: mid seq 3 and mid seq 6 of 2 s segments
HOUR = 3600.0
REANCHORED = re.compile(r"wall clock disagreed with stream time by ([+-][0-9.]+)s: re-anchored")


class VerifyReport(TypedDict):
    """What `seffaf verify-chain --json` prints (the parts these tests read)."""

    intact: bool
    segments_checked: int
    problems: list[object]
    unexplained_holes: list[object]


class FrameClock:
    """The wall clock as the recording thread sees it: one frame later on every reading.

    The session reads the clock once per video packet (plus a few bookkeeping reads), so
    arrival tracks capture as on a live camera. Other threads (the uploader) read it unmoved.
    """

    def __init__(self, start: datetime, recording_thread: threading.Thread) -> None:
        self._now = start
        self._thread = recording_thread
        self._offset = timedelta()
        self.readings = 0
        self.steps: dict[int, timedelta] = {}

    def __call__(self) -> datetime:
        if threading.current_thread() is not self._thread:
            return self._now + self._offset
        self._offset += self.steps.pop(self.readings, timedelta())
        self.readings += 1
        self._now += timedelta(seconds=1 / FPS)
        return self._now + self._offset


@dataclass(frozen=True)
class TcpCamera:
    """Serves the clip once to the first connection; any reconnect means the recording is over."""

    port: int
    done: threading.Event


@pytest.fixture(scope="module")
def camera_clip(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return write_clip(tmp_path_factory.mktemp("camera") / "camera.ts", CLIP).read_bytes()


@pytest.fixture
def tcp_camera(camera_clip: bytes) -> Iterator[TcpCamera]:
    clip = camera_clip
    listener = socket.create_server(("127.0.0.1", 0))
    done = threading.Event()

    def serve() -> None:
        with listener, contextlib.suppress(OSError):  # OSError: closed at teardown, the test failed
            connection, _ = listener.accept()
            with connection:
                connection.sendall(clip)
            connection, _ = listener.accept()  # the supervisor reconnecting after the stream ended
            done.set()
            connection.close()

    server = threading.Thread(target=serve, name="tcp-camera", daemon=True)
    server.start()
    yield TcpCamera(listener.getsockname()[1], done)
    done.set()
    listener.close()


def record_live(tmp_path: Path, camera: TcpCamera, steps: dict[int, float]) -> LocalObjectStore:
    store = LocalObjectStore(tmp_path / "objects")
    config = RecorderConfig(
        segment_seconds=2, reconnect_initial_seconds=0.05, reconnect_max_seconds=0.1, min_free_spool_bytes=0
    )
    clock = FrameClock(T0, threading.current_thread())
    clock.steps = {frame: timedelta(seconds=seconds) for frame, seconds in steps.items()}
    spec = CameraSpec(CAMERA, f"tcp://127.0.0.1:{camera.port}", center="baku-1", window=7)
    supervisor = Supervisor(
        spec, Spool(tmp_path / "spool", CAMERA), store, config, RecorderMetrics(CAMERA), clock, camera.done
    )
    outcome = supervisor.run()
    assert outcome.exit_code == EXIT_OK, outcome.message
    assert not clock.steps, "the recording ended before every clock step was taken"
    return store


def media_seconds(path: Path) -> float:
    """Video duration as PyAV reads it from the stored file: first frame to the end of the last."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        assert stream.time_base is not None
        spans = [(p.pts, p.pts + (p.duration or 0)) for p in container.demux(stream) if p.pts is not None]
    return float((max(end for _, end in spans) - min(start for start, _ in spans)) * stream.time_base)


def reanchor_steps_s(manifest: SegmentManifest) -> list[float]:
    """The clock steps a segment's warnings report ("... by +3600.160s: re-anchored")."""
    return [float(m.group(1)) for w in manifest.warnings if (m := REANCHORED.fullmatch(w))]


def test_wall_clock_stepped_forward_then_back_keeps_keys_chain_and_durations(
    tmp_path: Path, tcp_camera: TcpCamera
) -> None:
    store = record_live(tmp_path, tcp_camera, {STEP_FORWARD_AT: HOUR, STEP_BACK_AT: -HOUR})
    manifests = stored_manifests(store, CAMERA)

    assert [m.seq for m in manifests] == list(range(1, 9))
    keys = [m.key for m in manifests]
    assert len(set(keys)) == len(keys)
    for before, after in itertools.pairwise(manifests):
        assert after.prev_sha256 == before.sha256
    for manifest in manifests:
        assert abs(manifest.duration_s - media_seconds(download(store, manifest.key, tmp_path))) < 0.1
    assert sum(m.duration_s for m in manifests) == pytest.approx(CLIP.seconds, abs=0.1)

    # The forward step is seen on seq 4 (the first segment wholly after it) and places seq 5 an
    # hour on; the step back is seen on seq 6 and places seq 7 back where stream time says.
    offsets = [round((m.start - T0).total_seconds()) for m in manifests]
    assert offsets == [0, 2, 4, 6, 8 + 3600, 10 + 3600, 12, 14]
    # The clock's bookkeeping readings (commits) add a few frames of drift: well inside the tolerance.
    steps = {m.seq: reanchor_steps_s(m) for m in manifests if reanchor_steps_s(m)}
    assert sorted(steps) == [5, 7]
    assert steps[5] == [pytest.approx(HOUR, abs=0.5)]
    assert steps[7] == [pytest.approx(-HOUR, abs=0.5)]
    # After the step back, the wall clock revisits the hour it already recorded: keys still differ.
    assert manifests[6].start < manifests[5].start

    # Nothing was lost, but the forward step leaves an hour with no footage: one gap says why.
    [gap] = gaps(store)
    assert gap.cause is GapCause.CLOCK_STEP
    assert (gap.start, gap.end) == (manifests[3].end, manifests[4].start)
    assert (gap.end - gap.start).total_seconds() == pytest.approx(HOUR, abs=0.5)

    report = verify_chain(store)
    assert report["segments_checked"] == 8
    assert report["problems"] == [], report  # every hash and chain link verifies


def test_wall_clock_stepped_forward_leaves_a_chain_that_verifies_intact(tmp_path: Path, tcp_camera: TcpCamera) -> None:
    store = record_live(tmp_path, tcp_camera, {STEP_FORWARD_AT: HOUR})
    assert [m.seq for m in stored_manifests(store, CAMERA)] == list(range(1, 9))
    [gap] = gaps(store)
    assert gap.cause is GapCause.CLOCK_STEP
    report = verify_chain(store)
    assert report["unexplained_holes"] == [], report
    assert report["intact"], report


def verify_chain(store: LocalObjectStore) -> VerifyReport:
    """`seffaf verify-chain --json`, as an auditor runs it; its exit status must agree with the report."""
    check = CliRunner().invoke(app, ["verify-chain", "--camera", CAMERA, "--storage", store.root.as_uri(), "--json"])
    report: VerifyReport = json.loads(check.stdout)
    assert (check.exit_code == 0) == report["intact"], check.output
    return report
