"""`seffaf demo`: a simulated centre recorded, its queue ingested, footage and sessions linked."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

import typer
from sqlalchemy import func, select

from indexer.analyse_job import ANALYSE_SEGMENT, analyse_segment_job
from indexer.service import Indexer
from indexer.session_views import SessionFilter, search_visits
from indexer.worker import VERIFY_SEGMENT, Worker, verify_segment
from seffaf.catalog.observation_tables import ObservationRow
from seffaf.catalog.session_tables import LegRow
from seffaf.cli.common import build_store, fail, open_catalog_or_fail, settings_from
from seffaf.clock import utcnow
from seffaf.demo_cameras import demo_clip, record_demo_camera
from seffaf.demo_queue import DEMO_TIMEZONE, ingest_demo_day, write_demo_sites
from seffaf.logs import configure_logging

DEMO_CENTER = "demo-1"


def _demo_day() -> date:
    """Today in Baku, or the last weekday before it (the centre is closed on Sundays)."""
    day = datetime.now(ZoneInfo(DEMO_TIMEZONE)).date()
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


def demo(
    ctx: typer.Context,
    windows: Annotated[int, typer.Option(min=1, max=8, help="Simulated windows (one camera each).")] = 3,
    seconds: Annotated[float, typer.Option(min=5, max=3600, help="Footage per camera per run.")] = 60.0,
) -> None:
    """Simulate a centre: queue traffic, window cameras recorded, sessions linked to their footage."""
    configure_logging(json_lines=False, level=30)
    settings = settings_from(ctx)
    store = build_store(settings, create_bucket=True)
    media_dir = settings.data_dir.resolve() / "demo" / "media"
    day = _demo_day()
    typer.echo(f"seffaf demo: centre {DEMO_CENTER}, {windows} window(s), {day}, store {store.location}")
    sites = write_demo_sites(settings.data_dir.resolve() / "demo" / "sites.toml", DEMO_CENTER, windows, media_dir)
    catalog = open_catalog_or_fail(settings)
    try:
        summary = ingest_demo_day(catalog, store, utcnow, sites, DEMO_CENTER, windows, day)
        typer.echo("  queue: " + ", ".join(f"{name} {count}" for name, count in summary.as_dict().items()))
        with catalog.sessions() as session:
            first_calls = {
                window: called
                for window, called in session.execute(
                    select(LegRow.window, LegRow.called_at)
                    .where(LegRow.center == DEMO_CENTER, LegRow.called_at.is_not(None))
                    .order_by(LegRow.called_at.desc())
                )
            }
        for number in range(1, windows + 1):
            camera = f"{DEMO_CENTER}-w{number:02d}"
            clip = demo_clip(media_dir, camera, number, seconds)
            # Footage starts just before the window's first call, so that session is on camera.
            start = (first_calls.get(number) or utcnow()) - timedelta(seconds=10)
            run = record_demo_camera(settings, store, utcnow, DEMO_CENTER, number, clip, start)
            if run.exit_code != 0:
                fail(run.message)
            state = "intact" if run.intact else "NOT INTACT"
            typer.echo(f"  {camera}: {run.segments} segment(s) in the store, chain {state}")
        indexed = Indexer(catalog.sessions, store, utcnow).run_once()
        typer.echo(f"  indexed: {indexed.segments} new segment(s), {indexed.legs_linked} leg(s) linked")
        handlers = {VERIFY_SEGMENT: verify_segment(store, utcnow), ANALYSE_SEGMENT: analyse_segment_job(store)}
        worker = Worker(catalog.sessions, handlers, utcnow, name="demo")
        while worker.run_one():
            pass
        with catalog.sessions() as session:
            observations = session.scalar(select(func.count()).select_from(ObservationRow)) or 0
        typer.echo(f"  worker: {worker.stats.done} job(s) (verification, analytics); {observations} observation(s)")
        with catalog.sessions() as session:
            visits = search_visits(session, SessionFilter(center=DEMO_CENTER, date_from=day, date_to=day, limit=10_000))
    finally:
        catalog.close()
    on_camera = [v for v in visits if any(leg.segments for leg in v.legs)]
    typer.echo(f"  {len(visits)} service session(s), {len(on_camera)} with footage")
    typer.echo("")
    typer.echo(f"Segments and manifests:   {_where(store.location)}/segments/<camera>/")
    typer.echo(f"Verify a camera's chain:  seffaf verify-chain --camera {DEMO_CENTER}-w01")
    if on_camera:
        typer.echo(
            f"A session with footage:   seffaf sessions --center {DEMO_CENTER} --ticket {on_camera[0].ticket} --json"
        )
    typer.echo("Run the demo again to record the next stretch of each camera's timeline.")


def _where(location: str) -> str:
    return str(Path(location.removeprefix("file://"))) if location.startswith("file://") else location
