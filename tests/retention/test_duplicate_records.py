"""A store already holding two records of the same segments (written by a retry before the deleter reused
records): the catalog, live or rebuilt, explains the hole once."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from seffaf.retention.deletion_gaps import DeletionGap, GapSpan, new_gaps
from seffaf.retention.tombstones import DeletionRecord, write_record
from tests.retention import test_deletion_records as recorded
from tests.retention.test_deletion_records import RETAINED, Footage, catalogued, footage_rows, invoke
from tests.retention.test_deletion_retry import FIRST_TRY, RETRY, Crash, CrashAfterRecord, attempt, records_in

footage = recorded.footage  # fixtures: the recorded footage and a second empty database
empty_url = recorded.empty_url
T0 = datetime(2026, 5, 4, 6, 0, tzinfo=UTC)


def test_a_store_holding_the_duplicate_an_old_retry_wrote_rebuilds_one_gap(
    footage: Footage, tmp_path: Path, database_url: str, empty_url: str
) -> None:
    env, store = catalogued(footage, tmp_path, database_url)
    with pytest.raises(Crash):
        attempt(database_url, CrashAfterRecord(store.root), footage, [3, 4], lambda: FIRST_TRY)
    [first] = records_in(store)
    # What the deleter wrote on a retry before it reused records: the same segments, a later time.
    duplicate = DeletionRecord.model_validate_json(store.get(first)).model_copy(update={"deleted_at": RETRY})
    write_record(store, duplicate)

    assert attempt(database_url, store, footage, [3, 4], lambda: RETRY).record_keys == [first, duplicate.key]
    segments, gaps = footage_rows(database_url)
    assert [key for key, *_ in gaps] == [f"{first}#{3:012d}"]
    rebuilt = {**env, "SEFFAF_DATABASE_URL": empty_url}
    summary = invoke(rebuilt, "catalog", "rebuild", "--sites", str(tmp_path / "sites.toml"), "--json")
    assert summary.exit_code == 0, summary.output
    assert json.loads(summary.stdout)["gaps"] == 1
    assert footage_rows(empty_url) == (segments, gaps)


def at(seq: int) -> datetime:
    return T0 + timedelta(seconds=10 * seq)


def deletion_gap(key: str, first: int, last: int, cause: str = RETAINED) -> DeletionGap:
    return DeletionGap(key=key, camera="w1", after_seq=first - 1, first_seq=first, last_seq=last,
                       start=at(first), end=at(last + 1), cause=cause, detail="")  # fmt: skip


def present(key: str, first: int, last: int, cause: str = RETAINED) -> GapSpan:
    return GapSpan(key=key, start=at(first), end=at(last + 1), cause=cause)


@pytest.mark.parametrize(
    ("existing", "added"),
    [
        ([], ["r#3"]),
        ([present("r#3", 3, 4)], []),  # the record's own row (a retry, or discovery after the deleter)
        ([present("old#3", 3, 4)], []),  # an older record of the same segments
        ([present("old#2", 2, 5)], []),
        ([present("old#3", 3, 3)], ["r#3"]),  # covers part only: the run is still needed
        ([present("old#3", 3, 4, "deleted_on_request")], ["r#3"]),  # another cause is another story
        ([present("gap#3", 3, 4, "camera_unreachable")], ["r#3"]),
    ],
)
def test_new_gaps_skips_runs_already_explained(existing: list[GapSpan], added: list[str]) -> None:
    assert [gap.key for gap in new_gaps([deletion_gap("r#3", 3, 4)], existing)] == added
