"""Indexer analytics benchmark: the whole per-segment pass against a plain full decode.

    .venv/bin/python -m bench.analytics [--minutes 10] [--out bench/out/analytics.json]

A generated 1280x720 25 fps service-window video (H.264, GOP 2 s, ~2 Mb/s, + 16 kHz AAC) with
an operator and citizens coming and going, a covered lens, a defocus, a frozen picture and a
knocked camera is cut into 10 s fragmented-MP4 segments (ffmpeg -c copy, as the recorder stores
them). Every segment goes through ``analyse_segment``; the anchor, in the same run, is decoding
every frame of the same file with no analysis. Both single-threaded (OpenCV and the decoder), so
CPU seconds are per core; x real time per core = media seconds / CPU seconds (target >= 60).
Precision and recall per detector against the script's labels, at this resolution and cadence,
are printed too. Prints a table, writes JSON.
"""

from __future__ import annotations

import argparse
import collections
import json
import statistics
import subprocess
import tempfile
import time
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import av
import cv2

from indexer.analytics.facedetect import CenterFace
from indexer.analytics.observations import (
    DETECTOR_VERSIONS,
    CameraBaseline,
    Observation,
    analyse_segment,
    build_baseline,
)
from indexer.analytics.presence import default_detector
from indexer.zones import Zone, Zones
from seffaf.scripted_footage import ClipScript, FacePlacement, Span, write_window_clip
from tests.indexer.scoring import Score, score_clip, table

OUT_DIR = Path(__file__).resolve().parent / "out"
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SEGMENT_S = 10.0
ZONES = Zones(operator=Zone(0.0, 0.05, 0.48, 0.85), citizen=Zone(0.52, 0.05, 1.0, 0.85))
TARGET_X_REALTIME = 60.0


def window_day(seconds: float) -> ClipScript:
    """A busy window: the operator with two breaks, a citizen every ~80 s (sometimes two), talk
    during visits with one raised voice, and one of each camera fault."""
    s = seconds
    operator = (
        FacePlacement("operator", Span(0, 0.2 * s), 0.24, 0.42, 0.34, 0),
        FacePlacement("operator", Span(0.28 * s, 0.65 * s), 0.26, 0.42, 0.34, 0),
        FacePlacement("operator", Span(0.7 * s, s), 0.24, 0.44, 0.34, 1),
    )
    visits: list[FacePlacement] = []
    speech: list[Span] = []
    t, n = 5.0, 0
    while t < s - 20:
        length = 40 + (n * 17) % 50
        visits.append(FacePlacement("citizen", Span(t, min(s, t + length)), 0.7, 0.46, 0.3, 1 + n % 3))
        if n % 4 == 2:
            visits.append(FacePlacement("citizen", Span(t + 10, min(s, t + length)), 0.88, 0.44, 0.27, 2))
        speech.append(Span(t, min(s, t + length)))
        t += length + 15 + (n * 7) % 25
        n += 1
    return ClipScript(
        seconds=s,
        width=1280,
        height=720,
        fps=25,
        gop_s=2.0,
        bitrate=2_000_000,
        seed=11,
        black=(Span(0.4 * s, 0.4 * s + 20),),
        blur=(Span(0.55 * s, 0.55 * s + 20),),
        frozen=(Span(0.75 * s, 0.75 * s + 20),),
        moved=(Span(0.9 * s, s),),
        faces=(*operator, *visits),
        speech=tuple(speech),
        loud=(Span(speech[1].start_s + 10, speech[1].start_s + 16),) if len(speech) > 1 else (),
    )


def cut_segments(source: Path, out: Path, seconds: float = SEGMENT_S) -> list[Path]:
    """10 s fragmented MP4 segments at keyframes, packets copied, timestamps from 0 in each."""
    out.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(source), "-map", "0", "-c", "copy", "-f", "segment",
         "-segment_time", f"{seconds:g}", "-reset_timestamps", "1", "-segment_format", "mp4",
         "-segment_format_options", "movflags=frag_keyframe+empty_moov+default_base_moof",
         str(out / "seg%05d.mp4")],
        check=True,
    )  # fmt: skip
    return sorted(out.glob("seg*.mp4"))


def full_decode_cpu(path: Path) -> tuple[float, int]:
    """The anchor: decode every video frame (and the audio), nothing else."""
    start = time.process_time()
    frames = 0
    with av.open(str(path)) as container:
        for stream in container.streams:
            stream.codec_context.thread_count = 1
        for _frame in container.decode(*container.streams):
            frames += 1
    return time.process_time() - start, frames


@dataclass(frozen=True)
class Result:
    media_s: float
    segments: int
    analysis_cpu_s: float
    analysis_wall_s: float
    anchor_cpu_s: float
    anchor_frames: int
    model_load_cpu_s: float
    stage_cpu_s: dict[str, float]
    frames_sampled: int
    detector_runs: int
    observations: dict[str, int]
    repeats: int
    precision_recall: dict[str, tuple[float, float]]

    @property
    def x_realtime_per_core(self) -> float:
        return self.media_s / self.analysis_cpu_s

    @property
    def anchor_x_realtime_per_core(self) -> float:
        return self.media_s / self.anchor_cpu_s


@dataclass(frozen=True)
class Pass:
    cpu_s: float
    wall_s: float
    stages: dict[str, float]
    kinds: dict[str, int]
    sampled: int
    runs: int
    observations: list[Observation]


