"""A real PostgreSQL server for tests: a throwaway cluster made with the machine's ``initdb`` and ``postgres``.

:class:`PostgresCluster` runs ``initdb`` once into a temporary directory and starts ``postgres``
listening on 127.0.0.1 (a port picked free at first start and kept across
:meth:`PostgresCluster.restart`) and on a unix socket in the same directory. It is a test
cluster: ``trust`` authentication, superuser ``postgres``, no fsync. No Docker, no system service.

PostgreSQL refuses to run as root. When the tests run as root (CI), ``initdb`` and ``postgres``
run as the Debian ``postgres`` user (created by the ``postgresql`` package), and the cluster's
data and socket live in a private directory under the system temp dir owned by that user: it
cannot enter pytest's root-only ``/tmp/pytest-of-root``. Finding the binaries and that user is
:mod:`tests.support.postgres_binaries` (its names are re-exported here).

Loaded as a pytest plugin; provides the fixtures ``postgres_cluster`` (one cluster for the
session), ``postgres_url`` (a fresh empty database per test) and ``database_url`` (parametrized:
a SQLite file, then a fresh PostgreSQL database).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Self

import psycopg
import pytest
from psycopg import sql

from tests.support.postgres_binaries import DEBIAN_LIB_DIR as DEBIAN_LIB_DIR
from tests.support.postgres_binaries import INSTALL_HINT as INSTALL_HINT
from tests.support.postgres_binaries import SERVER_USER as SERVER_USER
from tests.support.postgres_binaries import PostgresBinaries as PostgresBinaries
from tests.support.postgres_binaries import PostgresError as PostgresError
from tests.support.postgres_binaries import ServerUser as ServerUser
from tests.support.postgres_binaries import find_binaries as find_binaries
from tests.support.postgres_binaries import groups_of
from tests.support.postgres_binaries import server_user as server_user
from tests.support.processes import (
    HOST,
    ServerProcess,
    free_port,
    kill_group,
    log_marker,
    log_tail,
    spawn_logged,
    started,
    stop_process,
)

SUPERUSER = "postgres"
SOCKET_NAME_MAX = 100  # sun_path holds 108 bytes; ".s.PGSQL.NNNNN" is appended to the directory
# What a test cluster may give up for speed: it is thrown away, so a crash may lose anything.
SERVER_SETTINGS = {
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
}


class PostgresCluster(ServerProcess):
    """One PostgreSQL cluster (``initdb`` on first start) and its ``postgres`` server process.

    ``base_dir`` holds the log. The data directory and socket live in ``base_dir`` too, unless
    the server runs as another user (we are root) or the socket path would be too long: then in
    a private directory under the system temp dir, removed by :meth:`close`.
    """

    def __init__(self, base_dir: Path, *, ready_timeout_s: float = 60.0, stop_timeout_s: float = 10.0) -> None:
        super().__init__()
        self.base_dir = base_dir
        self.log_path = base_dir / "postgres.log"
        self.ready_timeout_s = ready_timeout_s
        self.stop_timeout_s = stop_timeout_s
        self.port: int | None = None
        self._run_dir: Path | None = None
        self._private_run_dir = False
        self._user: ServerUser | None = None

    # -- public API -------------------------------------------------------------------------

    @property
    def data_dir(self) -> Path:
        return self._require_run_dir() / "data"

    @property
    def socket_dir(self) -> Path:
        return self._require_run_dir() / "sock"

    def url(self, database: str) -> str:
        """SQLAlchemy URL of ``database`` over TCP (``postgresql+psycopg://postgres@127.0.0.1:PORT/db``)."""
        return f"postgresql+psycopg://{SUPERUSER}@{HOST}:{self._require_port()}/{database}"

    def connect(self, database: str = "postgres", *, timeout_s: float = 10.0) -> psycopg.Connection[tuple[object, ...]]:
        """A plain psycopg connection as the superuser, in autocommit mode."""
        return psycopg.connect(
            host=HOST,
            port=self._require_port(),
            user=SUPERUSER,
            dbname=database,
            connect_timeout=max(1, round(timeout_s)),
            autocommit=True,
        )

    def create_database(self, name: str) -> str:
        """Create an empty database (from ``template0``) and return its SQLAlchemy URL."""
        with self.connect() as conn:
            conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE template0").format(sql.Identifier(name)))
        return self.url(name)

    def drop_database(self, name: str) -> None:
        """Drop ``name`` if it exists, disconnecting whoever is still connected to it."""
        with self.connect() as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))

    def start(self) -> Self:
        """Create the cluster if needed, spawn the server and wait until it accepts a connection.

        Idempotent while running. The port is picked on the first start and kept afterwards.
        """
        with self._lock:
            if self.running:
                return self
            binaries = find_binaries()  # fail with the install hint before touching anything
            self._user = server_user()
            self.base_dir.mkdir(parents=True, exist_ok=True)
            if self._run_dir is None or not (self.data_dir / "PG_VERSION").is_file():
                self._init_cluster(binaries)
            deadline = time.monotonic() + self.ready_timeout_s
            first_start = self.port is None
            problem = "was not started"
            output = ""
            # First start: if the probed port is taken before postgres binds it, probe another.
            # Restart: keep the port (URLs handed out must stay valid).
            for attempt in range(5 if first_start else 1):
                if first_start:
                    self.port = free_port()
                log_offset = self._log_size()
                self._spawn(binaries, attempt)
                found = self._wait_ready(deadline)
                if found is None:
                    return self
                problem = found
                self._stop()
                output = self._log_since(log_offset)
                bind_failed = "could not bind" in output.lower() or "address already in use" in output.lower()
                if not (first_start and bind_failed) or time.monotonic() >= deadline:
                    break
            raise PostgresError(
                f"PostgreSQL {problem} (port {self.port}); log {self.log_path}, tail:\n{self.log_tail()}"
            )

    def stop(self) -> None:
        """Fast shutdown (SIGINT), wait up to ``stop_timeout_s``, then SIGKILL server and backends. Safe twice."""
        with self._lock:
            self._stop()

    def close(self) -> None:
        """Stop the server and delete the private run directory, if one was made. The cluster is gone."""
        with self._lock:
            self._stop()
            if self._private_run_dir and self._run_dir is not None:
                shutil.rmtree(self._run_dir, ignore_errors=True)
                self._run_dir = None
                self._private_run_dir = False

    def log_tail(self, lines: int = 40) -> str:
        return log_tail(self.log_path, lines)

    def __repr__(self) -> str:
        return f"PostgresCluster(port={self.port}, run_dir={str(self._run_dir)!r}, {self._state()})"

    # -- internals --------------------------------------------------------------------------

    def _require_port(self) -> int:
        if self.port is None:
            raise PostgresError("cluster has no port yet; call start() first")
        return self.port

    def _require_run_dir(self) -> Path:
        if self._run_dir is None:
            raise PostgresError("cluster has no directory yet; call start() first")
        return self._run_dir

    def _init_cluster(self, binaries: PostgresBinaries) -> None:
        self.close()  # a directory left from an earlier, failed initdb
        socket_path_len = len(str(self.base_dir / "pg" / "sock" / ".s.PGSQL.65535").encode())
        if self._user is None and socket_path_len <= SOCKET_NAME_MAX:
            run_dir = self.base_dir / "pg"
            shutil.rmtree(run_dir, ignore_errors=True)
            run_dir.mkdir(mode=0o700)
        else:
            # The server user cannot enter pytest's root-only temp dirs: a short, private one.
            run_dir = Path(tempfile.mkdtemp(prefix="seffaf-pg-"))
            self._private_run_dir = True
        self._run_dir = run_dir
        self.socket_dir.mkdir(mode=0o700)
        if self._user is not None:
            for path in (run_dir, self.socket_dir):
                os.chown(path, self._user.uid, self._user.gid)
        command = [
            str(binaries.initdb),
            f"--pgdata={self.data_dir}",
            f"--username={SUPERUSER}",
            "--auth=trust",
            "--encoding=UTF8",
            "--no-locale",  # C collation: the same on every machine, no locale packages needed
            "--no-sync",
        ]
        log_marker(self.log_path, "initdb")
        with self.log_path.open("ab") as log:
            try:
                result = subprocess.run(
                    command,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    cwd=run_dir,
                    timeout=self.ready_timeout_s,
                    check=False,
                    user=self._user.uid if self._user else None,
                    group=self._user.gid if self._user else None,
                    extra_groups=self._extra_groups(),
                )
            except subprocess.TimeoutExpired:
                raise PostgresError(
                    f"initdb took over {self.ready_timeout_s:.0f}s; log {self.log_path}, tail:\n{self.log_tail()}"
                ) from None
        if result.returncode != 0:
            raise PostgresError(
                f"initdb failed with code {result.returncode}; log {self.log_path}, tail:\n{self.log_tail()}"
            )

    def _command(self, binaries: PostgresBinaries) -> list[str]:
        settings = {
            **SERVER_SETTINGS,
            "listen_addresses": HOST,
            "port": str(self._require_port()),
            "unix_socket_directories": str(self.socket_dir),
        }
        flags = [arg for name, value in settings.items() for arg in ("-c", f"{name}={value}")]
        return [str(binaries.postgres), "-D", str(self.data_dir), *flags]

    def _extra_groups(self) -> list[int] | None:
        # Popen switches supplementary groups, group and user in the child, before exec: not
        # root's groups, but the server user's own.
        return None if self._user is None else groups_of(self._user)

    def _spawn(self, binaries: PostgresBinaries, attempt: int) -> None:
        log_marker(self.log_path, f"start on port {self.port} (attempt {attempt + 1})")
        # If pytest is killed, the kernel kills the postmaster; its backends exit when they notice it is gone.
        self._proc = spawn_logged(
            self._command(binaries),
            self.log_path,
            cwd=self._run_dir,
            user=self._user.uid if self._user else None,
            group=self._user.gid if self._user else None,
            extra_groups=self._extra_groups(),
        )

    def _wait_ready(self, deadline: float) -> str | None:
        """None once a real connection runs a query; else what went wrong."""

        def query() -> None:
            with self.connect(timeout_s=2.0) as conn:
                conn.execute("SELECT 1")

        # Not up yet: refused, "starting up".
        wait = self._wait_until_ready(deadline, query, not_yet=psycopg.OperationalError, interval_s=0.05)
        if wait.ready:
            log_marker(self.log_path, f"ready after {wait.waited_s:.2f} s")
            return None
        return wait.exited or f"did not accept connections within {self.ready_timeout_s:.0f}s ({wait.last_error})"

    def _stop(self) -> None:
        if self._proc is not None:
            # A fast shutdown exits only after every backend has.
            stop_process(self._proc, self.stop_timeout_s, ask=_fast_shutdown, kill=self._kill_with_backends)
        self._proc = None

    def _kill_with_backends(self, proc: subprocess.Popen[bytes]) -> None:
        # Each backend calls setsid(): killing the postmaster's group does not reach them.
        # They exit on their own once the postmaster is gone, but a restart must not
        # find them still attached to the old shared memory, so kill and wait for them.
        children = child_pids(proc.pid)  # before the kill: then they are re-parented
        kill_group(proc)
        for child in children:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(child, signal.SIGKILL)
        _wait_gone(children, timeout_s=self.stop_timeout_s)

    def _log_size(self) -> int:
        try:
            return self.log_path.stat().st_size
        except FileNotFoundError:
            return 0

    def _log_since(self, offset: int) -> str:
        try:
            with self.log_path.open("rb") as log:
                log.seek(offset)
                return log.read().decode(errors="replace")
        except FileNotFoundError:
            return ""


