"""Queue systems allowed to post events, each with its own API key (stored only as a hash)."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from seffaf.catalog.event_tables import SourceSystemRow

KEY_PREFIX = "sfq_"


class SourceError(ValueError):
    """A source system that cannot be added or used; the message says why."""


@dataclass(frozen=True)
class SourceSystem:
    name: str
    clock_offset_s: float


def hash_key(api_key: str) -> str:
    # Keys are 256-bit random tokens: a plain SHA-256 is enough (no password stretching needed).
    return hashlib.sha256(api_key.encode()).hexdigest()


def add_source(session: Session, name: str, clock_offset_s: float, now: datetime) -> str:
    """Register a source; returns its API key, which is shown once and never stored."""
    if session.get(SourceSystemRow, name) is not None:
        raise SourceError(f"source {name!r} exists already")
    api_key = KEY_PREFIX + secrets.token_urlsafe(32)
    session.add(SourceSystemRow(name=name, api_key_sha256=hash_key(api_key), clock_offset_s=clock_offset_s,
                                created_at=now))  # fmt: skip
    return api_key


def authenticate(session: Session, api_key: str) -> SourceSystem | None:
    row = session.scalar(select(SourceSystemRow).where(SourceSystemRow.api_key_sha256 == hash_key(api_key)))
    if row is None or row.disabled:
        return None
    return SourceSystem(row.name, row.clock_offset_s)


def list_sources(session: Session) -> list[SourceSystemRow]:
    return list(session.scalars(select(SourceSystemRow).order_by(SourceSystemRow.name)))
