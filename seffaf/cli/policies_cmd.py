"""`seffaf policies check | dry-run | stats`: a rule set checked, tried out before it is enabled, and measured.

The rule engine (CEL) and the catalog are imported inside each command: at the top they would cost
every other `seffaf` command (a recorder per camera) their start-up time and memory.
"""

from __future__ import annotations

import importlib.resources
import json
from pathlib import Path
from typing import Annotated

import typer

from seffaf.cli.common import fail, open_catalog_or_fail, parse_time_option, settings_from, user_errors
from seffaf.clock import utcnow

policies_app = typer.Typer(help="The centre's ethics rules (rule sets).", no_args_is_help=True)
DEFAULT_RULESET = Path(str(importlib.resources.files("policies") / "rulesets" / "asan-default.toml"))


@policies_app.command("check")
def check(file: Annotated[Path, typer.Argument(help="Rule-set TOML file.")] = DEFAULT_RULESET) -> None:
    """Parse every rule and check its condition against the rule context; errors name the rule."""
    from policies.loader import RuleSetError, load_ruleset

    with user_errors(RuleSetError):
        checked = load_ruleset(file)
    ruleset = checked.ruleset
    typer.echo(f"{ruleset.name} {ruleset.version}: {len(ruleset.rules)} rule(s) OK")
    for rule in ruleset.rules:
        typer.echo(f"  {rule.id:24} {rule.principle.value:14} {rule.severity.value:6} {rule.title}")


@policies_app.command("dry-run")
def dry_run(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="Rule-set TOML file.")],
    since: Annotated[str, typer.Option(help="Legs that began at or after this (ISO 8601 with offset).")],
    until: Annotated[str, typer.Option(help="...and before this.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the counts as JSON.")] = False,
) -> None:
    """How many findings each rule would raise, per centre and per operator; nothing is written."""
    from policies.dry_run import count_findings
    from policies.evaluator import Evaluator
    from policies.loader import RuleSetError, load_ruleset

    with user_errors(RuleSetError):
        checked = load_ruleset(file)
    start, end = parse_time_option(since, "--since"), parse_time_option(until, "--until")
    if start is None or end is None or end <= start:
        fail("--until must be after --since")
    catalog = open_catalog_or_fail(settings_from(ctx))
    with catalog.sessions() as session:
        report = Evaluator(session, checked, utcnow).period(start, end, write=False)
    catalog.close()
    counts = count_findings([rule.id for rule in checked.ruleset.rules], report.drafts)
    if as_json:
        payload = {"ruleset": checked.ruleset.name, "version": checked.ruleset.version, "subjects": report.subjects,
                   "rules": [c.model_dump() for c in counts]}  # fmt: skip
        typer.echo(json.dumps(payload, indent=2))
        return
    typer.echo(f"{checked.ruleset.name} {checked.ruleset.version} over {report.subjects} subject(s), nothing written:")
    for c in counts:
        top = ", ".join(f"{op} {n}" for op, n in list(c.per_operator.items())[:3])
        centres = ", ".join(f"{centre} {n}" for centre, n in c.per_center.items())
        typer.echo(f"  {c.rule_id:24} {c.findings:6}" + (f"   centres: {centres}; top operators: {top}" if top else ""))


@policies_app.command("stats")
def stats(ctx: typer.Context, as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False) -> None:
    """Per rule: findings raised, reviewers' verdicts, precision (confirmed / decided)."""
    from policies.finding_views import rule_precision

    catalog = open_catalog_or_fail(settings_from(ctx))
    with catalog.sessions() as session:
        table = rule_precision(session)
    catalog.close()
    if as_json:
        typer.echo(json.dumps([row.model_dump() for row in table], indent=2))
        return
    typer.echo(f"{'rule set':16} {'rule':24} {'findings':>8} {'confirmed':>9} {'dismissed':>9} {'precision':>9}")
    for row in table:
        precision = "-" if row.precision is None else f"{row.precision:.2f}"
        typer.echo(f"{row.ruleset:16} {row.rule_id:24} {row.findings:8} {row.confirmed:9} {row.dismissed:9} "
                   f"{precision:>9}")  # fmt: skip
