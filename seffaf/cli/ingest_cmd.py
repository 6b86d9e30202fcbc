"""`seffaf sites load`, `seffaf ingest`, `seffaf sessions`, `seffaf rejected`: queue events to sessions.

The catalog and ingest modules are imported inside each command: at the top they would cost every
other `seffaf` command (a recorder per camera) the start-up time and memory of SQLAlchemy.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError

from seffaf.cli.common import build_store, fail, open_catalog_or_fail, settings_from, user_errors
from seffaf.clock import utcnow
from seffaf.logs import configure_logging
from seffaf.sites import SitesError, load_sites

sites_app = typer.Typer(help="The sites registry: centres, windows, cameras.", no_args_is_help=True)
rejected_app = typer.Typer(help="Rejected queue events: list them, retry them after a fix.", no_args_is_help=True)


@sites_app.command("load")
def sites_load(ctx: typer.Context, file: Annotated[Path, typer.Argument(help="Sites TOML file.")]) -> None:
    """Validate a sites file and store it in the catalog."""
    from seffaf.catalog.sites_repo import store_sites

    with user_errors(SitesError):
        sites = load_sites(file)
    catalog = open_catalog_or_fail(settings_from(ctx))
    with catalog.sessions() as session, session.begin():
        counts = store_sites(session, sites)
    typer.echo(f"loaded {counts.centers} centre(s), {counts.windows} window(s), {counts.cameras} camera(s)")


def ingest(
    ctx: typer.Context,
    files: Annotated[list[Path] | None, typer.Argument(help="JSONL or CSV exports of the queue system.")] = None,
    source: Annotated[str | None, typer.Option(help="Source system for rows that name none.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as one JSON object.")] = False,
    schema: Annotated[bool, typer.Option("--schema", help="Print the event JSON Schema and exit.")] = False,
    rebuild_all: Annotated[
        bool, typer.Option("--rebuild-all", help="Re-derive every session from its events.")
    ] = False,
    batch_size: Annotated[int, typer.Option(min=1, max=100_000, help="Events per transaction.")] = 5000,
) -> None:
    """Ingest queue events (streaming), then rebuild the service sessions they touch."""
    from ingest.archive import EventArchive
    from ingest.events import QueueEvent
    from ingest.parsing import ParsedRow, read_file
    from ingest.rebuild import all_days
    from ingest.service import IngestService

    if schema:
        typer.echo(json.dumps(QueueEvent.model_json_schema(), indent=2))
        return
    if rebuild_all and not files:
        catalog = open_catalog_or_fail(settings_from(ctx))
        with catalog.sessions() as session:
            everything = all_days(session)
        count = IngestService(catalog.sessions, None, utcnow).rebuild(everything)
        typer.echo(f"rebuilt {count} visit(s) on {len(everything.shift_days)} centre-day(s)")
        return
    if not files:
        fail("give one or more JSONL/CSV files (or --schema, or --rebuild-all)")
    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        fail(f"no such file: {', '.join(missing)}")
    configure_logging(json_lines=False, level=30)
    settings = settings_from(ctx)
    catalog = open_catalog_or_fail(settings)
    service = IngestService(catalog.sessions, EventArchive(build_store(settings, create_bucket=True)), utcnow,
                            batch_size)  # fmt: skip
    total = sum(f.stat().st_size for f in files)
    with typer.progressbar(length=total, label="ingesting", hidden=as_json) as bar:

        def advance(batch: list[ParsedRow]) -> None:
            bar.update(sum(len(row.raw) + 1 for row in batch))

        summary = service.ingest_rows((row for f in files for row in read_file(f, source)), advance)
    if as_json:
        typer.echo(json.dumps(summary.as_dict()))
    else:
        typer.echo(", ".join(f"{name}: {count}" for name, count in summary.as_dict().items()))


def sessions(
    ctx: typer.Context,
    ticket: Annotated[str | None, typer.Option(help="Ticket number.")] = None,
    application: Annotated[str | None, typer.Option(help="Application id.")] = None,
    center: Annotated[str | None, typer.Option(help="Centre id.")] = None,
    window: Annotated[int | None, typer.Option(help="Window number.")] = None,
    operator: Annotated[str | None, typer.Option(help="Operator id.")] = None,
    on: Annotated[str | None, typer.Option("--date", help="Service date (YYYY-MM-DD, centre's local date).")] = None,
    limit: Annotated[int, typer.Option(min=1, max=10_000)] = 100,
    as_json: Annotated[bool, typer.Option("--json", help="Print the visits as JSON.")] = False,
) -> None:
    """Find service sessions (visits and their legs)."""
    from indexer.session_views import SessionFilter, search_visits

    day = None
    if on is not None:
        try:
            day = date.fromisoformat(on)
        except ValueError:
            fail(f"--date: {on!r} is not a date (YYYY-MM-DD)")
    with user_errors(ValidationError):
        filters = SessionFilter(ticket=ticket, application=application, center=center, window=window,
                                operator=operator, date_from=day, date_to=day, limit=limit)  # fmt: skip
    catalog = open_catalog_or_fail(settings_from(ctx))
    with catalog.sessions() as session:
        visits = search_visits(session, filters)
    if as_json:
        typer.echo(json.dumps([v.model_dump(mode="json") for v in visits], indent=2))
        return
    for visit in visits:
        legs = "; ".join(
            f"window {leg.window} op {leg.operator or '?'} {leg.called_at:%H:%M:%S}→"
            f"{leg.ended_at.strftime('%H:%M:%S') if leg.ended_at else '…'} {leg.outcome}"
            if leg.called_at else f"window {leg.window} {leg.outcome}"
            for leg in visit.legs
        )  # fmt: skip
        typer.echo(f"{visit.center} {visit.service_date} {visit.ticket:10} {visit.outcome:12} {legs}")


@rejected_app.command("list")
def rejected_list(
    ctx: typer.Context,
    source: Annotated[str | None, typer.Option(help="Only this source system.")] = None,
    include_resolved: Annotated[bool, typer.Option(help="Also rows already retried successfully.")] = False,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """List rejected rows with the reason naming the field."""
    from sqlalchemy import select

    from seffaf.catalog.event_tables import RejectedEventRow

    catalog = open_catalog_or_fail(settings_from(ctx))
    with catalog.sessions() as session:
        query = select(RejectedEventRow).order_by(RejectedEventRow.id)
        if source is not None:
            query = query.where(RejectedEventRow.source == source)
        if not include_resolved:
            query = query.where(RejectedEventRow.resolved_at.is_(None))
        rows = list(session.scalars(query))
    if as_json:
        typer.echo(json.dumps([{"id": r.id, "source": r.source, "origin": r.origin, "field": r.field,
                                "reason": r.reason, "payload": r.payload} for r in rows], indent=2))  # fmt: skip
        return
    for row in rows:
        typer.echo(f"{row.id:6} {row.origin:30} {row.reason}")


@rejected_app.command("retry")
def rejected_retry(
    ctx: typer.Context,
    ids: Annotated[list[int] | None, typer.Argument(help="Rejected row ids (default: all unresolved).")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Parse rejected rows again (e.g. after loading a missing centre) and ingest those that now pass."""
    from sqlalchemy import select

    from ingest.archive import EventArchive
    from ingest.parsing import parse_raw
    from ingest.service import IngestService
    from seffaf.catalog.event_tables import RejectedEventRow

    settings = settings_from(ctx)
    catalog = open_catalog_or_fail(settings)
    with catalog.sessions() as session:
        query = select(RejectedEventRow).where(RejectedEventRow.resolved_at.is_(None))
        if ids:
            query = query.where(RejectedEventRow.id.in_(ids))
        rows = list(session.scalars(query.order_by(RejectedEventRow.id)))
    parsed = [parse_raw(r.payload, f"rejected#{r.id}", r.source if r.source != "?" else None) for r in rows]
    service = IngestService(catalog.sessions, EventArchive(build_store(settings, create_bucket=True)), utcnow)
    results = service.ingest_batch(parsed, record_rejections=False) if parsed else []
    summary_accepted = 0
    with catalog.sessions() as session, session.begin():
        for row, result in zip(rows, results, strict=True):
            if result.status.value in ("accepted", "duplicate"):
                stored = session.get(RejectedEventRow, row.id)
                assert stored is not None
                stored.resolved_at = utcnow()
                summary_accepted += 1
    retried = {"retried": len(rows), "resolved": summary_accepted, "still_rejected": len(rows) - summary_accepted}
    typer.echo(json.dumps(retried) if as_json else ", ".join(f"{k}: {v}" for k, v in retried.items()))
