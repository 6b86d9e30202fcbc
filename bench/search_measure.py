"""What the search benchmark asks the app, and how one database's run measures it.

Each search runs `requests` times per account with fresh parameters drawn from the generated
sessions (WARM_UP requests first), logged in as a reviewer scoped to three centres (with one
operator they may not judge) and as an admin; p50/p95/max of the wall time per request, target
p95 < TARGET_MS. The SQL each request ran for the search is replayed without the app
(bench/search_http.py), so API / SQL is what HTTP, auth, the audit append, the ORM and the
response models add; a search missing the target gets the plan of its slowest statement.
"""

from __future__ import annotations

import json
import math
import os
import random
import secrets
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from bench.search_data import Generated, row_count
from bench.search_http import Capture, Client, Statement, explain, replay, served
from bench.search_load import load
from bench.search_sessions import CENTERS, FindingProbe, Probe
from review_app.app import create_app
from review_app.auth.passwords import Passwords
from review_app.auth.users import UserDirectory
from seffaf.catalog.base import make_engine
from seffaf.catalog.connect import open_catalog
from seffaf.config import ReviewConfig, Settings
from seffaf.storage.local import LocalObjectStore

TARGET_MS = 50.0
WARM_UP = 3
REVIEWER_CENTERS = (CENTERS[0], "ganja-1", "quba-1")  # CENTERS[0] is the filmed one


@dataclass(frozen=True)
class Scope:
    """What one account may find: the probes it can see, and how the app scopes it."""

    role: str
    username: str
    probes: list[Probe]
    findings: list[FindingProbe]
    filmed: list[Probe]
    centers: tuple[str, ...]


@dataclass(frozen=True)
class Search:
    name: str
    what: str
    params: Callable[[Scope, random.Random], tuple[str, dict[str, str]]]
    html: bool = False


def _day(d: date, back: int = 0) -> str:
    return (d - timedelta(days=back)).isoformat()


def _pick(items: Sequence[Any], rng: random.Random) -> Any:
    return items[rng.randrange(len(items))]


def _ticket(s: Scope, rng: random.Random) -> tuple[str, dict[str, str]]:
    p: Probe = _pick(s.probes, rng)
    return "/api/v1/sessions", {"ticket": p.ticket, "date_from": _day(p.day), "date_to": _day(p.day)}


def _application(s: Scope, rng: random.Random) -> tuple[str, dict[str, str]]:
    p: Probe = _pick([p for p in s.probes[:5000] if p.applications], rng)
    return "/api/v1/sessions", {"application": _pick(p.applications, rng)}


def _operator(s: Scope, rng: random.Random) -> tuple[str, dict[str, str]]:
    p: Probe = _pick([p for p in s.probes[:5000] if p.legs[0][1] is not None], rng)
    return "/api/v1/sessions", {"operator": str(p.legs[0][1]), "date_from": _day(p.day, 29), "date_to": _day(p.day)}


def _window_day(s: Scope, rng: random.Random) -> tuple[str, dict[str, str]]:
    p: Probe = _pick(s.probes, rng)
    return "/api/v1/sessions", {"center": p.center, "window": str(p.legs[0][0]), "date_from": _day(p.day),
                                "date_to": _day(p.day)}  # fmt: skip


def _finding_rule(s: Scope, rng: random.Random) -> tuple[str, dict[str, str]]:
    f: FindingProbe = _pick(s.findings, rng)
    return "/api/v1/sessions", {"finding_rule": f.rule, "finding_status": "open", "date_from": _day(f.day, 29),
                                "date_to": _day(f.day)}  # fmt: skip


def _finding_queue(s: Scope, rng: random.Random) -> tuple[str, dict[str, str]]:
    return "/api/v1/sessions", {"center": _pick(s.centers, rng), "finding_severity": "high", "finding_status": "open"}


def _coverage_day(s: Scope, rng: random.Random) -> tuple[str, dict[str, str]]:
    p: Probe = _pick(s.probes, rng)
    return "/api/v1/sessions", {"center": p.center, "date_from": _day(p.day), "date_to": _day(p.day),
                                "coverage_below_full": "true"}  # fmt: skip


