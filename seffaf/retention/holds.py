"""The catalog's legal holds as retention and deletion read them: active ones, and a lock against new ones."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from seffaf.catalog.case_tables import HoldRow

IN_CHUNK = 1000


def active_holds(session: Session, keys: Collection[str]) -> dict[str, tuple[int, ...]]:
    """Segment key -> the cases holding it (a hold is active until released_at is set)."""
    if not keys:
        return {}
    cases: dict[str, list[int]] = defaultdict(list)
    wanted = sorted(set(keys))
    for i in range(0, len(wanted), IN_CHUNK):  # bound the bind parameters of one statement
        query = select(HoldRow.segment_key, HoldRow.case_id).where(
            HoldRow.segment_key.in_(wanted[i : i + IN_CHUNK]), HoldRow.released_at.is_(None)
        )
        for key, case_id in session.execute(query):
            cases[key].append(case_id)
    return {key: tuple(sorted(ids)) for key, ids in cases.items()}


def lock_out_new_holds(session: Session) -> None:
    """Until this transaction ends, no hold can be placed or released: a check made now stays true.

    PostgreSQL: SHARE mode conflicts with the row-exclusive lock every INSERT/UPDATE takes, but not
    with other deleters' SHARE locks. SQLite: a write that changes nothing takes the database's
    write lock (as AuditLog does), so no hold commits between our check and our delete.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("LOCK TABLE holds IN SHARE MODE"))
    else:
        session.execute(text("UPDATE holds SET id = id WHERE 0 = 1"))
