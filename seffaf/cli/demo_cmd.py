"""`seffaf demo`: a simulated centre recorded into the embedded default store."""

from __future__ import annotations

import random
import threading
from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

import typer

from ingest.session_views import SessionFilter, search_visits
from recorder.metrics import RecorderMetrics
from recorder.source import CameraSpec
from recorder.spool import Spool
from recorder.supervisor import Supervisor, reconcile_chain
from recorder.verify import load_chain
from seffaf.cli.common import build_store, fail, open_catalog_or_fail, settings_from
from seffaf.clock import utcnow
from seffaf.config import Settings
from seffaf.demo_queue import DEMO_TIMEZONE, ingest_demo_day, write_demo_sites
from seffaf.logs import configure_logging
from seffaf.storage.base import ObjectStore
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
    _queue(settings, store, windows, media_dir)
    typer.echo("")
    typer.echo(f"Segments and manifests: {_where(store.location)}/segments/<camera>/")
    typer.echo(f"Verify a camera's chain:  seffaf verify-chain --camera {DEMO_CENTER}-w01")
    typer.echo("Run the demo again to record the next stretch of the same timeline.")


def _queue(settings: Settings, store: ObjectStore, windows: int, media_dir: Path) -> None:
    # A weekday with the centre open: today in Baku, or the last weekday before it.
    day = datetime.now(ZoneInfo(DEMO_TIMEZONE)).date()
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    sites = write_demo_sites(settings.data_dir.resolve() / "demo" / "sites.toml", DEMO_CENTER, windows, media_dir)
    catalog = open_catalog_or_fail(settings)
    try:
        summary = ingest_demo_day(catalog, store, utcnow, sites, DEMO_CENTER, windows, day)
        with catalog.sessions() as session:
            visits = search_visits(session, SessionFilter(center=DEMO_CENTER, date_from=day, date_to=day, limit=10_000))
    finally:
        catalog.close()
    counts = ", ".join(f"{name} {count}" for name, count in summary.as_dict().items())
    typer.echo(f"  queue {day}: {counts}; {len(visits)} service session(s) built")
    if visits:
        typer.echo(f"  look one up:  seffaf sessions --center {DEMO_CENTER} --ticket {visits[0].ticket} --json")


def _where(location: str) -> str:
    return str(Path(location.removeprefix("file://"))) if location.startswith("file://") else location