def _detail(s: Scope, rng: random.Random) -> tuple[str, dict[str, str]]:
    return f"/api/v1/sessions/{_pick(s.probes, rng).visit_id}", {}


def _detail_filmed(s: Scope, rng: random.Random) -> tuple[str, dict[str, str]]:
    return f"/api/v1/sessions/{_pick(s.filmed, rng).visit_id}", {}


def _me(s: Scope, rng: random.Random) -> tuple[str, dict[str, str]]:
    return "/api/v1/auth/me", {}


def _page(s: Scope, rng: random.Random) -> tuple[str, dict[str, str]]:
    return f"/sessions/{_pick(s.probes, rng).visit_id}", {}


def _page_filmed(s: Scope, rng: random.Random) -> tuple[str, dict[str, str]]:
    return f"/sessions/{_pick(s.filmed, rng).visit_id}", {}


SEARCHES = (
    Search("auth_me", "floor: GET /api/v1/auth/me", _me),  # cookie check only: HTTP, auth, no search, no audit
    Search("ticket_date", "ticket + date", _ticket),
    Search("application", "application id", _application),
    Search("operator_month", "operator + 30 days", _operator),
    Search("window_day", "centre + window + date", _window_day),
    Search("finding_rule_month", "finding rule, open, 30 days", _finding_rule),
    Search("finding_queue", "centre, high severity, open (all time)", _finding_queue),
    Search("coverage_day", "coverage below full, centre-day", _coverage_day),
    Search("session_api", "GET /api/v1/sessions/{id}", _detail),
    Search("session_api_filmed", "GET /api/v1/sessions/{id}, filmed", _detail_filmed),
    Search("session_page", "HTML /sessions/{id}", _page, html=True),
    Search("session_page_filmed", "HTML /sessions/{id}, filmed", _page_filmed, html=True),
)


@dataclass(frozen=True)
class Budget:
    """How much to ask per search and account."""

    requests: int
    max_seconds: float  # stop a search early, once it has had 20 requests
    seed: int


@dataclass
class Row:
    database: str
    search: str
    what: str
    role: str
    requests: int
    p50_ms: float
    p95_ms: float
    max_ms: float
    sql_p50_ms: float
    sql_p95_ms: float
    statements: int
    results: float | None
    errors: int = 0

    @property
    def met(self) -> bool:
        return self.p95_ms < TARGET_MS


@dataclass
class Measured:
    row: Row
    slowest: Statement | None = None  # the slowest statement of the p95-ish request


@dataclass
class DbReport:
    database: str
    load_s: dict[str, float]
    rows: list[Row] = field(default_factory=list)
    plans: dict[str, list[str]] = field(default_factory=dict)
    html_page: bool = False
    seconds: float = 0.0
    load_average: list[float] = field(default_factory=list)  # 1-min load at the start and end of the searches


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)] if ordered else float("nan")


def measure(client: Client, capture: Capture, replayer: Engine, database: str, search: Search, scope: Scope,
            budget: Budget) -> Measured:  # fmt: skip
    rng = random.Random(f"{budget.seed}/{search.name}/{scope.role}")
    for _ in range(WARM_UP):
        client.get(*search.params(scope, rng))
    latencies: list[float] = []
    captured: list[list[Statement]] = []
    results: list[int] = []
    errors = 0
    started = time.perf_counter()
    for i in range(budget.requests):
        path, params = search.params(scope, rng)
        capture.active = True
        status, body, seconds = client.get(path, params)
        capture.active = False
        statements = capture.take()
        if status != 200:
            errors += 1
            continue
        latencies.append(seconds)
        captured.append(statements)
        if not search.html and "total" in (page := json.loads(body)):
            results.append(int(page["total"]))
        if time.perf_counter() - started > budget.max_seconds and i >= 19:
            break
    replayed = replay(replayer, captured)
    ms = [x * 1000 for x in latencies]
    sql_ms = [r.seconds * 1000 for r in replayed]
    row = Row(database, search.name, search.what, scope.role, len(ms), statistics.median(ms) if ms else float("nan"),
              percentile(ms, 0.95), max(ms, default=float("nan")),
              statistics.median(sql_ms) if sql_ms else float("nan"), percentile(sql_ms, 0.95),
              round(statistics.median(len(s) for s in captured)) if captured else 0,
              statistics.median(results) if results else None, errors)  # fmt: skip
    # The slowest statement of the request at the 95th percentile of SQL time: what to EXPLAIN.
    order = sorted(range(len(replayed)), key=lambda n: replayed[n].seconds)
    worst = replayed[order[max(0, round(0.95 * len(order)) - 1)]].slowest if order else None
    return Measured(row, worst)


