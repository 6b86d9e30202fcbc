"""AAC in ADTS framing (MPEG-TS cameras and files) is stream-copied into the MP4 segments.

MP4 carries raw AAC frames plus an AudioSpecificConfig; MPEG-TS carries each frame behind a
7- or 9-byte ADTS header and no config. The recorder must strip the headers and derive the
config (FFmpeg's `aac_adtstoasc`), never transcode. A clip is generated at test time, served
once over TCP as a live camera (and read as a file), and recorded by the real supervisor.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import av
import pytest

from recorder.metrics import RecorderMetrics
from recorder.source import AudioHandling, AudioSourceFacts, CameraSpec, audio_handling
from recorder.spool import Spool
from recorder.supervisor import EXIT_OK, Supervisor
from seffaf.config import RecorderConfig
from seffaf.manifests import AudioStatus, SegmentManifest
from seffaf.storage.local import LocalObjectStore
from seffaf.synthetic_media import SyntheticClip, write_clip
from tests.support.footage import decode_file, download, stored_manifests

CAMERA = "baku-1-w03"
T0 = datetime(2026, 5, 4, 6, 0, tzinfo=UTC)
RATE = 16_000
CLIP = SyntheticClip(seconds=8.0, width=320, height=180, fps=25, gop_seconds=2.0, audio="aac", audio_rate=RATE)
AAC_FRAME_SAMPLES = 1024


@pytest.mark.parametrize(
    ("codec", "container", "has_extradata", "sample_rate", "expected"),
    [
        ("aac", "mov,mp4,m4a,3gp,3g2,mj2", True, 16_000, AudioHandling.COPY),  # MP4 file: raw AAC + config
        ("aac", "rtsp", True, 16_000, AudioHandling.COPY),  # RTP MPEG4-GENERIC: config from the SDP
        ("aac", "mpegts", False, 16_000, AudioHandling.COPY_STRIP_ADTS),  # TS camera: ADTS, no config
        ("aac", "aac", False, 16_000, AudioHandling.COPY_STRIP_ADTS),  # raw .aac (ADTS) stream
        ("aac", "mpegts", True, 16_000, AudioHandling.COPY_STRIP_ADTS),  # TS is ADTS even if a config was probed
        ("aac", "flv", False, 16_000, AudioHandling.COPY_STRIP_ADTS),  # no config: only ADTS headers can give one
        ("mp3", "mpegts", False, 16_000, AudioHandling.COPY),
        ("aac_latm", "mpegts", False, 48_000, AudioHandling.TRANSCODE),  # LATM framing: MP4 cannot carry it
        ("pcm_alaw", "rtsp", False, 8_000, AudioHandling.TRANSCODE),  # G.711 from an IP camera
        ("pcm_alaw", "rtsp", False, 0, AudioHandling.LOST),  # no sample rate: nothing to encode from
    ],
)
def test_audio_route_follows_codec_and_framing(
    codec: str, container: str, has_extradata: bool, sample_rate: int, expected: AudioHandling
) -> None:
    facts = AudioSourceFacts(
        codec=codec, container=container, has_extradata=has_extradata, sample_rate=sample_rate, has_layout=True
    )
    assert audio_handling(facts) is expected


@pytest.mark.parametrize(
    ("codec", "expected"),
    [("pcm_mulaw", AudioHandling.LOST), ("aac", AudioHandling.COPY_STRIP_ADTS), ("opus", AudioHandling.COPY)],
)
def test_audio_without_a_channel_layout_is_lost_unless_copied(codec: str, expected: AudioHandling) -> None:
    facts = AudioSourceFacts(codec=codec, container="rtsp", has_extradata=False, sample_rate=8_000, has_layout=False)
    assert audio_handling(facts) is expected


@dataclass(frozen=True)
class SourceAudio:
    """The clip's AAC as a camera sends it, and what MP4 must hold: the frames without ADTS headers."""

    raw_frames: list[bytes]
    audio_specific_config: bytes


@pytest.fixture(scope="module")
def ts_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_clip(tmp_path_factory.mktemp("camera") / "camera.ts", CLIP)


def strip_adts(frame: bytes) -> tuple[bytes, bytes]:
    """One ADTS frame -> (raw AAC payload, the AudioSpecificConfig its header describes) (ISO 14496-3 1.A.2)."""
    assert frame[0] == 0xFF and frame[1] & 0xF0 == 0xF0, "not an ADTS frame"
    protection_absent = frame[1] & 0x01
    profile = frame[2] >> 6  # audio object type - 1
    rate_index = (frame[2] >> 2) & 0x0F
    channels = ((frame[2] & 0x01) << 2) | (frame[3] >> 6)
    frame_length = ((frame[3] & 0x03) << 11) | (frame[4] << 3) | (frame[5] >> 5)
    assert frame_length == len(frame), "one ADTS frame per packet"
    config = ((profile + 1) << 11) | (rate_index << 7) | (channels << 3)
    return frame[7 if protection_absent else 9 :], config.to_bytes(2, "big")


@pytest.fixture(scope="module")
def source_audio(ts_clip: Path) -> SourceAudio:
    with av.open(str(ts_clip)) as container:
        assert container.format.name == "mpegts"
        stream = container.streams.audio[0]
        assert stream.codec_context.name == "aac" and stream.codec_context.extradata is None
        stripped = [strip_adts(bytes(packet)) for packet in container.demux(stream) if packet.size]
    configs = {config for _, config in stripped}
    assert len(configs) == 1
    return SourceAudio([payload for payload, _ in stripped], configs.pop())