def child_pids(pid: int) -> list[int]:
    """Live processes whose parent is ``pid`` (Linux /proc; empty elsewhere)."""
    found: list[int] = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        fields = _stat_fields(stat)
        if fields is not None and fields[0] != "Z" and int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _stat_fields(stat: Path) -> list[str] | None:
    """Fields of /proc/PID/stat after the command name: state, ppid, ...; None if the process is gone."""
    try:
        text = stat.read_text()
    except OSError:
        return None
    return text.rpartition(")")[2].split()


def _wait_gone(pids: list[int], timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    for pid in pids:
        while time.monotonic() < deadline:
            fields = _stat_fields(Path(f"/proc/{pid}/stat"))
            if fields is None or fields[0] == "Z":  # a zombie holds no memory, ports or files
                break
            time.sleep(0.01)


def _fast_shutdown(proc: subprocess.Popen[bytes]) -> None:
    # SIGINT to the postmaster alone is "fast shutdown": it ends the backends, writes a
    # checkpoint and exits. SIGINT to the whole group would just cancel queries.
    with contextlib.suppress(ProcessLookupError):
        proc.send_signal(signal.SIGINT)


@pytest.fixture(scope="session")
def postgres_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PostgresCluster]:
    """One PostgreSQL cluster for the whole run. Do not stop it; make a private PostgresCluster for that."""
    with started(PostgresCluster(tmp_path_factory.mktemp("postgres")), PostgresError) as cluster:
        yield cluster


@pytest.fixture
def postgres_url(postgres_cluster: PostgresCluster) -> Iterator[str]:
    """SQLAlchemy URL of a fresh, empty database ``t_<uuid hex>``, dropped (WITH FORCE) after the test."""
    name = f"t_{uuid.uuid4().hex}"
    url = postgres_cluster.create_database(name)
    try:
        yield url
    finally:
        postgres_cluster.drop_database(name)


@pytest.fixture(params=["sqlite", "postgresql"], ids=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty database of each kind: a SQLite file, then a PostgreSQL database of the session cluster."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'catalog.sqlite3'}"
    # Only the postgresql case asks for the cluster, so a -k sqlite run does not start one.
    url: str = request.getfixturevalue("postgres_url")
    return url
