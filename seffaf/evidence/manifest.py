"""manifest.json: what an evidence package holds, where it came from, and the hashes that bind it.

The recipient reads this with no seffaf at hand, so every field is plain JSON and every time is
UTC. `format_version` changes whenever a field's meaning does; `seffaf verify` refuses versions
it does not know rather than guessing.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from seffaf.manifests import UtcDatetime

SHA256_PATTERN = r"^[0-9a-f]{64}$"


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CaseInfo(_Frozen):
    id: int | None = Field(description="The case's row id; null for an export made outside a case.")
    reference: str = Field(min_length=1)
    status: str | None


class TicketEvent(_Frozen):
    """One queue-system event about the ticket, as received."""

    type: str
    occurred_at: UtcDatetime
    window: int | None
    operator: str | None
    service: str | None
    application_ids: list[str]
    source: str
    event_id: str


class SegmentRecord(_Frozen):
    """A stored source segment the clip was cut from: its place in the camera's hash chain."""

    key: str
    camera: str
    seq: int = Field(ge=1)
    start: UtcDatetime
    end: UtcDatetime
    size_bytes: int = Field(ge=0)
    sha256: str = Field(pattern=SHA256_PATTERN)
    prev_sha256: str | None = Field(pattern=SHA256_PATTERN, description="seq-1's media hash: the chain link.")
    member: str | None = Field(None, description="Its path in the package when originals are included.")


class HoleRecord(_Frozen):
    start: UtcDatetime
    end: UtcDatetime
    cause: str


class RedactionRecord(_Frozen):
    """How a clip was redacted: the only re-encoded footage in a package."""

    method: str
    frames: int = Field(ge=0)
    faces_blurred: int = Field(ge=0)
    unredacted_sha256: str = Field(pattern=SHA256_PATTERN, description="The stream-copied clip it was made from.")


class ClipRecord(_Frozen):
    member: str
    sha256: str = Field(pattern=SHA256_PATTERN)
    size_bytes: int = Field(ge=0)
    starts_at: UtcDatetime = Field(description="Wall-clock time of the clip's first frame (a keyframe).")
    ends_at: UtcDatetime
    stream_copy: bool = Field(description="True: the source packets unchanged; false: re-encoded by redaction.")
    redaction: RedactionRecord | None


class LegRecord(_Frozen):
    index: int = Field(ge=0)
    window: int
    operator: str | None
    called_at: UtcDatetime | None
    started_at: UtcDatetime | None
    ended_at: UtcDatetime | None
    outcome: str
    application_ids: list[str]
    camera: str | None
    coverage: float | None
    holes: list[HoleRecord]
    segments: list[SegmentRecord]
    clip: ClipRecord | None = Field(description="Null when no footage covers the leg.")


class VerdictRecord(_Frozen):
    verdict: str
    status: str
    reviewer: str
    decided_at: UtcDatetime


class FindingRecord(_Frozen):
    id: int
    rule_id: str
    ruleset: str
    ruleset_version: str
    principle: str
    severity: str
    title: str
    leg_index: int | None
    start: UtcDatetime
    end: UtcDatetime
    explanation: str
    review_status: str
    latest_verdict: VerdictRecord | None


class SessionRecord(_Frozen):
    visit_id: int
    center: str
    service_date: date
    ticket: str
    walk_in: bool
    service: str | None
    outcome: str
    application_ids: list[str]
    operators: list[str]
    ticket_events: list[TicketEvent]
    legs: list[LegRecord]
    findings: list[FindingRecord]


class FileRecord(_Frozen):
    member: str
    sha256: str = Field(pattern=SHA256_PATTERN)
    size_bytes: int = Field(ge=0)


class PackageRedaction(_Frozen):
    mode: Literal["faces_blurred", "none"]
    method: str | None
    unredacted_reason: str | None = Field(description="Stated by whoever exported footage without redaction.")


class PackageManifest(_Frozen):
    format: Literal["seffaf-evidence"] = "seffaf-evidence"
    format_version: Literal[1] = 1
    case: CaseInfo
    exported_by: str
    exported_at: UtcDatetime
    seffaf_version: str
    signing_key_fingerprint: str = Field(pattern=SHA256_PATTERN, description="SHA-256 of the raw Ed25519 public key.")
    redaction: PackageRedaction
    sessions: list[SessionRecord]
    audit_extract: str = Field(description="Member holding the case's audit-log rows (JSON lines).")
    files: list[FileRecord] = Field(
        description="Every member but manifest.json, SHA256SUMS and the signature, with its hash."
    )
