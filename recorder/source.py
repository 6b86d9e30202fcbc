"""Camera sources: which URLs are live, how they are opened, what happens to their audio."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import av

from recorder.writer import AudioRoute, CopyAudio, TranscodeAudio
from seffaf.clock import require_utc
from seffaf.keys import validate_camera_id
from seffaf.manifests import AudioStatus

LIVE_SCHEMES = frozenset({"rtsp", "rtsps", "rtmp", "rtmps", "http", "https", "udp", "tcp", "srt", "rtp"})
MP4_AUDIO_CODECS = frozenset({"aac", "mp3", "opus", "ac3", "eac3", "alac"})
# Demuxers whose AAC arrives ADTS-framed ("aac" is FFmpeg's raw ADTS demuxer).
ADTS_CONTAINERS = frozenset({"mpegts", "aac"})


class SourceError(Exception):
    """The camera cannot be opened or read; the message is meant for an operator."""


@dataclass(frozen=True)
class CameraSpec:
    camera: str
    source: str
    center: str | None = None
    window: int | None = None

    def __post_init__(self) -> None:
        validate_camera_id(self.camera)
        check_source_url(self.source)

    @property
    def is_live(self) -> bool:
        return is_live_source(self.source)

    @property
    def display_source(self) -> str:
        return redact_url(self.source)


def is_live_source(source: str) -> bool:
    return urlsplit(source).scheme.lower() in LIVE_SCHEMES


def check_source_url(source: str) -> None:
    """Reject what can never work before any connection is tried."""
    parts = urlsplit(source)
    scheme = parts.scheme.lower()
    if not source.strip():
        raise SourceError("source URL is empty")
    if scheme in LIVE_SCHEMES:
        if not parts.hostname:
            raise SourceError(f"source URL {redact_url(source)!r} has no host")
        try:
            _ = parts.port
        except ValueError as exc:
            raise SourceError(f"source URL {redact_url(source)!r} has an invalid port") from exc
        return
    if scheme in ("", "file"):
        path = Path(parts.path if scheme == "file" else source)
        if not path.is_file():
            raise SourceError(f"source file {path} does not exist")
        return
    raise SourceError(f"source URL {redact_url(source)!r}: unsupported scheme {scheme!r}")


def redact_url(source: str) -> str:
    parts = urlsplit(source)
    if parts.password is None and parts.username is None:
        return source
    host = parts.hostname or ""
    netloc = f"***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def open_source(
    spec: CameraSpec, rtsp_transport: str, open_timeout_s: float, read_timeout_s: float
) -> av.container.InputContainer:
    options: dict[str, str] = {}
    if urlsplit(spec.source).scheme.lower() in ("rtsp", "rtsps"):
        options = {"rtsp_transport": rtsp_transport, "timeout": str(int(read_timeout_s * 1_000_000))}
    path = urlsplit(spec.source).path if spec.source.startswith("file:") else spec.source
    try:
        return av.open(path, "r", options=options, timeout=(open_timeout_s, read_timeout_s))
    except (av.FFmpegError, OSError) as exc:
        raise SourceError(f"camera {spec.camera}: cannot open {spec.display_source}: {exc}") from exc


def file_start_time(container: av.container.InputContainer) -> datetime | None:
    """The recording time a file carries (creation_time), if any."""
    raw = container.metadata.get("creation_time")
    if not raw:
        return None
    try:
        return require_utc(datetime.fromisoformat(raw.replace("Z", "+00:00")), "creation_time")
    except ValueError:
        return None


@dataclass(frozen=True)
class AudioChoice:
    route: AudioRoute | None
    status: AudioStatus
    stored_codec: str | None
    warning: str | None = None


class AudioHandling(StrEnum):
    COPY = "copy"
    COPY_STRIP_ADTS = "copy_strip_adts"  # AAC behind ADTS headers: copied, headers become an AudioSpecificConfig
    TRANSCODE = "transcode"
    LOST = "lost"


@dataclass(frozen=True)
class AudioSourceFacts:
    """What the audio route depends on, read from the demuxed stream."""

    codec: str
    container: str
    has_extradata: bool
    sample_rate: int
    has_layout: bool


def audio_handling(facts: AudioSourceFacts) -> AudioHandling:
    """Copy whenever MP4 can carry the frames as they are; transcode only what it cannot."""
    if facts.codec == "aac" and (facts.container in ADTS_CONTAINERS or not facts.has_extradata):
        # Without an AudioSpecificConfig the frames are ADTS-framed (MPEG-TS, raw .aac): only the
        # headers can supply one. The filter passes frames that carry no header through untouched.
        return AudioHandling.COPY_STRIP_ADTS
    if facts.codec in MP4_AUDIO_CODECS:
        return AudioHandling.COPY
    if not facts.sample_rate or not facts.has_layout:
        return AudioHandling.LOST
    return AudioHandling.TRANSCODE


def choose_audio(stream: av.audio.stream.AudioStream | None) -> AudioChoice:
    """Copy what MP4 carries; transcode the rest (G.711) to AAC; never drop silently."""
    if stream is None:
        return AudioChoice(None, AudioStatus.SOURCE_HAS_NONE, None)
    codec = stream.codec_context.name
    facts = AudioSourceFacts(
        codec=codec,
        container=stream.container.format.name,
        has_extradata=bool(stream.codec_context.extradata),
        sample_rate=stream.sample_rate or 0,
        has_layout=stream.codec_context.layout is not None,
    )
    handling = audio_handling(facts)
    if handling in (AudioHandling.COPY, AudioHandling.COPY_STRIP_ADTS):
        return AudioChoice(
            CopyAudio(stream, strip_adts=handling is AudioHandling.COPY_STRIP_ADTS), AudioStatus.COPIED, codec
        )
    if handling is AudioHandling.LOST:
        return AudioChoice(None, AudioStatus.LOST, None, f"audio {codec} has no sample rate or layout: cannot be kept")
    layout = stream.codec_context.layout.name if stream.codec_context.layout is not None else ""
    if layout not in ("mono", "stereo"):
        layout = "mono" if stream.codec_context.channels == 1 else "stereo"
    return AudioChoice(TranscodeAudio(codec, stream.sample_rate, layout), AudioStatus.TRANSCODED, "aac")
