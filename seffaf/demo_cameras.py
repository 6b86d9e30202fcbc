"""The demo centre's window cameras: scripted footage rendered once, recorded through the real recorder."""

from __future__ import annotations

import hashlib
import multiprocessing
import random
import threading
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
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


def camera_id(center: str, window: int) -> str:
    return f"{center}-w{window:02d}"


def clip_path(media_dir: Path, center: str, footage: WindowFootage) -> Path:
    """Named after the script, so a changed script is rendered again and an unchanged one never is."""
    digest = hashlib.sha256(repr(footage.script).encode()).hexdigest()[:12]
    return media_dir / f"{camera_id(center, footage.window)}-{digest}.mp4"


def demo_clips(media_dir: Path, center: str, footage: tuple[WindowFootage, ...]) -> dict[int, Path]:
    """Each window's clip, rendering the missing ones in parallel, a process per clip (up to four, for memory):
    the clips differ in length, and the cores share them out better than a pool of one process per core would."""
    clips = {f.window: clip_path(media_dir, center, f) for f in footage}
    missing = [(clips[f.window], f.script) for f in footage if not clips[f.window].exists()]
    if missing:
        media_dir.mkdir(parents=True, exist_ok=True)
        # spawn: the CLI process may hold threads (logging, database) that a fork would copy mid-flight.
        with ProcessPoolExecutor(min(len(missing), 4), mp_context=multiprocessing.get_context("spawn")) as pool:
            for _ in pool.map(_render, *zip(*missing, strict=True)):
                pass
    return clips


def _render(path: Path, script: ClipScript) -> Path:
    # Rendered under a temporary name and renamed: an interrupted run leaves no truncated clip to reuse.
    partial = path.with_name(path.stem + ".part.mp4")
    write_window_clip(partial, script)
    return partial.replace(path)


def record_demo_camera(
    settings: Settings, store: ObjectStore, clock: Clock, center: str, footage: WindowFootage, clip: Path
) -> CameraRun:
    """Record the clip as the window's footage from its planned start, unless the camera already has footage
    of that time (a second demo run): recording it again would put two recordings on one timeline."""
    camera = camera_id(center, footage.window)
    spool = Spool(settings.resolved_spool_dir, camera)
    spool.prepare()
    chain = reconcile_chain(spool, store)
    if chain.accounted_until is not None and chain.accounted_until > footage.starts_at:
        report = load_chain(store, camera)
        until = f"{chain.accounted_until:%Y-%m-%d %H:%M:%S} UTC"
        return CameraRun(camera, 0, f"already recorded until {until}", report.segments_checked, report.intact, False)
    spec = CameraSpec(camera=camera, source=str(clip), center=center, window=footage.window)
    jitter = random.Random(footage.window)  # noqa: S311 - backoff jitter, not security
    supervisor = Supervisor(spec, spool, store, settings.recorder, RecorderMetrics(camera), clock, threading.Event(),
                            start_time=footage.starts_at, rng=jitter)  # fmt: skip
    outcome = supervisor.run()
    report = load_chain(store, camera)
    return CameraRun(camera, outcome.exit_code, outcome.message, report.segments_checked, report.intact, True)