class FrameClock:
    """Wall clock for a camera that dumps its stream at once: one frame later per recording-thread reading."""

    def __init__(self, start: datetime, recording_thread: threading.Thread) -> None:
        self._now = start
        self._thread = recording_thread

    def __call__(self) -> datetime:
        if threading.current_thread() is self._thread:
            self._now += timedelta(seconds=1 / CLIP.fps)
        return self._now


@pytest.fixture
def tcp_camera(ts_clip: Path) -> Iterator[tuple[str, threading.Event]]:
    """Serves the clip once; the supervisor's reconnect afterwards ends the recording."""
    data = ts_clip.read_bytes()
    listener = socket.create_server(("127.0.0.1", 0))
    done = threading.Event()

    def serve() -> None:
        with listener, contextlib.suppress(OSError):  # OSError: closed at teardown
            connection, _ = listener.accept()
            with connection:
                connection.sendall(data)
            connection, _ = listener.accept()
            done.set()
            connection.close()

    threading.Thread(target=serve, name="tcp-camera", daemon=True).start()
    yield f"tcp://127.0.0.1:{listener.getsockname()[1]}", done
    done.set()
    listener.close()


def record(tmp_path: Path, source: str, stop: threading.Event) -> LocalObjectStore:
    store = LocalObjectStore(tmp_path / "objects")
    config = RecorderConfig(
        segment_seconds=2, reconnect_initial_seconds=0.05, reconnect_max_seconds=0.1, min_free_spool_bytes=0
    )
    spec = CameraSpec(CAMERA, source, center="baku-1", window=3)
    live = spec.is_live
    clock = FrameClock(T0, threading.current_thread())
    # A file that fails mid-way is retried from its start for ever: bound the test instead of hanging.
    watchdog = threading.Timer(20.0, stop.set)
    watchdog.start()
    try:
        outcome = Supervisor(
            spec, Spool(tmp_path / "spool", CAMERA), store, config, RecorderMetrics(CAMERA), clock, stop,
            start_time=None if live else T0,
        ).run()  # fmt: skip
    finally:
        watchdog.cancel()
    assert outcome.exit_code == EXIT_OK, outcome.message
    if not live:
        assert "file recorded" in outcome.message, outcome.message
    return store


def audio_payloads(path: Path) -> list[bytes]:
    with av.open(str(path)) as container:
        return [bytes(packet) for packet in container.demux(container.streams.audio[0]) if packet.size]


def decoded_audio(path: Path) -> tuple[int, bytes | None]:
    """Samples decoded from a segment's audio track, and the AudioSpecificConfig its `esds` holds."""
    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        samples = sum(frame.samples for frame in container.decode(stream))
        return samples, stream.codec_context.extradata


def assert_adts_aac_copied(store: LocalObjectStore, source: SourceAudio, tmp_path: Path) -> list[SegmentManifest]:
    manifests = stored_manifests(store, CAMERA)
    assert [m.seq for m in manifests] == list(range(1, len(manifests) + 1))
    assert sum(m.duration_s for m in manifests) == pytest.approx(CLIP.seconds, abs=0.1)
    stored: list[bytes] = []
    total_samples = 0
    for manifest in manifests:
        assert manifest.audio_status is AudioStatus.COPIED
        assert manifest.audio is not None
        assert (manifest.audio.source_codec, manifest.audio.stored_codec) == ("aac", "aac")
        path = download(store, manifest.key, tmp_path)
        decoded = decode_file(path)
        assert decoded.audio_codec == "aac"
        assert decoded.video_frames == manifest.video.packets
        samples, config = decoded_audio(path)
        assert config == source.audio_specific_config  # players need it to start the audio track
        assert samples == manifest.audio.packets * AAC_FRAME_SAMPLES
        assert samples / RATE == pytest.approx(manifest.duration_s, abs=0.15)
        payloads = audio_payloads(path)
        assert len(payloads) == manifest.audio.packets
        stored += payloads
        total_samples += samples
    assert total_samples / RATE == pytest.approx(CLIP.seconds, abs=0.15)
    # Copied, not transcoded: the stored frames are the camera's own, byte for byte, ADTS headers
    # gone. Only audio sent before the first video keyframe (a few frames) precedes the recording.
    assert stored == source.raw_frames[len(source.raw_frames) - len(stored) :]
    assert len(source.raw_frames) - len(stored) <= 3
    return manifests


def test_live_mpegts_camera_with_adts_aac_is_copied(
    tmp_path: Path, tcp_camera: tuple[str, threading.Event], source_audio: SourceAudio
) -> None:
    url, done = tcp_camera
    store = record(tmp_path, url, done)
    manifests = assert_adts_aac_copied(store, source_audio, tmp_path)
    assert len(manifests) == 4  # 8 s in 2 s segments, one connection: no session failed


def test_mpegts_file_with_adts_aac_is_copied(tmp_path: Path, ts_clip: Path, source_audio: SourceAudio) -> None:
    store = record(tmp_path, str(ts_clip), threading.Event())
    assert len(assert_adts_aac_copied(store, source_audio, tmp_path)) == 4
