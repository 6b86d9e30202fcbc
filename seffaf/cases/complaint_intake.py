"""What a complaint handler records: the complaint as asked for (checked), and its time span in UTC. Pure.

Citizens give local wall times ("on 3 March, around 10:00-10:30"), so the intake takes the day and
times at the centre and stores the span in UTC. Only the day given: the span is the whole local
day, which the proposals read as "no time stated". No more personal data than a reference to the
complainant is asked for.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Literal, Self
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Channel = Literal["in_person", "phone", "email", "web", "letter", "other"]
CHANNELS: tuple[str, ...] = ("in_person", "phone", "email", "web", "letter", "other")
REFERENCE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._/-]*$"


class ComplaintIn(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)
    reference: str = Field(
        min_length=1, max_length=64, pattern=REFERENCE_PATTERN, description="The intake desk's reference, not a name."
    )
    received_on: date
    channel: Channel
    center: str = Field(min_length=1, max_length=64)
    window: int | None = Field(None, ge=1, le=10_000)
    service_date: date | None = Field(None, description="The day of the visit, at the centre.")
    time_from: time | None = Field(None, description="Around when, local time at the centre; with time_to.")
    time_to: time | None = None
    ticket: str | None = Field(None, max_length=64)
    application_id: str | None = Field(None, max_length=64)
    description: str = Field("", max_length=4000)

    @field_validator("ticket", "application_id", "time_from", "time_to", "window", "service_date", mode="before")
    @classmethod
    def blank_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @model_validator(mode="after")
    def enough_to_find_the_session(self) -> Self:
        if self.ticket and self.service_date is None:
            raise ValueError("service_date: needed with a ticket (ticket numbers restart every day)")
        if (self.time_from is None) != (self.time_to is None):
            raise ValueError("time_to: give both time_from and time_to, or neither")
        if self.time_from is not None and self.service_date is None:
            raise ValueError("service_date: needed with the times")
        if self.time_from is not None and self.time_to is not None and self.time_to <= self.time_from:
            raise ValueError("time_to: must be after time_from")
        if self.service_date is None and not self.application_id:
            raise ValueError("service_date: give the day of the visit (with a ticket or times), or an application id")
        if self.service_date is not None and self.received_on < self.service_date:
            raise ValueError("received_on: before the day of the visit")
        return self


def local_span(body: ComplaintIn, tz: ZoneInfo) -> tuple[datetime | None, datetime | None]:
    """The stated span in UTC: the times on the day, or the whole local day; none without a day."""
    if body.service_date is None:
        return None, None
    if body.time_from is not None and body.time_to is not None:
        start = datetime.combine(body.service_date, body.time_from, tz)
        end = datetime.combine(body.service_date, body.time_to, tz)
    else:
        start = datetime.combine(body.service_date, time(), tz)
        end = datetime.combine(body.service_date + timedelta(days=1), time(), tz)
    return start.astimezone(UTC), end.astimezone(UTC)


def service_date_of(approx_from: datetime | None, tz: ZoneInfo) -> date | None:
    """The visit's day at the centre, read back from the stored span."""
    return approx_from.astimezone(tz).date() if approx_from is not None else None
