"""Evidence export benchmark: seffaf's stream-copy clip against `ffmpeg -f concat -c copy`.

    .venv/bin/python -m bench.export [--minutes 15] [--redact-minutes 1]

A generated 1280x720 25 fps H.264 (GOP 2 s, ~2 Mb/s) + AAC file is recorded by the real recorder
(`seffaf record --start-time`) into 10 s fMP4 segments in a local store. The whole run is then cut
into one clip by seffaf's ClipCutter (PyAV remux, faststart) and by ffmpeg's concat demuxer with
`-c copy -movflags +faststart`, over the same segment files in the same run; wall seconds, median
of three, and their ratio (target <= 1.10). A redacted-export row (face redaction of the first
`--redact-minutes` of the clip, in x real time) is added when seffaf/evidence/redaction.py offers
a redactor. Prints a table, writes bench/out/export.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import av

from seffaf.evidence.clip import ClipCutter, ClipPart
from seffaf.evidence.cut_points import SegmentSpan, plan_cuts
from seffaf.evidence.redactor import ZoneBox
from seffaf.evidence.redactor_lookup import RedactorUnavailable, find_redactor
from seffaf.manifests import SegmentManifest
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


def _redaction_row(clip: Path, minutes: float, work: Path) -> dict[str, float | str] | str:
    found = find_redactor()
    if isinstance(found, RedactorUnavailable):
        return f"skipped: {found.reason}"
    part = work / "redact-source.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(clip), "-t", f"{minutes * 60:g}", "-c", "copy",
                    "-movflags", "+faststart", str(part)], check=True)  # fmt: skip
    seconds = _duration(part)
    begin = time.perf_counter()
    result = found.redact(part, work / "redacted.mp4", OPERATOR_ZONE)
    elapsed = time.perf_counter() - begin
    return {"footage_s": seconds, "wall_s": elapsed, "x_real_time": elapsed / seconds, "method": result.method,
            "faces_blurred": result.faces_blurred}  # fmt: skip


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
        redaction = _redaction_row(work / "seffaf.mp4", args.redact_minutes, work)
    seffaf_median, ffmpeg_median = statistics.median(seffaf_s), statistics.median(ffmpeg_s)
    ratio = seffaf_median / ffmpeg_median
    print(f"\n{args.minutes:g} min session, {len(segments)} segments of 10 s, 1280x720 25 fps ~2 Mb/s H.264 + AAC "
          f"(median of {REPEATS})")  # fmt: skip
    print(f"{'clip (stream copy, faststart)':40} {'wall s':>8} {'clip s':>8} {'ratio':>7}")
    print(f"{'seffaf ClipCutter (PyAV remux)':40} {seffaf_median:8.2f} {durations['seffaf']:8.1f} {ratio:7.2f}")
    print(f"{'ffmpeg -f concat -c copy':40} {ffmpeg_median:8.2f} {durations['ffmpeg']:8.1f} {1.0:7.2f}")
    print(f"target: ratio <= 1.10: {'met' if ratio <= 1.10 else 'NOT met'}")
    if isinstance(redaction, str):
        print(f"redacted export: {redaction}")
    else:
        print(f"redacted export: {redaction['footage_s']:.0f} s of footage in {redaction['wall_s']:.1f} s = "
              f"{redaction['x_real_time']:.2f} x real time ({redaction['method']})")  # fmt: skip
    payload = {"minutes": args.minutes, "segments": len(segments), "repeats": REPEATS,
               "seffaf_clip_s": seffaf_s, "ffmpeg_concat_s": ffmpeg_s, "ratio": ratio, "clip_durations_s": durations,
               "redaction": redaction}  # fmt: skip
    args.out.write_text(json.dumps(payload, indent=2))
    print(f"\nwrote {args.out}")


if __name__ == "__main__":
    main()
