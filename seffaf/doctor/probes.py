"""The I/O of `seffaf doctor`: each probe looks at one part of the installation and reports what it saw.

Probes change nothing lasting: the database is read, not migrated; the store probe object is deleted.
"""

from __future__ import annotations

import logging
import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from seffaf.catalog.base import make_engine
from seffaf.catalog.migrate import SCRIPT_LOCATION
from seffaf.clock import Clock, require_utc
from seffaf.doctor.observations import (
    ClockReading,
    DatabaseObservation,
    SigningKeyObservation,
    SpoolObservation,
    StoreObservation,
)
from seffaf.evidence.signing import Signer, SigningKeyError
from seffaf.storage.base import ObjectStore, StoreError

logger = logging.getLogger(__name__)

PROBE_PREFIX = "doctor/"
PROBE_BYTES = 64
# How finely each kind of store stamps last-modified: S3 answers in whole seconds (HTTP dates).
STAMP_RESOLUTION_S = {"s3": 1.0}
DEFAULT_STAMP_RESOLUTION_S = 0.1  # a filesystem mtime comes from the kernel's coarse clock


def probe_database(url: str, clock: Clock) -> DatabaseObservation:
    try:
        parsed = make_url(url)
    except ArgumentError:
        # The text may hold a password: name the problem, never echo the URL.
        return _database("(unparseable)", "unknown", error="database_url is not a SQLAlchemy URL")
    masked, dialect = parsed.render_as_string(hide_password=True), parsed.get_backend_name()
    if dialect == "sqlite" and parsed.database not in (None, "", ":memory:") and not Path(parsed.database).exists():
        return _database(masked, dialect, missing_file=True)  # connecting would create an empty file
    try:
        engine = make_engine(url)
    except (SQLAlchemyError, ImportError) as exc:  # e.g. a driver that is not installed
        return _database(masked, dialect, error=f"cannot use this database driver: {exc}")
    try:
        with engine.connect() as connection:
            revision = MigrationContext.configure(connection).get_current_revision()
            reading = _database_clock(connection, clock) if dialect == "postgresql" else None
    except SQLAlchemyError as exc:
        return _database(masked, dialect, error=str(getattr(exc, "orig", None) or exc).strip())
    finally:
        engine.dispose()
    return _database(masked, dialect, revision=revision, clock=reading)


def _database_clock(connection: Connection, clock: Clock) -> ClockReading:
    before = clock()
    # clock_timestamp(), not now(): now() is frozen at the start of the transaction.
    remote = connection.execute(text("SELECT clock_timestamp()")).scalar_one()
    after = clock()
    return ClockReading(before, after, require_utc(remote, "database clock_timestamp()"), 0.0)


def _database(
    url: str,
    dialect: str,
    *,
    missing_file: bool = False,
    error: str | None = None,
    revision: str | None = None,
    clock: ClockReading | None = None,
) -> DatabaseObservation:
    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    scripts = ScriptDirectory.from_config(config)
    head = scripts.get_current_head() or ""
    known = frozenset(script.revision for script in scripts.walk_revisions())
    return DatabaseObservation(url=url, dialect=dialect, missing_file=missing_file, error=error, revision=revision,
                               head=head, known_revisions=known, clock=clock)  # fmt: skip


def probe_store(store: ObjectStore, clock: Clock) -> StoreObservation:
    """Write, read back and delete a small object under doctor/ with a random name; ask what the store supports."""
    key, payload = f"{PROBE_PREFIX}{uuid.uuid4().hex}.probe", os.urandom(PROBE_BYTES)
    caps = _capabilities(store)

    def seen(
        step: str | None, error: str | None, matches: bool, gone: bool, reading: ClockReading | None
    ) -> StoreObservation:
        return StoreObservation(location=store.location, probe_key=key, failed_step=step, error=error,
                                read_back_matches=matches, gone_after_delete=gone, kind=caps.kind,
                                object_lock=caps.object_lock, versioning=caps.versioning,
                                capabilities_error=caps.error, clock=reading)  # fmt: skip

    before = clock()
    try:
        info = store.put_bytes(key, payload)
    except StoreError as exc:
        return seen("write", str(exc), False, False, None)
    after = clock()
    resolution = STAMP_RESOLUTION_S.get(caps.kind or "", DEFAULT_STAMP_RESOLUTION_S)
    reading = ClockReading(before, after, require_utc(info.last_modified, "probe last_modified"), resolution)
    try:
        matches = store.get(key) == payload
    except StoreError as exc:
        _delete_quietly(store, key)
        return seen("read", str(exc), False, False, reading)
    try:
        store.delete(key)
        gone = not store.exists(key)
    except StoreError as exc:
        return seen("delete", str(exc), matches, False, reading)
    return seen(None, None, matches, gone, reading)


@dataclass(frozen=True)
class _Capabilities:
    kind: str | None
    object_lock: bool | None
    versioning: bool | None
    error: str | None


def _capabilities(store: ObjectStore) -> _Capabilities:
    try:
        caps = store.capabilities()
    except StoreError as exc:
        return _Capabilities(None, None, None, str(exc))
    return _Capabilities(caps.kind, caps.object_lock, caps.versioning, None)


def _delete_quietly(store: ObjectStore, key: str) -> None:
    try:
        store.delete(key)
    except StoreError:
        # The read already failed and is what gets reported; say which probe object may be left.
        logger.warning("doctor could not delete its probe object %s from %s", key, store.location, exc_info=True)


def probe_spool(path: Path) -> SpoolObservation:
    """Free space on the spool's disk; a spool not made yet is measured on its nearest existing parent."""
    measured_on = path
    while not measured_on.exists() and measured_on != measured_on.parent:
        measured_on = measured_on.parent
    try:
        free = shutil.disk_usage(measured_on).free
    except OSError as exc:
        return SpoolObservation(path, path.exists(), measured_on, None, exc.strerror or str(exc))
    return SpoolObservation(path, path.exists(), measured_on, free, None)


def probe_signing_key(path: Path | None) -> SigningKeyObservation:
    if path is None:
        return SigningKeyObservation(None, None, None)
    try:
        signer = Signer.from_pem_file(path)
    except SigningKeyError as exc:
        return SigningKeyObservation(path, None, str(exc))
    return SigningKeyObservation(path, signer.fingerprint, None)
