"""The audit hash chain, pure: a row's canonical encoding, its hash, and finding the first broken row.

hash = SHA-256(prev_hash + "\\n" + canonical JSON of the row's fields, id included). Ids run
1, 2, 3… without holes, so a deleted row shows as a missing number and an edited one as a hash
that no longer matches; editing a row and re-hashing it breaks the next row's prev_hash.
Deleting the newest rows leaves a shorter, valid chain: compare the head with one kept elsewhere.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from review_app.audit.entries import AuditEntry
from seffaf.catalog.audit_tables import DetailValue

GENESIS = "0" * 64


@dataclass(frozen=True)
class RowFields:
    """What the hash covers: everything in the row but the hashes themselves."""

    id: int
    at: datetime
    actor: str | None
    action: str
    object_type: str | None
    object_id: str | None
    reason: str | None
    detail: dict[str, DetailValue]
    outcome: str


def canonical(fields: RowFields) -> bytes:
    at = fields.at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")  # microseconds: what both databases keep
    document = {"id": fields.id, "at": at, "actor": fields.actor, "action": fields.action,
                "object_type": fields.object_type, "object_id": fields.object_id, "reason": fields.reason,
                "detail": fields.detail, "outcome": fields.outcome}  # fmt: skip
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()


def row_hash(prev_hash: str, fields: RowFields) -> str:
    return hashlib.sha256(prev_hash.encode() + b"\n" + canonical(fields)).hexdigest()


def fields_of(entry: AuditEntry) -> RowFields:
    return RowFields(entry.id, entry.at, entry.actor, entry.action, entry.object_type, entry.object_id, entry.reason,
                     entry.detail, entry.outcome)  # fmt: skip


class Problem(StrEnum):
    MISSING = "missing"
    ALTERED = "altered"
    RELINKED = "relinked"
    REORDERED = "reordered"


@dataclass(frozen=True)
class ChainBreak:
    row_id: int
    problem: Problem
    message: str


@dataclass(frozen=True)
class ChainHead:
    rows: int
    last_id: int
    last_hash: str


def verify_chain(entries: Iterable[AuditEntry]) -> ChainBreak | ChainHead:
    """Walk the rows in id order; the first missing, altered or re-linked row, else the intact head."""
    expected_id, prev_hash, count = 1, GENESIS, 0
    for entry in entries:
        if entry.id < expected_id:
            message = f"row {entry.id}: out of order after row {expected_id - 1}"
            return ChainBreak(entry.id, Problem.REORDERED, message)
        if entry.id > expected_id:
            missing = f"{expected_id}" if entry.id == expected_id + 1 else f"{expected_id}..{entry.id - 1}"
            return ChainBreak(expected_id, Problem.MISSING, f"row {missing} missing (next present: row {entry.id})")
        if row_hash(entry.prev_hash, fields_of(entry)) != entry.hash:
            return ChainBreak(entry.id, Problem.ALTERED, f"row {entry.id}: content does not match its hash (altered)")
        if entry.prev_hash != prev_hash:
            before = f"row {entry.id - 1}'s hash" if entry.id > 1 else "the chain's start"
            message = f"row {entry.id}: prev_hash does not match {before} (a row was re-hashed)"
            return ChainBreak(entry.id, Problem.RELINKED, message)
        expected_id, prev_hash, count = entry.id + 1, entry.hash, count + 1
    return ChainHead(rows=count, last_id=expected_id - 1, last_hash=prev_hash)
