"""`seffaf record` as a daemon process against a real camera and store, and what tests read back.

Loaded as a pytest plugin by ``tests/conftest.py``; provides the fixture ``recorder_cleanup``
(append every started :class:`Recorder`; any still running at teardown is killed).
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from seffaf.manifests import GapManifest
from seffaf.storage.base import ObjectStore, StoreError
from seffaf.storage.url import open_store, parse_storage_url
from tests.support.cli import seffaf_process

CAMERA = "baku-1-w07"
# Short backoff so the reconnect lands within a second or two of the camera's return.
FAST_RECONNECT = {"SEFFAF_RECORDER__RECONNECT_MAX_SECONDS": "1", "SEFFAF_RECORDER__READ_TIMEOUT_SECONDS": "3"}


class Recorder:
    """`seffaf record` as a daemon process, stopped the ways an operator or a crash stops it."""

    def __init__(self, tmp: Path, source: str, storage_url: str, *extra: str, env: dict[str, str] | None = None):
        self.tmp, self.source, self.storage_url, self.extra = tmp, source, storage_url, extra
        self.env = {**FAST_RECONNECT, **(env or {})}
        self.runs = 0
        self.proc = self._spawn()

    def _spawn(self) -> subprocess.Popen[str]:
        self.runs += 1
        return seffaf_process(
            "record", "--camera", CAMERA, "--source", self.source, "--storage", self.storage_url,
            "--spool", str(self.spool), "--center", "baku-1", "--window", "7", *self.extra,
            cwd=self.tmp, env=self.env, log=self.tmp / f"recorder-{self.runs}.log",
        )  # fmt: skip

    @property
    def pid(self) -> int:
        return self.proc.pid

    @property
    def spool(self) -> Path:
        return self.tmp / "spool"

    def restart(self) -> None:
        self.proc = self._spawn()

    def terminate(self, timeout: float = 60.0) -> int:
        os.kill(self.pid, signal.SIGTERM)
        return self.proc.wait(timeout=timeout)

    def kill9(self) -> None:
        os.killpg(self.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)

    def log(self) -> str:
        return "\n".join((self.tmp / f"recorder-{i}.log").read_text() for i in range(1, self.runs + 1))


@pytest.fixture
def recorder_cleanup() -> Iterator[list[Recorder]]:
    started: list[Recorder] = []
    yield started
    for rec in started:
        if rec.proc.poll() is None:
            os.killpg(rec.pid, signal.SIGKILL)
            rec.proc.wait(timeout=10)


def store_for(url: str) -> ObjectStore:
    return open_store(parse_storage_url(url))


def gaps(store: ObjectStore) -> list[GapManifest]:
    return [GapManifest.model_validate_json(store.get(info.key)) for info in store.list(f"gaps/{CAMERA}/")]


def wait_for(predicate: Callable[[], object], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if predicate():
                return
        except StoreError:  # the bucket may not exist until the recorder creates it
            pass
        time.sleep(0.5)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")


def spool_empty(tmp: Path) -> bool:
    ready = tmp / "spool" / CAMERA / "ready"
    return ready.is_dir() and not any(p for p in ready.iterdir() if not p.name.startswith("."))


def scrape_metrics(port: int) -> str:
    """The recorder's Prometheus page, as the monitoring system reads it."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
        return str(response.read().decode())
