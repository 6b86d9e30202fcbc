"""Held footage survives retention and every direct delete attempt (CLI and API); each refusal is audited."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from review_app.api import footage_admin
from review_app.audit.entries import AuditAction, AuditFilter
from review_app.audit.log import AuditLog
from seffaf.catalog.case_tables import CaseRow, HoldRow
from seffaf.catalog.connect import Catalog, open_catalog
from seffaf.catalog.footage_tables import SegmentRow
from seffaf.clock import utcnow
from seffaf.config import ReviewConfig
from seffaf.keys import SegmentKey
from seffaf.retention.tombstones import DeletionCause, read_records
from seffaf.storage.local import LocalObjectStore
from tests.retention.cli_app import environment, footage_audit, run
from tests.retention.footage_month import CONFIG, Month, make_month
from tests.review_app.conftest import T0, ReviewApp, build, password_hash  # noqa: F401 (fixture)


@pytest.fixture
def month(tmp_path: Path, database_url: str) -> Iterator[tuple[Month, Catalog, dict[str, str]]]:
    catalog = open_catalog(database_url)
    month = make_month(catalog, tmp_path / "objects", utcnow())
    yield month, catalog, environment(database_url, month.store.location, CONFIG)
    catalog.close()


def test_held_segment_survives_retention_and_a_cli_delete(month: tuple[Month, Catalog, dict[str, str]]) -> None:
    m, catalog, env = month
    held = m.keys[m.held]
    assert run(env, "retention", "run").exit_code == 0
    assert m.store.exists(held)

    refused = run(env, "footage", "delete", held, "--reason", "subject access request")
    assert refused.exit_code == 1
    assert f"under legal hold (case {m.case_id})" in refused.output
    assert m.store.exists(held) and m.store.exists(SegmentKey.decode(held).manifest_key)
    with catalog.sessions() as session:
        assert session.get(SegmentRow, held) is not None
    denial = footage_audit(catalog)[-1]
    assert (denial.outcome, denial.object_type, denial.object_id) == ("denied", "segment", held)
    assert denial.detail["case_ids"] == [str(m.case_id)] and str(denial.actor).startswith("cli:")
    assert "subject access request" in str(denial.reason)

    with catalog.sessions() as session, session.begin():  # the case closes: its hold is released
        session.execute(update(HoldRow).values(released_at=utcnow(), released_by="h"))
    done = run(env, "footage", "delete", held, "--reason", "subject access request", "--json")
    assert done.exit_code == 0, done.output
    assert json.loads(done.output)["deleted"] is True and not m.store.exists(held)
    record = [r for r in read_records(m.store, "cam-a") if r.cause is DeletionCause.EXPLICIT]
    assert [s.key for r in record for s in r.segments] == [held]
    assert footage_audit(catalog)[-1].outcome == "ok"

    missing = run(env, "footage", "delete", held, "--reason", "again")
    assert missing.exit_code == 1 and "no segment" in missing.output
    assert run(env, "footage", "delete", held, "--reason", " ").exit_code == 2


@pytest.fixture
def web(tmp_path: Path, database_url: str, password_hash: str) -> Iterator[ReviewApp]:  # noqa: F811
    for harness in build(tmp_path, database_url, password_hash, ReviewConfig()):
        harness.app.include_router(footage_admin.router)
        with harness.client:
            yield harness


def add_segments(web: ReviewApp, store: LocalObjectStore) -> tuple[str, str, int]:
    """Two segments of baku-1's camera; the first under a hold of a new case. Returns both keys and the case."""
    keys = []
    with web.catalog.sessions() as session, session.begin():
        for seq in (1, 2):
            start = T0 - timedelta(days=200) + timedelta(seconds=10 * seq)
            key = SegmentKey("baku-1-w07", seq, start)
            store.put_bytes(key.encode(), b"media")
            store.put_bytes(key.manifest_key, b"{}")
            session.add(SegmentRow(key=key.encode(), camera="baku-1-w07", seq=seq, center="baku-1", window=7,
                                   start=start, end=start + timedelta(seconds=10), duration_s=10.0, size_bytes=5,
                                   sha256="0" * 64, prev_sha256=None, audio_status="copied",
                                   verified_ok=True))  # fmt: skip
            keys.append(key.encode())
        case = CaseRow(status="open", opened_by="leyla", opened_at=T0)
        session.add(case)
        session.flush()
        session.add(HoldRow(case_id=case.id, segment_key=keys[0], camera="baku-1-w07", seq=1, placed_by="leyla",
                            placed_at=T0))  # fmt: skip
    return keys[0], keys[1], case.id


def test_api_refuses_held_footage_and_deletes_the_rest(web: ReviewApp, tmp_path: Path) -> None:
    store = LocalObjectStore(tmp_path / "objects")  # the harness's store
    held, free, case_id = add_segments(web, store)
    token = web.login("admin")
    headers = {"X-CSRF-Token": token}

    refused = web.client.delete("/api/v1/footage/baku-1-w07/1", params={"reason": "privacy"}, headers=headers)
    assert refused.status_code == 409
    assert f"under legal hold (case {case_id})" in refused.json()["detail"]
    assert store.exists(held)
    with web.catalog.sessions() as session:
        denial = AuditLog(session).search(AuditFilter(action=AuditAction.FOOTAGE_DELETE.value))[0]
    assert (denial.actor, denial.outcome, denial.object_id, denial.detail["case_ids"]) == (
        "admin", "denied", held, [str(case_id)])  # fmt: skip

    deleted = web.client.delete("/api/v1/footage/baku-1-w07/2", params={"reason": "privacy"}, headers=headers)
    assert deleted.status_code == 200, deleted.text
    assert deleted.json()["key"] == free and not store.exists(free)
    assert web.client.delete("/api/v1/footage/baku-1-w07/2", params={"reason": "privacy"},
                             headers=headers).status_code == 404  # fmt: skip
    assert web.client.delete("/api/v1/footage/baku-1-w07/1", headers=headers).status_code == 422  # no reason

    web.client.cookies.clear()
    reviewer = web.login("aysel")
    forbidden = web.client.delete("/api/v1/footage/baku-1-w07/1", params={"reason": "privacy"},
                                  headers={"X-CSRF-Token": reviewer})  # fmt: skip
    assert forbidden.status_code == 403 and store.exists(held)
