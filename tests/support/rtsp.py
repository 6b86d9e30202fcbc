"""A real RTSP camera for tests: gst-rtsp-server run by Debian's system Python.

The GStreamer Python bindings (python3-gi) exist only for ``/usr/bin/python3``, not for the
project venv, so :class:`RtspCamera` runs ``tests/support/rtsp_camera_server.py`` as a
subprocess of the system interpreter. Each mount serves live H.264 (RTP pt 96) plus G.711
A-law audio at 8 kHz (RTP pt 8), as IP cameras do.

Loaded as a pytest plugin by ``tests/conftest.py``; provides the fixtures ``rtsp_camera``
(one started camera with mount ``/cam1``) and ``rtsp_camera_factory``.
"""

from __future__ import annotations

import contextlib
import functools
import os
import select
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any, Concatenate, ParamSpec, Self, TypeVar

import pytest

from tests.support.processes import HOST, ServerProcess, signal_group, started, stop_all, stop_process
from tests.support.processes import free_port as free_port  # re-exported: tests and benchmarks import it from here

SYSTEM_PYTHON = Path("/usr/bin/python3")
SERVER_SCRIPT = Path(__file__).with_name("rtsp_camera_server.py")
DEBIAN_PACKAGES = (
    "python3-gi",
    "gir1.2-gst-rtsp-server-1.0",
    "gstreamer1.0-plugins-base",
    "gstreamer1.0-plugins-good",
    "gstreamer1.0-plugins-ugly",
)
# Elements the server's pipelines need, and the package that ships each one.
_REQUIRED_ELEMENTS = {
    "videotestsrc": "gstreamer1.0-plugins-base",
    "audiotestsrc": "gstreamer1.0-plugins-base",
    "x264enc": "gstreamer1.0-plugins-ugly",
    "rtph264pay": "gstreamer1.0-plugins-good",
    "alawenc": "gstreamer1.0-plugins-good",
    "rtppcmapay": "gstreamer1.0-plugins-good",
}
_PROBE = f"""
import gi
gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import Gst, GstRtspServer
Gst.init(None)
missing = [e for e in {sorted(_REQUIRED_ELEMENTS)!r} if Gst.ElementFactory.find(e) is None]
print(" ".join(missing))
"""


class RtspCameraError(RuntimeError):
    """The fake camera could not be started (or GStreamer is not installed)."""


