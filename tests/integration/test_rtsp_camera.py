"""The GStreamer test camera is a real RTSP camera as far as our recorder's demuxer (PyAV) is concerned."""

from __future__ import annotations

import itertools
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import av
import pytest

from recorder.source import CameraSpec, choose_audio, open_source
from seffaf.manifests import AudioStatus
from tests.support import rtsp
from tests.support.rtsp import RtspCamera, RtspCameraError, RtspCameraFactory

pytestmark = [pytest.mark.integration, pytest.mark.timeout(60)]

OPEN_TIMEOUT_S = 10.0
READ_TIMEOUT_S = 5.0


def open_camera(url: str) -> av.container.InputContainer:
    return av.open(url, options={"rtsp_transport": "tcp"}, timeout=(OPEN_TIMEOUT_S, READ_TIMEOUT_S))


@dataclass
class Capture:
    """Video/audio packets read from one RTSP session (payload-less packets dropped)."""

    video_pts: list[int | None] = field(default_factory=list)
    video_dts: list[int | None] = field(default_factory=list)
    video_key: list[bool] = field(default_factory=list)
    audio_pts: list[int | None] = field(default_factory=list)
    audio_sizes: list[int] = field(default_factory=list)
    video_time_base: Fraction = Fraction(1, 90_000)
    decoded_sizes: list[tuple[int, int]] = field(default_factory=list)

    @property
    def video_seconds(self) -> float:
        stamped = [p for p in self.video_pts if p is not None]
        return float((stamped[-1] - stamped[0]) * self.video_time_base) if len(stamped) > 1 else 0.0


def capture(url: str, video_seconds: float, wall_limit_s: float = 12.0, decode: int = 0) -> Capture:
    """Read until ``video_seconds`` of video timestamps were seen; decode the first ``decode`` frames."""
    cap = Capture()
    deadline = time.monotonic() + wall_limit_s
    with open_camera(url) as container:
        video = container.streams.video[0]
        cap.video_time_base = video.time_base or Fraction(1, 90_000)
        audio = container.streams.audio[0] if container.streams.audio else None
        streams = [s for s in (video, audio) if s is not None]
        for packet in container.demux(streams):
            if packet.size == 0:  # flush packets carry no data
                continue
            if packet.stream.type == "video":
                cap.video_pts.append(packet.pts)
                cap.video_dts.append(packet.dts)
                cap.video_key.append(packet.is_keyframe)
                if len(cap.decoded_sizes) < decode:
                    cap.decoded_sizes.extend((f.width, f.height) for f in video.codec_context.decode(packet))
            else:
                cap.audio_pts.append(packet.pts)
                cap.audio_sizes.append(packet.size)
            if cap.video_seconds >= video_seconds or time.monotonic() > deadline:
                break
    return cap


def assert_increasing(values: list[int | None], what: str, max_leading_none: int = 2) -> list[int]:
    """Timestamps may be missing only on the very first packets (before RTCP sync); then strictly rise."""
    first = next((i for i, v in enumerate(values) if v is not None), len(values))
    assert first <= max_leading_none, f"{what}: first {first} packets have no timestamp"
    stamped = values[first:]
    assert all(v is not None for v in stamped), f"{what}: timestamp missing mid-stream: {stamped}"
    ints = [v for v in stamped if v is not None]
    steps = [b - a for a, b in itertools.pairwise(ints)]
    assert steps, f"{what}: too few packets ({len(ints)})"
    assert min(steps) > 0, f"{what}: timestamps do not strictly increase (steps {sorted(set(steps))})"
    return ints


def assert_regular(stamps: list[int], step: float, what: str) -> None:
    """Steps of one packet each: nearly all exact, none backwards or skipping a packet, mean exact.

    FFmpeg re-bases RTP timestamps on every RTCP sender report when a session has more than one
    stream (to sync audio and video), so a step next to an SR is off by a few ticks (up to a few
    ms when the machine is loaded). Everything else is exact to the tick.
    """
    steps = [b - a for a, b in itertools.pairwise(stamps)]
    assert all(0 < s < 2 * step for s in steps), f"{what}: irregular steps {sorted(set(steps))}"
    exact = sum(abs(s - step) <= 1 for s in steps)
    assert exact >= 0.9 * len(steps), f"{what}: only {exact}/{len(steps)} steps are {step}"
    mean = (stamps[-1] - stamps[0]) / len(steps)
    assert abs(mean - step) < step / 100, f"{what}: mean step {mean} != {step}"


