"""Rule sets are checked whole: every malformed rule is refused with its id and where, nothing half-loaded."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from policies.loader import RuleSetError, load_ruleset
from policies.ruleset import Principle
from seffaf.cli.main import app
from seffaf.cli.policies_cmd import DEFAULT_RULESET

GOOD_RULE = """
[[rule]]
id = "operator_absent"
title = "Operator away"
principle = "responsibility"
severity = "medium"
description = "The operator's side of the desk was empty for too long."
params = { max_absent_s = 120.0 }
condition = "seen.operator_absent_s > params.max_absent_s"
explanation = "absent {seen.operator_absent_s} s (limit {params.max_absent_s} s)"
evidence = ["operator_absent"]
"""
HEADER = 'name = "test"\nversion = "1.0"\n'


def ruleset(tmp_path: Path, *rules: str) -> Path:
    path = tmp_path / "rules.toml"
    path.write_text(HEADER + "".join(rules))
    return path


def test_the_default_asan_rule_set_checks_and_covers_every_principle() -> None:
    checked = load_ruleset(DEFAULT_RULESET)
    assert len(checked.ruleset.rules) == 9
    assert {rule.principle for rule in checked.ruleset.rules} == set(Principle)
    assert set(checked.programs) == {rule.id for rule in checked.ruleset.rules}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('condition = "seen.operator_absent_s > params.max_absent_s"', 'condition = "seen.operator_absent_s > "'),
         "rule operator_absent: condition: Failed to parse"),
        (('condition = "seen.operator_absent_s > params.max_absent_s"', 'condition = "seen.away_s > 1.0"'),
         "rule operator_absent: condition does not fit the rule context"),
        (('condition = "seen.operator_absent_s > params.max_absent_s"', 'condition = "leg.window > \'seven\'"'),
         "rule operator_absent: condition does not fit the rule context"),
        (('condition = "seen.operator_absent_s > params.max_absent_s"', 'condition = "seen.operator_absent_s"'),
         "rule operator_absent: condition must be true or false"),
        (('principle = "responsibility"', 'principle = "loyalty"'), "rule operator_absent (line 4): principle"),
        (('severity = "medium"', "severity = 3"), "rule operator_absent (line 4): severity"),
        (('evidence = ["operator_absent"]', 'evidence = ["operator_absent"]\nowner = "x"'),
         "rule operator_absent (line 4): owner: Extra inputs are not permitted"),
        (('explanation = "absent {seen.operator_absent_s} s (limit {params.max_absent_s} s)"',
          'explanation = "absent {seen.absent} s"'),
         "rule operator_absent: explanation: unknown placeholder {seen.absent}"),
        (('id = "operator_absent"', 'id = "Operator Absent"'), "rule Operator Absent (line 4): id"),
        (('evidence = ["operator_absent"]', 'evidence = ["operator_absent"]\napplies_to = "desk"'),
         "rule operator_absent (line 4): applies_to"),
        (("params = { max_absent_s = 120.0 }", "params = { max_absent_s = [1, 2] }"),
         "rule operator_absent (line 4): params.max_absent_s"),
    ],
)  # fmt: skip
def test_malformed_rules_are_refused_naming_the_rule(tmp_path: Path, change: tuple[str, str], message: str) -> None:
    broken = GOOD_RULE.replace(*change)
    assert broken != GOOD_RULE
    with pytest.raises(RuleSetError) as caught:
        first = GOOD_RULE.replace('id = "operator_absent"', 'id = "first_rule"')
        load_ruleset(ruleset(tmp_path, first, broken))
    assert message.replace("line 4", "line 15") in str(caught.value)


def test_syntax_errors_and_duplicates_refuse_the_whole_file(tmp_path: Path) -> None:
    with pytest.raises(RuleSetError, match="rule ids used twice: operator_absent"):
        load_ruleset(ruleset(tmp_path, GOOD_RULE, GOOD_RULE))
    (tmp_path / "bad.toml").write_text(HEADER + "[[rule]\n")
    with pytest.raises(RuleSetError, match=r"bad.toml: .*line 3"):
        load_ruleset(tmp_path / "bad.toml")


def test_policies_check_reports_clearly_on_the_command_line(tmp_path: Path) -> None:
    runner = CliRunner()
    ok = runner.invoke(app, ["policies", "check", str(ruleset(tmp_path, GOOD_RULE))])
    assert ok.exit_code == 0 and "1 rule(s) OK" in ok.stdout
    broken = ruleset(tmp_path, GOOD_RULE.replace('"responsibility"', '"loyalty"'))
    refused = runner.invoke(app, ["policies", "check", str(broken)])
    assert refused.exit_code != 0
    assert "rule operator_absent (line 4): principle" in refused.output
    assert "Traceback" not in refused.output
