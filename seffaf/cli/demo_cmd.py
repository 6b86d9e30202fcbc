"""`seffaf demo`: a simulated centre recorded into the embedded default store."""

from __future__ import annotations

import random
import threading
from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer

from recorder.metrics import RecorderMetrics
from recorder.source import CameraSpec
from recorder.spool import Spool
from recorder.supervisor import Supervisor, reconcile_chain
from recorder.verify import load_chain
from seffaf.cli.common import build_store, fail, settings_from
from seffaf.clock import utcnow
from seffaf.logs import configure_logging
from seffaf.synthetic_media import SyntheticClip, write_clip

DEMO_CENTER = "demo-1"


def demo(
    ctx: typer.Context,
    windows: Annotated[int, typer.Option(min=1, max=8, help="Simulated windows (one camera each).")] = 3,
    seconds: Annotated[float, typer.Option(min=5, max=3600, help="Footage per camera per run.")] = 60.0,
) -> None:
    """Simulate a centre's window cameras, record them, and verify the stored chain."""
    configure_logging(json_lines=False, level=30)
    settings = settings_from(ctx)
    store = build_store(settings, create_bucket=True)
    media_dir = settings.data_dir.resolve() / "demo" / "media"
    typer.echo(f"seffaf demo: centre {DEMO_CENTER}, {windows} window camera(s), store {store.location}")
    for number in range(1, windows + 1):
        camera = f"{DEMO_CENTER}-w{number:02d}"
        clip = media_dir / f"{camera}.mov"
        if not clip.exists():
            typer.echo(f"  generating {seconds:.0f}s of H.264 + G.711 footage for {camera} …")
            write_clip(clip, SyntheticClip(seconds=seconds, label=camera, tone_hz=300.0 + 110 * number))
        spool = Spool(settings.resolved_spool_dir, camera)
        spool.prepare()
        chain = reconcile_chain(spool, store)
        # A second run continues the camera's timeline where the first one ended.
        start = chain.accounted_until or (utcnow() - timedelta(seconds=seconds))
        spec = CameraSpec(camera=camera, source=str(clip), center=DEMO_CENTER, window=number)
        jitter = random.Random(number)  # noqa: S311 - backoff jitter, not security
        supervisor = Supervisor(
            spec, spool, store, settings.recorder, RecorderMetrics(camera), utcnow, threading.Event(),
            start_time=start, rng=jitter,
        )  # fmt: skip
        outcome = supervisor.run()
        if outcome.exit_code != 0:
            fail(outcome.message)
        report = load_chain(store, camera)
        state = "intact" if report.intact else "NOT INTACT"
        typer.echo(f"  {camera}: {report.segments_checked} segment(s) in the store, chain {state}")
    typer.echo("")
    typer.echo(f"Segments and manifests: {_where(store.location)}/segments/<camera>/")
    typer.echo(f"Verify a camera's chain:  seffaf verify-chain --camera {DEMO_CENTER}-w01")
    typer.echo("Run the demo again to record the next stretch of the same timeline.")


def _where(location: str) -> str:
    return str(Path(location.removeprefix("file://"))) if location.startswith("file://") else location
