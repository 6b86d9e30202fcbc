"""Deleted footage is an explained gap everywhere: live catalog, rebuilt catalog, coverage and verify-chain."""

from __future__ import annotations

import json
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner, Result

from recorder.verify import ProblemKind, StoredSegment, check_chain
from seffaf.catalog.connect import open_catalog
from seffaf.catalog.footage_tables import GapRow, SegmentRow
from seffaf.cli.main import app
from seffaf.clock import utcnow
from seffaf.keys import SegmentKey
from seffaf.retention.deleter import FootageDeleter
from seffaf.retention.deletion_gaps import deletion_gaps
from seffaf.retention.tombstones import DeletedSegment, DeletionCause, DeletionRecord
from seffaf.storage.local import LocalObjectStore
from seffaf.synthetic_media import SyntheticClip, write_clip
from tests.recorder.test_verify import T0 as CHAIN_T0
from tests.recorder.test_verify import chain, gap
from tests.support.cli import seffaf
from tests.support.postgres import PostgresCluster
from tests.support.queue import SITES, event, write_jsonl

CAMERA = "baku-1-w07"
T0 = datetime(2026, 5, 4, 6, 0, tzinfo=UTC)  # 10:00 in Baku
DELETED_AT = datetime(2026, 6, 4, 3, 0, tzinfo=UTC)
RETAINED = "deleted_by_retention"


def tombstone(segment: StoredSegment) -> DeletedSegment:
    manifest = segment.manifest
    assert manifest is not None
    return DeletedSegment(seq=segment.seq, key=segment.media_key, manifest_key=None, center="c", window=1,
                          start=manifest.start, end=manifest.end, size_bytes=manifest.size_bytes,
                          sha256=manifest.sha256, prev_sha256=manifest.prev_sha256)  # fmt: skip


def record(segments: list[DeletedSegment], cause: DeletionCause = DeletionCause.RETENTION) -> DeletionRecord:
    return DeletionRecord(camera="w1", cause=cause, reason="older than 7 days", actor="retention",
                          deleted_at=DELETED_AT, segments=segments)  # fmt: skip


@pytest.mark.parametrize(
    ("deleted", "holes", "expected"),
    [
        ([3, 4], {}, [(2, 3, 4, 20, 40)]),
        ([1, 2, 5], {}, [(0, 1, 2, 0, 20), (4, 5, 5, 40, 50)]),  # a run from the first segment follows none
        ([3, 4], {4: 15.0}, [(2, 3, 3, 20, 30), (3, 4, 4, 45, 55)]),  # a recorder gap between stays its own
        ([3, 4], {4: 0.5}, [(2, 3, 4, 20, 40.5)]),  # clock jitter is no break
    ],
)
def test_each_run_of_deleted_footage_is_one_gap(
    deleted: list[int], holes: dict[int, float], expected: list[tuple[int, int, int, float, float]]
) -> None:
    segments = chain(6, holes=holes)
    rec = record([tombstone(segments[seq - 1]) for seq in deleted])
    gaps = deletion_gaps(rec)
    assert [(g.after_seq, g.first_seq, g.last_seq, (g.start - CHAIN_T0).total_seconds(),
             (g.end - CHAIN_T0).total_seconds()) for g in gaps] == expected  # fmt: skip
    assert {g.cause for g in gaps} == {RETAINED}
    assert [g.key for g in gaps] == [f"{rec.key}#{first:012d}" for _, first, *_ in expected]
    assert "older than 7 days" in gaps[0].detail and "retention" in gaps[0].detail


def test_an_explicit_deletion_names_its_own_cause() -> None:
    [only] = deletion_gaps(record([tombstone(chain(2)[1])], DeletionCause.EXPLICIT))
    assert only.cause == "deleted_on_request"


# Each case: the records (lists of seqs), seqs removed by hand, a forged hash in a record, what verify reports.
FORGED = "f" * 64


@pytest.mark.parametrize(
    ("records", "by_hand", "forged", "problems"),
    [
        ([[3, 4]], [], None, []),
        ([[3], [4]], [], None, []),  # two batches, one after the other
        ([[3, 4], [6]], [], None, []),
        ([[3]], [4], None, [(ProblemKind.MISSING, 4)]),  # the record does not cover the whole break
        ([], [3], None, [(ProblemKind.MISSING, 3)]),
        ([[3, 4]], [], ("prev_sha256", 3), [(ProblemKind.ALTERED, 3)]),  # record does not link to seq 2
        ([[3, 4]], [], ("sha256", 4), [(ProblemKind.ALTERED, 5)]),  # seq 5 does not link to the record
        ([[3, 4]], [], ("prev_sha256", 4), [(ProblemKind.ALTERED, 4)]),  # inside the record
    ],
)
def test_verify_follows_the_chain_through_deletion_records(
    records: list[list[int]], by_hand: list[int], forged: tuple[str, int] | None,
    problems: list[tuple[ProblemKind, int]],
) -> None:  # fmt: skip
    segments = chain(7)
    deletions = []
    for seqs in records:
        gone = [tombstone(segments[seq - 1]) for seq in seqs]
        if forged is not None:
            gone = [g.model_copy(update={forged[0]: FORGED}) if g.seq == forged[1] else g for g in gone]
        deletions.append(record(gone))
    removed = {seq for seqs in records for seq in seqs} | set(by_hand)
    report = check_chain("w1", [s for s in segments if s.seq not in removed], [], deletions=deletions)
    assert [(p.kind, p.seq) for p in report.problems] == problems
    assert report.intact is (not problems)
    explained = {h.gap_key for h in report.recorded_gaps}
    assert explained == {d.key for d in deletions}
    assert sum(h.seconds for h in report.recorded_gaps) == 10 * sum(len(seqs) for seqs in records)
    assert [h.after_seq for h in report.unexplained_holes] == [seq - 1 for seq in by_hand]


