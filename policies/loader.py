"""Loading and checking a rule-set file: all rules or none, errors naming the rule and position."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import cel
from pydantic import ValidationError

from policies.context import sample_context
from policies.ruleset import Rule, RuleSet
from seffaf.toml_files import entry_line, read_toml

PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_.]*)\}")


class RuleSetError(ValueError):
    """A rule-set file that cannot be used; nothing of it is loaded."""


@dataclass(frozen=True)
class CheckedRuleSet:
    ruleset: RuleSet
    programs: dict[str, cel.Program]


def _lookup(context: dict[str, object], dotted: str) -> bool:
    node: object = context
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return True


def check_rule(rule: Rule) -> cel.Program:
    """Compile the condition and run it against a representative context: syntax, names, types."""
    try:
        program = cel.compile(rule.condition)
    except ValueError as exc:
        raise RuleSetError(f"rule {rule.id}: condition: {exc}") from exc
    context = {**sample_context(), "params": dict(rule.params)}
    try:
        result = program.execute(context)
    except (TypeError, ValueError, RuntimeError, KeyError) as exc:
        raise RuleSetError(f"rule {rule.id}: condition does not fit the rule context: {exc}") from exc
    if not isinstance(result, bool):
        raise RuleSetError(f"rule {rule.id}: condition must be true or false, gave {type(result).__name__}")
    for name in PLACEHOLDER.findall(rule.explanation):
        if not _lookup(context, name):
            raise RuleSetError(f"rule {rule.id}: explanation: unknown placeholder {{{name}}}")
    return program


def load_ruleset(path: Path) -> CheckedRuleSet:
    text, raw = read_toml(path, "rule set", RuleSetError)
    try:
        ruleset = RuleSet.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = [str(part) for part in first["loc"]]
        where = ".".join(loc)
        if len(loc) >= 2 and loc[0] == "rule" and loc[1].isdigit():
            index = int(loc[1])
            rules = raw.get("rule", [])
            rule_id = rules[index].get("id", f"#{index + 1}") if index < len(rules) else f"#{index + 1}"
            line = entry_line(text, "rule", index)
            where = f"rule {rule_id}" + (f" (line {line})" if line else "") + ": " + ".".join(loc[2:])
        raise RuleSetError(f"rule set {path}: {where}: {first['msg']}") from exc
    ids = [rule.id for rule in ruleset.rules]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise RuleSetError(f"rule set {path}: rule ids used twice: {', '.join(duplicates)}")
    try:
        programs = {rule.id: check_rule(rule) for rule in ruleset.rules}
    except RuleSetError as exc:
        raise RuleSetError(f"rule set {path}: {exc}") from exc
    return CheckedRuleSet(ruleset, programs)
