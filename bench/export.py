"""Evidence export benchmark: seffaf's stream-copy clip against `ffmpeg -f concat -c copy`.

    .venv/bin/python -m bench.export [--minutes 15] [--redact-minutes 1]

A generated 1280x720 25 fps H.264 (GOP 2 s, ~2 Mb/s) + AAC file is recorded by the real recorder
(`seffaf record --start-time`) into 10 s fMP4 segments in a local store. The whole run is then cut
into one clip by seffaf's ClipCutter (PyAV remux, faststart) and by ffmpeg's concat demuxer with
`-c copy -movflags +faststart`, over the same segment files in the same run; wall seconds, median
of three, and their ratio (target <= 1.10).

Redacted export, when seffaf/evidence/redaction.py offers a redactor: `--redact-minutes` of two
1280x720 25 fps footages, scripted office footage with real faces (the operator in the top half,
citizens arriving, sitting and leaving in the bottom half) and the first minutes of the clip above
(a pattern moving over the whole picture: the worst case for motion gating), each redacted with the
anchor schedule (the detector on every 3rd frame, as before gating) and the default; speed as x real
time (footage seconds per wall second; target >= 2 on the office footage). `uptime` is recorded: the
cores are shared. Prints tables, writes bench/out/export.json ("redaction": the office default row).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import av

from indexer.analytics.facedetect import CenterFace
from seffaf.evidence.clip import ClipCutter, ClipPart
from seffaf.evidence.cut_points import SegmentSpan, plan_cuts
from seffaf.evidence.redaction import FaceBlurRedactor, RedactionSettings
from seffaf.evidence.redactor import ZoneBox
from seffaf.evidence.redactor_lookup import RedactorUnavailable, find_redactor
from seffaf.manifests import SegmentManifest
from seffaf.scripted_footage import ClipScript, FacePlacement, Span, write_window_clip
from seffaf.storage.local import LocalObjectStore
from seffaf.synthetic_media import SyntheticClip, write_clip
from tests.support.footage import stored_manifests

OUT_DIR = Path(__file__).resolve().parent / "out"
REPEATS = 3
CAMERA = "bench-export"
T0 = datetime(2026, 5, 4, 6, 0, tzinfo=UTC)
OPERATOR_ZONE = ZoneBox(0.0, 0.0, 1.0, 0.5)  # the analytics' default: the operator across the desk


def _recording(minutes: float, work: Path) -> tuple[LocalObjectStore, list[SegmentManifest]]:
    clip = OUT_DIR / f"export-720p-{minutes:g}min.mp4"
    if not clip.exists():
        print(f"generating {minutes:g} min 1280x720 25 fps H.264 + AAC …", flush=True)
        write_clip(clip, SyntheticClip(seconds=minutes * 60, width=1280, height=720, fps=25, gop_seconds=2.0,
                                       bitrate=2_000_000, audio="aac", audio_rate=48_000))  # fmt: skip
    objects = work / "objects"
    print("recording it into 10 s segments …", flush=True)
    subprocess.run(
        [sys.executable, "-m", "seffaf", "record", "--camera", CAMERA, "--source", str(clip), "--start-time",
         T0.isoformat(), "--storage", objects.as_uri(), "--spool", str(work / "spool"), "--log-format", "text"],
        check=True, capture_output=True, cwd=work,
    )  # fmt: skip
    store = LocalObjectStore(objects)
    return store, sorted(stored_manifests(store, CAMERA), key=lambda m: m.seq)


def _seffaf_clip(store: LocalObjectStore, segments: list[SegmentManifest], target: Path) -> float:
    spans = [SegmentSpan(m.seq, m.start, m.end) for m in segments]
    by_seq = {m.seq: m for m in segments}
    begin = time.perf_counter()
    cuts = plan_cuts(spans, segments[0].start, segments[-1].end)
    parts = [ClipPart(store.root / by_seq[c.seq].key, by_seq[c.seq].key, by_seq[c.seq].start, c) for c in cuts]
    ClipCutter().cut(parts, target)
    return time.perf_counter() - begin


def _ffmpeg_clip(store: LocalObjectStore, segments: list[SegmentManifest], work: Path, target: Path) -> float:
    listing = work / "list.txt"
    listing.write_text("".join(f"file '{store.root / m.key}'\n" for m in segments))
    begin = time.perf_counter()
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "concat", "-safe", "0", "-i", str(listing), "-c", "copy",
                    "-movflags", "+faststart", str(target)], check=True)  # fmt: skip
    return time.perf_counter() - begin


def _duration(path: Path) -> float:
    with av.open(str(path)) as container:
        return float(container.duration or 0) / 1_000_000


@dataclass(frozen=True)
class RedactionRow:
    footage: str
    schedule: str
    footage_s: float
    wall_s: float
    x_real_time: float  # footage seconds redacted per wall second: 2.0 = twice as fast as real time
    detector_runs: int
    faces_blurred: int
    method: str


def _office_footage(minutes: float) -> Path:
    """Scripted service-window footage at 1280x720 25 fps: the operator in the top half all along, citizens in
    the bottom half arriving, sitting (swaying) and leaving: real faces, a still scene with sensor noise."""
    clip = OUT_DIR / f"export-office-720p-{minutes:g}min.mp4"
    if not clip.exists():
        print(f"generating {minutes:g} min 1280x720 25 fps office footage with faces …", flush=True)
        s = minutes * 60
        faces = (
            FacePlacement("operator", Span(0, s), 0.5, 0.25, 0.28),
            FacePlacement("citizen", Span(0, s * 0.42), 0.35, 0.74, 0.3, variant=1),
            FacePlacement("citizen", Span(s * 0.33, s * 0.83), 0.7, 0.76, 0.28, variant=2),
            FacePlacement("citizen", Span(s * 0.58, s), 0.3, 0.72, 0.3, variant=1),
        )
        write_window_clip(clip, ClipScript(seconds=s, width=1280, height=720, fps=25, gop_s=2.0, bitrate=2_000_000,
                                           speech=(Span(0, s),), faces=faces), preset="veryfast")  # fmt: skip
    return clip


def _redact(footage: str, schedule: str, source: Path, settings: RedactionSettings, work: Path) -> RedactionRow:
    detector = CenterFace()
    seconds = _duration(source)
    begin = time.perf_counter()
    result = FaceBlurRedactor(detector, settings).redact(source, work / "redacted.mp4", OPERATOR_ZONE)
    elapsed = time.perf_counter() - begin
    return RedactionRow(footage, schedule, seconds, elapsed, seconds / elapsed, detector.runs, result.faces_blurred,
                        result.method)  # fmt: skip


def _redaction_rows(clip: Path, minutes: float, work: Path) -> list[RedactionRow] | str:
    """Each footage redacted twice: the anchor (the detector on every 3rd frame, boxes padded by 0.3: the
    schedule before motion gating) and the current default."""
    found = find_redactor()
    if isinstance(found, RedactorUnavailable):
        return f"skipped: {found.reason}"
    pattern = work / "redact-source.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(clip), "-t", f"{minutes * 60:g}", "-c", "copy",
                    "-movflags", "+faststart", str(pattern)], check=True)  # fmt: skip
    anchor = RedactionSettings(every=3, max_every=3, pad=0.3)
    rows = []
    for footage, source in (("office, faces", _office_footage(minutes)), ("pattern, all moving", pattern)):
        rows.append(_redact(footage, "anchor: every 3rd frame", source, anchor, work))
        rows.append(_redact(footage, "gated (default)", source, RedactionSettings(), work))
    return rows


def _uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()


def _print_redaction(rows: list[RedactionRow] | str) -> None:
    if isinstance(rows, str):
        print(f"redacted export: {rows}")
        return
    print(f"\n{'redacted export (1280x720 25 fps)':22} {'schedule':24} {'footage s':>9} {'runs':>6} {'wall s':>7} "
          f"{'x real time':>11} {'vs anchor':>9}")  # fmt: skip
    anchors = {row.footage: row for row in rows if row.schedule.startswith("anchor")}
    for row in rows:
        gain = row.x_real_time / anchors[row.footage].x_real_time
        print(f"{row.footage:22} {row.schedule:24} {row.footage_s:9.0f} {row.detector_runs:6d} {row.wall_s:7.1f} "
              f"{row.x_real_time:11.2f} {gain:9.2f}")  # fmt: skip
    print(f"target: >= 2x real time on the office footage: "
          f"{'met' if rows[1].x_real_time >= 2.0 else 'NOT met'} ({rows[1].method})")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=15.0, help="Length of the session (default 15).")
    parser.add_argument("--redact-minutes", type=float, default=1.0, help="Footage redacted for the x-real-time row.")
    parser.add_argument("--out", type=Path, default=OUT_DIR / "export.json")
    args = parser.parse_args()
    OUT_DIR.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        store, segments = _recording(args.minutes, work)
        seffaf_s, ffmpeg_s = [], []
        for _ in range(REPEATS):
            seffaf_s.append(_seffaf_clip(store, segments, work / "seffaf.mp4"))
            ffmpeg_s.append(_ffmpeg_clip(store, segments, work, work / "ffmpeg.mp4"))
        durations = {"seffaf": _duration(work / "seffaf.mp4"), "ffmpeg": _duration(work / "ffmpeg.mp4")}
        redaction = _redaction_rows(work / "seffaf.mp4", args.redact_minutes, work)
        load = _uptime()
    seffaf_median, ffmpeg_median = statistics.median(seffaf_s), statistics.median(ffmpeg_s)
    ratio = seffaf_median / ffmpeg_median
    print(f"\n{args.minutes:g} min session, {len(segments)} segments of 10 s, 1280x720 25 fps ~2 Mb/s H.264 + AAC "
          f"(median of {REPEATS})")  # fmt: skip
    print(f"{'clip (stream copy, faststart)':40} {'wall s':>8} {'clip s':>8} {'ratio':>7}")
    print(f"{'seffaf ClipCutter (PyAV remux)':40} {seffaf_median:8.2f} {durations['seffaf']:8.1f} {ratio:7.2f}")
    print(f"{'ffmpeg -f concat -c copy':40} {ffmpeg_median:8.2f} {durations['ffmpeg']:8.1f} {1.0:7.2f}")
    print(f"target: ratio <= 1.10: {'met' if ratio <= 1.10 else 'NOT met'}")
    _print_redaction(redaction)
    print(f"machine load after the run (shared cores): {load}")
    payload = {"minutes": args.minutes, "segments": len(segments), "repeats": REPEATS,
               "seffaf_clip_s": seffaf_s, "ffmpeg_concat_s": ffmpeg_s, "ratio": ratio, "clip_durations_s": durations,
               "redaction": redaction if isinstance(redaction, str) else asdict(redaction[1]),
               "redaction_rows": [] if isinstance(redaction, str) else [asdict(row) for row in redaction],
               "uptime": load}  # fmt: skip
    args.out.write_text(json.dumps(payload, indent=2))
    print(f"\nwrote {args.out}")


if __name__ == "__main__":
    main()
