"""`seffaf doctor`: what the configured store and catalog are, what they support, and the retention in force."""

from __future__ import annotations

from typing import Annotated

import typer
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.engine import make_url

from seffaf.catalog.connect import CatalogError, open_catalog
from seffaf.catalog.sites_tables import CenterRow
from seffaf.cli.common import build_store, settings_from
from seffaf.config import Settings
from seffaf.storage.base import StoreError


class StoreCheck(BaseModel):
    location: str
    reachable: bool
    kind: str | None
    object_lock: bool | None
    versioning: bool | None
    detail: str


class CenterRetention(BaseModel):
    center: str
    retention_days: int | None


class CatalogCheck(BaseModel):
    url: str  # password masked
    reachable: bool
    detail: str
    centers: list[CenterRetention]


class DoctorReport(BaseModel):
    store: StoreCheck
    catalog: CatalogCheck
    retention_default_days: int | None
    retention_plan_batch: int
    retention_delete_batch: int

    @property
    def healthy(self) -> bool:
        return self.store.reachable and self.catalog.reachable


def check_store(settings: Settings) -> StoreCheck:
    store = build_store(settings, create_bucket=False)
    try:
        caps = store.capabilities()
    except StoreError as exc:
        return StoreCheck(location=store.location, reachable=False, kind=None, object_lock=None, versioning=None,
                          detail=str(exc))  # fmt: skip
    return StoreCheck(location=store.location, reachable=True, kind=caps.kind, object_lock=caps.object_lock,
                      versioning=caps.versioning, detail=caps.detail)  # fmt: skip


def check_catalog(settings: Settings) -> CatalogCheck:
    url = make_url(settings.resolved_database_url).render_as_string(hide_password=True)
    try:
        catalog = open_catalog(settings.resolved_database_url)
    except CatalogError as exc:
        return CatalogCheck(url=url, reachable=False, detail=str(exc), centers=[])
    try:
        with catalog.sessions() as session:
            rows = session.execute(select(CenterRow.id, CenterRow.retention_days).order_by(CenterRow.id))
            centers = [CenterRetention(center=center, retention_days=days) for center, days in rows]
    finally:
        catalog.close()
    return CatalogCheck(url=url, reachable=True, detail="schema up to date", centers=centers)


def _yes(value: bool | None) -> str:
    return "unknown" if value is None else "yes" if value else "no"


def _print(report: DoctorReport) -> None:
    s, c = report.store, report.catalog
    typer.echo(f"store: {s.kind or 'unreachable'} at {s.location}")
    typer.echo(f"  object lock (legal holds in the store): {_yes(s.object_lock)}; versioning: {_yes(s.versioning)}")
    typer.echo(f"  {s.detail}")
    if s.reachable and not s.object_lock:
        typer.echo("  holds are enforced by the catalog only (object lock can only be enabled when a bucket is made)")
    typer.echo(f"catalog: {c.url}: {'ok, ' + c.detail if c.reachable else c.detail}")
    default = f"{report.retention_default_days} days" if report.retention_default_days else "none (kept forever)"
    typer.echo(f"retention: default {default}; batches: plan {report.retention_plan_batch}, "
               f"delete {report.retention_delete_batch}")  # fmt: skip
    for center in c.centers:
        own = f"{center.retention_days} days" if center.retention_days else "the default"
        typer.echo(f"  centre {center.center}: {own}")


def doctor(ctx: typer.Context, as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """Check the configured store and catalog; exit 1 if either cannot be reached."""
    settings = settings_from(ctx)
    report = DoctorReport(store=check_store(settings), catalog=check_catalog(settings),
                          retention_default_days=settings.retention.default_days,
                          retention_plan_batch=settings.retention.plan_batch,
                          retention_delete_batch=settings.retention.delete_batch)  # fmt: skip
    if as_json:
        typer.echo(report.model_dump_json(indent=2))
    else:
        _print(report)
    raise typer.Exit(0 if report.healthy else 1)