def test_deleted_footage_beside_a_recorder_gap_is_explained_by_both() -> None:
    segments = chain(6, holes={5: 20.0})
    recorded = gap(segments[3], segments[4])  # after seq 4
    rec = record([tombstone(segments[3])])
    report = check_chain("w1", [s for s in segments if s.seq != 4], [recorded], deletions=[rec])
    assert report.intact, report
    assert [(h.after_seq, h.gap_key, h.seconds) for h in report.recorded_gaps] == [
        (3, rec.key, 10.0), (4, recorded.key, 20.0)]  # fmt: skip


@dataclass(frozen=True)
class Footage:
    objects: Path
    keys: dict[int, str]


@pytest.fixture(scope="module")
def footage(tmp_path_factory: pytest.TempPathFactory) -> Footage:
    """Seven 2 s segments T0..T0+14 s, recorded once by the real recorder (copy before use)."""
    directory = tmp_path_factory.mktemp("deletion-footage")
    clip = write_clip(directory / "clip.mov", SyntheticClip(seconds=14.0, width=320, height=180))
    objects = directory / "objects"
    env = {"SEFFAF_STORAGE_URL": objects.as_uri(), "SEFFAF_DATABASE_URL": f"sqlite:///{directory / 'unused.db'}"}
    recorded = seffaf("record", "--camera", CAMERA, "--source", str(clip), "--start-time", T0.isoformat(),
                      "--segment-seconds", "2", "--spool", str(directory / "spool"),
                      cwd=directory, env=env)  # fmt: skip
    assert recorded.returncode == 0, recorded.stderr
    keys = {SegmentKey.decode(info.key).seq: info.key
            for info in LocalObjectStore(objects).list(f"segments/{CAMERA}/") if info.key.endswith(".mp4")}  # fmt: skip
    assert sorted(keys) == list(range(1, 8))
    return Footage(objects, keys)


def invoke(env: dict[str, str], *args: str) -> Result:
    return CliRunner().invoke(app, list(args), env=env)


def served(n: int, ticket: str, called: str, completed: str) -> list[dict[str, object]]:
    return [event(n, "ticket_issued", "09:58:00", ticket=ticket, service="passport", priority=0),
            event(n + 1, "ticket_called", called, ticket=ticket, window=7, operator="3317"),
            event(n + 2, "service_completed", completed, ticket=ticket, window=7)]  # fmt: skip


def leg(env: dict[str, str], ticket: str) -> dict[str, object]:
    result = invoke(env, "sessions", "--ticket", ticket, "--json")
    assert result.exit_code == 0, result.output
    [visit] = json.loads(result.stdout)
    [only] = visit["legs"]
    assert isinstance(only, dict)
    return only


def catalogued(footage: Footage, tmp_path: Path, database_url: str) -> tuple[dict[str, str], LocalObjectStore]:
    """The footage in a store of the test's own, with ticket A9 served at window 7 over all of it."""
    objects = tmp_path / "objects"
    shutil.copytree(footage.objects, objects)
    env = {"SEFFAF_STORAGE_URL": objects.as_uri(), "SEFFAF_DATABASE_URL": database_url}
    (tmp_path / "sites.toml").write_text(SITES)
    queue = write_jsonl(tmp_path / "a9.jsonl", served(1, "A9", "10:00:01", "10:00:13"))
    for args in (["sites", "load", str(tmp_path / "sites.toml")], ["ingest", str(queue)], ["index"]):
        result = invoke(env, *args)
        assert result.exit_code == 0, result.output
    assert leg(env, "A9")["coverage"] == 1.0
    return env, LocalObjectStore(objects)


def delete(database_url: str, store: LocalObjectStore, footage: Footage, seqs: list[int]) -> str:
    catalog = open_catalog(database_url)
    with catalog.sessions() as session, session.begin():
        outcome = FootageDeleter(store, session, utcnow).delete(
            [footage.keys[seq] for seq in seqs], actor="retention", reason="older than 7 days",
            cause=DeletionCause.RETENTION,
        )  # fmt: skip
    catalog.close()
    assert [s.seq for s in outcome.deleted] == seqs and outcome.record_key is not None
    return outcome.record_key