def analytics_pass(segments: list[Path], baseline: CameraBaseline, detector: CenterFace) -> Pass:
    stages: dict[str, float] = collections.defaultdict(float)
    kinds: collections.Counter[str] = collections.Counter()
    found: list[Observation] = []
    sampled = runs = 0
    cpu0, wall0 = time.process_time(), time.monotonic()
    for index, segment in enumerate(segments):
        start = START + timedelta(seconds=SEGMENT_S * index)
        result = analyse_segment(segment, "bench", start, ZONES, baseline, detector=detector)
        for stage, value in result.timings_per_detector.items():
            stages[stage] += value
        kinds.update(o.kind for o in result.observations)
        found.extend(result.observations)
        sampled += result.frames_sampled
        runs += result.detector_runs
    cpu, wall = time.process_time() - cpu0, time.monotonic() - wall0
    return Pass(cpu, wall, dict(stages), dict(sorted(kinds.items())), sampled, runs, found)


def run(minutes: float, repeats: int) -> Result:
    cv2.setNumThreads(1)
    OUT_DIR.mkdir(exist_ok=True)
    seconds = minutes * 60
    script = window_day(seconds)
    clip = OUT_DIR / f"analytics-720p-{minutes:g}min.mp4"
    if not clip.exists():
        print(f"generating {minutes:g} min 1280x720 25 fps window video …", flush=True)
        began = time.monotonic()
        write_window_clip(clip.with_suffix(".part.mp4"), script).rename(clip)
        print(f"  {time.monotonic() - began:.0f} s", flush=True)
    base_clip = OUT_DIR / "analytics-720p-baseline.mp4"
    if not base_clip.exists():
        write_window_clip(base_clip, replace(script, seconds=6.0, black=(), blur=(), frozen=(), moved=()))
    began = time.process_time()
    detector = default_detector()
    model_load = time.process_time() - began
    baseline = build_baseline(base_clip)
    with tempfile.TemporaryDirectory() as tmp:
        segments = cut_segments(clip, Path(tmp))
        anchors = [full_decode_cpu(clip) for _ in range(repeats)]
        passes = sorted((analytics_pass(segments, baseline, detector) for _ in range(repeats)), key=lambda p: p.cpu_s)
    median = passes[len(passes) // 2]
    anchor_cpu = statistics.median(a[0] for a in anchors)
    scores: dict[str, Score] = {}
    score_clip(script, median.observations, START, scores)
    print(table(scores))
    return Result(
        media_s=seconds,
        segments=len(segments),
        analysis_cpu_s=median.cpu_s,
        analysis_wall_s=median.wall_s,
        anchor_cpu_s=anchor_cpu,
        anchor_frames=anchors[0][1],
        model_load_cpu_s=model_load,
        stage_cpu_s=median.stages,
        frames_sampled=median.sampled,
        detector_runs=median.runs,
        observations=median.kinds,
        repeats=repeats,
        precision_recall={k: (round(s.precision, 3), round(s.recall, 3)) for k, s in scores.items()},
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--repeats", type=int, default=3, help="median of this many passes (and anchors)")
    parser.add_argument("--out", type=Path, default=OUT_DIR / "analytics.json")
    args = parser.parse_args()
    r = run(args.minutes, args.repeats)
    print(f"\n{args.minutes:g} min 1280x720 25 fps H.264 + AAC, {r.segments} segments of 10 s, single-threaded, "
          f"median of {r.repeats}")  # fmt: skip
    print(f"{'pass':28} {'CPU s':>8} {'x real time/core':>17}")
    print(f"{'full decode (anchor)':28} {r.anchor_cpu_s:8.2f} {r.anchor_x_realtime_per_core:17.1f}")
    print(f"{'analytics (all detectors)':28} {r.analysis_cpu_s:8.2f} {r.x_realtime_per_core:17.1f}")
    print(f"analytics / full decode CPU: {r.analysis_cpu_s / r.anchor_cpu_s:.2f}; wall {r.analysis_wall_s:.1f} s")
    print(f"\n{'stage':28} {'CPU s':>8} {'share':>7}")
    total = sum(r.stage_cpu_s.values()) or 1.0
    for stage, value in sorted(r.stage_cpu_s.items(), key=lambda kv: -kv[1]):
        print(f"{stage:28} {value:8.2f} {value / total:7.1%}")
    print(f"\nframes sampled {r.frames_sampled}, face detector runs {r.detector_runs} "
          f"({r.detector_runs / max(1, r.frames_sampled):.0%} of frames; the rest gated), "
          f"model load {r.model_load_cpu_s:.2f} s CPU once")  # fmt: skip
    print("observations:", ", ".join(f"{k} {v}" for k, v in r.observations.items()))
    verdict = "met" if r.x_realtime_per_core >= TARGET_X_REALTIME else "NOT met"
    print(f"target >= {TARGET_X_REALTIME:g}x real time per core: {verdict}")
    payload = {
        **asdict(r),
        "x_realtime_per_core": r.x_realtime_per_core,
        "anchor_x_realtime_per_core": r.anchor_x_realtime_per_core,
        "stage_share": {k: v / total for k, v in r.stage_cpu_s.items()},
        "target_x_realtime_per_core": TARGET_X_REALTIME,
        "detector_versions": DETECTOR_VERSIONS,
        "zones": asdict(ZONES),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(payload, indent=2))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
