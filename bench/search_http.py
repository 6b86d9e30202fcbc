"""The search benchmark's plumbing: the app served in-process, an HTTP client, and the SQL anchor.

`served` runs the real app behind uvicorn in a thread; `Client` asks it over one keep-alive
connection with a login cookie. `Capture` records the statements of the search itself at the
driver (not the login-session lookup, not the audit append); `replay` runs them again through
SQLAlchemy's `exec_driver_sql` without the app, and `explain` gives a statement's plan.
"""

from __future__ import annotations

import http.client
import json
import re
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import uvicorn
from fastapi import FastAPI
from sqlalchemy import Engine, event

HOST = "127.0.0.1"
# Statements of the search itself: not the login-session lookup, not the audit append.
NOT_SEARCH = re.compile(r"\b(login_sessions|login_attempts|users|audit_log)\b|pg_advisory", re.IGNORECASE)


@dataclass(frozen=True)
class Statement:
    sql: str
    params: Any  # as the driver got them, so the replay sends the same


@dataclass(frozen=True)
class Replayed:
    """One request's statements run again: their total time, and the slowest of them."""

    seconds: float
    slowest: Statement | None


@contextmanager
def served(app: FastAPI) -> Iterator[int]:
    """The app behind uvicorn in a thread, on a free loopback port."""
    from tests.support.processes import free_port

    config = uvicorn.Config(
        app, host=HOST, port=free_port(), log_level="warning", access_log=False, timeout_keep_alive=3600
    )  # one client per account, idle while the other one asks
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield config.port
    finally:
        server.should_exit = True
        thread.join(timeout=30)


class Client:
    """One keep-alive HTTP connection with the login cookie."""

    def __init__(self, port: int) -> None:
        self._connection = http.client.HTTPConnection(HOST, port, timeout=300)
        self._cookie = ""

    def login(self, username: str, password: str) -> None:
        body = json.dumps({"username": username, "password": password})
        self._connection.request("POST", "/api/v1/auth/login", body, {"Content-Type": "application/json"})
        response = self._connection.getresponse()
        response.read()
        if response.status != 200:
            raise RuntimeError(f"login {username}: HTTP {response.status}")
        self._cookie = str(response.getheader("set-cookie")).split(";")[0]

    def get(self, path: str, params: dict[str, str]) -> tuple[int, bytes, float]:
        """Status, body and seconds of one GET."""
        url = f"{path}?{urlencode(params)}" if params else path
        start = time.perf_counter()
        self._connection.request("GET", url, headers={"Cookie": self._cookie})
        response = self._connection.getresponse()
        body = response.read()
        return response.status, body, time.perf_counter() - start

    def close(self) -> None:
        self._connection.close()


class Capture:
    """The search statements the app sends while `active` (a listener on the app's engine)."""

    def __init__(self, engine: Engine) -> None:
        self.active = False
        self._statements: list[Statement] = []
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, _conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, many: bool) -> None:
        if self.active and not many and statement.lstrip()[:6].upper() == "SELECT" and not NOT_SEARCH.search(statement):
            self._statements.append(Statement(statement, parameters))

    def take(self) -> list[Statement]:
        taken, self._statements = self._statements, []
        return taken


def replay(engine: Engine, captured: list[list[Statement]]) -> list[Replayed]:
    """Each request's statements run again on one connection, rolled back after each request."""
    replayed: list[Replayed] = []
    with engine.connect() as connection:
        for statements in captured:
            total, worst_s, worst = 0.0, 0.0, None
            for statement in statements:
                start = time.perf_counter()
                connection.exec_driver_sql(statement.sql, statement.params).fetchall()
                took = time.perf_counter() - start
                total += took
                if took > worst_s:
                    worst_s, worst = took, statement
            replayed.append(Replayed(total, worst))
            connection.rollback()
    return replayed


def explain(engine: Engine, statement: Statement) -> list[str]:
    """The plan of a statement: EXPLAIN QUERY PLAN on SQLite, EXPLAIN (ANALYZE, BUFFERS) on PostgreSQL."""
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement.sql}", statement.params).fetchall()
            return [f"{'  ' * _depth(rows, r)}{r[3]}" for r in rows]
        plan = connection.exec_driver_sql(f"EXPLAIN (ANALYZE, BUFFERS) {statement.sql}", statement.params)
        return [r[0] for r in plan.fetchall()]


def _depth(rows: Sequence[Any], row: Any) -> int:
    """How deep a row of SQLite's EXPLAIN QUERY PLAN sits (id, parent, notused, detail)."""
    parents = {r[0]: r[1] for r in rows}
    depth, parent = 0, row[1]
    while parent:
        depth, parent = depth + 1, parents.get(parent, 0)
    return depth
