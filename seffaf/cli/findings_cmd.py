"""`seffaf evaluate`, `seffaf findings`, `seffaf verdict`: judging sessions by the rules and reading the findings.

The rule engine (CEL) and the catalog are imported inside each command: at the top they would cost
every other `seffaf` command (a recorder per camera) their start-up time and memory.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError

from review_app.auth.scope import AccessPolicy
from seffaf.cli.common import fail, open_catalog_or_fail, parse_time_option, settings_from, user_errors
from seffaf.cli.policies_cmd import DEFAULT_RULESET
from seffaf.cli.users_cmd import cli_actor
from seffaf.clock import utcnow

RulesOption = Annotated[Path, typer.Option("--rules", help="Rule-set TOML file (default: the ASAN rule set).")]


def evaluate(
    ctx: typer.Context,
    since: Annotated[str | None, typer.Option(help="Judge legs begun at or after this (default: 24 h ago).")] = None,
    until: Annotated[str | None, typer.Option(help="...and before this (default: now).")] = None,
    rules: RulesOption = DEFAULT_RULESET,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Judge ended, linked session legs and idle window stretches by the rule set; keep the findings."""
    from policies.evaluator import Evaluator
    from policies.loader import RuleSetError, load_ruleset

    with user_errors(RuleSetError):
        checked = load_ruleset(rules)
    now = utcnow()
    start = parse_time_option(since, "--since") or now - timedelta(days=1)
    end = parse_time_option(until, "--until") or now
    if end <= start:
        fail("--until must be after --since")
    catalog = open_catalog_or_fail(settings_from(ctx))
    with catalog.sessions() as session, session.begin():
        report = Evaluator(session, checked, utcnow).period(start, end)
    catalog.close()
    per_rule = dict(sorted(report.per_rule().items()))
    summary = {"ruleset": checked.ruleset.name, "version": checked.ruleset.version, "subjects": report.subjects,
               "findings": len(report.drafts), "new_findings": report.new_findings, "per_rule": per_rule,
               "errors": [f"{e.subject} {e.rule_id}: {e.message}" for e in report.errors]}  # fmt: skip
    if as_json:
        typer.echo(json.dumps(summary, indent=2))
        return
    typer.echo(f"{checked.ruleset.name} {checked.ruleset.version}: {report.subjects} subject(s) judged, "
               f"{len(report.drafts)} finding(s), {report.new_findings} new")  # fmt: skip
    for rule_id, count in per_rule.items():
        typer.echo(f"  {rule_id:24} {count}")
    for error in report.errors:
        typer.echo(f"  error: {error.subject} {error.rule_id}: {error.message}", err=True)


def findings(
    ctx: typer.Context,
    rule: Annotated[str | None, typer.Option(help="Rule id.")] = None,
    ticket: Annotated[str | None, typer.Option(help="Ticket number.")] = None,
    center: Annotated[str | None, typer.Option(help="Centre id.")] = None,
    window: Annotated[int | None, typer.Option(help="Window number.")] = None,
    operator: Annotated[str | None, typer.Option(help="Operator id.")] = None,
    since: Annotated[str | None, typer.Option(help="Findings ending after this time (ISO 8601).")] = None,
    until: Annotated[str | None, typer.Option(help="Findings starting before this time (ISO 8601).")] = None,
    limit: Annotated[int, typer.Option(min=1, max=10_000)] = 100,
    as_json: Annotated[bool, typer.Option("--json", help="Print the findings as JSON.")] = False,
) -> None:
    """List findings the rules raised, oldest first."""
    from policies.finding_views import FindingFilter, search_findings

    with user_errors(ValidationError):
        filters = FindingFilter(rule=rule, ticket=ticket, center=center, window=window, operator=operator,
                                since=parse_time_option(since, "--since"), until=parse_time_option(until, "--until"),
                                limit=limit)  # fmt: skip
    catalog = open_catalog_or_fail(settings_from(ctx))
    with catalog.sessions() as session:
        found = search_findings(session, filters)
    catalog.close()
    if as_json:
        typer.echo(json.dumps([f.model_dump(mode="json") for f in found], indent=2))
        return
    for f in found:
        who = f"ticket {f.ticket}" if f.ticket else "no ticket"
        review = "" if f.status == "open" else f" ({f.status.value})"
        typer.echo(f"#{f.id} {f.start:%Y-%m-%d %H:%M:%S}Z {f.center} w{f.window} {who} [{f.severity}] "
                   f"{f.rule_id}: {f.explanation}{review}")  # fmt: skip


def verdict(
    ctx: typer.Context,
    finding: Annotated[int, typer.Argument(help="Finding id.")],
    decision: Annotated[str, typer.Argument(help="confirmed | dismissed | escalate")],
    reviewer: Annotated[str, typer.Option(help="The reviewer's account name (their roles and scope apply).")],
    note: Annotated[str, typer.Option(help="Why.")] = "",
    second_reviewer: Annotated[
        str | None,
        typer.Option(help="A senior reviewer's account who agrees: a high-severity finding's verdict is then final."),
    ] = None,
) -> None:
    """Record a verdict by the review rules: high severity is final only with a senior reviewer's second verdict."""
    from review_app.findings.named_verdicts import give_named, parse_decision
    from review_app.findings.reviews import ReviewRefused

    settings = settings_from(ctx)
    policy = AccessPolicy(block_linked_operators=settings.review.block_linked_operators)
    reviewers = [reviewer] if second_reviewer is None else [reviewer, second_reviewer]
    catalog = open_catalog_or_fail(settings)
    with user_errors(ValueError, ReviewRefused), catalog.sessions() as session, session.begin():
        given = give_named(session, utcnow, policy, finding, parse_decision(decision), reviewers, note,
                           via=cli_actor())  # fmt: skip
    catalog.close()
    last = given[-1]
    state = "final" if last.final else f"{last.status.value}: not final yet"
    typer.echo(f"finding #{finding}: {decision} by {' and '.join(reviewers)} ({state})")
