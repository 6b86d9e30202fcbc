"""`seffaf demo`: a simulated centre's scripted morning, filmed, ingested, linked and analysed."""

from __future__ import annotations

import time as stopwatch
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

import typer
import uvicorn
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from indexer.analyse_job import ANALYSE_SEGMENT, analyse_segment_job
from indexer.leg_observations import Seen, aggregate
from indexer.service import Indexer
from indexer.session_views import SessionFilter, VisitView, search_visits
from indexer.worker import VERIFY_SEGMENT, Worker, verify_segment
from policies.evaluate_job import EVALUATE_IDLE, enqueue_evaluations, evaluate_idle_job, evaluate_leg_job
from policies.evaluator import Evaluator
from policies.finding_views import FindingFilter, search_findings
from policies.loader import load_ruleset
from policies.readiness import EVALUATE_LEG
from review_app.app import create_app
from review_app.auth.demo_accounts import ensure_demo_accounts
from review_app.auth.passwords import Passwords
from seffaf.cases.hold_sink import sink_for
from seffaf.cases.states import CaseError
from seffaf.catalog.observation_tables import ObservationRow
from seffaf.cli.common import build_store, fail, open_catalog_or_fail, settings_from, user_errors
from seffaf.cli.policies_cmd import DEFAULT_RULESET
from seffaf.clock import utcnow
from seffaf.config import EvidenceConfig
from seffaf.demo_cameras import camera_id, demo_clips, record_demo_camera
from seffaf.demo_case import DEMO_HANDLER, ensure_demo_case, ensure_demo_key
from seffaf.demo_incidents import MIN_WINDOWS, ExpectedIncident, IncidentPlan, plan_incidents, scenario_day
from seffaf.demo_queue import DEMO_TIMEZONE, history_days, ingest_demo_queue, write_demo_sites
from seffaf.evidence.signing import SigningKeyError
from seffaf.logs import configure_logging

