"""The retention commands in a Typer app of their own, as seffaf/cli/main.py registers them."""

from __future__ import annotations

from datetime import datetime

import typer
from typer.testing import CliRunner, Result

from review_app.audit.entries import AuditAction, AuditEntry, AuditFilter
from review_app.audit.log import AuditLog
from seffaf.catalog.connect import Catalog
from seffaf.cli.doctor_cmd import doctor
from seffaf.cli.retention_cmd import footage_app, retention_app
from seffaf.config import RetentionConfig

app = typer.Typer()
app.add_typer(retention_app, name="retention")
app.add_typer(footage_app, name="footage")
app.command()(doctor)


def environment(database_url: str, storage_url: str, config: RetentionConfig) -> dict[str, str]:
    return {"SEFFAF_DATABASE_URL": database_url, "SEFFAF_STORAGE_URL": storage_url,
            "SEFFAF_RETENTION__DEFAULT_DAYS": str(config.default_days),
            "SEFFAF_RETENTION__PLAN_BATCH": str(config.plan_batch),
            "SEFFAF_RETENTION__DELETE_BATCH": str(config.delete_batch)}  # fmt: skip


def run(env: dict[str, str], *args: str) -> Result:
    return CliRunner().invoke(app, list(args), env=env)


def footage_audit(catalog: Catalog, since: datetime | None = None) -> list[AuditEntry]:
    """footage_delete rows, oldest first."""
    with catalog.sessions() as session:
        rows = AuditLog(session).search(AuditFilter(action=AuditAction.FOOTAGE_DELETE.value, since=since, limit=1000))
    return rows[::-1]
