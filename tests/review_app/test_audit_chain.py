"""The audit trail's hash chain: intact chains verify; an edited, re-hashed or deleted row is named."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import BaseModel

from review_app.audit.chain import GENESIS, ChainBreak, ChainHead, Problem, RowFields, fields_of, row_hash, verify_chain
from review_app.audit.entries import AuditAction, AuditEntry, AuditFilter, AuditOutcome
from review_app.audit.log import AuditLog
from seffaf.catalog.connect import open_catalog
from tests.support.clock import SteppedClock

T0 = datetime(2026, 5, 4, 9, 0, 0, 123456, tzinfo=UTC)


def chain(n: int) -> list[AuditEntry]:
    entries, prev = [], GENESIS
    for i in range(1, n + 1):
        fields = RowFields(id=i, at=T0 + timedelta(seconds=i), actor="aysel", action="session_view",
                           object_type="session", object_id=str(100 + i), reason=None,
                           detail={"n": i, "tags": ["a", "b"]}, outcome="ok")  # fmt: skip
        entry = AuditEntry(prev_hash=prev, hash=row_hash(prev, fields), **vars(fields))
        entries.append(entry)
        prev = entry.hash
    return entries


def edited(entry: AuditEntry, rehash: bool = False, **changes: object) -> AuditEntry:
    changed = entry.model_copy(update=changes)
    if rehash:
        changed = changed.model_copy(update={"hash": row_hash(changed.prev_hash, fields_of(changed))})
    return changed


def tamper(case: str) -> list[AuditEntry]:
    rows = chain(4)
    if case == "edited":
        rows[1] = edited(rows[1], object_id="999")
    elif case == "edited detail":
        rows[2] = edited(rows[2], detail={"n": 3, "tags": ["a"]})
    elif case == "edited and re-hashed":
        rows[1] = edited(rows[1], rehash=True, actor="someone-else")
    elif case == "deleted":
        del rows[1]
    elif case == "two deleted":
        del rows[1:3]
    elif case == "first deleted":
        del rows[0]
    elif case == "first re-linked":
        rows[0] = edited(rows[0], rehash=True, prev_hash="f" * 64)
    elif case == "reordered":
        rows[1], rows[2] = rows[2], rows[1]
    return rows


@pytest.mark.parametrize(
    ("case", "row_id", "problem"),
    [
        ("edited", 2, Problem.ALTERED),
        ("edited detail", 3, Problem.ALTERED),
        ("edited and re-hashed", 3, Problem.RELINKED),  # the next row no longer points at it
        ("deleted", 2, Problem.MISSING),
        ("two deleted", 2, Problem.MISSING),
        ("first deleted", 1, Problem.MISSING),
        ("first re-linked", 1, Problem.RELINKED),
        ("reordered", 2, Problem.MISSING),
    ],
)
def test_verify_chain_names_the_first_bad_row(case: str, row_id: int, problem: Problem) -> None:
    found = verify_chain(tamper(case))
    assert isinstance(found, ChainBreak)
    assert (found.row_id, found.problem) == (row_id, problem)
    assert f"row {row_id}" in found.message


def test_intact_and_empty_chains_verify() -> None:
    rows = chain(4)
    assert verify_chain(rows) == ChainHead(rows=4, last_id=4, last_hash=rows[-1].hash)
    assert verify_chain([]) == ChainHead(rows=0, last_id=0, last_hash=GENESIS)


def test_the_hash_covers_every_field() -> None:
    fields = fields_of(chain(1)[0])
    variants = [replace(fields, at=fields.at + timedelta(microseconds=1)), replace(fields, actor=None),
                replace(fields, action="export"), replace(fields, object_type="finding"),
                replace(fields, object_id="x"), replace(fields, reason="why"), replace(fields, detail={}),
                replace(fields, outcome="denied"), replace(fields, id=2)]  # fmt: skip
    hashes = {row_hash(GENESIS, v) for v in variants} | {row_hash(GENESIS, fields), row_hash("1" * 64, fields)}
    assert len(hashes) == len(variants) + 2


class ExportDetail(BaseModel):
    findings: int
    format: str


def test_appended_rows_chain_and_read_back_intact(database_url: str) -> None:
    clock = SteppedClock(T0)
    catalog = open_catalog(database_url)
    with catalog.sessions() as session, session.begin():
        log = AuditLog(session, clock)
        first = log.append(AuditAction.LOGIN, actor="aysel", object_type="user", object_id="aysel",
                           detail={"client_ip": "10.0.0.7"})  # fmt: skip
        clock.advance(1.5)
        log.append(AuditAction.EXPORT, actor="aysel", detail=ExportDetail(findings=3, format="csv"))
        log.append(AuditAction.ACCESS_DENIED, actor="aysel", object_type="session", object_id="42",
                   reason="outside the user's scope", outcome=AuditOutcome.DENIED)  # fmt: skip
    with catalog.sessions() as session:
        log = AuditLog(session)
        entries = list(log.all_entries())
        newest_exports = log.search(AuditFilter(action="export"))
        since = log.search(AuditFilter(actor="aysel", since=T0 + timedelta(seconds=1)))
    catalog.close()
    assert [e.id for e in entries] == [1, 2, 3] and entries[0] == first
    assert entries[0].prev_hash == GENESIS and entries[1].prev_hash == entries[0].hash
    assert entries[1].detail == {"findings": 3, "format": "csv"}
    assert entries[0].at == T0  # microseconds and UTC survive the database
    assert isinstance(verify_chain(entries), ChainHead)
    assert [e.id for e in newest_exports] == [2] and [e.id for e in since] == [3, 2]


def test_concurrent_appends_never_fork_the_chain(database_url: str) -> None:
    catalog = open_catalog(database_url)
    errors: list[BaseException] = []

    def writer(name: str) -> None:
        try:
            for i in range(15):
                with catalog.sessions() as session, session.begin():
                    AuditLog(session).append(AuditAction.SEARCH, actor=name, object_id=str(i))
        except BaseException as exc:  # reported below; a thread's exception is otherwise lost
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(f"user-{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with catalog.sessions() as session:
        result = verify_chain(AuditLog(session).all_entries())
    catalog.close()
    assert errors == []
    assert isinstance(result, ChainHead) and (result.rows, result.last_id) == (60, 60)