def _system_python_env() -> dict[str, str]:
    """Our environment minus the venv's Python settings, which would confuse /usr/bin/python3."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env.setdefault("GST_DEBUG", "1")  # errors only, keeps stderr readable
    env.setdefault("GST_DEBUG_NO_COLOR", "1")
    return env


@functools.cache
def gstreamer_problem() -> str | None:
    """Return why the system Python cannot run the camera server, or None if it can."""
    install = "sudo apt-get install " + " ".join(DEBIAN_PACKAGES)
    if not SYSTEM_PYTHON.exists():
        return f"{SYSTEM_PYTHON} not found; the RTSP test camera needs Debian's python3. {install}"
    try:
        probe = subprocess.run(
            [str(SYSTEM_PYTHON), "-c", _PROBE],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
            env=_system_python_env(),
        )
    except subprocess.TimeoutExpired:
        return f"{SYSTEM_PYTHON} timed out importing gi/GStreamer"
    if probe.returncode != 0:
        tail = "\n".join(probe.stderr.strip().splitlines()[-5:])
        return f"{SYSTEM_PYTHON} cannot import gi / GstRtspServer; install the Debian packages: {install}\n{tail}"
    missing = probe.stdout.split()
    if missing:
        pkgs = sorted({_REQUIRED_ELEMENTS[e] for e in missing})
        return f"GStreamer elements missing: {', '.join(missing)}; install: sudo apt-get install {' '.join(pkgs)}"
    return None


class RtspCamera(ServerProcess):
    """One gst-rtsp-server process serving ``mounts`` on ``rtsp://127.0.0.1:<port>``.

    Every mount sends H.264 (fixed GOP of ``gop_seconds``, no B-frames, ~``bitrate_kbps``)
    and, if ``audio``, G.711 A-law mono 8 kHz in 20 ms packets. Clients of one mount share one
    pipeline, so a client joining late starts mid-GOP, as with a real camera.

    ``encoders=0`` gives every mount its own pipeline (~10% of a core each at 640x360/25 fps);
    ``encoders=k`` serves all mounts from ``k`` pipelines round-robin (identical video on mounts
    sharing one), for many-camera benchmarks on few cores.

    ``restart()`` (or ``stop()`` then ``start()``) keeps the same port, so clients can
    reconnect to the same URL. ``freeze()``/``thaw()`` simulate a hung camera (SIGSTOP).
    Usable as a context manager; ``stop()`` is idempotent.
    """

    def __init__(
        self,
        mounts: Sequence[str] = ("/cam1",),
        port: int | None = None,
        width: int = 640,
        height: int = 360,
        fps: int = 25,
        audio: bool = True,
        *,
        gop_seconds: float = 2.0,
        bitrate_kbps: int = 800,
        overlay: bool = True,
        pattern: str = "smpte",
        encoders: int = 0,
        ready_timeout_s: float = 20.0,
    ) -> None:
        if not mounts:
            raise ValueError("RtspCamera needs at least one mount")
        super().__init__()
        self.mounts: list[str] = [m if m.startswith("/") else "/" + m for m in mounts]
        if len(set(self.mounts)) != len(self.mounts):
            raise ValueError(f"duplicate mounts: {self.mounts}")
        self._port: int | None = port
        self.width = width
        self.height = height
        self.fps = fps
        self.audio = audio
        self.gop_seconds = gop_seconds
        self.bitrate_kbps = bitrate_kbps
        self.overlay = overlay
        self.pattern = pattern
        self.encoders = encoders
        self.ready_timeout_s = ready_timeout_s
        self._stderr: IO[bytes] | None = None
        self._frozen = False

    # -- public API -------------------------------------------------------------------------

    @property
    def port(self) -> int:
        if self._port is None:
            raise RtspCameraError("camera has no port yet; call start() first")
        return self._port

    @property
    def gop_frames(self) -> int:
        return max(1, round(self.gop_seconds * self.fps))

    def url(self, mount: str = "/cam1") -> str:
        mount = mount if mount.startswith("/") else "/" + mount
        if mount not in self.mounts:
            raise KeyError(f"{mount} is not served by this camera (mounts: {self.mounts})")
        return f"rtsp://{HOST}:{self.port}{mount}"

    @property
    def urls(self) -> dict[str, str]:
        return {m: self.url(m) for m in self.mounts}

    def start(self) -> Self:
        """Spawn the server and wait until it prints ``READY``. Idempotent while running."""
        with self._lock:
            return self._start()

    def _start(self) -> Self:
        if self.running:
            return self
        problem = gstreamer_problem()
        if problem is not None:
            raise RtspCameraError(problem)
        self._reap()
        deadline = time.monotonic() + self.ready_timeout_s
        bind_deadline = time.monotonic() + 5.0
        # First start without a port: probe a free one, and probe again if it gets stolen
        # before the server binds it. Otherwise (given port, or restart) keep the port and
        # retry for a few seconds in case the previous server's socket lingers (it normally
        # does not: gst-rtsp-server sets SO_REUSEADDR, an immediate restart binds at once).
        pick_new = self._port is None
        attempts = 0
        while True:
            if pick_new:
                self._port = free_port()
            attempts += 1
            ok, error = self._spawn_and_wait(deadline)
            if ok:
                return self
            retry = "cannot bind" in error and time.monotonic() < min(deadline, bind_deadline)
            if not retry or (pick_new and attempts >= 5):
                raise RtspCameraError(error)
            if not pick_new:
                time.sleep(0.2)

    def stop(self, timeout_s: float = 5.0) -> None:
        """SIGTERM the server's process group, wait, then SIGKILL. Safe to call twice."""
        with self._lock:
            self._stop(timeout_s)

    def _stop(self, timeout_s: float = 5.0) -> None:
        if self._proc is not None:
            stop_process(self._proc, timeout_s, ask=self._terminate)
        self._reap()

    def _terminate(self, proc: subprocess.Popen[bytes]) -> None:
        signal_group(proc, signal.SIGTERM)
        if self._frozen:  # a stopped process only acts on SIGTERM once continued
            signal_group(proc, signal.SIGCONT)
            self._frozen = False

    def freeze(self) -> None:
        """SIGSTOP the server: sockets stay open but nothing is sent (a hung camera)."""
        with self._lock:
            if not self.running or self._proc is None:
                raise RtspCameraError("camera is not running")
            signal_group(self._proc, signal.SIGSTOP)
            self._frozen = True

    def thaw(self) -> None:
        """Undo :meth:`freeze`."""
        with self._lock:
            if self._proc is not None:
                signal_group(self._proc, signal.SIGCONT)
            self._frozen = False

    def stderr_tail(self, lines: int = 30) -> str:
        """Last lines the running (or just failed) server wrote to stderr."""
        if self._stderr is None:
            return ""
        try:
            fd = self._stderr.fileno()
            # pread: the child shares this file offset, so never move it.
            data = os.pread(fd, os.fstat(fd).st_size, 0)
        except (OSError, ValueError):
            return ""
        return "\n".join(data.decode(errors="replace").strip().splitlines()[-lines:])

    def __repr__(self) -> str:
        return f"RtspCamera(port={self._port}, mounts={self.mounts}, {self._state()})"

    # -- internals --------------------------------------------------------------------------

    def _command(self) -> list[str]:
        cmd = [
            str(SYSTEM_PYTHON),
            "-u",
            str(SERVER_SCRIPT),
            "--port",
            str(self.port),
            "--width",
            str(self.width),
            "--height",
            str(self.height),
            "--fps",
            str(self.fps),
            "--gop-seconds",
            str(self.gop_seconds),
            "--bitrate-kbps",
            str(self.bitrate_kbps),
            "--pattern",
            self.pattern,
            "--encoders",
            str(self.encoders),
            "--exit-with-parent",
        ]
        for m in self.mounts:
            cmd += ["--mount", m]
        if not self.audio:
            cmd.append("--no-audio")
        if not self.overlay:
            cmd.append("--no-overlay")
        return cmd

    def _spawn_and_wait(self, deadline: float) -> tuple[bool, str]:
        """Start one server process; return (ready, error message)."""
        # Lives as long as the server process; closed by _reap(). A file, not a pipe, so a
        # chatty server can never block on a full pipe buffer.
        self._stderr = tempfile.TemporaryFile(prefix="rtsp-camera-", suffix=".stderr")  # noqa: SIM115
        proc = subprocess.Popen(
            self._command(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            env=_system_python_env(),
            start_new_session=True,
            close_fds=True,
        )
        self._proc = proc
        assert proc.stdout is not None
        fd = proc.stdout.fileno()
        buf = b""
        while b"\n" not in buf:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                tail = self.stderr_tail()
                self.stop()
                return False, (
                    f"RTSP camera did not print READY within {self.ready_timeout_s:.0f}s "
                    f"(port {self._port}); stderr tail:\n{tail}"
                )
            readable, _, _ = select.select([fd], [], [], min(remaining, 0.5))
            if readable:
                chunk = os.read(fd, 4096)
                if not chunk:  # EOF: the server exited
                    break
                buf += chunk
        line = buf.split(b"\n", 1)[0].decode(errors="replace").strip()
        if line == f"READY {self._port}":
            return True, ""
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=5)  # stdout hit EOF: the server is exiting, collect its status
        tail = self.stderr_tail()
        rc = proc.poll()
        self.stop()
        return False, (
            f"RTSP camera on port {self._port} failed to start (exit code {rc}, stdout {line!r}); stderr tail:\n{tail}"
        )

    def _reap(self) -> None:
        if self._proc is not None:
            if self._proc.stdout is not None:
                self._proc.stdout.close()
            self._proc = None
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None


