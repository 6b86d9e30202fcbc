"""Running a checked rule set over one subject: which rules fire, with what evidence and explanation (pure)."""

from __future__ import annotations

from dataclasses import dataclass

from policies.explain import Facts, facts_used, render
from policies.loader import CheckedRuleSet
from policies.ruleset import Rule
from policies.subjects import Subject, TimeRange


@dataclass(frozen=True)
class FindingDraft:
    subject: Subject
    rule: Rule
    ruleset: str
    ruleset_version: str
    evidence: tuple[TimeRange, ...]
    facts: Facts
    explanation: str


@dataclass(frozen=True)
class RuleError:
    """A condition that failed on this subject's values (e.g. a division by zero): reported, not fatal."""

    subject: str
    rule_id: str
    message: str


@dataclass(frozen=True)
class SubjectResult:
    findings: tuple[FindingDraft, ...]
    errors: tuple[RuleError, ...]


def _evidence(rule: Rule, subject: Subject) -> tuple[TimeRange, ...]:
    ranges = [span for kind in rule.evidence for span in subject.evidence.get(kind, ())]
    if not ranges:  # e.g. fired on a recorded gap while the rule also lists tamper: show the whole subject
        ranges = [TimeRange(subject.start, subject.end, subject.kind)]
    return tuple(sorted(set(ranges), key=lambda r: (r.start, r.end, r.kind)))


def evaluate_subject(checked: CheckedRuleSet, subject: Subject) -> SubjectResult:
    base = subject.context.model_dump()
    findings: list[FindingDraft] = []
    errors: list[RuleError] = []
    for rule in checked.ruleset.rules:
        if rule.applies_to != subject.kind:
            continue
        context = {**base, "params": dict(rule.params)}
        try:
            fired = checked.programs[rule.id].execute(context)
        except (TypeError, ValueError, RuntimeError, KeyError) as exc:
            errors.append(RuleError(subject.key, rule.id, f"{type(exc).__name__}: {exc}"))
            continue
        if fired is not True:
            continue
        evidence = _evidence(rule, subject)
        explanation = render(rule.explanation, context, evidence[0].start, subject.timezone)
        findings.append(FindingDraft(subject, rule, checked.ruleset.name, checked.ruleset.version, evidence,
                                     facts_used(rule.explanation, context), explanation))  # fmt: skip
    return SubjectResult(tuple(findings), tuple(errors))
