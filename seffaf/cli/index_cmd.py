"""`seffaf index`: discover new footage, link session legs to it, measure coverage, queue rule evaluations."""

from __future__ import annotations

import json
import threading
from dataclasses import asdict
from typing import Annotated

import typer

from indexer.coverage import DEFAULT_PAD_S
from seffaf.cli.common import build_store, open_catalog_or_fail, settings_from
from seffaf.cli.stop_signals import install_stop_signals
from seffaf.clock import utcnow
from seffaf.logs import configure_logging


def index(
    ctx: typer.Context,
    follow: Annotated[bool, typer.Option("--follow", help="Keep indexing (a daemon) until stopped.")] = False,
    interval: Annotated[float, typer.Option(min=0.5, max=3600, help="Seconds between passes with --follow.")] = 5.0,
    pad: Annotated[float, typer.Option(min=0, max=3600, help="Seconds of footage linked around each leg.")] = (
        DEFAULT_PAD_S
    ),
    as_json: Annotated[bool, typer.Option("--json", help="Print each pass as one JSON object.")] = False,
) -> None:
    """Record new segment and gap manifests in the catalog and link every session leg to its footage."""
    # Imported here, not at the top: SQLAlchemy and the rule engine would cost every other command start-up time.
    from indexer.service import Indexer
    from policies.evaluate_job import enqueue_evaluations

    settings = settings_from(ctx)
    catalog = open_catalog_or_fail(settings)
    indexer = Indexer(catalog.sessions, build_store(settings, create_bucket=False), utcnow, pad)
    stop = threading.Event()
    if follow:
        configure_logging(json_lines=True)
        install_stop_signals(stop)
    while True:
        result = indexer.run_once()
        with catalog.sessions() as session, session.begin():
            queued = enqueue_evaluations(session, utcnow())
        if as_json:
            typer.echo(json.dumps({**asdict(result), "evaluations_queued": queued}))
        else:
            typer.echo(f"new segments {result.segments}, new gaps {result.gaps}, "
                       f"legs re-linked {result.legs_marked}, legs linked {result.legs_linked}, "
                       f"evaluations queued {queued}")  # fmt: skip
        if not follow or stop.wait(interval):
            break
    catalog.close()