_P = ParamSpec("_P")
_Self = TypeVar("_Self")
_R = TypeVar("_R")


def _takes_parameters_of(
    target: Callable[_P, object],
) -> Callable[[Callable[Concatenate[_Self, ...], _R]], Callable[Concatenate[_Self, _P], _R]]:
    """Type a method that passes ``*args, **kwargs`` on to ``target`` as taking exactly ``target``'s parameters."""

    def typed(method: Callable[Concatenate[_Self, ...], _R]) -> Callable[Concatenate[_Self, _P], _R]:
        return method

    return typed


class RtspCameraFactory:
    """Starts cameras on demand (``factory(["/cam1", "/cam2"])``); ``close()`` stops them all."""

    def __init__(self) -> None:
        self.cameras: list[RtspCamera] = []

    @_takes_parameters_of(RtspCamera)
    def __call__(self, *args: Any, **kwargs: Any) -> RtspCamera:
        """A started :class:`RtspCamera`; takes the same arguments."""
        camera = RtspCamera(*args, **kwargs)
        self.cameras.append(camera)  # before start(): a half-started camera is still stopped
        return camera.start()

    def close(self) -> None:
        stop_all(self.cameras)


def require_gstreamer() -> None:
    """Fail the calling test (never skip) if the camera server cannot run here."""
    problem = gstreamer_problem()
    if problem is not None:
        pytest.fail(problem, pytrace=False)


@pytest.fixture
def rtsp_camera() -> Iterator[RtspCamera]:
    """A started camera serving ``/cam1`` (640x360, 25 fps, 2 s GOP, A-law audio)."""
    require_gstreamer()
    with started(RtspCamera(["/cam1"]), RtspCameraError) as camera:
        yield camera


@pytest.fixture
def rtsp_camera_factory() -> Iterator[RtspCameraFactory]:
    """A callable starting cameras with given mounts; every camera is stopped at teardown."""
    require_gstreamer()
    factory = RtspCameraFactory()
    try:
        yield factory
    finally:
        factory.close()
