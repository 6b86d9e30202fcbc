"""`seffaf retention run` and `seffaf footage delete`: footage leaves the store only through FootageDeleter.

The retention modules (SQLAlchemy) are imported inside each command: at the top they would cost every
other `seffaf` command (a recorder per camera) their start-up time and memory.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated

import typer

from seffaf.cli.common import build_store, fail, open_catalog_or_fail, settings_from, user_errors
from seffaf.cli.users_cmd import cli_actor
from seffaf.clock import utcnow
from seffaf.retention.tombstones import DeletionCause

if TYPE_CHECKING:
    from seffaf.retention.deleter import DeletionOutcome
    from seffaf.retention.report import RetentionReport

retention_app = typer.Typer(help="Delete footage past its centre's retention period.", no_args_is_help=True)
footage_app = typer.Typer(help="Stored footage: explicit, audited deletion.", no_args_is_help=True)
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]
MIN_REASON = 3


def _mib(size: int) -> str:
    return f"{size / 2**20:.1f} MiB"


def _print_report(report: RetentionReport) -> None:
    verb = "would delete" if report.dry_run else "deleted"
    default = f"{report.default_days} days" if report.default_days else "none (kept forever)"
    typer.echo(
        f"retention{' (dry run)' if report.dry_run else ''} at {report.now.isoformat()}; default period {default}"
    )
    for c in report.centers:
        period = f"{c.retention_days} days" if c.retention_days else "no period"
        kept = ", ".join(f"{reason.value} {count}" for reason, count in sorted(c.kept.items())) or "none"
        failed = f", {c.failed} failed" if c.failed else ""
        typer.echo(f"centre {c.center or '(no centre)'} ({period}): {c.segments} segment(s): {verb} {c.deleted} "
                   f"({_mib(c.bytes)}){failed}; kept: {kept}")  # fmt: skip
    for run in report.deletions:
        typer.echo(f"  {verb} {run.camera} seq {run.first_seq}..{run.last_seq} ({run.count}) "
                   f"{run.start.isoformat()} → {run.end.isoformat()}")  # fmt: skip
    for group in report.kept:
        typer.echo(f"  kept {group.camera} {group.count} segment(s) {group.start.isoformat()} → "
                   f"{group.end.isoformat()}: {group.reason.value}: {group.detail}")  # fmt: skip
    for failure in report.failed:
        typer.echo(f"  FAILED {failure.key}: {failure.error}")


@retention_app.command("run")
def retention_run(
    ctx: typer.Context,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only say what would be deleted and why the rest stays.")]
    = False,
    as_json: JsonOption = False,
) -> None:  # fmt: skip
    """Delete segments older than their centre's period that are not held, not under review, and verified."""
    from seffaf.retention.runner import RetentionRunner

    settings = settings_from(ctx)
    store = build_store(settings, create_bucket=False)
    catalog = open_catalog_or_fail(settings)
    try:
        with user_errors():
            runner = RetentionRunner(catalog.sessions, store, settings.retention, utcnow, cli_actor())
            report = runner.run(dry_run=dry_run)
    finally:
        catalog.close()
    if as_json:
        typer.echo(report.model_dump_json(indent=2))
    else:
        _print_report(report)
    raise typer.Exit(1 if report.failed else 0)


def _outcome_json(key: str, outcome: DeletionOutcome) -> str:
    return json.dumps({"key": key, "deleted": bool(outcome.deleted), "record": outcome.record_key,
                       "held_by_cases": [c for r in outcome.refused for c in r.case_ids],
                       "failed": [f.error for f in outcome.failed]})  # fmt: skip


@footage_app.command("delete")
def footage_delete(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(help="The segment's object key (segments/CAMERA/SEQ_START.mp4).")],
    reason: Annotated[str, typer.Option("--reason", help="Why this footage must go (recorded in the audit trail).")],
    as_json: JsonOption = False,
) -> None:
    """Delete one segment now, whatever its age; footage under legal hold is refused (and the refusal audited)."""
    from seffaf.retention.deleter import FootageDeleter

    if len(reason.strip()) < MIN_REASON:
        fail(f"--reason: say why the footage is deleted (at least {MIN_REASON} characters)")
    settings = settings_from(ctx)
    store = build_store(settings, create_bucket=False)
    catalog = open_catalog_or_fail(settings)
    try:
        with user_errors(), catalog.sessions() as session, session.begin():
            deleter = FootageDeleter(store, session, utcnow)
            outcome = deleter.delete([key], actor=cli_actor(), reason=reason.strip(), cause=DeletionCause.EXPLICIT)
    finally:
        catalog.close()
    if outcome.missing:
        fail(f"KEY: no segment {key!r} in the catalog", 1)
    if as_json:
        typer.echo(_outcome_json(key, outcome))
    if outcome.refused:
        cases = ", ".join(str(c) for r in outcome.refused for c in r.case_ids)
        fail(f"{key} is under legal hold (case {cases}): not deleted; the refusal is in the audit trail", 1)
    if outcome.failed:
        fail(f"{key} not deleted: {outcome.failed[0].error}", 1)
    if not as_json:
        typer.echo(f"deleted {key}; deletion record {outcome.record_key}")
