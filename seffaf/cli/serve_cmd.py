"""`seffaf serve` and `seffaf sources`: the web application and the queue systems that post to it.

The web stack and the catalog are imported inside each command: at the top they would cost every
other `seffaf` command (a recorder per camera) seconds of start-up time and their memory.
"""

from __future__ import annotations

from typing import Annotated

import typer

from seffaf.cli.common import open_catalog_or_fail, settings_from, user_errors
from seffaf.clock import utcnow

sources_app = typer.Typer(help="Queue systems allowed to post events (API keys).", no_args_is_help=True)


def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
) -> None:
    """Serve the API (queue-event intake; the review pages come with the review app)."""
    import uvicorn

    from review_app.app import create_app

    settings = settings_from(ctx)
    open_catalog_or_fail(settings).close()  # fail fast, with a clear message, before uvicorn starts
    uvicorn.run(create_app(settings), host=host, port=port, log_level="info")


@sources_app.command("add")
def sources_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Source system name, as events carry it in `source`.")],
    clock_offset: Annotated[float, typer.Option(help="Seconds to add to its timestamps (its clock error).")] = 0.0,
) -> None:
    """Register a queue system and print its API key (shown once)."""
    from ingest.sources import SourceError, add_source

    catalog = open_catalog_or_fail(settings_from(ctx))
    with user_errors(SourceError), catalog.sessions() as session, session.begin():
        key = add_source(session, name, clock_offset, utcnow())
    typer.echo(key)


@sources_app.command("list")
def sources_list(ctx: typer.Context) -> None:
    """List registered queue systems (never their keys)."""
    from ingest.sources import list_sources

    catalog = open_catalog_or_fail(settings_from(ctx))
    with catalog.sessions() as session:
        for row in list_sources(session):
            state = "disabled" if row.disabled else "active"
            typer.echo(
                f"{row.name:24} {state:8} clock offset {row.clock_offset_s:+.1f}s  since {row.created_at:%Y-%m-%d}"
            )