Rows = list[tuple[object, ...]]


def footage_rows(database_url: str) -> tuple[Rows, Rows]:
    """The catalog's segments and gaps, as a rebuild must reproduce them."""
    catalog = open_catalog(database_url)
    with catalog.sessions() as session:
        segments: Rows = [tuple(r) for r in session.execute(
            select(SegmentRow.key, SegmentRow.seq, SegmentRow.start, SegmentRow.sha256, SegmentRow.prev_sha256)
            .order_by(SegmentRow.seq))]  # fmt: skip
        gaps = [tuple(r) for r in session.execute(
            select(GapRow.key, GapRow.camera, GapRow.after_seq, GapRow.start, GapRow.end, GapRow.cause, GapRow.detail)
            .order_by(GapRow.start))]  # fmt: skip
    catalog.close()
    return segments, gaps


def hole(start_s: int, end_s: int, cause: str) -> dict[str, str]:
    def at(seconds: int) -> str:
        return (T0 + timedelta(seconds=seconds)).isoformat().replace("+00:00", "Z")

    return {"start": at(start_s), "end": at(end_s), "cause": cause}


@pytest.fixture
def empty_url(database_url: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """A second empty database of the same kind, to rebuild into."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'rebuilt.sqlite3'}"
        return
    cluster: PostgresCluster = request.getfixturevalue("postgres_cluster")
    name = f"t_{uuid.uuid4().hex}"
    yield cluster.create_database(name)
    cluster.drop_database(name)


def test_a_deleted_run_is_the_same_explained_gap_live_and_in_a_rebuilt_catalog(
    footage: Footage, tmp_path: Path, database_url: str, empty_url: str
) -> None:
    env, store = catalogued(footage, tmp_path, database_url)
    record_key = delete(database_url, store, footage, [3, 4, 6])  # T0+4..8 s and T0+10..12 s

    segments, gaps = footage_rows(database_url)
    assert [seq for _, seq, *_ in segments] == [1, 2, 5, 7]
    assert [(after, start, end, cause) for _, _, after, start, end, cause, _ in gaps] == [
        (2, T0 + timedelta(seconds=4), T0 + timedelta(seconds=8), RETAINED),
        (5, T0 + timedelta(seconds=10), T0 + timedelta(seconds=12), RETAINED)]  # fmt: skip
    assert all(str(key).startswith(f"{record_key}#") for key, *_ in gaps)

    late = write_jsonl(tmp_path / "a10.jsonl", served(10, "A10", "10:00:03", "10:00:11"))  # a late ticket
    assert invoke(env, "ingest", str(late)).exit_code == 0
    assert invoke(env, "index").exit_code == 0
    a10 = leg(env, "A10")
    assert a10["holes"] == [hole(4, 8, f"recorded:{RETAINED}"), hole(10, 11, f"recorded:{RETAINED}")]
    assert a10["coverage"] == pytest.approx(3 / 8)

    rebuilt = {**env, "SEFFAF_DATABASE_URL": empty_url}
    summary = invoke(rebuilt, "catalog", "rebuild", "--sites", str(tmp_path / "sites.toml"), "--json")
    assert summary.exit_code == 0, summary.output
    assert (json.loads(summary.stdout)["segments"], json.loads(summary.stdout)["gaps"]) == (4, 2)
    assert footage_rows(empty_url) == (segments, gaps)
    assert leg(rebuilt, "A10") == a10
    a9 = leg(rebuilt, "A9")  # linked afresh: its lost footage is explained, not unexplained
    assert a9["holes"] == [hole(4, 8, f"recorded:{RETAINED}"), hole(10, 12, f"recorded:{RETAINED}")]


def test_verify_chain_passes_across_a_deletion_and_fails_on_a_segment_removed_by_hand(
    footage: Footage, tmp_path: Path
) -> None:
    database_url = f"sqlite:///{tmp_path / 'catalog.sqlite3'}"
    env, store = catalogued(footage, tmp_path, database_url)
    record_key = delete(database_url, store, footage, [3, 4])

    verified = invoke(env, "verify-chain", "--camera", CAMERA, "--json")
    assert verified.exit_code == 0, verified.output
    report = json.loads(verified.stdout)
    assert (report["intact"], report["segments_checked"], report["problems"]) == (True, 5, [])
    assert [(h["after_seq"], h["gap_key"], h["seconds"]) for h in report["recorded_gaps"]] == [(2, record_key, 4.0)]
    text = invoke(env, "verify-chain", "--camera", CAMERA)
    assert "INTACT" in text.stdout and "deleted        after seq 2" in text.stdout

    store.delete(footage.keys[6])
    store.delete(SegmentKey.decode(footage.keys[6]).manifest_key)
    broken = invoke(env, "verify-chain", "--camera", CAMERA, "--json")
    assert broken.exit_code == 1
    report = json.loads(broken.stdout)
    assert [(p["kind"], p["seq"]) for p in report["problems"]] == [("missing", 6)]
    assert [h["after_seq"] for h in report["unexplained_holes"]] == [5]
