"""`seffaf catalog migrate` and `seffaf catalog rebuild`: the catalog brought up to date, or recreated.

Alembic and the indexer are imported inside each command: at the top they would cost every other
`seffaf` command (a recorder per camera) their start-up time and memory.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer

from seffaf.cli.common import build_store, open_catalog_or_fail, settings_from, user_errors
from seffaf.clock import utcnow
from seffaf.sites import SitesError, load_sites

catalog_app = typer.Typer(help="The catalog database.", no_args_is_help=True)


@catalog_app.command("rebuild")
def rebuild(
    ctx: typer.Context,
    sites: Annotated[Path, typer.Option(help="The sites file (centres, windows, cameras).")],
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Replay archived queue events and segment/gap manifests into an empty catalog database."""
    from indexer.catalog_rebuild import CatalogNotEmptyError, rebuild_catalog

    with user_errors(SitesError):
        registry = load_sites(sites)
    settings = settings_from(ctx)
    catalog = open_catalog_or_fail(settings)
    with user_errors(CatalogNotEmptyError):
        summary = rebuild_catalog(catalog, build_store(settings, create_bucket=False), registry, utcnow)
    catalog.close()
    if as_json:
        typer.echo(json.dumps(asdict(summary)))
    else:
        typer.echo(", ".join(f"{name.replace('_', ' ')} {value}" for name, value in asdict(summary).items()))


@catalog_app.command("migrate")
def migrate(ctx: typer.Context) -> None:
    """Bring the catalog database to the newest schema (run once per upgrade, before starting the services)."""
    from alembic.runtime.migration import MigrationContext

    catalog = open_catalog_or_fail(settings_from(ctx))  # opening the catalog applies pending migrations
    with catalog.engine.connect() as connection:
        revision = MigrationContext.configure(connection).get_current_revision()
    catalog.close()
    typer.echo(f"catalog schema at revision {revision}")
