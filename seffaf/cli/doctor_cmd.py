"""`seffaf doctor`: checks the catalog database, the store, the clocks, the spool and the signing key, in plain words.

Run it on each recorder host: the clock and spool checks are about the host it runs on. The probes
(SQLAlchemy, Alembic) are imported when the checks run: at the top they would cost every other
`seffaf` command (a recorder per camera) their start-up time and memory.
"""

from __future__ import annotations

from typing import Annotated

import typer
from pydantic import BaseModel

from seffaf.cli.common import build_store, settings_from
from seffaf.clock import Clock, utcnow
from seffaf.config import Settings
from seffaf.doctor.checks import (
    judge_database,
    judge_object_lock,
    judge_signing_key,
    judge_skew,
    judge_spool,
    judge_store,
)
from seffaf.doctor.observations import DatabaseObservation, StoreObservation
from seffaf.doctor.results import CheckResult, Status, worst


class StoreInfo(BaseModel):
    location: str
    reachable: bool
    kind: str | None
    object_lock: bool | None
    versioning: bool | None


class CenterRetention(BaseModel):
    center: str
    retention_days: int | None


class CatalogInfo(BaseModel):
    url: str  # password masked
    reachable: bool
    revision: str | None
    centers: list[CenterRetention]


class DoctorReport(BaseModel):
    checks: list[CheckResult]
    store: StoreInfo
    catalog: CatalogInfo
    retention_default_days: int | None
    retention_plan_batch: int
    retention_delete_batch: int

    @property
    def healthy(self) -> bool:
        return worst(self.checks) is not Status.FAIL


def _center_retention(url: str, database: DatabaseObservation) -> list[CenterRetention]:
    """Each centre's retention period, read only from a catalog whose schema is current."""
    from sqlalchemy import select
    from sqlalchemy.exc import SQLAlchemyError

    from seffaf.catalog.base import make_engine, make_session_factory
    from seffaf.catalog.sites_tables import CenterRow

    if database.error is not None or database.missing_file or database.revision != database.head:
        return []
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session:
            rows = session.execute(select(CenterRow.id, CenterRow.retention_days).order_by(CenterRow.id))
            return [CenterRetention(center=center, retention_days=days) for center, days in rows]
    except SQLAlchemyError:
        return []  # the database check already says whether the catalog can be read
    finally:
        engine.dispose()


def run_checks(settings: Settings, clock: Clock) -> DoctorReport:
    from seffaf.doctor.probes import probe_database, probe_signing_key, probe_spool, probe_store

    database = probe_database(settings.resolved_database_url, clock)
    store = probe_store(build_store(settings, create_bucket=False), clock)
    checks = [
        judge_database(database),
        judge_store(store),
        judge_object_lock(store, settings.storage.object_lock),
        judge_skew("clock vs database", "the database", database.clock)
        if database.dialect != "sqlite"
        else CheckResult(name="clock vs database", status=Status.OK, message="SQLite: same host, same clock"),
        _store_skew(store),
        judge_spool(probe_spool(settings.resolved_spool_dir), settings.recorder.min_free_spool_bytes),
        judge_signing_key(probe_signing_key(settings.evidence.signing_key_path)),
    ]
    return DoctorReport(
        checks=checks,
        store=StoreInfo(
            location=store.location,
            reachable=store.failed_step != "write",
            kind=store.kind,
            object_lock=store.object_lock,
            versioning=store.versioning,
        ),
        catalog=CatalogInfo(
            url=database.url,
            reachable=database.error is None and not database.missing_file,
            revision=database.revision,
            centers=_center_retention(settings.resolved_database_url, database),
        ),
        retention_default_days=settings.retention.default_days,
        retention_plan_batch=settings.retention.plan_batch,
        retention_delete_batch=settings.retention.delete_batch,
    )


def _store_skew(store: StoreObservation) -> CheckResult:
    if store.clock is None:
        return CheckResult(name="clock vs store", status=Status.WARN,
                           message="not measured: nothing could be written to the store")  # fmt: skip
    return judge_skew("clock vs store", "the store", store.clock)


def _print(report: DoctorReport) -> None:
    for check in report.checks:
        typer.echo(check.line())
    default = f"{report.retention_default_days} days" if report.retention_default_days else "none (kept forever)"
    typer.echo(f"retention: default {default}; batches: plan {report.retention_plan_batch}, "
               f"delete {report.retention_delete_batch}")  # fmt: skip
    for center in report.catalog.centers:
        own = f"{center.retention_days} days" if center.retention_days else "the default"
        typer.echo(f"  centre {center.center}: {own}")
    typer.echo("(clocks and spool are this host's: run doctor on each recorder host)")


def doctor(ctx: typer.Context, as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """Check the catalog, the store (write/read/delete, object lock), clock skew, spool space and the signing key.

    One line per check: ok, WARN or FAIL. Exit 1 if any check fails. Run it on each recorder host.
    """
    report = run_checks(settings_from(ctx), utcnow)
    if as_json:
        typer.echo(report.model_dump_json(indent=2))
    else:
        _print(report)
    raise typer.Exit(0 if report.healthy else 1)
