"""Process plumbing shared by the test servers (SeaweedFS, PostgreSQL, the RTSP camera).

Each server runs as one child process in its own session (``start_new_session=True``), so it
leads its own process group (pgid == pid) and a Ctrl-C meant for pytest does not reach it
before fixture teardown does. :class:`ServerProcess` holds that child and the parts of the
servers' life cycle that are the same for all of them; the helpers around it pick free ports,
tie a child's life to pytest's, stop a child (politely, then with SIGKILL to its group) and
turn a server that would not start into a failed test.
"""

from __future__ import annotations

import abc
import contextlib
import ctypes
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import TracebackType
from typing import NamedTuple, Self, TypeVar

import pytest

HOST = "127.0.0.1"
PR_SET_PDEATHSIG = 1


def free_ports(count: int) -> list[int]:
    """Ports on 127.0.0.1 free right now, all distinct (sockets held open until all are picked)."""
    with contextlib.ExitStack() as stack:
        ports: list[int] = []
        for _ in range(count):
            sock = stack.enter_context(socket.socket(socket.AF_INET, socket.SOCK_STREAM))
            sock.bind((HOST, 0))
            ports.append(int(sock.getsockname()[1]))
        return ports


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that is free right now."""
    return free_ports(1)[0]


def _die_with_parent() -> None:
    # Runs in the child before exec, after Popen's switch of user and groups (a credential
    # change would clear it): if pytest itself is killed (e.g. a hard timeout), the kernel
    # kills the server too, so no fixture teardown is needed for it not to leak.
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def die_with_parent() -> Callable[[], None] | None:
    """The ``preexec_fn`` for a server's Popen that makes it die with pytest, where that is possible.

    prctl(PR_SET_PDEATHSIG) is Linux only, and the death signal fires when the spawning
    *thread* ends, so it is used only on Linux and from the main thread.
    """
    if sys.platform == "linux" and threading.current_thread() is threading.main_thread():
        return _die_with_parent
    return None


def spawn_logged(
    command: list[str],
    log_path: Path,
    *,
    cwd: Path | None,
    env: dict[str, str] | None = None,
    user: int | None = None,
    group: int | None = None,
    extra_groups: list[int] | None = None,
) -> subprocess.Popen[bytes]:
    """Start a server process with its output appended to ``log_path``, in its own session, dying with pytest.

    ``env``, ``user``, ``group`` and ``extra_groups`` are passed on to Popen (None: as for us).
    """
    with log_path.open("ab") as log:
        return subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=cwd,
            start_new_session=True,
            close_fds=True,
            preexec_fn=die_with_parent(),
            user=user,
            group=group,
            extra_groups=extra_groups,
        )


def signal_group(proc: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    """Send ``sig`` to the process group ``proc`` leads; nothing if it is gone."""
    # start_new_session=True made the server a session and group leader: pgid == pid.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, sig)


def terminate_group(proc: subprocess.Popen[bytes]) -> None:
    signal_group(proc, signal.SIGTERM)


def kill_group(proc: subprocess.Popen[bytes]) -> None:
    signal_group(proc, signal.SIGKILL)


def stop_process(
    proc: subprocess.Popen[bytes],
    grace_s: float,
    *,
    ask: Callable[[subprocess.Popen[bytes]], None] = terminate_group,
    kill: Callable[[subprocess.Popen[bytes]], None] = kill_group,
) -> None:
    """Unless ``proc`` has exited: ``ask`` it to exit, wait up to ``grace_s``, then ``kill`` it and reap it.

    By default asks with SIGTERM and kills with SIGKILL, each to the whole process group.
    """
    if proc.poll() is not None:
        return
    ask(proc)
    try:
        proc.wait(timeout=grace_s)
    except subprocess.TimeoutExpired:
        # The leader is not reaped yet, so its pid still names its group: safe to kill.
        kill(proc)
        proc.wait()


def log_tail(path: Path, lines: int = 40) -> str:
    """The last ``lines`` lines of the log file ``path``; empty if there is none."""
    try:
        text = path.read_text(errors="replace")
    except FileNotFoundError:
        return ""
    return "\n".join(text.strip().splitlines()[-lines:])


def log_marker(path: Path, text: str) -> None:
    """Append a timestamped ``==== HH:MM:SS text`` line to the log file ``path``."""
    with path.open("a") as log:
        log.write(f"\n==== {time.strftime('%H:%M:%S')} {text}\n")


class Readiness(NamedTuple):
    """How :meth:`ServerProcess._wait_until_ready` ended: ready, the process exited, or time ran out."""

    ready: bool
    exited: str | None  # "exited with code N during start-up" if the process ended first
    last_error: str  # the probe's last failure, "no answer" if it never failed
    waited_s: float


class ServerProcess(abc.ABC):
    """A test server run as one child process: started, stopped and restarted under one lock."""

    def __init__(self) -> None:
        self._proc: subprocess.Popen[bytes] | None = None
        self._lock = threading.RLock()  # tests may start/stop/restart from another thread

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    @property
    def pid(self) -> int | None:
        """The server process's pid while started."""
        return self._proc.pid if self._proc is not None else None

    @abc.abstractmethod
    def start(self) -> Self:
        """Spawn the server and wait until it is ready. Idempotent while running."""

    @abc.abstractmethod
    def stop(self) -> None:
        """Stop the server process. Safe to call twice."""

    @abc.abstractmethod
    def _stop(self) -> None:
        """:meth:`stop` with the lock held."""

    def restart(self, down_s: float = 0.0) -> Self:
        """Stop (if running), stay down ``down_s`` seconds, start again: same port(s) and data."""
        with self._lock:
            self._stop()
            if down_s > 0:
                time.sleep(down_s)
            return self.start()

    def close(self) -> None:
        """Stop the server and free whatever else it holds (by default nothing else)."""
        self.stop()

    def _wait_until_ready(
        self, deadline: float, probe: Callable[[], object], *, not_yet: type[Exception], interval_s: float
    ) -> Readiness:
        """Run ``probe`` every ``interval_s`` until it stops raising ``not_yet``, the process exits or ``deadline``."""
        started = time.monotonic()
        last_error = "no answer"
        while time.monotonic() < deadline:
            proc = self._proc
            if proc is None or proc.poll() is not None:
                exited = f"exited with code {proc.returncode if proc else None} during start-up"
                return Readiness(False, exited, last_error, time.monotonic() - started)
            try:
                probe()
            except not_yet as exc:
                last_error = f"{type(exc).__name__}: {exc}".strip()
            else:
                return Readiness(True, None, last_error, time.monotonic() - started)
            time.sleep(interval_s)
        return Readiness(False, None, last_error, time.monotonic() - started)

    def _state(self) -> str:
        return f"pid={self.pid}" if self.running else "stopped"

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


ServerT = TypeVar("ServerT", bound=ServerProcess)


@contextlib.contextmanager
def started(server: ServerT, error: type[Exception]) -> Iterator[ServerT]:
    """For a fixture: ``server`` started, and closed afterwards.

    If ``server.start()`` raises ``error``, the test fails with just its message.
    """
    try:
        problem: str | None = None
        try:
            server.start()
        except error as exc:
            problem = str(exc)
        if problem is not None:
            pytest.fail(problem, pytrace=False)  # outside the except: no chained traceback
        yield server
    finally:
        server.close()


def stop_all(servers: list[ServerT]) -> None:
    """Stop ``servers``, last first, even if some fail; forget them all, then raise the first error."""
    errors: list[BaseException] = []
    for server in reversed(servers):
        try:
            server.stop()
        except Exception as exc:  # keep stopping the others
            errors.append(exc)
    servers.clear()
    if errors:
        raise errors[0]
