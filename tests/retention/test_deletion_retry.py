"""A deletion interrupted after its record reached the store: the retry reuses that record, so a rebuilt
catalog gets one explained gap, not two overlapping ones."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from seffaf.catalog.connect import open_catalog
from seffaf.clock import Clock
from seffaf.retention.deleter import DeletionOutcome, FootageDeleter
from seffaf.retention.record_reuse import plan_records
from seffaf.retention.tombstones import DELETIONS, DeletedSegment, DeletionCause, DeletionRecord
from seffaf.storage.base import ObjectInfo
from seffaf.storage.local import LocalObjectStore
from tests.retention import test_deletion_records as recorded
from tests.retention.test_deletion_records import RETAINED, Footage, catalogued, footage_rows, invoke

footage = recorded.footage  # fixtures: the recorded footage and a second empty database
empty_url = recorded.empty_url

FIRST_TRY = datetime(2026, 6, 4, 3, 0, tzinfo=UTC)
RETRY = FIRST_TRY + timedelta(minutes=5)  # a new deleted_at: a fresh record would get a new key


class Crash(Exception):
    """The process dying: nothing after this point runs, the open transaction is rolled back."""


class CrashAfterRecord(LocalObjectStore):
    """The real store; the deleter dies right after a deletion record has landed in it."""

    def put_bytes(
        self, key: str, data: bytes, *, content_type: str = "application/octet-stream",
        metadata: Mapping[str, str] | None = None,
    ) -> ObjectInfo:  # fmt: skip
        info = super().put_bytes(key, data, content_type=content_type, metadata=metadata)
        if key.startswith(f"{DELETIONS}/"):
            raise Crash(key)
        return info


def attempt(database_url: str, store: LocalObjectStore, source: Footage, seqs: list[int], clock: Clock,
            crash_before_commit: bool = False) -> DeletionOutcome:  # fmt: skip
    catalog = open_catalog(database_url)
    try:
        with catalog.sessions() as session, session.begin():
            outcome = FootageDeleter(store, session, clock).delete(
                [source.keys[seq] for seq in seqs], actor="retention", reason="older than 7 days",
                cause=DeletionCause.RETENTION,
            )  # fmt: skip
            if crash_before_commit:
                raise Crash("before commit")
    finally:
        catalog.close()
    return outcome


def records_in(store: LocalObjectStore) -> list[str]:
    return [info.key for info in store.list(f"{DELETIONS}/")]


@pytest.mark.parametrize("crash", ["after_record_written", "before_commit"])
def test_a_retried_deletion_leaves_one_record_and_one_gap(
    footage: Footage,
    tmp_path: Path,
    database_url: str,
    empty_url: str,
    crash: str,
) -> None:
    env, store = catalogued(footage, tmp_path, database_url)
    before = footage_rows(database_url)
    crashing = CrashAfterRecord(store.root) if crash == "after_record_written" else store
    with pytest.raises(Crash):
        attempt(database_url, crashing, footage, [3, 4], lambda: FIRST_TRY, crash == "before_commit")
    [written] = records_in(store)
    assert footage_rows(database_url) == before  # the catalog change was rolled back
    assert not store.exists(footage.keys[3])  # but the footage is gone: the record says so

    retried = attempt(database_url, store, footage, [3, 4], lambda: RETRY)
    assert [s.seq for s in retried.deleted] == [3, 4] and retried.record_keys == [written]
    assert records_in(store) == [written]
    segments, gaps = footage_rows(database_url)
    assert [seq for _, seq, *_ in segments] == [1, 2, 5, 6, 7]
    assert [(after, cause, str(key).split("#")[0]) for key, _, after, _, _, cause, _ in gaps] == [
        (2, RETAINED, written)]  # fmt: skip

    rebuilt = {**env, "SEFFAF_DATABASE_URL": empty_url}
    summary = invoke(rebuilt, "catalog", "rebuild", "--sites", str(tmp_path / "sites.toml"), "--json")
    assert summary.exit_code == 0, summary.output
    assert json.loads(summary.stdout)["gaps"] == 1
    assert footage_rows(empty_url) == (segments, gaps)


def test_a_retry_that_batches_differently_still_shares_the_first_record(
    footage: Footage,
    tmp_path: Path,
    database_url: str,
    empty_url: str,
) -> None:
    env, store = catalogued(footage, tmp_path, database_url)
    with pytest.raises(Crash):
        attempt(database_url, CrashAfterRecord(store.root), footage, [3, 4, 5], lambda: FIRST_TRY)
    [written] = records_in(store)

    # The re-planned run splits the batch (and deletes seq 6, which the first attempt never reached).
    assert attempt(database_url, store, footage, [3, 4], lambda: RETRY).record_keys == [written]
    last = attempt(database_url, store, footage, [5, 6], lambda: RETRY)
    assert [s.seq for s in last.deleted] == [5, 6]
    assert last.record_keys[0] == written and len(last.record_keys) == 2
    assert records_in(store) == sorted([written, last.record_keys[1]])
    segments, gaps = footage_rows(database_url)
    assert [seq for _, seq, *_ in segments] == [1, 2, 7]
    assert [(after, key) for key, _, after, *_ in gaps] == [(2, f"{written}#{3:012d}"),
                                                           (5, f"{last.record_keys[1]}#{6:012d}")]  # fmt: skip

    rebuilt = {**env, "SEFFAF_DATABASE_URL": empty_url}
    summary = invoke(rebuilt, "catalog", "rebuild", "--sites", str(tmp_path / "sites.toml"), "--json")
    assert summary.exit_code == 0, summary.output
    assert footage_rows(empty_url) == (segments, gaps)


T0 = datetime(2026, 5, 4, 6, 0, tzinfo=UTC)


def gone(seq: int) -> DeletedSegment:
    start = T0 + timedelta(seconds=10 * seq)
    return DeletedSegment(seq=seq, key=f"segments/w1/{seq:012d}.mp4", manifest_key=None, center="c", window=1,
                          start=start, end=start + timedelta(seconds=10), size_bytes=1, sha256=f"{seq:064x}",
                          prev_sha256=None)  # fmt: skip


def written(*seqs: int) -> DeletionRecord:
    return DeletionRecord(camera="w1", cause=DeletionCause.RETENTION, reason="r", actor="a", deleted_at=FIRST_TRY,
                          segments=[gone(seq) for seq in seqs])  # fmt: skip


@pytest.mark.parametrize(
    ("batch", "existing", "reused", "fresh"),
    [
        ([3, 4], [], [], [3, 4]),  # the normal case: nothing written before
        ([3, 4], [[3, 4]], [[3, 4]], []),  # the same batch retried
        ([3, 4], [[3, 4, 5]], [[3, 4, 5]], []),  # a smaller retry
        ([3, 4, 5, 6], [[3, 4]], [[3, 4]], [5, 6]),  # a larger retry: a new record for the rest only
        ([5], [[1, 2, 3], [4, 7]], [], [5]),  # committed records around the segment do not name it
        ([2, 5], [[1, 2], [5, 6]], [[1, 2], [5, 6]], []),
    ],
)
def test_plan_records_reuses_records_naming_the_batch(
    batch: list[int], existing: list[list[int]], reused: list[list[int]], fresh: list[int]
) -> None:
    plan = plan_records([gone(seq) for seq in batch], [written(*seqs) for seqs in existing])
    assert [[s.seq for s in record.segments] for record in plan.reused] == reused
    assert [s.seq for s in plan.fresh] == fresh


def test_plan_records_matches_segments_by_key_not_by_number() -> None:
    other = gone(3).model_copy(update={"key": "segments/w1/000000000003_other.mp4"})
    plan = plan_records([gone(3)], [written(2).model_copy(update={"segments": [other]})])
    assert (plan.reused, [s.seq for s in plan.fresh]) == ([], [3])
