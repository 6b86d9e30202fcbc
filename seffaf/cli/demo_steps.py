"""The demo's work, step by step, saying what it does as it goes and stopping between steps on Ctrl-C.

Every step keeps what it finished: clips are rendered under temporary names, ingest is idempotent,
a stopped camera ends on a keyframe and the next run continues from there, and jobs are taken one
at a time. So a stopped demo run again picks up where it stopped.
"""

from __future__ import annotations

import threading
import time as stopwatch
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import typer
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from indexer.analyse_job import analyse_segment_job
from indexer.job_kinds import ANALYSE_SEGMENT, EVALUATE_IDLE, EVALUATE_LEG, VERIFY_SEGMENT
from indexer.leg_observations import Seen, aggregate
from indexer.service import Indexer
from indexer.session_views import SessionFilter, VisitView, search_visits
from indexer.worker import Worker, verify_segment
from policies.evaluate_job import enqueue_evaluations, evaluate_idle_job, evaluate_leg_job
from policies.evaluator import Evaluator
from policies.finding_views import FindingFilter, FindingView, search_findings
from policies.loader import load_ruleset
from review_app.auth.demo_accounts import DemoAccount, ensure_demo_accounts
from review_app.auth.passwords import Passwords
from seffaf.cases.hold_sink import sink_for
from seffaf.cases.states import CaseError
from seffaf.catalog.job_tables import JobRow
from seffaf.catalog.observation_tables import ObservationRow
from seffaf.cli.common import build_store, fail, open_catalog_or_fail, settings_from, user_errors
from seffaf.cli.policies_cmd import DEFAULT_RULESET
from seffaf.clock import utcnow
from seffaf.config import EvidenceConfig, Settings
from seffaf.demo_cameras import camera_id, demo_clips, missing_clips, record_demo_camera
from seffaf.demo_case import DemoCase, DemoKey, ensure_demo_case, ensure_demo_key
from seffaf.demo_incidents import ExpectedIncident, IncidentPlan, plan_incidents, scenario_day
from seffaf.demo_queue import DEMO_TIMEZONE, history_days, ingest_demo_queue, write_demo_sites
from seffaf.evidence.signing import SigningKeyError
from seffaf.storage.base import ObjectStore

DEMO_CENTER = "demo-1"
PROGRESS_EVERY_S = 5.0


class DemoStopped(Exception):
    """Ctrl-C between two steps: what is finished stays, the next run continues."""


@dataclass(frozen=True)
class DemoOutcome:
    settings: Settings
    plan: IncidentPlan
    store_location: str
    demo_dir: Path
    key: DemoKey
    incident_lines: list[str]
    findings: list[FindingView]
    accounts: list[DemoAccount]
    case: DemoCase
    began: float


def prepare_demo(ctx: typer.Context, windows: int, stop: threading.Event) -> DemoOutcome:
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
    typer.echo("  (Ctrl-C stops at the next safe point; running the demo again continues from there)")
    if rendering := missing_clips(demo_dir / "media", DEMO_CENTER, plan.footage):
        typer.echo(f"  rendering {rendering} window clip(s) of scripted footage (once; kept for later runs)...")
    clips = demo_clips(demo_dir / "media", DEMO_CENTER, plan.footage, stop)
    sites = write_demo_sites(demo_dir / "sites.toml", DEMO_CENTER, clips)
    catalog = open_catalog_or_fail(settings)
    try:
        summary = ingest_demo_queue(catalog, store, utcnow, sites, plan)
        typer.echo("  queue: " + ", ".join(f"{name} {count}" for name, count in summary.as_dict().items()))
        _halt_if(stop)
        _record_cameras(settings, store, plan, clips, stop)
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
        _drain(worker, catalog.sessions, stop, "verification and analytics")
        with catalog.sessions() as session:
            observations = session.scalar(select(func.count()).select_from(ObservationRow)) or 0
            typer.echo(f"  worker: {worker.stats.done} job(s) (verification, analytics); {observations} observation(s)")
        # What `seffaf index` does after each pass: queue the legs whose footage is analysed, and judge them.
        with catalog.sessions() as session, session.begin():
            queued = enqueue_evaluations(session, utcnow())
        _drain(worker, catalog.sessions, stop, "rule evaluation")
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
    return DemoOutcome(settings, plan, store.location, demo_dir, key, report, found, accounts, case, began)


def _halt_if(stop: threading.Event) -> None:
    if stop.is_set():
        raise DemoStopped


def _record_cameras(
    settings: Settings, store: ObjectStore, plan: IncidentPlan, clips: dict[int, Path], stop: threading.Event
) -> None:
    typer.echo(f"  recording {len(plan.footage)} camera(s) through the recorder, one after another...")
    for footage in plan.footage:
        run = record_demo_camera(settings, store, utcnow, DEMO_CENTER, footage, clips[footage.window], stop)
        if run.exit_code != 0:
            fail(run.message)
        state = "intact" if run.intact else "NOT INTACT"
        if stop.is_set():
            typer.echo(f"  {run.camera}: stopped part-way; {run.segments} segment(s) in the store, chain {state}")
            raise DemoStopped
        minutes = f"{footage.script.seconds / 60:.1f} min recorded"
        done = (minutes + " (continued)" if run.continued else minutes) if run.recorded else run.message
        typer.echo(f"  {run.camera}: {done}; {run.segments} segment(s) in the store, chain {state}")


def _drain(worker: Worker, sessions: sessionmaker[Session], stop: threading.Event, what: str) -> None:
    """Run the waiting jobs one at a time, saying every few seconds how far it got."""
    with sessions() as session:
        waiting = session.scalar(select(func.count()).select_from(JobRow).where(JobRow.status == "queued")) or 0
    done_before, last_said = worker.stats.done, stopwatch.monotonic()
    while worker.run_one():
        if stopwatch.monotonic() - last_said >= PROGRESS_EVERY_S:
            typer.echo(f"    {what}: {worker.stats.done - done_before} of {waiting} job(s) done")
            last_said = stopwatch.monotonic()
        _halt_if(stop)


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
