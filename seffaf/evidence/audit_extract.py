"""The audit-log rows a package carries: everything the trail says about the exported sessions and case."""

from __future__ import annotations

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from review_app.audit.entries import AuditEntry
from seffaf.catalog.audit_tables import AuditRow


def _entry(r: AuditRow) -> AuditEntry:
    return AuditEntry(id=r.id, at=r.at, actor=r.actor, action=r.action, object_type=r.object_type,
                      object_id=r.object_id, reason=r.reason, detail=r.detail, outcome=r.outcome,
                      prev_hash=r.prev_hash, hash=r.hash)  # fmt: skip


def audit_extract(session: Session, objects: list[tuple[str, str]]) -> list[AuditEntry]:
    """Rows naming any of `objects` (object_type, object_id), oldest first, hashes included."""
    if not objects:
        return []
    match = or_(*(and_(AuditRow.object_type == kind, AuditRow.object_id == ident) for kind, ident in objects))
    return [_entry(row) for row in session.scalars(select(AuditRow).where(match).order_by(AuditRow.id))]
