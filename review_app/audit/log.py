"""AuditLog: appending to the hash-chained trail inside the caller's transaction, and reading it back."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from pydantic import BaseModel
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from review_app.audit.chain import GENESIS, RowFields, row_hash
from review_app.audit.entries import AuditAction, AuditEntry, AuditFilter, AuditOutcome
from seffaf.catalog.audit_tables import AuditRow, DetailValue
from seffaf.clock import Clock, utcnow

# Any constant: the one advisory lock all audit appends on PostgreSQL queue behind.
_PG_LOCK_KEY = 0x5EFFAF_A0D17


def _entry(row: AuditRow) -> AuditEntry:
    return AuditEntry(id=row.id, at=row.at, actor=row.actor, action=row.action, object_type=row.object_type,
                      object_id=row.object_id, reason=row.reason, detail=row.detail, outcome=row.outcome,
                      prev_hash=row.prev_hash, hash=row.hash)  # fmt: skip


class AuditLog:
    """Rows join the caller's transaction: an audited change and its audit row commit (or not) together.

    Appends are serialised so the chain never forks: on PostgreSQL by a transaction-level advisory
    lock, on SQLite by taking the database's write lock before the head is read. Either way the
    transaction holds that lock until it ends, so audited transactions should be short.
    """

    def __init__(self, session: Session, clock: Clock = utcnow) -> None:
        self._session = session
        self._clock = clock

    def append(
        self,
        action: AuditAction,
        *,
        actor: str | None,
        object_type: str | None = None,
        object_id: str | None = None,
        reason: str | None = None,
        detail: BaseModel | Mapping[str, DetailValue] | None = None,
        outcome: AuditOutcome = AuditOutcome.OK,
    ) -> AuditEntry:
        self._lock()
        head = self._session.execute(select(AuditRow.id, AuditRow.hash).order_by(AuditRow.id.desc()).limit(1)).first()
        last_id, prev_hash = (head.id, head.hash) if head is not None else (0, GENESIS)
        details: dict[str, DetailValue] = (
            detail.model_dump(mode="json") if isinstance(detail, BaseModel) else dict(detail or {})
        )
        fields = RowFields(id=last_id + 1, at=self._clock(), actor=actor, action=action.value, object_type=object_type,
                           object_id=object_id, reason=reason, detail=details, outcome=outcome.value)  # fmt: skip
        row = AuditRow(id=fields.id, at=fields.at, actor=actor, action=fields.action, object_type=object_type,
                       object_id=object_id, reason=reason, detail=details, outcome=fields.outcome,
                       prev_hash=prev_hash, hash=row_hash(prev_hash, fields))  # fmt: skip
        self._session.add(row)
        self._session.flush()
        return _entry(row)

    def _lock(self) -> None:
        if self._session.get_bind().dialect.name == "postgresql":
            self._session.execute(select(func.pg_advisory_xact_lock(_PG_LOCK_KEY)))
        else:
            # SQLite: a write that changes nothing still takes the write lock (waiting for other
            # writers), so the head read next is the newest; a plain read first could be stale.
            self._session.execute(text("UPDATE audit_log SET id = id WHERE 0 = 1"))

    def search(self, filters: AuditFilter) -> list[AuditEntry]:
        """Newest first, as an investigator reads them."""
        query = select(AuditRow)
        if filters.actor is not None:
            query = query.where(AuditRow.actor == filters.actor)
        if filters.action is not None:
            query = query.where(AuditRow.action == filters.action)
        if filters.since is not None:
            query = query.where(AuditRow.at >= filters.since)
        if filters.until is not None:
            query = query.where(AuditRow.at < filters.until)
        rows = self._session.scalars(query.order_by(AuditRow.id.desc()).limit(filters.limit))
        return [_entry(row) for row in rows]

    def all_entries(self) -> Iterator[AuditEntry]:
        """Every row in id order, streamed (the trail may be long)."""
        for row in self._session.scalars(select(AuditRow).order_by(AuditRow.id).execution_options(yield_per=1000)):
            yield _entry(row)
