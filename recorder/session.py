"""One connection to a camera: demux packets, cut them into segments, commit to the spool.

A session that fails is thrown away; the supervisor starts a fresh one after a pause.
"""

from __future__ import annotations

import errno
import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from fractions import Fraction
from typing import cast

import av
from av.audio.stream import AudioStream
from av.video.stream import VideoStream

from recorder.clocking import StreamClock
from recorder.finalize import TrackCounts, build_gap, commit_segment, recover_leftover
from recorder.metrics import RecorderMetrics
from recorder.segmenter import gap_needed, segment_should_end
from recorder.source import AudioChoice, CameraSpec, SourceError, choose_audio, file_start_time, open_source
from recorder.spool import ChainState, OpenSegment, PendingGap, Spool
from recorder.writer import CopyAudio, SegmentWriter
from seffaf.clock import Clock
from seffaf.config import RecorderConfig
from seffaf.keys import SegmentKey
from seffaf.manifests import GapCause

logger = logging.getLogger(__name__)
# Below any frame interval: a keyframe this close to where the chain ends is where it ends.
RESUME_SLACK = timedelta(seconds=0.005)


class SessionEnd(StrEnum):
    SOURCE_ENDED = "source_ended"
    STOPPED = "stopped"
    SPOOL_FULL = "spool_full"
    FAILED = "failed"


@dataclass(frozen=True)
class SessionResult:
    end: SessionEnd
    connected: bool
    detail: str = ""
    disk_full: bool = False  # SPOOL_FULL because a write failed for lack of space, not the configured minimum


