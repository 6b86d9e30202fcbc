"""`seffaf audit`: check the audit trail's hash chain, and read it.

The audit modules (SQLAlchemy) are imported inside each command: at the top they would cost every
other `seffaf` command (a recorder per camera) their start-up time and memory.
"""

from __future__ import annotations

import json
from typing import Annotated

import typer
from pydantic import ValidationError

from seffaf.cli.common import fail, open_catalog_or_fail, parse_time_option, settings_from, user_errors

audit_app = typer.Typer(help="The review app's append-only audit trail.", no_args_is_help=True)
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]


@audit_app.command("verify")
def audit_verify(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Recompute the hash chain; exit 1 naming the first missing or altered row."""
    from review_app.audit.chain import ChainBreak, verify_chain
    from review_app.audit.log import AuditLog

    catalog = open_catalog_or_fail(settings_from(ctx))
    with catalog.sessions() as session:
        result = verify_chain(AuditLog(session).all_entries())
    catalog.close()
    if isinstance(result, ChainBreak):
        if as_json:
            typer.echo(json.dumps({"intact": False, "row_id": result.row_id, "problem": result.problem.value,
                                   "message": result.message}))  # fmt: skip
        else:
            typer.echo(f"BROKEN {result.problem.value.upper()}: {result.message}")
        raise typer.Exit(1)
    if as_json:
        typer.echo(json.dumps({"intact": True, "rows": result.rows, "last_id": result.last_id,
                               "last_hash": result.last_hash}))  # fmt: skip
    else:
        # Deleting the newest rows leaves a valid, shorter chain: keep this head somewhere else to compare.
        typer.echo(f"audit trail intact: {result.rows} row(s); head #{result.last_id} {result.last_hash}")


@audit_app.command("list")
def audit_list(
    ctx: typer.Context,
    actor: Annotated[str | None, typer.Option(help="Username (or cli:<os user>).")] = None,
    action: Annotated[str | None, typer.Option(help="login, login_failed, access_denied, admin_change, …")] = None,
    since: Annotated[str | None, typer.Option(help="At or after this time (ISO 8601 with offset).")] = None,
    until: Annotated[str | None, typer.Option(help="Before this time.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=100_000)] = 100,
    as_json: JsonOption = False,
) -> None:
    """List audit rows, newest first."""
    from review_app.audit.entries import AuditAction, AuditFilter
    from review_app.audit.log import AuditLog

    known = [a.value for a in AuditAction]
    if action is not None and action not in known:
        fail(f"--action: unknown action {action!r} (actions: {', '.join(known)})")
    with user_errors(ValidationError):
        filters = AuditFilter(actor=actor, action=action, since=parse_time_option(since, "--since"),
                              until=parse_time_option(until, "--until"), limit=limit)  # fmt: skip
    catalog = open_catalog_or_fail(settings_from(ctx))
    with catalog.sessions() as session:
        entries = AuditLog(session).search(filters)
    catalog.close()
    if as_json:
        typer.echo(json.dumps([e.model_dump(mode="json") for e in entries], indent=2))
        return
    for e in entries:
        target = f" {e.object_type}:{e.object_id}" if e.object_type else ""
        reason = f" ({e.reason})" if e.reason else ""
        typer.echo(f"#{e.id} {e.at:%Y-%m-%d %H:%M:%S}Z {e.actor or '-'} {e.action}{target} {e.outcome}{reason}")
