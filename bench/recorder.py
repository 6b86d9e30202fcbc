"""Recorder benchmark: seffaf's segmenting pipeline against `ffmpeg -c copy -f segment`.

    .venv/bin/python -m bench.recorder [--minutes 5] [--cameras 8,16] [--live-seconds 60]

Part 1 (file): a generated 1280x720 25 fps H.264 (GOP 2 s, ~2 Mb/s) + AAC file is cut into
10 s segments by both tools in the same run; CPU seconds per stream-hour and their ratio
(target <= 1.10). Part 2 (live): N GStreamer RTSP cameras on loopback recorded by N seffaf
recorder processes; CPU per stream and packets lost (target 0). Prints a table, writes JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from recorder.metrics import RecorderMetrics
from recorder.session import CameraSession
from recorder.source import CameraSpec
from recorder.spool import ChainState, Spool
from seffaf.clock import utcnow
from seffaf.config import RecorderConfig
from seffaf.storage.local import LocalObjectStore
from seffaf.synthetic_media import SyntheticClip, write_clip
from tests.support.footage import stored_manifests

OUT_DIR = Path(__file__).resolve().parent / "out"
REPEATS = 3


@dataclass(frozen=True)
class FileResult:
    stream_seconds: float
    seffaf_pipeline_cpu_s: float
    seffaf_record_cmd_cpu_s: float
    ffmpeg_cpu_s: float
    segments_seffaf: int
    segments_ffmpeg: int

    @property
    def per_stream_hour(self) -> dict[str, float]:
        scale = 3600.0 / self.stream_seconds
        return {
            "seffaf_pipeline": self.seffaf_pipeline_cpu_s * scale,
            "seffaf_record_command": self.seffaf_record_cmd_cpu_s * scale,
            "ffmpeg_copy_segment": self.ffmpeg_cpu_s * scale,
        }


@dataclass(frozen=True)
class LiveResult:
    cameras: int
    seconds: float
    cpu_percent_per_stream: float
    segments: int
    video_packets: int
    expected_video_packets: int
    packets_lost: int
    gaps: int


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _pipeline_cpu(clip: Path, work: Path) -> tuple[float, int]:
    """demux → fMP4 segments → hash → spool, in this process (no interpreter start-up)."""
    spool = Spool(work / "spool", "bench")
    spool.prepare()
    session = CameraSession(
        CameraSpec("bench", str(clip)), spool, ChainState(), RecorderConfig(), utcnow, threading.Event(),
        RecorderMetrics("bench"),
    )  # fmt: skip
    start = time.process_time()
    session.run()
    return time.process_time() - start, len(spool.ready_items())


def _record_command_cpu(clip: Path, work: Path) -> float:
    """The whole `seffaf record` command: start-up, spool, upload to the local store, verification."""
    before = _children_cpu()
    subprocess.run(
        [sys.executable, "-m", "seffaf", "record", "--camera", "bench", "--source", str(clip),
         "--storage", (work / "objects").as_uri(), "--spool", str(work / "spool2"), "--log-format", "text"],
        check=True, capture_output=True,
    )  # fmt: skip
    return _children_cpu() - before


def _ffmpeg_cpu(clip: Path, work: Path) -> tuple[float, int]:
    out = work / "ffmpeg"
    out.mkdir()
    before = _children_cpu()
    subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(clip), "-map", "0", "-c", "copy", "-f", "segment",
         "-segment_time", "10", "-reset_timestamps", "1", str(out / "s%05d.mp4")],
        check=True,
    )  # fmt: skip
    return _children_cpu() - before, len(list(out.iterdir()))


def bench_file(minutes: float) -> FileResult:
    OUT_DIR.mkdir(exist_ok=True)
    clip = OUT_DIR / f"bench-720p-{minutes:g}min.mp4"
    if not clip.exists():
        print(f"generating {minutes:g} min 1280x720 25 fps H.264 + AAC …", flush=True)
        write_clip(clip, SyntheticClip(seconds=minutes * 60, width=1280, height=720, fps=25, gop_seconds=2.0,
                                       bitrate=2_000_000, audio="aac", audio_rate=48_000))  # fmt: skip
    pipeline, record_cmd, ffmpeg = [], [], []
    segs_seffaf = segs_ffmpeg = 0
    for _ in range(REPEATS):
        with tempfile.TemporaryDirectory() as tmp:
            work = Path(tmp)
            cpu, segs_seffaf = _pipeline_cpu(clip, work)
            pipeline.append(cpu)
            record_cmd.append(_record_command_cpu(clip, work))
            cpu, segs_ffmpeg = _ffmpeg_cpu(clip, work)
            ffmpeg.append(cpu)
    return FileResult(
        minutes * 60, statistics.median(pipeline), statistics.median(record_cmd), statistics.median(ffmpeg),
        segs_seffaf, segs_ffmpeg,
    )  # fmt: skip


def bench_live(cameras: int, seconds: float, fps: int = 25) -> LiveResult:
    from tests.support.rtsp import RtspCamera  # the test camera: GStreamer under /usr/bin/python3

    # Mounts share 4 encoders: 16 separate x264 encoders alone would take most of a 2-core machine.

    mounts = [f"/cam{i}" for i in range(1, cameras + 1)]
    with (
        tempfile.TemporaryDirectory() as tmp,
        RtspCamera(mounts, width=640, height=360, fps=fps, encoders=min(4, cameras)) as server,
    ):
        work = Path(tmp)
        procs = [
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "seffaf",
                    "record",
                    "--camera",
                    f"live{i}",
                    "--source",
                    server.url(mount),
                    "--storage",
                    (work / "objects").as_uri(),
                    "--spool",
                    str(work / "spool"),
                    "--log-format",
                    "text",
                ],
                stdout=subprocess.DEVNULL,
                stderr=(work / f"live{i}.log").open("w"),
            )
            for i, mount in enumerate(mounts, start=1)
        ]
        time.sleep(seconds)
        cpu = 0.0
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        for proc in procs:
            _, status, usage = os.wait4(proc.pid, 0)
            proc.returncode = os.waitstatus_to_exitcode(status)
            cpu += usage.ru_utime + usage.ru_stime
        store = LocalObjectStore(work / "objects")
        segments = packets = expected = 0
        for i in range(1, cameras + 1):
            manifests = stored_manifests(store, f"live{i}")
            segments += len(manifests)
            packets += sum(m.video.packets for m in manifests)
            expected += round(sum(m.duration_s for m in manifests) * fps)
        gaps = sum(1 for _ in store.list("gaps/"))
    return LiveResult(cameras, seconds, 100.0 * cpu / cameras / seconds, segments, packets, expected,
                      max(0, expected - packets), gaps)  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument(
        "--cameras", default="8,16", help="comma-separated camera counts for the live part ('' to skip)"
    )
    parser.add_argument("--live-seconds", type=float, default=60.0)
    parser.add_argument("--out", type=Path, default=OUT_DIR / "recorder.json")
    args = parser.parse_args()
    if shutil.which("ffmpeg") is None:
        sys.exit("ffmpeg is needed as the anchor: apt-get install ffmpeg (./run tests installs it)")
    file_result = bench_file(args.minutes)
    per_hour = file_result.per_stream_hour
    ratio = per_hour["seffaf_pipeline"] / per_hour["ffmpeg_copy_segment"]
    print(f"\nFile: {args.minutes:g} min 1280x720 25 fps ~2 Mb/s H.264 + AAC, 10 s segments (median of {REPEATS})")
    print(f"{'pipeline':34} {'CPU s / stream-hour':>20} {'ratio vs ffmpeg':>16}")
    for name, value in per_hour.items():
        print(f"{name:34} {value:20.2f} {value / per_hour['ffmpeg_copy_segment']:16.2f}")
    print(f"segments: seffaf {file_result.segments_seffaf}, ffmpeg {file_result.segments_ffmpeg}; "
          f"target ratio <= 1.10: {'met' if ratio <= 1.10 else 'NOT met'} ({ratio:.2f})")  # fmt: skip
    live = []
    for count in [int(c) for c in args.cameras.split(",") if c.strip()]:
        print(f"\nLive: {count} RTSP cameras (640x360 25 fps H.264 + G.711) for {args.live_seconds:g} s …", flush=True)
        result = bench_live(count, args.live_seconds)
        live.append(result)
        print(f"  CPU per stream {result.cpu_percent_per_stream:.1f} % of a core; segments {result.segments}; "
              f"video packets {result.video_packets}/{result.expected_video_packets}; lost {result.packets_lost}; "
              f"gaps {result.gaps}")  # fmt: skip
    args.out.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "file": {**asdict(file_result), "cpu_s_per_stream_hour": per_hour, "ratio_vs_ffmpeg": ratio},
        "live": [asdict(r) for r in live],
    }
    args.out.write_text(json.dumps(payload, indent=2))
    print(f"\nwrote {args.out}")


if __name__ == "__main__":
    main()