class CameraSession:
    def __init__(
        self,
        camera: CameraSpec,
        spool: Spool,
        chain: ChainState,
        config: RecorderConfig,
        clock: Clock,
        stop: threading.Event,
        metrics: RecorderMetrics,
        pending_gap: PendingGap | None = None,
        start_time: datetime | None = None,
    ) -> None:
        self.camera = camera
        self.chain = chain
        self.pending_gap = pending_gap
        self._spool = spool
        self._config = config
        self._clock = clock
        self._stop = stop
        self._metrics = metrics
        self._start_time = start_time
        self._writer: SegmentWriter | None = None
        self._opened: OpenSegment | None = None
        self._clock_map = StreamClock(camera.is_live, config.clock_tolerance_seconds)
        self._reanchored_by_s: float | None = None
        self._video_tb = self._audio_tb = 0.0
        self._copy_audio = False
        self._live = camera.is_live
        self._resume_at: datetime | None = None
        self._disk_full = False

    def run(self) -> SessionResult:
        container = open_source(
            self.camera,
            self._config.rtsp_transport,
            self._config.open_timeout_seconds,
            self._config.read_timeout_seconds,
        )
        try:
            return self._record(container)
        finally:
            container.close()

    def _record(self, container: av.container.InputContainer) -> SessionResult:
        if not container.streams.video:
            raise SourceError(f"camera {self.camera.camera}: {self.camera.display_source} has no video stream")
        video = container.streams.video[0]
        audio_stream = container.streams.audio[0] if container.streams.audio else None
        audio = choose_audio(audio_stream)
        if audio.warning:
            logger.error("camera %s: %s", self.camera.camera, audio.warning)
        if not self.camera.is_live and self._start_time is None:
            self._start_time = file_start_time(container)
        self._resume_at = self._resume_point()
        streams = [video] if audio.route is None or audio_stream is None else [video, audio_stream]
        # Per-packet arithmetic in floats: Fractions cost more than the remux itself.
        self._video_tb = float(video.time_base or Fraction(1, 90_000))
        self._audio_tb = float(audio_stream.time_base or 0) if audio_stream is not None else 0.0
        self._copy_audio = isinstance(audio.route, CopyAudio)
        end = SessionEnd.SOURCE_ENDED
        detail = "stream ended"
        try:
            # Hot loop (tens of packets per second per camera): bound methods and flags in locals.
            is_set = self._stop.is_set
            live = self._live
            on_video = self._on_video
            packet_received = self._metrics.packet_received
            copy_audio = self._copy_audio
            frame_ticks = self._frame_ticks(video)
            # RTSP's first packet (often the keyframe) can come before RTCP sync, without a
            # timestamp: hold it and place it one frame before the next timed packet.
            untimed: av.Packet[VideoStream] | None = None
            for packet in container.demux(streams):
                is_video = packet.stream is video
                # A file stops on a keyframe, so the footage a later run adds continues without a hole.
                if is_set() and (live or (is_video and packet.is_keyframe)):
                    end, detail = SessionEnd.STOPPED, "stop requested"
                    break
                if packet.size == 0:
                    continue  # demuxer flush packet
                pts, dts = packet.pts, packet.dts
                if pts is None:
                    if dts is None:
                        if is_video:
                            if untimed is not None:
                                logger.warning("camera %s: two untimed video packets in a row; the first is dropped",
                                               self.camera.camera)  # fmt: skip
                            untimed = cast("av.Packet[VideoStream]", packet)
                        continue
                    pts = dts
                if is_video:
                    packet_received()
                    if untimed is not None:
                        placed = pts - frame_ticks
                        on_video(untimed, placed, placed, video, audio)
                        untimed = None
                    if not on_video(cast("av.Packet[VideoStream]", packet), pts, dts, video, audio):
                        end, detail = SessionEnd.SPOOL_FULL, "spool below its free-space minimum"
                        break
                elif (writer := self._writer) is not None:
                    if copy_audio:
                        writer.add_audio_packet(cast("av.Packet[AudioStream]", packet), pts, dts)
                    else:
                        self._transcode_audio(writer, cast("av.Packet[AudioStream]", packet), pts)
        except (av.FFmpegError, OSError) as exc:
            if is_disk_full(exc):  # the spool's disk, not the camera: the supervisor waits for uploads to free room
                self._disk_full = True
                end, detail = SessionEnd.SPOOL_FULL, f"spool disk full: {exc}"
                logger.error("camera %s: %s", self.camera.camera, detail)
            else:
                end, detail = SessionEnd.FAILED, f"{type(exc).__name__}: {exc}"
                logger.warning("camera %s: stream interrupted: %s", self.camera.camera, detail)
        self._close_segment()
        return SessionResult(end, connected=self._clock_map.anchored, detail=detail, disk_full=self._disk_full)

    def _resume_point(self) -> datetime | None:
        """Where a file whose start is already recorded (an interrupted import) continues: the chain's end."""
        until, start = self.chain.accounted_until, self._start_time
        if self._live or until is None or start is None or until <= start:
            return None
        logger.info("camera %s: footage up to %s is already recorded; continuing from there", self.camera.camera,
                    until.isoformat())  # fmt: skip
        return until

    @staticmethod
    def _frame_ticks(video: VideoStream) -> int:
        rate = video.guessed_rate or video.average_rate or Fraction(25)
        time_base = video.time_base or Fraction(1, 90_000)
        return max(1, round(1 / (rate * time_base)))

    def _on_video(
        self, packet: av.Packet[VideoStream], pts: int, dts: int | None, video: VideoStream, audio: AudioChoice
    ) -> bool:
        t = pts * self._video_tb
        keyframe = packet.is_keyframe
        if not self._clock_map.anchored:
            if not keyframe:
                return True  # undecodable without its keyframe
            self._clock_map.anchor(t, self._start_time or self._clock())
        if self._resume_at is not None:
            if not keyframe or self._clock_map.provisional_start(t) < self._resume_at - RESUME_SLACK:
                return True  # recorded by the earlier run
            self._resume_at = None
        if self._live:
            self._clock_map.observe(t, self._clock())
        writer = self._writer
        if writer is None or segment_should_end(writer.start_s, t, keyframe, self._config.segment_seconds):
            self._close_segment()
            if self._spool.free_bytes() < self._config.min_free_spool_bytes:
                return False
            writer = self._open_segment(t, video, audio)
        duration = (packet.duration or 0) * self._video_tb
        writer.add_video(packet, pts, dts, keyframe, t, duration)
        return True

    def _transcode_audio(self, writer: SegmentWriter, packet: av.Packet[AudioStream], pts: int) -> None:
        t = pts * self._audio_tb
        try:
            frames = packet.decode()
        except av.FFmpegError:
            logger.warning("camera %s: undecodable audio packet at %.3fs skipped", self.camera.camera, t)
            return
        for frame in frames:
            if frame.pts is not None and frame.time_base is not None:
                writer.add_audio_frame(frame, float(frame.pts * frame.time_base))

    def _open_segment(self, t: float, video: VideoStream, audio: AudioChoice) -> SegmentWriter:
        """Open the next segment; its final start (and any gap before it) is fixed at close."""
        start = self._clock_map.provisional_start(t)
        seq = self.chain.last_seq + 1
        audio_stream = video.container.streams.audio[0] if audio.route is not None else None
        self._opened = OpenSegment(
            camera=self.camera.camera,
            center=self.camera.center,
            window=self.camera.window,
            seq=seq,
            key=SegmentKey(self.camera.camera, seq, start).encode(),
            start=start,
            prev_sha256=self.chain.last_sha256,
            source=self.camera.display_source,
            video_codec=video.codec_context.name,
            width=video.codec_context.width,
            height=video.codec_context.height,
            audio_source_codec=audio_stream.codec_context.name if audio_stream is not None else None,
            audio_stored_codec=audio.stored_codec,
            audio_sample_rate=audio_stream.sample_rate if audio_stream is not None else 0,
            audio_channels=audio_stream.codec_context.channels if audio_stream is not None else 0,
            audio_status=audio.status,
            warnings=self._segment_warnings(audio),
            gap_before=self.pending_gap,
        )
        self.pending_gap = None
        part = self._spool.begin(self._opened)
        self._writer = SegmentWriter(part, video, audio.route, t, self._config.fragment_seconds)
        return self._writer

    def _write_gaps_before(self, opened: OpenSegment, start: datetime) -> None:
        tolerance = self._config.gap_tolerance_seconds
        if opened.gap_before is not None:
            if gap_needed(opened.gap_before.start, start, tolerance):
                self._write_gap(opened.gap_before, start)
        elif gap_needed(self.chain.accounted_until, start, tolerance):
            assert self.chain.accounted_until is not None
            if self._reanchored_by_s is None:
                cause, detail = GapCause.SOURCE_DISCONTINUITY, "stream time jumped forward"
            else:
                # Nothing was lost, but the wall clock now skips a span: say why, or it reads as missing footage.
                cause = GapCause.CLOCK_STEP
                detail = f"wall clock stepped {self._reanchored_by_s:+.3f}s against stream time; stream was continuous"
            self._write_gap(PendingGap(start=self.chain.accounted_until, cause=cause, detail=detail), start)

    def close_gap(self, pending: PendingGap, end: datetime) -> None:
        """Record an interruption that ends without new footage (the recorder is stopping)."""
        if gap_needed(pending.start, end, self._config.gap_tolerance_seconds):
            self._write_gap(pending, end)
            self.chain = self.chain.model_copy(update={"accounted_until": end})
            self._spool.save_state(self.chain)

    def _segment_warnings(self, audio: AudioChoice) -> list[str]:
        warnings = [audio.warning] if audio.warning else []
        if self._reanchored_by_s is not None:  # reported on the segment after the step
            warnings.append(f"wall clock disagreed with stream time by {self._reanchored_by_s:+.3f}s: re-anchored")
        return warnings

    def _write_gap(self, pending: PendingGap, end: datetime) -> None:
        gap = build_gap(self.camera, self.chain.last_seq, pending, end, self._clock())
        self._spool.add_gap(gap)
        self._metrics.gap(gap.cause.value)
        logger.warning(
            "camera %s: gap %s from %s to %s (%.1fs): %s",
            self.camera.camera, gap.cause.value, gap.start.isoformat(), gap.end.isoformat(), gap.duration_s, gap.detail,
        )  # fmt: skip

    def _close_segment(self) -> None:
        writer, opened = self._writer, self._opened
        self._writer = self._opened = None
        if writer is None or opened is None:
            return
        try:
            stats = writer.close()
        except (av.FFmpegError, OSError) as exc:
            self._disk_full = self._disk_full or is_disk_full(exc)
            logger.exception("camera %s: closing seq %d failed; recovering the partial file", opened.camera, opened.seq)
            writer.abort()
            cause = "the spool disk filled" if self._disk_full else "a failed close"
            manifest = recover_leftover(self._spool, opened, self._clock(), cause)
            if manifest is not None:
                self.chain = ChainState.after(manifest)
                self._metrics.segment_written(manifest.size_bytes)
            return
        start, clock_step_s = self._clock_map.close_segment(writer.start_s)
        self._write_gaps_before(opened, start)
        final = opened.model_copy(update={"start": start, "key": SegmentKey(opened.camera, opened.seq, start).encode()})
        counts = TrackCounts(
            video_packets=stats.video_packets,
            audio_packets=stats.audio_packets,
            keyframe_offsets_s=stats.keyframe_offsets_s,
            duration_s=round(stats.last_end_s - writer.start_s, 6),
        )
        manifest, self.chain = commit_segment(self._spool, final, counts, self._clock())
        self._metrics.segment_written(manifest.size_bytes)
        self._reanchored_by_s = clock_step_s
        if clock_step_s is not None:
            logger.warning(
                "camera %s: wall clock moved %+.3fs against stream time; re-anchored", opened.camera, clock_step_s
            )


def is_disk_full(exc: BaseException) -> bool:
    return getattr(exc, "errno", None) in (errno.ENOSPC, errno.EDQUOT)
