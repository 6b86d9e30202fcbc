"""What a rule's CEL condition can see: a typed, documented context (seconds as doubles).

Field names here are the public vocabulary of rule authors; `seffaf policies check` evaluates
every condition against `sample_context()` so a misspelt field or a type mismatch is caught
when the rule is written, not when it first meets a session.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class _Doc(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LegContext(_Doc):
    window: int = Field(7, description="Window number.")
    operator: str = Field("3317", description="Operator id ('' when unknown).")
    service: str = Field("passport", description="Service type code.")
    outcome: str = Field(
        "completed", description="completed | transferred | no_show | cancelled | unterminated | open; idle: no session"
    )
    wait_s: float = Field(300.0, description="Seconds from ticket issued to this call.")
    duration_s: float = Field(420.0, description="Seconds from call to end of the leg.")
    recalls: int = Field(0, description="How often the ticket was recalled at this window.")
    no_show_after_s: float = Field(0.0, description="Seconds from call to no-show (0 unless outcome is no_show).")
    operator_logged_in: bool = Field(True, description="The operator had a login shift at this window at the call.")
    shifts_reported: bool = Field(True, description="The centre's queue reported operator logins that day.")
    walk_in: bool = Field(False, description="Served without a ticket, as the queue system reported it.")


class CoverageContext(_Doc):
    ratio: float = Field(1.0, description="Share of the leg on camera, 0..1.")
    unexplained_s: float = Field(0.0, description="Seconds of holes nothing explains.")
    recorded_gap_s: float = Field(0.0, description="Seconds of holes a recorder gap record explains.")
    before_recording_s: float = Field(0.0, description="Seconds before the camera's first recording (not filmed yet).")


class SeenContext(_Doc):
    operator_absent_s: float = Field(0.0, description="Seconds the operator zone was empty during the leg.")
    citizen_seen_s: float = Field(60.0, description="Seconds a citizen was seen in the citizen zone.")
    citizen_max: int = Field(1, description="Most citizens seen at once.")
    raised_voice_s: float = Field(0.0, description="Seconds of raised voices (window's own baseline).")
    tamper_s: float = Field(0.0, description="Seconds of covered lens, defocus, moved camera or frozen picture.")
    analysed: bool = Field(True, description="The leg's footage has been analysed.")


class QueueContext(_Doc):
    waiting_longer_s: float = Field(0.0, description="Longest extra wait of an earlier same-service, same-priority "
                                    "ticket still waiting at the call (0: called in order).")  # fmt: skip
    norm_duration_s: float = Field(600.0, description="This centre's usual duration for the service (history).")


class WindowIdleContext(_Doc):
    """For rules about a window while no session is open there (walk-in without ticket)."""

    citizen_without_session_s: float = Field(0.0, description="Longest stretch a citizen sat there, no session open.")


class RuleContext(_Doc):
    leg: LegContext = Field(default_factory=LegContext)
    coverage: CoverageContext = Field(default_factory=CoverageContext)
    seen: SeenContext = Field(default_factory=SeenContext)
    queue: QueueContext = Field(default_factory=QueueContext)
    idle: WindowIdleContext = Field(default_factory=WindowIdleContext)


def sample_context() -> dict[str, object]:
    """A representative context: every documented field, with a value of its type."""
    return RuleContext().model_dump()
