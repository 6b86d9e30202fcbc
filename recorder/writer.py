"""One fragmented-MP4 segment being written to the spool as a `.part` file.

Video packets are copied (never decoded); audio is copied (ADTS-framed AAC through FFmpeg's
`aac_adtstoasc`, which only moves its header into an AudioSpecificConfig) or, for codecs MP4
cannot carry (G.711), encoded to AAC here. Fragments are cut at most every `fragment_s`, so a
crash loses at most that much; the file's data is synced once a second and on close.
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import av
from av.audio.resampler import AudioResampler
from av.bitstream import BitStreamFilterContext

logger = logging.getLogger(__name__)

FSYNC_INTERVAL_S = 1.0
# Audio can start before a segment's first video frame: the AAC encoder's priming packet (pts
# -1024 samples, 128 ms at 8 kHz) or a copied frame straddling the cut. An edit list on the audio
# track skips that part, so video frame k plays at k/fps and the first real sample at 0 (how MP4
# marks AAC priming; FFmpeg and browsers' MP4 parsers apply it). FFmpeg writes edit lists into
# fragmented MP4 only when the moov waits for the first fragment (delay_moov). Without them it
# shifted every track by the priming (avoid_negative_ts=make_zero) while each track's first
# fragment still began at 0: video frame 0 was held 0.168 s and every later frame ran 0.128 s late.
MOVFLAGS = "frag_keyframe+empty_moov+delay_moov+default_base_moof"


@dataclass(frozen=True)
class CopyAudio:
    """Audio the MP4 container carries as it is (AAC, MP3, Opus...).

    `strip_adts`: AAC behind ADTS headers (MPEG-TS): same frames, headers turned into the config MP4 needs.
    """

    template: av.audio.stream.AudioStream
    strip_adts: bool = False


@dataclass(frozen=True)
class TranscodeAudio:
    """Decoded audio (e.g. G.711 from an IP camera) re-encoded to AAC."""

    source_codec: str
    sample_rate: int
    layout: str
    bit_rate: int = 32_000


AudioRoute = CopyAudio | TranscodeAudio


@dataclass
class SegmentStats:
    video_packets: int = 0
    audio_packets: int = 0
    keyframe_offsets_s: list[float] = field(default_factory=list)
    last_end_s: float = 0.0


class SegmentWriter:
    def __init__(
        self,
        path: Path,
        video_template: av.video.stream.VideoStream,
        audio: AudioRoute | None,
        start_s: float,
        fragment_s: float,
    ) -> None:
        self.path = path
        self.start_s = start_s
        self.stats = SegmentStats()
        self._video_in_tb = video_template.time_base or Fraction(1, 90_000)
        # delay_moov also lets an ADTS config, which comes out of aac_adtstoasc with the first audio
        # frame (after the first video packet), reach the moov's esds.
        self._container = av.open(
            str(path),
            "w",
            format="mp4",
            options={
                "movflags": MOVFLAGS,
                "use_editlist": "1",
                "frag_duration": str(int(fragment_s * 1_000_000)),
                "flush_packets": "1",
            },
        )
        self._video = self._container.add_stream_from_template(video_template)
        self._audio_copy: av.audio.stream.AudioStream | None = None
        self._adts_filter: BitStreamFilterContext | None = None
        self._adts_errors = 0
        self._audio_encoder: av.audio.stream.AudioStream | None = None
        self._resampler: AudioResampler | None = None
        self._last_audio_dts: int | None = None
        self._audio_base: int | None = None
        if isinstance(audio, CopyAudio):
            self._audio_copy = self._container.add_stream_from_template(audio.template)
            if audio.strip_adts:
                # One filter per segment: each file needs the config on its own first frame.
                self._adts_filter = BitStreamFilterContext("aac_adtstoasc", audio.template)
        elif isinstance(audio, TranscodeAudio):
            encoder = self._container.add_stream("aac", rate=audio.sample_rate, layout=audio.layout)
            encoder.bit_rate = audio.bit_rate
            self._audio_encoder = encoder
            self._resampler = AudioResampler(
                format="fltp", layout=audio.layout, rate=audio.sample_rate, frame_size=1024
            )
        # FFmpeg creates the file at the first packet; fsync through our own descriptor.
        self._sync_fd: int | None = None
        self._last_sync = time.monotonic()
        self._video_base_pts = round(start_s / self._video_in_tb)

    def add_video(
        self,
        packet: av.Packet[av.video.stream.VideoStream],
        pts: int,
        dts: int | None,
        keyframe: bool,
        packet_s: float,
        duration_s: float,
    ) -> None:
        """Copy one video packet, its timestamps rebased to the segment start (hot path)."""
        base = self._video_base_pts
        packet.pts = pts - base
        packet.dts = (pts if dts is None else dts) - base
        packet.stream = self._video
        stats = self.stats
        if keyframe:
            stats.keyframe_offsets_s.append(round(packet_s - self.start_s, 6))
        self._container.mux_one(packet)
        stats.video_packets += 1
        end = packet_s + duration_s
        if end > stats.last_end_s:
            stats.last_end_s = end
        now = time.monotonic()
        if now - self._last_sync >= FSYNC_INTERVAL_S:
            self._fsync()
            self._last_sync = now

    def add_audio_packet(self, packet: av.Packet[av.audio.stream.AudioStream], pts: int, dts: int | None) -> None:
        """Copy mode: rebase to the segment start, keep timestamps strictly increasing (hot path)."""
        if self._adts_filter is not None:
            stripped = self._strip_adts(packet)
            if stripped is None:
                return
            packet = stripped
        base = self._audio_base
        if base is None:
            base = self._audio_base = round(self.start_s / (packet.time_base or Fraction(1, 90_000)))
        decode_ts = (pts if dts is None else dts) - base
        last = self._last_audio_dts
        shift = 0
        if last is not None and decode_ts <= last:
            shift = last + 1 - decode_ts
            decode_ts = last + 1
        packet.pts = pts - base + shift
        packet.dts = decode_ts
        self._last_audio_dts = decode_ts
        assert self._audio_copy is not None
        packet.stream = self._audio_copy
        self._container.mux_one(packet)
        self.stats.audio_packets += 1

    def _strip_adts(
        self, packet: av.Packet[av.audio.stream.AudioStream]
    ) -> av.Packet[av.audio.stream.AudioStream] | None:
        """The raw AAC frame (the first also carries the config); a frame with a damaged header is skipped."""
        assert self._adts_filter is not None
        try:
            filtered = self._adts_filter.filter(packet)
        except av.FFmpegError as exc:
            self._adts_errors += 1
            if self._adts_errors == 1:  # once per segment: a broken encoder would flood the log
                logger.warning("%s: AAC frame with a damaged ADTS header skipped: %s", self.path, exc)
            return None
        # aac_adtstoasc turns one frame into one frame.
        return filtered[0] if filtered else None

    def add_audio_frame(self, frame: av.AudioFrame, frame_s: float) -> None:
        """Transcode mode: place the frame at its offset in the segment, then encode."""
        assert self._audio_encoder is not None and self._resampler is not None
        offset = max(0.0, frame_s - self.start_s)
        frame.pts = round(offset * frame.sample_rate)
        frame.time_base = Fraction(1, frame.sample_rate)
        for resampled in self._resampler.resample(frame):
            self._encode(resampled)

    def _encode(self, frame: av.AudioFrame | None) -> None:
        assert self._audio_encoder is not None
        packets = self._audio_encoder.encode(frame)
        self._container.mux(packets)
        self.stats.audio_packets += len(packets)

    def _fsync(self) -> None:
        if self._sync_fd is None:
            if not self.path.exists():
                return
            self._sync_fd = os.open(self.path, os.O_RDONLY)
        # fdatasync still writes the size an append changed; only timestamps are left to the kernel.
        os.fdatasync(self._sync_fd)

    def _release(self) -> None:
        if self._sync_fd is not None:
            os.close(self._sync_fd)
            self._sync_fd = None

    def close(self) -> SegmentStats:
        try:
            if self._resampler is not None:
                for resampled in self._resampler.resample(None):
                    self._encode(resampled)
                self._encode(None)
            self._container.close()
            self._fsync()
        finally:
            self._release()
        return self.stats

    def abort(self) -> None:
        """Stop writing without finishing; the `.part` is left for crash recovery."""
        with contextlib.suppress(av.FFmpegError, OSError):
            self._container.close()
        try:
            self._fsync()
        finally:
            self._release()
