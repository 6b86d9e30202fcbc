"""Rule sets: the centre's ethics rules as versioned files of explicit, explainable rules."""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

RULE_ID = r"^[a-z][a-z0-9_]{1,63}$"


class Principle(StrEnum):
    """The five principles of the agency's rules of ethical behaviour."""

    EFFICIENCY = "efficiency"
    TRANSPARENCY = "transparency"
    COURTESY = "courtesy"
    RESPONSIBILITY = "responsibility"
    CONVENIENCE = "convenience"


class Severity(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class Evidence(StrEnum):
    """Which time ranges a finding shows the reviewer."""

    LEG = "leg"
    HOLES = "holes"
    OPERATOR_ABSENT = "operator_absent"
    RAISED_VOICE = "raised_voice"
    TAMPER = "tamper"
    IDLE_CITIZEN = "idle_citizen"


SubjectKind = Literal["leg", "idle_window"]


class Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = Field(pattern=RULE_ID)
    title: str = Field(min_length=3, max_length=120)
    principle: Principle
    severity: Severity
    description: str = Field(min_length=20, description="Plain language for reviewers, with the rationale.")
    params: dict[str, float | int | bool | str] = Field(default_factory=dict)
    condition: str = Field(min_length=1, description="CEL over the rule context and `params`.")
    explanation: str = Field(min_length=3, description="Finding text; {dotted.names} from context or params.")
    evidence: list[Evidence] = Field(min_length=1)
    applies_to: SubjectKind = Field(
        "leg", description="leg: each session leg; idle_window: each stretch a window had no session open."
    )

    @field_validator("params")
    @classmethod
    def _param_names(cls, value: dict[str, object]) -> dict[str, object]:
        bad = [name for name in value if not re.fullmatch(r"[a-z][a-z0-9_]*", name)]
        if bad:
            raise ValueError(f"parameter names must be lowercase identifiers: {bad}")
        return value


class RuleSet(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str = Field(min_length=1)
    version: str = Field(pattern=r"^\d+(\.\d+){0,2}$", description="Findings record the version that raised them.")
    rules: list[Rule] = Field(min_length=1, alias="rule")