def assert_live_camera(cap: Capture, camera: RtspCamera, seconds: float) -> None:
    assert cap.video_seconds >= seconds - 0.1, f"only {cap.video_seconds:.2f}s of video"
    vpts = assert_increasing(cap.video_pts, "video pts")
    assert_increasing(cap.video_dts, "video dts")
    # One packet per frame: 3600 ticks of the 90 kHz clock at 25 fps.
    assert_regular(vpts, float(1 / (camera.fps * cap.video_time_base)), "video pts")
    # G.711 at 8 kHz in 20 ms packets: 160 samples = 160 bytes each, pts in 1/8000.
    apts = assert_increasing(cap.audio_pts, "audio pts", max_leading_none=0)
    assert_regular(apts, 160.0, "audio pts")
    assert set(cap.audio_sizes) == {160}


def test_camera_is_h264_plus_alaw_with_fixed_gop(rtsp_camera: RtspCamera) -> None:
    url = rtsp_camera.url("/cam1")
    assert url == f"rtsp://127.0.0.1:{rtsp_camera.port}/cam1"

    # What the recorder itself opens: same options, and it would transcode G.711 to AAC.
    with open_source(CameraSpec(camera="cam1", source=url), "tcp", OPEN_TIMEOUT_S, READ_TIMEOUT_S) as src:
        (video,) = src.streams.video
        (audio,) = src.streams.audio
        assert video.codec_context.name == "h264"
        assert (video.codec_context.width, video.codec_context.height) == (640, 360)
        assert audio.codec_context.name == "pcm_alaw"
        assert audio.sample_rate == 8000
        assert audio.codec_context.channels == 1
        assert choose_audio(audio).status is AudioStatus.TRANSCODED

    cap = capture(url, video_seconds=3.0, decode=3)
    assert_live_camera(cap, rtsp_camera, 3.0)
    assert cap.decoded_sizes and set(cap.decoded_sizes) == {(640, 360)}

    keys = [i for i, k in enumerate(cap.video_key) if k]
    assert len(keys) >= 2, f"expected >= 2 keyframes in 3 s with a 2 s GOP, got packets {keys}"
    gaps = {b - a for a, b in itertools.pairwise(keys)}
    assert gaps == {rtsp_camera.gop_frames}, f"keyframe every {gaps} frames, expected {rtsp_camera.gop_frames}"
    stamped_keys = [pts for i in keys if (pts := cap.video_pts[i]) is not None]
    key_seconds = [float((b - a) * cap.video_time_base) for a, b in itertools.pairwise(stamped_keys)]
    assert all(abs(s - rtsp_camera.gop_seconds) < 0.05 for s in key_seconds), key_seconds


def test_restart_serves_same_url_again(rtsp_camera: RtspCamera) -> None:
    url = rtsp_camera.url("/cam1")
    port, pid = rtsp_camera.port, rtsp_camera.pid
    assert len(capture(url, video_seconds=0.5).video_pts) > 5

    rtsp_camera.stop()
    assert not rtsp_camera.running
    with pytest.raises(av.error.ConnectionRefusedError):
        open_camera(url)

    rtsp_camera.start()
    assert rtsp_camera.port == port
    assert rtsp_camera.pid != pid
    assert rtsp_camera.url("/cam1") == url
    cap = capture(url, video_seconds=1.0)
    assert_live_camera(cap, rtsp_camera, 1.0)
    # A fresh pipeline: the first client after a restart starts on the encoder's first IDR.
    assert cap.video_key[0], "first packet after restart is not a keyframe"

    rtsp_camera.restart()  # the one-call form, also same port
    assert rtsp_camera.port == port
    assert len(capture(url, video_seconds=0.5).video_pts) > 5


def test_client_sees_end_of_stream_when_camera_stops(rtsp_camera: RtspCamera) -> None:
    """A recorder must treat a *clean* end of a live stream as a disconnect: that is what it gets."""
    with open_camera(rtsp_camera.url("/cam1")) as container:
        packets = container.demux()
        for _, _packet in zip(range(30), packets, strict=False):
            pass
        rtsp_camera.stop()
        started = time.monotonic()
        leftovers = sum(1 for _ in packets)  # ends without an exception once buffered data is drained
        assert time.monotonic() - started < READ_TIMEOUT_S
        assert leftovers < 200


