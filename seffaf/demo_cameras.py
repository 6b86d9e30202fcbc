"""The demo centre's window cameras: scripted footage rendered once, recorded through the real recorder."""

from __future__ import annotations

import hashlib
import multiprocessing
import random
import signal
import threading
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from recorder.metrics import RecorderMetrics
from recorder.source import CameraSpec
from recorder.spool import Spool
from recorder.supervisor import Supervisor, reconcile_chain
from recorder.verify import load_chain
from seffaf.clock import Clock
from seffaf.config import Settings
from seffaf.demo_incidents import WindowFootage
from seffaf.scripted_footage import ClipScript, write_window_clip
from seffaf.storage.base import ObjectStore


@dataclass(frozen=True)
class CameraRun:
    camera: str
    exit_code: int
    message: str
    segments: int
    intact: bool
    recorded: bool  # False: the camera's chain already held footage of the planned time
    continued: bool = False  # an earlier, interrupted run had recorded the start


class RenderingStopped(Exception):
    """Ctrl-C while the clips were rendering: finished clips are kept, unfinished ones are not."""


def camera_id(center: str, window: int) -> str:
    return f"{center}-w{window:02d}"


def clip_path(media_dir: Path, center: str, footage: WindowFootage) -> Path:
    """Named after the script, so a changed script is rendered again and an unchanged one never is."""
    digest = hashlib.sha256(repr(footage.script).encode()).hexdigest()[:12]
    return media_dir / f"{camera_id(center, footage.window)}-{digest}.mp4"


def missing_clips(media_dir: Path, center: str, footage: tuple[WindowFootage, ...]) -> int:
    return sum(not clip_path(media_dir, center, f).exists() for f in footage)


def demo_clips(
    media_dir: Path, center: str, footage: tuple[WindowFootage, ...], stop: threading.Event
) -> dict[int, Path]:
    """Each window's clip, rendering the missing ones in parallel, a process per clip (up to four, for memory):
    the clips differ in length, and the cores share them out better than a pool of one process per core would."""
    clips = {f.window: clip_path(media_dir, center, f) for f in footage}
    missing = [(clips[f.window], f.script) for f in footage if not clips[f.window].exists()]
    if missing:
        media_dir.mkdir(parents=True, exist_ok=True)
        # spawn: the CLI process may hold threads (logging, database) that a fork would copy mid-flight.
        context = multiprocessing.get_context("spawn")
        with context.Pool(min(len(missing), 4), initializer=_ignore_ctrl_c) as pool:
            rendering = pool.starmap_async(_render, missing)
            while not rendering.ready():
                if stop.wait(0.2):
                    pool.terminate()  # a killed render leaves only its .part file, never a truncated clip
                    raise RenderingStopped
            rendering.get()
    return clips


def _ignore_ctrl_c() -> None:
    # The parent decides what Ctrl-C means: it terminates the pool.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _render(path: Path, script: ClipScript) -> Path:
    # Rendered under a temporary name and renamed: an interrupted run leaves no truncated clip to reuse.
    partial = path.with_name(path.stem + ".part.mp4")
    write_window_clip(partial, script)
    return partial.replace(path)


def record_demo_camera(
    settings: Settings,
    store: ObjectStore,
    clock: Clock,
    center: str,
    footage: WindowFootage,
    clip: Path,
    stop: threading.Event,
) -> CameraRun:
    """Record the clip as the window's footage from its planned start, unless the camera already has footage
    of that time (a second demo run): recording it again would put two recordings on one timeline. A run
    stopped part-way (Ctrl-C) is continued from where its footage ends."""
    camera = camera_id(center, footage.window)
    spool = Spool(settings.resolved_spool_dir, camera)
    spool.prepare()
    chain = reconcile_chain(spool, store)
    # The last frame's duration can fall short of the script's end by a frame: a second is "all of it".
    if chain.accounted_until is not None and chain.accounted_until >= footage.ends_at - timedelta(seconds=1):
        report = load_chain(store, camera)
        until = f"{chain.accounted_until:%Y-%m-%d %H:%M:%S} UTC"
        return CameraRun(camera, 0, f"already recorded until {until}", report.segments_checked, report.intact, False)
    continued = chain.accounted_until is not None and chain.accounted_until > footage.starts_at
    spec = CameraSpec(camera=camera, source=str(clip), center=center, window=footage.window)
    jitter = random.Random(footage.window)  # noqa: S311 - backoff jitter, not security
    supervisor = Supervisor(spec, spool, store, settings.recorder, RecorderMetrics(camera), clock, stop,
                            start_time=footage.starts_at, rng=jitter)  # fmt: skip
    outcome = supervisor.run()
    report = load_chain(store, camera)
    return CameraRun(
        camera, outcome.exit_code, outcome.message, report.segments_checked, report.intact, True, continued
    )
