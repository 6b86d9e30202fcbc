"""Each default ASAN rule at its thresholds: crafted sessions that must fire, and must not."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from policies.context import RuleContext
from policies.evaluation import evaluate_subject
from policies.loader import load_ruleset
from policies.ruleset import Evidence
from policies.subjects import Subject, TimeRange
from seffaf.cli.policies_cmd import DEFAULT_RULESET

T0 = datetime(2026, 5, 4, 6, 10, 0, tzinfo=UTC)  # 10:10:00 in Baku
CHECKED = load_ruleset(DEFAULT_RULESET)
# An ordinary, well-filmed service: nothing here should raise a finding.
NORMAL: dict[str, dict[str, object]] = {
    "leg": {"window": 7, "operator": "3317", "service": "passport", "outcome": "completed", "wait_s": 300.0,
            "duration_s": 420.0, "recalls": 0, "no_show_after_s": 0.0, "operator_logged_in": True,
            "shifts_reported": True, "walk_in": False},
    "coverage": {"ratio": 1.0, "unexplained_s": 0.0, "recorded_gap_s": 0.0},
    "seen": {"operator_absent_s": 30.0, "citizen_seen_s": 380.0, "citizen_max": 1, "raised_voice_s": 2.0,
             "tamper_s": 0.0, "analysed": True},
    "queue": {"waiting_longer_s": 0.0, "norm_duration_s": 600.0},
    "idle": {"citizen_without_session_s": 0.0},
}  # fmt: skip


def subject(kind: str = "leg", /, **changes: object) -> Subject:
    """NORMAL with dotted changes, e.g. seen__operator_absent_s=121.0."""
    values = {part: dict(fields) for part, fields in NORMAL.items()}
    for dotted, value in changes.items():
        part, name = dotted.split("__")
        values[part][name] = value
    return Subject(
        key="leg:baku-1/2026-05-04/A042/0", kind="leg" if kind == "leg" else "idle_window", center="baku-1",
        service_date=date(2026, 5, 4), window=7, start=T0, end=T0 + timedelta(seconds=420),
        context=RuleContext.model_validate(values), timezone=ZoneInfo("Asia/Baku"), operator="3317", ticket="A042",
        evidence={Evidence.OPERATOR_ABSENT: (TimeRange(T0 + timedelta(seconds=43), T0 + timedelta(seconds=255),
                                                       "operator_absent"),)},
    )  # fmt: skip


def fired(s: Subject) -> set[str]:
    result = evaluate_subject(CHECKED, s)
    assert result.errors == ()
    return {f.rule.id for f in result.findings}


def test_an_ordinary_service_raises_nothing() -> None:
    assert fired(subject()) == set()


CASES = [
    # recording_gap: holes or tampering over 5 s
    ("recording_gap", {"coverage__unexplained_s": 5.0}, False),
    ("recording_gap", {"coverage__unexplained_s": 5.5}, True),
    ("recording_gap", {"coverage__unexplained_s": 3.0, "coverage__recorded_gap_s": 3.0}, True),
    ("recording_gap", {"seen__tamper_s": 5.0}, False),
    ("recording_gap", {"seen__tamper_s": 6.0}, True),
    ("recording_gap", {"coverage__before_recording_s": 420.0, "coverage__ratio": 0.0}, False),  # not filmed yet
    # operator_absent: over 120 s, only when analysed, not for a no-show
    ("operator_absent", {"seen__operator_absent_s": 120.0}, False),
    ("operator_absent", {"seen__operator_absent_s": 120.5}, True),
    ("operator_absent", {"seen__operator_absent_s": 300.0, "seen__analysed": False}, False),
    ("operator_absent", {"seen__operator_absent_s": 300.0, "leg__outcome": "no_show"}, False),
    # ghost_service: completed, on camera, analysed, no citizen
    ("ghost_service", {"seen__citizen_seen_s": 0.0}, True),
    ("ghost_service", {"seen__citizen_seen_s": 0.4}, False),
    ("ghost_service", {"seen__citizen_seen_s": 0.0, "coverage__ratio": 0.89}, False),
    ("ghost_service", {"seen__citizen_seen_s": 0.0, "coverage__ratio": 0.9}, True),
    ("ghost_service", {"seen__citizen_seen_s": 0.0, "leg__outcome": "transferred"}, False),
    ("ghost_service", {"seen__citizen_seen_s": 0.0, "seen__analysed": False}, False),
    # out_of_order_call: an earlier ticket waited over 10 min longer
    ("out_of_order_call", {"queue__waiting_longer_s": 600.0}, False),
    ("out_of_order_call", {"queue__waiting_longer_s": 601.0}, True),
    # service_too_long: over 3x the norm, only with a norm, only completed
    ("service_too_long", {"leg__duration_s": 1800.0}, False),
    ("service_too_long", {"leg__duration_s": 1801.0}, True),
    ("service_too_long", {"leg__duration_s": 5000.0, "queue__norm_duration_s": 0.0}, False),
    ("service_too_long", {"leg__duration_s": 5000.0, "leg__outcome": "unterminated"}, False),
    # raised_voice: over 10 s
    ("raised_voice", {"seen__raised_voice_s": 10.0}, False),
    ("raised_voice", {"seen__raised_voice_s": 10.5}, True),
    # recalls_or_fast_no_show: 3 recalls, or a no-show under 60 s
    ("recalls_or_fast_no_show", {"leg__recalls": 2}, False),
    ("recalls_or_fast_no_show", {"leg__recalls": 3}, True),
    ("recalls_or_fast_no_show", {"leg__outcome": "no_show", "leg__no_show_after_s": 59.0}, True),
    ("recalls_or_fast_no_show", {"leg__outcome": "no_show", "leg__no_show_after_s": 60.0}, False),
    # outside_shift: not logged in at the window, where the centre reports logins, walk-ins aside
    ("outside_shift", {"leg__operator_logged_in": False}, True),
    ("outside_shift", {"leg__operator_logged_in": False, "leg__shifts_reported": False}, False),
    ("outside_shift", {"leg__operator_logged_in": False, "leg__walk_in": True}, False),
]


@pytest.mark.parametrize(("rule", "changes", "fires"), CASES)
def test_rule_at_its_threshold(rule: str, changes: dict[str, object], fires: bool) -> None:
    assert (rule in fired(subject(**changes))) is fires


@pytest.mark.parametrize(("seconds", "fires"), [(180.0, False), (181.0, True)])
def test_served_without_ticket_judges_idle_stretches_only(seconds: float, fires: bool) -> None:
    idle = subject("idle", idle__citizen_without_session_s=seconds, leg__outcome="idle")
    assert fired(idle) == ({"served_without_ticket"} if fires else set())
    # the same figure on a session leg is not a finding: a session was open
    assert "served_without_ticket" not in fired(subject(idle__citizen_without_session_s=seconds))


def test_every_default_rule_has_a_firing_case() -> None:
    firing = {rule for rule, _, fires in CASES if fires} | {"served_without_ticket"}
    assert firing == {rule.id for rule in CHECKED.ruleset.rules}


def test_a_finding_explains_itself_with_the_actual_values_and_its_evidence() -> None:
    [finding] = evaluate_subject(CHECKED, subject(seen__operator_absent_s=212.0)).findings
    assert finding.explanation == "operator absent 212 s (limit 120 s) from 10:10:43"
    assert finding.evidence == (TimeRange(T0 + timedelta(seconds=43), T0 + timedelta(seconds=255), "operator_absent"),)
    assert finding.facts == {"seen.operator_absent_s": 212.0, "params.max_absent_s": 120.0}
    assert (finding.ruleset, finding.ruleset_version) == ("asan-default", "1.0")


def test_without_its_own_evidence_a_finding_shows_the_whole_leg() -> None:
    [finding] = evaluate_subject(CHECKED, subject(leg__recalls=4)).findings
    assert finding.evidence == (TimeRange(T0, T0 + timedelta(seconds=420), "leg"),)
