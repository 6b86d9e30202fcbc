"""`seffaf worker`: run indexer jobs (N of these on any number of machines share the queue)."""

from __future__ import annotations

import threading
from typing import Annotated

import typer

from indexer.job_kinds import ANALYSE_SEGMENT, EVALUATE_IDLE, EVALUATE_LEG, VERIFY_SEGMENT
from seffaf.cli.common import build_store, open_catalog_or_fail, settings_from, user_errors
from seffaf.cli.findings_cmd import RulesOption
from seffaf.cli.policies_cmd import DEFAULT_RULESET
from seffaf.cli.stop_signals import install_stop_signals
from seffaf.clock import utcnow
from seffaf.logs import configure_logging


def worker(
    ctx: typer.Context,
    lease: Annotated[float, typer.Option(min=1, max=3600, help="Seconds a claimed job stays ours.")] = 30.0,
    once: Annotated[bool, typer.Option("--once", help="Run until the queue is empty, then exit.")] = False,
    name: Annotated[str | None, typer.Option(help="Worker name (default host:pid).")] = None,
    rules: RulesOption = DEFAULT_RULESET,
) -> None:
    """Claim and run indexing jobs (segment verification, footage analytics, rule evaluation) until stopped."""
    # Imported here, not at the top: the analytics (numpy, scipy, OpenCV, ONNX) and the rule engine would cost
    # every other command (a recorder per camera) seconds of start-up and their memory.
    from indexer.analyse_job import analyse_segment_job
    from indexer.worker import Worker, verify_segment
    from policies.evaluate_job import evaluate_idle_job, evaluate_leg_job
    from policies.loader import RuleSetError, load_ruleset

    configure_logging(json_lines=True)
    with user_errors(RuleSetError):
        checked = load_ruleset(rules)
    settings = settings_from(ctx)
    catalog = open_catalog_or_fail(settings)
    store = build_store(settings, create_bucket=False)
    handlers = {
        VERIFY_SEGMENT: verify_segment(store, utcnow),
        ANALYSE_SEGMENT: analyse_segment_job(store),
        EVALUATE_LEG: evaluate_leg_job(checked, utcnow),
        EVALUATE_IDLE: evaluate_idle_job(checked, utcnow),
    }
    runner = Worker(catalog.sessions, handlers, utcnow, name, lease)
    stop = threading.Event()
    install_stop_signals(stop)
    if once:
        while not stop.is_set() and runner.run_one():
            pass
    else:
        runner.run(stop)
    typer.echo(f"worker {runner.name}: done {runner.stats.done}, lost {runner.stats.lost}, "
               f"failed {runner.stats.failed}")  # fmt: skip
    catalog.close()
