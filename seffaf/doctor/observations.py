"""What the probes saw, before any verdict: plain data handed from the I/O edge to the pure checks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path


@dataclass(frozen=True)
class ClockReading:
    """A peer's clock, read between two readings of ours.

    The peer's true time at the moment it stamped lies in [remote, remote + resolution_s]: S3 answers
    Last-Modified in whole seconds, a filesystem's mtime comes from a coarse kernel clock.
    """

    before: datetime
    after: datetime
    remote: datetime
    resolution_s: float


@dataclass(frozen=True)
class DatabaseObservation:
    url: str  # password masked
    dialect: str
    missing_file: bool  # a SQLite path with no file yet: not connected, so nothing was created
    error: str | None  # could not connect or read the schema version
    revision: str | None  # the database's alembic revision; None on an empty database
    head: str  # the newest revision this seffaf ships
    known_revisions: frozenset[str]
    clock: ClockReading | None  # None when the database has no clock of its own (SQLite: this host's)


@dataclass(frozen=True)
class StoreObservation:
    location: str
    probe_key: str
    failed_step: str | None  # "write" | "read" | "delete" | None when all three worked
    error: str | None
    read_back_matches: bool
    gone_after_delete: bool
    kind: str | None  # from capabilities(); None when they could not be asked
    object_lock: bool | None
    versioning: bool | None
    capabilities_error: str | None
    clock: ClockReading | None  # from the probe object's last-modified time


@dataclass(frozen=True)
class SpoolObservation:
    path: Path
    exists: bool
    measured_on: Path  # the spool, or its nearest existing parent when it is not made yet
    free_bytes: int | None
    error: str | None


@dataclass(frozen=True)
class SigningKeyObservation:
    path: Path | None  # None: evidence.signing_key_path is not configured
    fingerprint: str | None
    error: str | None
