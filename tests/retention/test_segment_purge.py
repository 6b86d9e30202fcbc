"""A deleted segment takes its observations and pending jobs with it, and nothing of its neighbours'."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from indexer.job_kinds import ANALYSE_SEGMENT, VERIFY_SEGMENT
from indexer.jobs import claim, complete, enqueue
from seffaf.catalog.connect import open_catalog
from seffaf.catalog.footage_tables import SegmentRow
from seffaf.catalog.job_tables import JobRow
from seffaf.catalog.observation_tables import ObservationRow
from seffaf.keys import SegmentKey
from seffaf.retention.deleter import FootageDeleter
from seffaf.retention.tombstones import DeletionCause
from seffaf.storage.local import LocalObjectStore
from tests.retention.cli_app import footage_audit

CAMERA = "cam-a"
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
NOW = T0 + timedelta(days=100)
KINDS = [VERIFY_SEGMENT, ANALYSE_SEGMENT]


def start(seq: int) -> datetime:
    return T0 + timedelta(seconds=10 * (seq - 1))


def observation(key: str, seq: int, kind: str, from_s: float, to_s: float) -> ObservationRow:
    return ObservationRow(segment_key=key, cache_key=f"c{seq}", camera=CAMERA, kind=kind, value=1.0, confidence=0.9,
                          start=start(seq) + timedelta(seconds=from_s), end=start(seq) + timedelta(seconds=to_s),
                          detector="presence", detector_version="1")  # fmt: skip


def test_deleting_segments_removes_their_observations_and_pending_jobs_only(tmp_path: Path, database_url: str) -> None:
    catalog = open_catalog(database_url)
    store = LocalObjectStore(tmp_path / "objects")
    keys = {seq: SegmentKey(CAMERA, seq, start(seq)) for seq in (1, 2, 3, 4)}
    k = {seq: key.encode() for seq, key in keys.items()}
    with catalog.sessions() as session, session.begin():
        for seq, key in keys.items():
            store.put_bytes(key.encode(), b"media")
            store.put_bytes(key.manifest_key, b"{}")
            session.add(SegmentRow(key=k[seq], camera=CAMERA, seq=seq, center="c1", window=1, start=start(seq),
                                   end=start(seq) + timedelta(seconds=10), duration_s=10.0, size_bytes=5,
                                   sha256=f"{seq:064x}", prev_sha256=None, audio_status="copied",
                                   verified_ok=True))  # fmt: skip
            session.add(observation(k[seq], seq, "citizen_count", 0, 5))
            session.add(observation(k[seq], seq, "operator_present", 5, 10))
        # Seq 1's observation reaches into seq 2's minutes: it is seq 1's, so it stays.
        session.add(observation(k[1], 1, "speech", 8, 14))
        enqueue(session, VERIFY_SEGMENT, [k[2]], NOW)
    with catalog.sessions() as session, session.begin():  # seq 2 verified: that job is history
        verified = claim(session, "w0", KINDS, NOW, 30)
        assert verified is not None and verified.subject == k[2]
        assert complete(session, verified, "w0", {"ok": True}, NOW)
        enqueue(session, ANALYSE_SEGMENT, [k[2]], NOW)
    with catalog.sessions() as session, session.begin():  # a worker is analysing seq 2 as it is deleted
        analysing = claim(session, "w1", KINDS, NOW, 30)
        assert analysing is not None and analysing.subject == k[2]
        for kind in KINDS:
            enqueue(session, kind, [k[1], k[3], k[4]], NOW)

    with catalog.sessions() as session, session.begin():
        outcome = FootageDeleter(store, session, lambda: NOW).delete(
            [k[2], k[3]], actor="retention", reason="older than 7 days", cause=DeletionCause.RETENTION
        )
    assert [s.seq for s in outcome.deleted] == [2, 3]

    with catalog.sessions() as session:
        assert set(session.scalars(select(SegmentRow.key))) == {k[1], k[4]}
        observed = sorted(
            (key, kind) for key, kind in session.execute(select(ObservationRow.segment_key, ObservationRow.kind))
        )
        jobs = {
            (kind, key, status)
            for kind, key, status in session.execute(select(JobRow.kind, JobRow.subject, JobRow.status))
        }
    assert observed == sorted([(k[1], "citizen_count"), (k[1], "operator_present"), (k[1], "speech"),
                               (k[4], "citizen_count"), (k[4], "operator_present")])  # fmt: skip
    assert jobs == {(VERIFY_SEGMENT, k[2], "done")} | {(kind, k[seq], "queued") for kind in KINDS for seq in (1, 4)}
    detail = footage_audit(catalog)[-1].detail
    assert (detail["observations"], detail["pending_jobs"]) == (4, 3)

    with catalog.sessions() as session, session.begin():  # the analysing worker's result does not land
        session.add(observation(k[2], 2, "citizen_count", 0, 5))
        assert not complete(session, analysing, "w1", {"analysed": True}, NOW)
        session.rollback()
    claimed = []
    later = NOW + timedelta(hours=1)  # every lease has run out: nothing about the deleted footage comes back
    while True:
        with catalog.sessions() as session, session.begin():
            job = claim(session, "w2", KINDS, later, 30)
        if job is None:
            break
        claimed.append(job.subject)
    assert sorted(claimed) == sorted([k[1], k[1], k[4], k[4]])
    with catalog.sessions() as session:
        assert set(session.scalars(select(ObservationRow.segment_key))) == {k[1], k[4]}
    catalog.close()
