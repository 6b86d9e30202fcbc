"""`seffaf verify-chain`: prove a camera's stored footage is complete and unaltered."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated

import typer

from seffaf.cli.common import build_store, parse_time_option, settings_from, user_errors
from seffaf.retention.tombstones import DELETIONS

if TYPE_CHECKING:
    from recorder.verify import ChainReport, Hole


def _hole_json(hole: Hole) -> dict[str, object]:
    return {"start": hole.start.isoformat(), "end": hole.end.isoformat(), "seconds": round(hole.seconds, 3),
            "after_seq": hole.after_seq, "gap_key": hole.gap_key}  # fmt: skip


def _print_report(report: ChainReport) -> None:
    state = "INTACT" if report.intact else "NOT INTACT"
    typer.echo(f"camera {report.camera}: {report.segments_checked} segment(s) checked: {state}")
    for problem in report.problems:
        typer.echo(
            f"  {problem.kind.value.upper():9} seq {problem.seq} {problem.key or '(key unknown)'}: {problem.detail}"
        )
    for hole in report.recorded_gaps:
        label = "deleted" if (hole.gap_key or "").startswith(f"{DELETIONS}/") else "recorded gap"
        typer.echo(f"  {label:14} after seq {hole.after_seq}: {hole.start.isoformat()} → {hole.end.isoformat()} "
                   f"({hole.seconds:.1f}s) {hole.gap_key}")  # fmt: skip
    for hole in report.unexplained_holes:
        typer.echo(f"  UNEXPLAINED    after seq {hole.after_seq}: {hole.start.isoformat()} → {hole.end.isoformat()} "
                   f"({hole.seconds:.1f}s): no segment and no gap record")  # fmt: skip


def verify_chain(
    ctx: typer.Context,
    camera: Annotated[str, typer.Option(help="Camera id.")],
    since: Annotated[str | None, typer.Option(help="Only segments starting at or after (ISO 8601).")] = None,
    until: Annotated[str | None, typer.Option(help="Only segments starting at or before (ISO 8601).")] = None,
    storage: Annotated[str | None, typer.Option(help="Storage URL (overrides SEFFAF_STORAGE_URL).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Check every object's hash, the chain links and sequence continuity; exit 0 only when intact."""
    # Imported here, not at the top: the manifests' models would cost every other command start-up time.
    from recorder.verify import load_chain

    settings = settings_from(ctx, storage_url=storage)
    store = build_store(settings, create_bucket=False)
    with user_errors(ValueError):
        report = load_chain(store, camera, parse_time_option(since, "--since"), parse_time_option(until, "--until"))
    if as_json:
        problems = [{"kind": p.kind.value, "seq": p.seq, "key": p.key, "detail": p.detail} for p in report.problems]
        payload = {
            "camera": report.camera,
            "intact": report.intact,
            "segments_checked": report.segments_checked,
            "problems": problems,
            "recorded_gaps": [_hole_json(h) for h in report.recorded_gaps],
            "unexplained_holes": [_hole_json(h) for h in report.unexplained_holes],
        }
        typer.echo(json.dumps(payload, indent=2))
    else:
        _print_report(report)
    raise typer.Exit(0 if report.intact else 1)
