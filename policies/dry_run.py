"""What a rule set would raise before it is enabled: findings per rule, per centre and per operator (pure)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from pydantic import BaseModel

from policies.evaluation import FindingDraft


class RuleCounts(BaseModel):
    rule_id: str
    findings: int
    per_center: dict[str, int]
    per_operator: dict[str, int]


def count_findings(rule_ids: Sequence[str], drafts: Sequence[FindingDraft]) -> list[RuleCounts]:
    """Every rule of the set, in file order, including those that would raise nothing."""
    counts = []
    for rule_id in rule_ids:
        mine = [d for d in drafts if d.rule.id == rule_id]
        centers = Counter(d.subject.center for d in mine)
        operators = Counter(d.subject.operator or "(unknown)" for d in mine)
        counts.append(RuleCounts(rule_id=rule_id, findings=len(mine), per_center=dict(sorted(centers.items())),
                                 per_operator=dict(operators.most_common())))  # fmt: skip
    return counts