def test_two_mounts_are_independent(rtsp_camera_factory: RtspCameraFactory) -> None:
    camera = rtsp_camera_factory(["/cam1", "/cam2"], width=320, height=240, gop_seconds=1.0)
    assert camera.url("/cam2") == f"rtsp://127.0.0.1:{camera.port}/cam2"
    with pytest.raises(KeyError):
        camera.url("/cam3")

    with open_camera(camera.url("/cam1")) as c1, open_camera(camera.url("/cam2")) as c2:
        for c in (c1, c2):
            assert c.streams.video[0].codec_context.name == "h264"
            assert (c.streams.video[0].codec_context.width, c.streams.video[0].codec_context.height) == (320, 240)
            assert c.streams.audio[0].codec_context.name == "pcm_alaw"
        # Both deliver at the same time, each at full rate.
        counts = {"c1": 0, "c2": 0}
        d1, d2 = c1.demux(c1.streams.video[0]), c2.demux(c2.streams.video[0])
        while min(counts.values()) < 30:
            counts["c1"] += next(d1).size > 0
            counts["c2"] += next(d2).size > 0

    # cam2 keeps serving on its own after both clients left; an unknown mount is refused.
    cap2 = capture(camera.url("/cam2"), video_seconds=1.0)
    assert_live_camera(cap2, camera, 1.0)
    with pytest.raises(av.error.FFmpegError):
        open_camera(f"rtsp://127.0.0.1:{camera.port}/nope")

    # A second camera process is fully separate: stopping it leaves the first untouched.
    other = rtsp_camera_factory(["/cam1"], audio=False)
    assert other.port != camera.port
    with open_camera(other.url("/cam1")) as c:
        assert not c.streams.audio
    other.stop()
    assert camera.running
    assert len(capture(camera.url("/cam1"), video_seconds=0.5).video_pts) > 5


def test_frozen_camera_trips_the_read_timeout(rtsp_camera_factory: RtspCameraFactory) -> None:
    camera = rtsp_camera_factory(["/cam1"], width=320, height=240)
    container = av.open(camera.url("/cam1"), options={"rtsp_transport": "tcp"}, timeout=(10.0, 2.0))
    try:
        packets = container.demux()
        next(packets)
        camera.freeze()
        started = time.monotonic()
        with pytest.raises(av.error.FFmpegError):
            for _ in packets:
                if time.monotonic() - started > 15:
                    pytest.fail("demux kept returning packets from a frozen camera")
        assert time.monotonic() - started < 10
    finally:
        container.close()
        camera.thaw()


def test_late_client_joins_mid_gop_without_disturbing_the_first(rtsp_camera: RtspCamera) -> None:
    """A second client shares the running encoder: the first keeps its timestamps and GOP."""
    url = rtsp_camera.url("/cam1")
    with open_camera(url) as first:
        video = first.streams.video[0]
        packets = first.demux(video)
        pts: list[int | None] = []
        keys: list[bool] = []

        def read(n: int) -> None:
            for packet in itertools.islice(packets, n):
                if packet.size:
                    pts.append(packet.pts)
                    keys.append(packet.is_keyframe)

        read(60)
        late = capture(url, video_seconds=1.0)  # joins while `first` is playing
        read(60)
    assert_increasing(pts, "first client's video pts")
    key_at = [i for i, k in enumerate(keys) if k]
    assert {b - a for a, b in itertools.pairwise(key_at)} <= {rtsp_camera.gop_frames}, key_at
    assert_live_camera(late, rtsp_camera, 1.0)


def test_sixteen_mounts_in_one_process(rtsp_camera_factory: RtspCameraFactory) -> None:
    """16 cameras at once (4 encoders keep it cheap), every one delivering at full frame rate."""
    mounts = [f"/cam{i}" for i in range(1, 17)]
    camera = rtsp_camera_factory(mounts, width=320, height=240, encoders=4)

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=len(mounts)) as pool:
        captures = list(pool.map(lambda m: capture(camera.url(m), video_seconds=2.0), mounts))
    elapsed = time.monotonic() - started
    for cap in captures:
        assert_live_camera(cap, camera, 2.0)  # 25 fps timestamps, increasing, A-law audio alongside
    # Live, not a backlog replay: 16 x 2 s of video arrived in about 2 s (+ open time).
    assert elapsed < 8, f"16 cameras x 2 s took {elapsed:.1f}s"


def test_missing_gstreamer_fails_loudly_naming_debian_packages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rtsp, "SYSTEM_PYTHON", Path(sys.executable))  # the venv: no gi
    rtsp.gstreamer_problem.cache_clear()
    try:
        with pytest.raises(pytest.fail.Exception, match=r"gir1\.2-gst-rtsp-server-1\.0") as failed:
            rtsp.require_gstreamer()
        assert "python3-gi" in str(failed.value)
        with pytest.raises(RtspCameraError, match="apt-get install"):
            RtspCamera(["/cam1"]).start()
    finally:
        rtsp.gstreamer_problem.cache_clear()
