"""`seffaf demo`: a simulated centre's scripted morning, filmed, ingested, linked and analysed.

The demo's steps (footage rendering, analytics, the web app) are imported inside the command: at the
top they would cost every other `seffaf` command (a recorder per camera) seconds of start-up time and
their memory.
"""

from __future__ import annotations

import threading
import time as stopwatch
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated
from zoneinfo import ZoneInfo

import typer

from seffaf.cli.stop_signals import stop_signals
from seffaf.logs import configure_logging

if TYPE_CHECKING:
    from seffaf.cli.demo_steps import DemoOutcome

DEMO_WINDOWS = 4  # the scripted incidents at three windows, an ordinary one at the fourth
# seffaf.demo_incidents.MIN_WINDOWS, which this option's bound must equal (tests/seffaf/test_cli_imports.py
# checks): not imported, as that module brings the footage renderer (PyAV, OpenCV, scipy) with it.
MIN_WINDOWS = 3
EXIT_INTERRUPTED = 130  # what a shell reports for a command stopped by Ctrl-C


def demo(
    ctx: typer.Context,
    windows: Annotated[
        int, typer.Option(min=MIN_WINDOWS, max=8, help="Simulated windows (one camera each); the incidents need 3.")
    ] = DEMO_WINDOWS,
    serve: Annotated[bool, typer.Option(help="Serve the review app afterwards (Ctrl-C stops it).")] = True,
    host: Annotated[str, typer.Option(help="Address the review app listens on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port the review app listens on.")] = 8000,
) -> None:
    """Simulate a centre: a week of queue history, then a filmed morning in which every ethics rule has a case."""
    import uvicorn

    from review_app.app import create_app
    from seffaf.cli.demo_steps import DemoStopped, prepare_demo
    from seffaf.demo_cameras import RenderingStopped

    configure_logging(json_lines=False, level=30)
    stop = threading.Event()
    # Ctrl-C asks the work to stop at a safe point (a keyframe, between jobs); a second Ctrl-C insists.
    with stop_signals(stop):
        try:
            outcome = prepare_demo(ctx, windows, stop)
        except (DemoStopped, RenderingStopped):
            typer.echo("\nStopped. What was finished is kept: run `seffaf demo` again to continue from there.")
            raise typer.Exit(EXIT_INTERRUPTED) from None
    _report(outcome, host, port)
    if serve:
        uvicorn.run(create_app(outcome.settings), host=host, port=port, log_level="warning")


def _report(outcome: DemoOutcome, host: str, port: int) -> None:
    from seffaf.cli.demo_steps import DEMO_CENTER
    from seffaf.demo_cameras import camera_id
    from seffaf.demo_case import DEMO_HANDLER
    from seffaf.demo_queue import DEMO_TIMEZONE

    typer.echo(f"\nScripted incidents, {outcome.plan.day} from 10:00 ({DEMO_TIMEZONE}), with what the analytics saw:")
    typer.echo("\n".join(outcome.incident_lines))
    typer.echo("\nFindings the rules raised (seffaf findings):")
    for finding in outcome.findings:
        where = f"window {finding.window}" + (f", {finding.ticket}" if finding.ticket else "")
        typer.echo(f"  {finding.rule_id:<24} {where:<16} [{finding.severity}] {finding.explanation}")
    since = (outcome.plan.footage[0].starts_at - timedelta(minutes=1)).astimezone(ZoneInfo(DEMO_TIMEZONE))
    typer.echo(
        f"\nDone in {stopwatch.monotonic() - outcome.began:.0f} s. "
        "Sessions with footage and observations; the rules' findings:"
    )
    typer.echo(f"  seffaf sessions --center {DEMO_CENTER} --date {outcome.plan.day} --json")
    typer.echo(f"  seffaf findings --center {DEMO_CENTER} --since {since.isoformat()}")
    typer.echo(f"  seffaf verify-chain --camera {camera_id(DEMO_CENTER, 1)}")
    typer.echo(f"Segments and manifests: {_where(outcome.store_location)}/segments/<camera>/")
    typer.echo("Running the demo again is harmless: events already ingested and footage already recorded are kept.")
    typer.echo(f"\nReview app: http://{host}:{port}/  (demo accounts, new passwords on every run)")
    for account in outcome.accounts:
        typer.echo(f"  {account.role.value:18} {account.username:24} {account.password}")
    for account in outcome.accounts:
        if account.extra:
            typer.echo(f"  ({account.username} also holds {', '.join(r.value for r in account.extra)})")
    case, key = outcome.case, outcome.key
    state = "opened now" if case.created else f"from an earlier run, {case.status.replace('_', ' ')}"
    typer.echo(f"\nComplaint {case.reference} (by phone, about ticket {case.ticket} at window {case.window}: "
               f"{case.about}) is case #{case.case_id} ({state}),\n{case.held} segment(s) held. "
               f"To export it as {DEMO_HANDLER}, open")  # fmt: skip
    typer.echo(f'  http://{host}:{port}/cases/{case.case_id}  and press "Export evidence package", or run:')
    made = (
        "made for the demo" if key.generated else "the demo's" if key.path.is_relative_to(outcome.demo_dir) else "yours"
    )
    typer.echo(f"  seffaf export --case {case.case_id} --signing-key {key.path} --out case-{case.case_id}.zip"
               f" && seffaf verify case-{case.case_id}.zip")  # fmt: skip
    typer.echo(f"(signing key: {made}; its public half is beside it, and inside every package)")


def _where(location: str) -> str:
    return str(Path(location.removeprefix("file://"))) if location.startswith("file://") else location
