"""`seffaf catalog rebuild`: the catalog database recreated from the object store."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer

from indexer.catalog_rebuild import CatalogNotEmptyError, rebuild_catalog
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
