"""`seffaf policies check`: parse and type-check a rule set before it is enabled."""

from __future__ import annotations

import importlib.resources
from pathlib import Path
from typing import Annotated

import typer

from policies.loader import RuleSetError, load_ruleset
from seffaf.cli.common import user_errors

policies_app = typer.Typer(help="The centre's ethics rules (rule sets).", no_args_is_help=True)
DEFAULT_RULESET = Path(str(importlib.resources.files("policies") / "rulesets" / "asan-default.toml"))


@policies_app.command("check")
def check(file: Annotated[Path, typer.Argument(help="Rule-set TOML file.")] = DEFAULT_RULESET) -> None:
    """Parse every rule and check its condition against the rule context; errors name the rule."""
    with user_errors(RuleSetError):
        checked = load_ruleset(file)
    ruleset = checked.ruleset
    typer.echo(f"{ruleset.name} {ruleset.version}: {len(ruleset.rules)} rule(s) OK")
    for rule in ruleset.rules:
        typer.echo(f"  {rule.id:24} {rule.principle.value:14} {rule.severity.value:6} {rule.title}")
