"""Run every benchmark in turn, then write bench/RESULTS.md from the JSON they wrote.

    .venv/bin/python -m bench.run_all [--only NAME ...] [--from-json]

Each benchmark runs as its own subprocess with its defaults (bench.recorder, bench.ingest,
bench.link, bench.analytics, bench.search, bench.export, bench.scale, bench.cli_startup; together
well over an hour on two cores). `--from-json` runs nothing and only renders bench/out/*.json; a benchmark whose JSON is
absent or of an older shape shows as "not run". A benchmark that fails is reported and the rest
still run; the exit status is then 1.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.results import Machine
from bench.results_markdown import render
from bench.results_read import READERS, Loaded, read_search, read_section

logger = logging.getLogger(__name__)

BENCH_DIR = Path(__file__).resolve().parent
OUT_DIR = BENCH_DIR / "out"
RESULTS = BENCH_DIR / "RESULTS.md"
BENCHMARKS = ("recorder", "ingest", "link", "analytics", "search", "export", "scale", "cli_startup")


def load(path: Path) -> Loaded | None:
    """The parsed file, or None if absent; unparseable JSON reads as an empty object (→ "not run")."""
    if not path.is_file():
        return None
    measured_at = datetime.fromtimestamp(path.stat().st_mtime, UTC)
    try:
        data: object = json.loads(path.read_text())
    except json.JSONDecodeError:
        logger.warning("%s is not valid JSON; shown as not run", path)
        data = {}
    return Loaded(path.name, data, measured_at)


def search_files(out_dir: Path) -> list[Loaded]:
    """search.json and any search-*.json (e.g. `--only postgresql --out ...`), oldest first."""
    paths = [p for p in out_dir.glob("search*.json") if p.name == "search.json" or p.name.startswith("search-")]
    return [x for x in (load(p) for p in sorted(paths, key=lambda p: p.stat().st_mtime)) if x is not None]


def machine() -> Machine:
    try:
        load_average: tuple[float, float, float] | None = os.getloadavg()
    except OSError:  # not offered on every platform
        load_average = None
    return Machine(os.cpu_count() or 1, load_average)


def write_results(out_dir: Path, results: Path, generated_at: datetime) -> str:
    sections = [read_section(name, load(out_dir / f"{name}.json")) for name in READERS]
    text = render(sections, read_search(search_files(out_dir)), machine(), generated_at)
    results.write_text(text)
    return text


def run_benchmark(name: str) -> bool:
    started, load_before = time.perf_counter(), os.getloadavg()[0]
    print(f"\n=== bench.{name} (1-min load average {load_before:.1f})", flush=True)
    code = subprocess.run([sys.executable, "-m", f"bench.{name}"], cwd=BENCH_DIR.parent, check=False).returncode
    print(f"=== bench.{name}: exit {code} after {(time.perf_counter() - started) / 60:.1f} min, "
          f"load average {load_before:.1f} → {os.getloadavg()[0]:.1f}", flush=True)  # fmt: skip
    return code == 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", nargs="+", choices=BENCHMARKS, metavar="NAME", help=f"of {', '.join(BENCHMARKS)}")
    parser.add_argument("--from-json", action="store_true", help="run nothing; render bench/out/*.json")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    failed: list[str] = []
    if not args.from_json:
        for name in args.only or BENCHMARKS:
            if not run_benchmark(name):
                failed.append(name)
    write_results(OUT_DIR, RESULTS, datetime.now(UTC))
    print(f"\nwrote {RESULTS}" + (f"; failed: {', '.join(failed)}" if failed else ""))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