def scopes(generated: Generated, linked_operator: str) -> list[Scope]:
    def visible(p: Probe) -> bool:
        return p.center in REVIEWER_CENTERS and all(op != linked_operator for _, op in p.legs)

    probes = [p for p in generated.probes if visible(p)]
    reviewer = Scope("reviewer", "bench-reviewer", probes,
                     [f for f in generated.finding_probes if f.center in REVIEWER_CENTERS],
                     [p for p in probes if p.filmed], REVIEWER_CENTERS)  # fmt: skip
    admin = Scope("admin", "bench-admin", generated.probes, generated.finding_probes,
                  [p for p in generated.probes if p.filmed], CENTERS)  # fmt: skip
    return [reviewer, admin]


def add_accounts(url: str, password: str, linked_operator: str) -> None:
    catalog = open_catalog(url, migrate=False)
    now = datetime.now(UTC)
    hashed = Passwords().hash(password)
    with catalog.sessions() as session, session.begin():
        users = UserDirectory(session)
        users.add("bench-reviewer", hashed, ["reviewer"], list(REVIEWER_CENTERS), [linked_operator], now)
        users.add("bench-admin", hashed, ["admin"], [], [], now)
    catalog.close()


def run_database(database: str, url: str, generated: Generated, budget: Budget, work: Path,
                 show: Callable[[Row], None]) -> DbReport:  # fmt: skip
    """Load the catalog into `url`, serve the app on it and measure every search; `show` each row as it comes."""
    started = time.perf_counter()
    catalog = open_catalog(url)  # the migrations make the schema
    load_s = load(catalog, generated)
    catalog.close()
    print(f"{database}: loaded {row_count(generated):,} rows in {sum(load_s.values()):.0f} s "
          f"({', '.join(f'{k} {v:.1f}' for k, v in load_s.items())})", flush=True)  # fmt: skip
    password = secrets.token_urlsafe(16)
    linked_operator = next(op for p in generated.probes if p.center == REVIEWER_CENTERS[0]
                           for _, op in p.legs if op is not None)  # fmt: skip
    add_accounts(url, password, linked_operator)
    report = DbReport(database, load_s)
    settings = Settings(database_url=url, data_dir=work, review=ReviewConfig())
    app = create_app(settings, store=LocalObjectStore(work / "objects"))
    replayer = make_engine(url)
    all_scopes = scopes(generated, linked_operator)
    report.load_average.append(os.getloadavg()[0])
    with served(app) as port:
        capture = Capture(app.state.services.catalog.engine)
        clients = {}
        for scope in all_scopes:
            clients[scope.role] = Client(port)
            clients[scope.role].login(scope.username, password)
        status, _, _ = clients["admin"].get(f"/sessions/{generated.probes[0].visit_id}", {})
        report.html_page = status == 200  # the HTML session page, if the app has one yet
        for search in SEARCHES:
            if search.html and not report.html_page:
                continue
            for scope in all_scopes:
                if search.name.endswith("_filmed") and not scope.filmed:
                    continue
                measured = measure(clients[scope.role], capture, replayer, database, search, scope, budget)
                report.rows.append(measured.row)
                show(measured.row)
                if not measured.row.met and measured.slowest is not None:
                    report.plans[f"{search.name}/{scope.role}"] = explain(replayer, measured.slowest)
        for client in clients.values():
            client.close()
    replayer.dispose()
    report.load_average.append(os.getloadavg()[0])
    report.seconds = time.perf_counter() - started
    return report
