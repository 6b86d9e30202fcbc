"""What an audit row says, as other modules pass it around."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from seffaf.catalog.audit_tables import DetailValue


class AuditAction(StrEnum):
    LOGIN = "login"
    LOGIN_FAILED = "login_failed"
    LOGOUT = "logout"
    SEARCH = "search"
    SESSION_VIEW = "session_view"
    MEDIA_FETCH = "media_fetch"
    VERDICT = "verdict"
    EXPORT = "export"
    ADMIN_CHANGE = "admin_change"
    ACCESS_DENIED = "access_denied"
    FOOTAGE_DELETE = "footage_delete"
    CASE_CHANGE = "case_change"  # a complaint recorded; a case opened, put under review, noted or closed
    HOLD_CHANGE = "hold_change"  # legal holds placed on a case's footage, or released when it closed


class AuditOutcome(StrEnum):
    OK = "ok"
    FAILED = "failed"
    DENIED = "denied"
    RATE_LIMITED = "rate_limited"


class AuditEntry(BaseModel):
    """One row of the trail, as stored (hashes included)."""

    model_config = ConfigDict(frozen=True)
    id: int
    at: datetime
    actor: str | None = Field(description="The username, or cli:<os user> for `seffaf users`; None before login.")
    action: str
    object_type: str | None
    object_id: str | None
    reason: str | None
    detail: dict[str, DetailValue]
    outcome: str
    prev_hash: str
    hash: str


class AuditFilter(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    actor: str | None = None
    action: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    limit: int = Field(100, ge=1, le=100_000)
