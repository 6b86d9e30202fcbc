"""Search benchmark: a year of 1,000,000 generated sessions, searched through the review app's API.

    .venv/bin/python -m bench.search [--sessions 1000000] [--requests 200] [--filmed-days 2] [--only sqlite]

Builds the catalog (bench/search_data.py: visits, legs, application ids, findings, verdicts, and a
filmed centre's last days of footage) once in memory, bulk-loads it (bench/search_load.py) into a
SQLite file and into a throwaway PostgreSQL cluster (tests/support/postgres.py), serves the real
app (`create_app`) with uvicorn in a thread and asks it over HTTP (http.client, one keep-alive
connection), logged in as a reviewer scoped to three centres (with one operator they may not
judge) and as an admin (bench/search_http.py). Each search (bench/search_measure.py) runs ~200
times with fresh parameters drawn from the generated sessions (3 warm-up requests first);
p50/p95/max of the wall time per request, target p95 < 50 ms. "Time to the session page" is
GET /api/v1/sessions/{id}, for any visit and for visits with footage, and the HTML page
/sessions/{id} when the app has one.

Anchor, in the same run: the SQL each request ran for the search itself (captured at the driver;
the login-session and audit statements left out), replayed through SQLAlchemy's
`exec_driver_sql` without the app, so API / SQL is what HTTP, auth, the audit append, the ORM and
the response models add. A search that misses the target gets the plan of its slowest statement
(EXPLAIN; ANALYZE on PostgreSQL) in the JSON. The app is measured as it is: nothing in the schema,
the settings or the code is changed for the run. Prints a table, writes JSON.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

from bench.search_data import generate, row_count
from bench.search_measure import TARGET_MS, Budget, DbReport, Row, run_database

OUT_DIR = Path(__file__).resolve().parent / "out"
HEADER = (f"{'database':10} {'search':38} {'role':8} {'n':>4} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7} "
          f"{'SQL p50':>7} {'SQL p95':>7} {'API/SQL':>7} {'stmts':>5} {'results':>7}  p95<50")  # fmt: skip


def print_row(r: Row) -> None:
    ratio = r.p50_ms / r.sql_p50_ms if r.sql_p50_ms > 0 else float("nan")
    results = "" if r.results is None else f"{r.results:,.0f}"
    print(f"{r.database:10} {r.what[:38]:38} {r.role:8} {r.requests:4} {r.p50_ms:7.1f} {r.p95_ms:7.1f} {r.max_ms:7.1f} "
          f"{r.sql_p50_ms:7.1f} {r.sql_p95_ms:7.1f} {ratio:7.1f} {r.statements:5} {results:>7}  "
          f"{'met' if r.met else 'MISSED'}{f' ({r.errors} errors)' if r.errors else ''}", flush=True)  # fmt: skip


def print_summary(reports: list[DbReport]) -> None:
    """The whole table again, then each database's plans of the searches that missed, and its timing."""
    print(f"\n{HEADER}")
    for report in reports:
        for row in report.rows:
            print_row(row)
    for report in reports:
        for key, plan in report.plans.items():
            print(f"\n{report.database} {key}: plan of its slowest statement")
            print("\n".join(f"  {line}" for line in plan[:40]))
        if not report.html_page:
            print(f"\n{report.database}: the app has no HTML /sessions/{{id}} page; skipped")
        loads = " -> ".join(f"{x:.1f}" for x in report.load_average)
        print(f"{report.database}: {report.seconds:.0f} s, 1-min load average {loads}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sessions", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=200, help="per search and account")
    parser.add_argument("--max-seconds", type=float, default=25.0, help="stop a search early (after 20 requests)")
    parser.add_argument("--filmed-days", type=int, default=2, help="days of footage of the filmed centre")
    parser.add_argument("--only", choices=("sqlite", "postgresql"))
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--out", type=Path, default=OUT_DIR / "search.json")
    args = parser.parse_args()
    from tests.support.postgres import PostgresCluster

    budget = Budget(args.requests, args.max_seconds, args.seed)
    started = time.perf_counter()
    generated = generate(args.sessions, args.filmed_days, args.seed)
    print(f"generated {row_count(generated):,} rows in {generated.seconds:.0f} s: "
          f"{', '.join(f'{n:,} {t}' for t, n in generated.counts.items())}", flush=True)  # fmt: skip
    print(HEADER, flush=True)
    reports: list[DbReport] = []
    with tempfile.TemporaryDirectory(prefix="seffaf-bench-search-") as tmp:
        work = Path(tmp)
        if args.only in (None, "sqlite"):
            url = f"sqlite:///{work}/search.sqlite3"
            reports.append(run_database("sqlite", url, generated, budget, work, print_row))
            (work / "search.sqlite3").unlink()
        if args.only in (None, "postgresql"):
            cluster = PostgresCluster(work / "pg").start()
            try:
                url = cluster.create_database("bench")
                reports.append(run_database("postgresql", url, generated, budget, work, print_row))
            finally:
                cluster.close()
    total_s = time.perf_counter() - started
    print_summary(reports)
    missed = [r for rep in reports for r in rep.rows if not r.met]
    print(f"\ntarget p95 < {TARGET_MS:.0f} ms: {'met by every search' if not missed else f'{len(missed)} missed'}; "
          f"whole run {total_s / 60:.1f} min (generation {generated.seconds:.0f} s)")  # fmt: skip
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({
        "sessions": args.sessions, "rows_generated": generated.counts, "generation_s": generated.seconds,
        "http": "uvicorn in a thread, http.client keep-alive, one request at a time", "target_p95_ms": TARGET_MS,
        "total_s": total_s, "databases": [asdict(r) for r in reports],
    }, indent=2, default=str))  # fmt: skip
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
