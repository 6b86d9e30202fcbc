"""FootageDeleter: the one way footage leaves the store, for retention and for explicit deletes alike.

Inside the caller's transaction (which commits the catalog change and its audit rows together):
new holds are locked out, held segments are refused (an audited refusal naming the cases), the
rest have their media then manifest deleted, a deletion record is written to the store, and only
then are the catalog rows removed (gap rows naming the deletion take their place), with the
segments' observations and pending jobs. A crash anywhere before the commit leaves the catalog
rows, so the next attempt finds and finishes them (deleting a missing object is no error) and
reuses the record the crashed attempt wrote (record_reuse.py): one record per deleted segment.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from review_app.audit.entries import AuditAction, AuditOutcome
from review_app.audit.log import AuditLog
from seffaf.catalog.audit_tables import DetailValue
from seffaf.catalog.footage_tables import SegmentRow
from seffaf.clock import Clock
from seffaf.keys import KeyLayoutError, SegmentKey
from seffaf.retention.deletion_gaps import add_gap_rows
from seffaf.retention.holds import active_holds, lock_out_new_holds
from seffaf.retention.record_reuse import plan_records
from seffaf.retention.segment_purge import PurgedRows, purge_segments
from seffaf.retention.tombstones import DeletedSegment, DeletionCause, DeletionRecord, read_records, write_record
from seffaf.storage.base import ObjectStore, StoreError, StoreUnavailableError

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RefusedSegment:
    key: str
    camera: str
    seq: int
    case_ids: tuple[int, ...]


@dataclass(frozen=True)
class FailedSegment:
    key: str
    seq: int
    error: str


@dataclass
class DeletionOutcome:
    deleted: list[DeletedSegment] = field(default_factory=list)
    refused: list[RefusedSegment] = field(default_factory=list)
    failed: list[FailedSegment] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # keys the catalog does not (or no longer) list
    record_keys: list[str] = field(default_factory=list)  # the records naming the deleted segments
    purged: PurgedRows = field(default_factory=PurgedRows)

    @property
    def record_key(self) -> str | None:
        """The record naming the deleted segments; the new one when a retry also reused earlier ones."""
        return self.record_keys[-1] if self.record_keys else None


def _manifest_key(key: str) -> str | None:
    try:
        return SegmentKey.decode(key).manifest_key
    except KeyLayoutError:
        return None


def _deleted(row: SegmentRow) -> DeletedSegment:
    return DeletedSegment(seq=row.seq, key=row.key, manifest_key=_manifest_key(row.key), center=row.center,
                          window=row.window, start=row.start, end=row.end, size_bytes=row.size_bytes,
                          sha256=row.sha256, prev_sha256=row.prev_sha256)  # fmt: skip


def _target(keys: Sequence[str], camera: str) -> tuple[str, str]:
    """Audit object: the segment itself when one was asked for, else the camera the batch is from."""
    return ("segment", keys[0]) if len(keys) == 1 else ("camera", camera)


class FootageDeleter:
    def __init__(self, store: ObjectStore, session: Session, clock: Clock) -> None:
        self._store = store
        self._session = session
        self._clock = clock
        self._audit = AuditLog(session, clock)

    def delete(self, keys: Sequence[str], *, actor: str, reason: str, cause: DeletionCause) -> DeletionOutcome:
        """Delete segments of one camera. The caller commits; refusals are audited even if nothing is deleted."""
        outcome = DeletionOutcome()
        lock_out_new_holds(self._session)
        rows = list(
            self._session.scalars(
                select(SegmentRow).where(SegmentRow.key.in_(keys)).order_by(SegmentRow.seq).with_for_update()
            )
        )
        outcome.missing = sorted(set(keys) - {row.key for row in rows})
        cameras = {row.camera for row in rows}
        if len(cameras) > 1:
            raise ValueError(f"keys: segments of one camera per deletion, got {', '.join(sorted(cameras))}")
        if not rows:
            return outcome
        camera = rows[0].camera
        holds = active_holds(self._session, [row.key for row in rows])
        outcome.refused = [RefusedSegment(r.key, r.camera, r.seq, holds[r.key]) for r in rows if r.key in holds]
        if outcome.refused:
            self._audit_refusal(outcome.refused, camera, actor, reason, cause)
        for row in (r for r in rows if r.key not in holds):
            error = self._delete_objects(row.key)
            if error is None:
                outcome.deleted.append(_deleted(row))
            else:
                outcome.failed.append(FailedSegment(row.key, row.seq, error))
        if outcome.deleted:
            for record in self._records(outcome.deleted, camera, actor, reason, cause):
                outcome.record_keys.append(record.key)
                add_gap_rows(self._session, record)  # the rows a rebuild derives from it: no unexplained hole
            outcome.purged = purge_segments(self._session, [segment.key for segment in outcome.deleted])
        if outcome.deleted or outcome.failed:
            self._audit_deletion(outcome, rows, camera, actor, reason, cause)
        return outcome

    def _records(
        self, deleted: list[DeletedSegment], camera: str, actor: str, reason: str, cause: DeletionCause
    ) -> list[DeletionRecord]:
        """The records naming these segments: any an interrupted attempt wrote, and a new one for the rest."""
        existing = read_records(self._store, camera, (deleted[0].seq, deleted[-1].seq))
        plan = plan_records(deleted, list(existing))
        records = list(plan.reused)
        if plan.fresh:
            record = DeletionRecord(camera=camera, cause=cause, reason=reason, actor=actor, deleted_at=self._clock(),
                                    segments=plan.fresh)  # fmt: skip
            write_record(self._store, record)
            records.append(record)
        return records

    def _delete_objects(self, key: str) -> str | None:
        """None when media and manifest are gone; else why not. An unreachable store aborts the batch."""
        try:
            self._store.delete(key)
            manifest = _manifest_key(key)
            if manifest is not None:
                self._store.delete(manifest)
        except StoreUnavailableError:
            raise
        except StoreError as exc:
            logger.warning("footage delete: %s stays: %s", key, exc)
            return str(exc)
        return None

    def _audit_refusal(
        self, refused: list[RefusedSegment], camera: str, actor: str, reason: str, cause: DeletionCause
    ) -> None:
        object_type, object_id = _target([r.key for r in refused], camera)
        cases = sorted({case for r in refused for case in r.case_ids})
        detail: dict[str, DetailValue] = {
            "cause": cause.value, "camera": camera, "refused": len(refused),
            "keys": [r.key for r in refused][:50], "case_ids": [str(c) for c in cases],
        }  # fmt: skip
        self._audit.append(AuditAction.FOOTAGE_DELETE, actor=actor, object_type=object_type, object_id=object_id,
                           reason=f"refused: under legal hold (case {', '.join(map(str, cases))}); asked: {reason}",
                           detail=detail, outcome=AuditOutcome.DENIED)  # fmt: skip

    def _audit_deletion(
        self, outcome: DeletionOutcome, rows: list[SegmentRow], camera: str, actor: str, reason: str,
        cause: DeletionCause,
    ) -> None:  # fmt: skip
        done = outcome.deleted
        object_type, object_id = _target([row.key for row in rows], camera)
        detail: dict[str, DetailValue] = {
            "cause": cause.value, "camera": camera, "deleted": len(done),
            "first_seq": done[0].seq if done else None, "last_seq": done[-1].seq if done else None,
            "bytes": sum(s.size_bytes for s in done), "record": outcome.record_key,
            "records": outcome.record_keys, "observations": outcome.purged.observations,
            "pending_jobs": outcome.purged.jobs,
            "failed": [f.key for f in outcome.failed][:50],
        }  # fmt: skip
        self._audit.append(AuditAction.FOOTAGE_DELETE, actor=actor, object_type=object_type, object_id=object_id,
                           reason=reason, detail=detail,
                           outcome=AuditOutcome.OK if done else AuditOutcome.FAILED)  # fmt: skip
