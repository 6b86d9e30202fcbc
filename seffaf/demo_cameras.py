"""The demo centre's window cameras: generated footage recorded through the real recorder."""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from recorder.metrics import RecorderMetrics
from recorder.source import CameraSpec
from recorder.spool import Spool
from recorder.supervisor import Supervisor, reconcile_chain
from recorder.verify import load_chain
from seffaf.clock import Clock
from seffaf.config import Settings
from seffaf.storage.base import ObjectStore
from seffaf.synthetic_media import SyntheticClip, write_clip


@dataclass(frozen=True)
class CameraRun:
    camera: str
    exit_code: int
    message: str
    segments: int
    intact: bool


def demo_clip(media_dir: Path, camera: str, number: int, seconds: float) -> Path:
    clip = media_dir / f"{camera}.mov"
    if not clip.exists():
        write_clip(clip, SyntheticClip(seconds=seconds, label=camera, tone_hz=300.0 + 110 * number))
    return clip


def record_demo_camera(
    settings: Settings, store: ObjectStore, clock: Clock, center: str, number: int, clip: Path, start: datetime
) -> CameraRun:
    """Record the clip as this window's footage from `start`, or where the camera's timeline ended."""
    camera = f"{center}-w{number:02d}"
    spool = Spool(settings.resolved_spool_dir, camera)
    spool.prepare()
    chain = reconcile_chain(spool, store)
    # A second run continues the camera's timeline where the first one ended.
    begin = max(start, chain.accounted_until) if chain.accounted_until else start
    spec = CameraSpec(camera=camera, source=str(clip), center=center, window=number)
    jitter = random.Random(number)  # noqa: S311 - backoff jitter, not security
    supervisor = Supervisor(spec, spool, store, settings.recorder, RecorderMetrics(camera), clock, threading.Event(),
                            start_time=begin, rng=jitter)  # fmt: skip
    outcome = supervisor.run()
    report = load_chain(store, camera)
    return CameraRun(camera, outcome.exit_code, outcome.message, report.segments_checked, report.intact)
