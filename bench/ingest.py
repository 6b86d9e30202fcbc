"""Ingest benchmark: a generated month of a 40-window centre through batch and HTTP ingest.

    .venv/bin/python -m bench.ingest [--days 30] [--windows 40] [--http-events 20000]

Per database (SQLite, PostgreSQL) in a fresh process: events/s of the event phase (target
>= 20,000/s), session rebuild time, peak memory (RSS). Anchor in the same run: parsing the
same file alone (json + pydantic), the floor any ingest pays. Then HTTP ingest against a real
`seffaf serve`. Prints a table, writes JSON.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path

OUT_DIR = Path(__file__).resolve().parent / "out"
SITES = '[[center]]\nid = "bench-1"\nname = "Bench centre"\ntimezone = "Asia/Baku"\n'


@dataclass(frozen=True)
class DbResult:
    database: str
    events: int
    event_phase_s: float
    events_per_s: float
    rebuild_s: float
    visits: int
    peak_rss_mb: float


def generate(days: int, windows: int) -> Path:
    from ingest.export import write_jsonl
    from ingest.traffic import CentreProfile, generate_range

    OUT_DIR.mkdir(exist_ok=True)
    path = OUT_DIR / f"month-{windows}w-{days}d.jsonl"
    if not path.exists():
        print(f"generating {days} days of a {windows}-window centre …", flush=True)
        profile = CentreProfile(center="bench-1", windows=windows)
        write_jsonl(generate_range(profile, date(2026, 3, 2), days, seed=7), path)
    return path


def parse_only(path: Path) -> tuple[int, float]:
    from ingest.parsing import read_jsonl

    start = time.perf_counter()
    count = sum(1 for _ in read_jsonl(path))
    return count, time.perf_counter() - start


def one_database(database_url: str, path: Path, storage: Path) -> dict[str, float]:
    """Runs inside a fresh process (--one): ingest then rebuild, timed apart."""
    import tomllib

    from sqlalchemy import func, select

    from ingest.archive import EventArchive
    from ingest.parsing import read_jsonl
    from ingest.rebuild import SessionRebuilder
    from ingest.service import IngestService
    from ingest.writer import Affected, EventWriter
    from seffaf.catalog.connect import open_catalog
    from seffaf.catalog.session_tables import VisitRow
    from seffaf.catalog.sites_repo import store_sites
    from seffaf.clock import utcnow
    from seffaf.sites import Sites
    from seffaf.storage.local import LocalObjectStore

    catalog = open_catalog(database_url)
    with catalog.sessions() as session, session.begin():
        store_sites(session, Sites.model_validate(tomllib.loads(SITES)))
    archive = EventArchive(LocalObjectStore(storage))
    service = IngestService(catalog.sessions, archive, utcnow)
    affected = Affected()
    events = 0
    start = time.perf_counter()
    rows = read_jsonl(path)
    while True:
        batch = [row for _, row in zip(range(5000), rows, strict=False)]
        if not batch:
            break
        with catalog.sessions() as session, session.begin():
            outcome = EventWriter(session, utcnow).write(batch)
            archive.append(outcome.accepted, utcnow(), f"b{events}")
        affected.merge(outcome.affected)
        events += len(batch)
    event_phase = time.perf_counter() - start
    start = time.perf_counter()
    with catalog.sessions() as session, session.begin():
        SessionRebuilder(session, utcnow).rebuild(affected)
    rebuild = time.perf_counter() - start
    with catalog.sessions() as session:
        visits = session.scalar(select(func.count()).select_from(VisitRow)) or 0
    del service
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "events": events,
        "event_phase_s": event_phase,
        "rebuild_s": rebuild,
        "visits": visits,
        "peak_rss_mb": peak_mb,
    }


def run_database(name: str, url: str, path: Path) -> DbResult:
    with tempfile.TemporaryDirectory() as tmp:
        out = subprocess.run(
            [sys.executable, "-m", "bench.ingest", "--one", url, "--file", str(path), "--storage", tmp],
            check=True, capture_output=True, text=True,
        )  # fmt: skip
    data = json.loads(out.stdout.strip().splitlines()[-1])
    return DbResult(name, int(data["events"]), data["event_phase_s"], data["events"] / data["event_phase_s"],
                    data["rebuild_s"], int(data["visits"]), data["peak_rss_mb"])  # fmt: skip


def http_ingest(path: Path, count: int, work: Path) -> float:
    """Events/s through a real `seffaf serve` (batches of 1000, one client)."""
    from tests.support.rtsp import free_port

    env = {"SEFFAF_DATABASE_URL": f"sqlite:///{work}/http.sqlite3", "SEFFAF_STORAGE_URL": (work / "o").as_uri()}
    run = [sys.executable, "-m", "seffaf"]
    import os

    full_env = {**os.environ, **env}
    (work / "sites.toml").write_text(SITES)
    subprocess.run([*run, "sites", "load", str(work / "sites.toml")], env=full_env, check=True, capture_output=True)
    key = subprocess.run([*run, "sources", "add", "qms-sim"], env=full_env, check=True, capture_output=True,
                         text=True).stdout.strip()  # fmt: skip
    port = free_port()
    server = subprocess.Popen([*run, "serve", "--port", str(port)], env=full_env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        lines = path.read_text().splitlines()[:count]
        batches = [lines[i : i + 1000] for i in range(0, len(lines), 1000)]
        start = time.perf_counter()
        for batch in batches:
            body = ("[" + ",".join(batch) + "]").encode()
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}/api/v1/queue-events", data=body, method="POST",
                headers={"Content-Type": "application/json", "X-API-Key": key},
            )  # fmt: skip
            with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310 - http on loopback
                assert response.status == 200
        return len(lines) / (time.perf_counter() - start)
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--windows", type=int, default=40)
    parser.add_argument("--http-events", type=int, default=20_000)
    parser.add_argument("--out", type=Path, default=OUT_DIR / "ingest.json")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    parser.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--storage", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one_database(args.one, args.file, args.storage)))
        return
    from tests.support.postgres import PostgresCluster

    path = generate(args.days, args.windows)
    count, parse_s = parse_only(path)
    print(f"\n{count} events ({args.days} days, {args.windows} windows); parse-only anchor {count / parse_s:,.0f} ev/s")
    results: list[DbResult] = []
    with tempfile.TemporaryDirectory() as tmp:
        results.append(run_database("sqlite", f"sqlite:///{tmp}/bench.sqlite3", path))
        cluster = PostgresCluster(Path(tmp) / "pg").start()
        try:
            results.append(run_database("postgresql", cluster.create_database("bench"), path))
        finally:
            cluster.close()
        http_rate = http_ingest(path, args.http_events, Path(tmp))
    print(f"\n{'database':12} {'events/s':>10} {'vs parse':>9} {'rebuild s':>10} {'visits':>8} {'peak RSS MB':>12}")
    for r in results:
        print(f"{r.database:12} {r.events_per_s:10,.0f} {r.events_per_s / (count / parse_s):9.2f} "
              f"{r.rebuild_s:10.1f} {r.visits:8} {r.peak_rss_mb:12.0f}")  # fmt: skip
    print(f"\nHTTP ingest (SQLite, batches of 1000): {http_rate:,.0f} events/s")
    target = all(r.events_per_s >= 20_000 for r in results)
    print(f"target >= 20,000 events/s: {'met' if target else 'NOT met'}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"events": count, "parse_only_events_per_s": count / parse_s,
                                    "databases": [asdict(r) for r in results], "http_events_per_s": http_rate},
                                   indent=2))  # fmt: skip
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
