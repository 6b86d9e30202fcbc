"""The queue-event schema: what a centre's electronic queue tells seffaf.

Field names are fixed (integrators start from them) and the schema is versioned;
`seffaf ingest schema` prints it as JSON Schema (also in docs/ and the OpenAPI docs).
Events are immutable facts; sessions are derived from them (ingest/sessions.py).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Self

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from seffaf.clock import require_utc

EVENT_SCHEMA_VERSION = 1


class EventType(StrEnum):
    TICKET_ISSUED = "ticket_issued"
    TICKET_CALLED = "ticket_called"
    TICKET_RECALLED = "ticket_recalled"
    SERVICE_STARTED = "service_started"
    TICKET_TRANSFERRED = "ticket_transferred"
    SERVICE_COMPLETED = "service_completed"
    TICKET_NO_SHOW = "ticket_no_show"
    TICKET_CANCELLED = "ticket_cancelled"
    APPLICATION_REGISTERED = "application_registered"
    OPERATOR_LOGIN = "operator_login"
    OPERATOR_LOGOUT = "operator_logout"


# Which fields each type needs. A walk-in (service without a ticket) is a service_started /
# service_completed event with no `ticket`: it carries the window instead.
REQUIRED_FIELDS: dict[EventType, tuple[str, ...]] = {
    EventType.TICKET_ISSUED: ("ticket", "service"),
    EventType.TICKET_CALLED: ("ticket", "window"),
    EventType.TICKET_RECALLED: ("ticket", "window"),
    EventType.SERVICE_STARTED: ("window",),
    EventType.TICKET_TRANSFERRED: ("ticket",),
    EventType.SERVICE_COMPLETED: ("window",),
    EventType.TICKET_NO_SHOW: ("ticket",),
    EventType.TICKET_CANCELLED: ("ticket",),
    EventType.APPLICATION_REGISTERED: ("ticket", "application_ids"),
    EventType.OPERATOR_LOGIN: ("operator", "window"),
    EventType.OPERATOR_LOGOUT: ("operator", "window"),
}
TICKETLESS_TYPES = frozenset({EventType.SERVICE_STARTED, EventType.SERVICE_COMPLETED})

Identifier = Annotated[str, Field(min_length=1, max_length=128, pattern=r"^[^\s].*$")]
UtcTime = Annotated[AwareDatetime, AfterValidator(lambda v: require_utc(v, "occurred_at"))]


class QueueEvent(BaseModel):
    """One fact from the queue system, idempotent on (source, event_id)."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    source: Identifier = Field(description="The queue system that reported it (API key owner).")
    event_id: Identifier = Field(description="Unique within the source; redelivery is harmless.")
    type: EventType
    center: Identifier = Field(description="Centre id, as in the sites file.")
    occurred_at: UtcTime = Field(description="ISO 8601 with offset, e.g. 2026-05-01T10:02:11+04:00.")
    ticket: str | None = Field(None, max_length=32, description="Ticket number, e.g. A042; none for a walk-in.")
    service: str | None = Field(None, max_length=64, description="Service type code.")
    priority: int | None = Field(None, ge=0, le=9, description="Queue priority (0 = normal).")
    window: int | None = Field(None, ge=1, le=9999, description="Window number at the centre.")
    operator: str | None = Field(None, max_length=64, description="Civil servant's id.")
    application_ids: list[Annotated[str, Field(min_length=1, max_length=64)]] = Field(
        default_factory=list, description="Application ids registered against the ticket."
    )
    to_window: int | None = Field(None, ge=1, le=9999, description="Transfer target window.")
    to_service: str | None = Field(None, max_length=64, description="Transfer target service.")

    @model_validator(mode="after")
    def _type_has_its_fields(self) -> Self:
        missing = [name for name in REQUIRED_FIELDS[self.type] if getattr(self, name) in (None, [], "")]
        if missing:
            raise ValueError(f"{missing[0]}: required for {self.type.value}")
        if self.type is EventType.TICKET_TRANSFERRED and self.to_window is None and self.to_service is None:
            raise ValueError(f"to_window: {self.type.value} needs to_window or to_service")
        return self

    @property
    def is_walk_in(self) -> bool:
        return self.ticket is None and self.type in TICKETLESS_TYPES

    def content_key(self) -> str:
        """Canonical JSON of the event: equal for a redelivery, different for a conflict."""
        return self.content_bytes().decode()

    def content_bytes(self) -> bytes:
        """content_key as UTF-8, straight from pydantic-core (what model_dump_json decodes)."""
        return self.__pydantic_serializer__.to_json(self)