DEMO_CENTER = "demo-1"
DEMO_WINDOWS = 4  # the scripted incidents at three windows, an ordinary one at the fourth


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
    configure_logging(json_lines=False, level=30)
    began = stopwatch.monotonic()
    settings = settings_from(ctx)
    with user_errors(SigningKeyError):
        key = ensure_demo_key(settings, settings.data_dir.resolve() / "demo" / "keys")
    # The served app signs with the same key as the printed export command.
    settings = settings.model_copy(update={"evidence": EvidenceConfig(signing_key_path=key.path)})
    store = build_store(settings, create_bucket=True)
    demo_dir = settings.data_dir.resolve() / "demo"
    plan = plan_incidents(DEMO_CENTER, scenario_day(utcnow(), DEMO_TIMEZONE), DEMO_TIMEZONE, windows)
    history = history_days(plan.day)
    typer.echo(f"seffaf demo: centre {DEMO_CENTER}, {windows} window(s), history {history[0]} to {history[-1]}, "
               f"scripted morning {plan.day}; store {store.location}")  # fmt: skip
    clips = demo_clips(demo_dir / "media", DEMO_CENTER, plan.footage)
    sites = write_demo_sites(demo_dir / "sites.toml", DEMO_CENTER, clips)
    catalog = open_catalog_or_fail(settings)
    try:
        summary = ingest_demo_queue(catalog, store, utcnow, sites, plan)
        typer.echo("  queue: " + ", ".join(f"{name} {count}" for name, count in summary.as_dict().items()))
        for footage in plan.footage:
            run = record_demo_camera(settings, store, utcnow, DEMO_CENTER, footage, clips[footage.window])
            if run.exit_code != 0:
                fail(run.message)
            state = "intact" if run.intact else "NOT INTACT"
            done = f"{footage.script.seconds / 60:.1f} min recorded" if run.recorded else run.message
            typer.echo(f"  {run.camera}: {done}; {run.segments} segment(s) in the store, chain {state}")
        indexed = Indexer(catalog.sessions, store, utcnow).run_once()
        typer.echo(f"  indexed: {indexed.segments} new segment(s), {indexed.legs_linked} leg(s) linked")
        checked = load_ruleset(DEFAULT_RULESET)
        handlers = {
            VERIFY_SEGMENT: verify_segment(store, utcnow),
            ANALYSE_SEGMENT: analyse_segment_job(store),
            EVALUATE_LEG: evaluate_leg_job(checked, utcnow),
            EVALUATE_IDLE: evaluate_idle_job(checked, utcnow),
        }
        worker = Worker(catalog.sessions, handlers, utcnow, name="demo")
        while worker.run_one():
            pass
        with catalog.sessions() as session:
            observations = session.scalar(select(func.count()).select_from(ObservationRow)) or 0
            typer.echo(f"  worker: {worker.stats.done} job(s) (verification, analytics); {observations} observation(s)")
        # What `seffaf index` does after each pass: queue the legs whose footage is analysed, and judge them.
        with catalog.sessions() as session, session.begin():
            queued = enqueue_evaluations(session, utcnow())
        while worker.run_one():
            pass
        # The morning's idle stretches are judged at the end of its day; the demo does not wait for that.
        day_start = datetime.combine(plan.day, time(), tzinfo=ZoneInfo(DEMO_TIMEZONE)).astimezone(UTC)
        with catalog.sessions() as session, session.begin():
            Evaluator(session, checked, utcnow).period(day_start, day_start + timedelta(days=1))
        with catalog.sessions() as session:
            found = search_findings(session, FindingFilter(center=DEMO_CENTER, since=day_start, limit=1000))
            typer.echo(f"  rules ({checked.ruleset.name} {checked.ruleset.version}): {queued} evaluation(s) queued, "
                       f"{len(found)} finding(s) on the scripted morning")  # fmt: skip
            visits = search_visits(session, SessionFilter(center=DEMO_CENTER, date_from=plan.day, date_to=plan.day))
            report = [_incident_line(session, plan, incident, visits) for incident in plan.incidents]
        with catalog.sessions() as session, session.begin():
            accounts = ensure_demo_accounts(session, DEMO_CENTER, Passwords(), utcnow())
        with catalog.sessions() as session, session.begin(), user_errors(CaseError):
            case = ensure_demo_case(session, utcnow, sink_for(store), plan, DEMO_TIMEZONE)
    finally:
        catalog.close()
    typer.echo(f"\nScripted incidents, {plan.day} from 10:00 ({DEMO_TIMEZONE}), with what the analytics saw:")
    typer.echo("\n".join(report))
    typer.echo("\nFindings the rules raised (seffaf findings):")
    for finding in found:
        where = f"window {finding.window}" + (f", {finding.ticket}" if finding.ticket else "")
        typer.echo(f"  {finding.rule_id:<24} {where:<16} [{finding.severity}] {finding.explanation}")
    since = (plan.footage[0].starts_at - timedelta(minutes=1)).astimezone(ZoneInfo(DEMO_TIMEZONE))
    typer.echo(
        f"\nDone in {stopwatch.monotonic() - began:.0f} s. Sessions with footage and observations; the rules' findings:"
    )
    typer.echo(f"  seffaf sessions --center {DEMO_CENTER} --date {plan.day} --json")
    typer.echo(f"  seffaf findings --center {DEMO_CENTER} --since {since.isoformat()}")
    typer.echo(f"  seffaf verify-chain --camera {camera_id(DEMO_CENTER, 1)}")
    typer.echo(f"Segments and manifests: {_where(store.location)}/segments/<camera>/")
    typer.echo("Running the demo again is harmless: events already ingested and footage already recorded are kept.")
    typer.echo(f"\nReview app: http://{host}:{port}/  (demo accounts, new passwords on every run)")
    for account in accounts:
        typer.echo(f"  {account.role.value:18} {account.username:24} {account.password}")
    for account in accounts:
        if account.extra:
            typer.echo(f"  ({account.username} also holds {', '.join(r.value for r in account.extra)})")
    state = "opened now" if case.created else f"from an earlier run, {case.status.replace('_', ' ')}"
    typer.echo(f"\nComplaint {case.reference} (by phone, about ticket {case.ticket} at window {case.window}: "
               f"{case.about}) is case #{case.case_id} ({state}),\n{case.held} segment(s) held. "
               f"To export it as {DEMO_HANDLER}, open")  # fmt: skip
    typer.echo(f'  http://{host}:{port}/cases/{case.case_id}  and press "Export evidence package", or run:')
    made = "made for the demo" if key.generated else "the demo's" if key.path.is_relative_to(demo_dir) else "yours"
    typer.echo(f"  seffaf export --case {case.case_id} --signing-key {key.path} --out case-{case.case_id}.zip"
               f" && seffaf verify case-{case.case_id}.zip")  # fmt: skip
    typer.echo(f"(signing key: {made}; its public half is beside it, and inside every package)")
    if serve:
        uvicorn.run(create_app(settings), host=host, port=port, log_level="warning")


def _incident_line(session: Session, plan: IncidentPlan, incident: ExpectedIncident, visits: list[VisitView]) -> str:
    where = f"window {incident.window}" + (f", {incident.ticket}" if incident.ticket else "")
    return f"  {incident.rule:<24} {where:<16} {incident.description}{_seen(session, plan, incident, visits)}"


def _seen(session: Session, plan: IncidentPlan, incident: ExpectedIncident, visits: list[VisitView]) -> str:
    if incident.ticket is None:  # no session to look at: what the camera saw at the window meanwhile
        query = select(ObservationRow.kind, ObservationRow.start, ObservationRow.end, ObservationRow.value).where(
            ObservationRow.camera == camera_id(plan.center, incident.window), ObservationRow.kind == "citizen_count",
            ObservationRow.start < incident.end, ObservationRow.end > incident.start,
        )  # fmt: skip
        seen = aggregate([Seen(*row) for row in session.execute(query)], incident.start, incident.end)
        return f" [citizen seen {seen.citizen_seen_s:.0f} s]"
    legs = [leg for v in visits if v.ticket == incident.ticket for leg in v.legs if leg.window == incident.window]
    if incident.figure is None or not legs or legs[0].observations is None:
        return ""
    return f" [{incident.figure} {getattr(legs[0].observations, incident.figure):.0f}]"


def _where(location: str) -> str:
    return str(Path(location.removeprefix("file://"))) if location.startswith("file://") else location
