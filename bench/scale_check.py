"""What the scale benchmark checks once recording and indexing are over: nothing lost, nothing done twice.

Per camera: the manifests in the object store against the catalog's segment rows, sequence
continuity, gap records (store and catalog), the hash chain (`recorder.verify.load_chain`, what
`seffaf verify-chain` runs) and video packets against the frames the footage's duration implies
(as bench/recorder.py counts them). Over all segments: one verify and one analyse job each, done
on the first attempt.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from indexer.job_kinds import SEGMENT_JOB_KINDS
from recorder.verify import load_chain
from seffaf.catalog.footage_tables import GapRow, SegmentRow
from seffaf.catalog.job_tables import JobRow
from seffaf.keys import gap_prefix
from seffaf.storage.base import ObjectStore
from tests.support.footage import stored_manifests


@dataclass(frozen=True)
class CameraCheck:
    camera: str
    segments_store: int
    segments_catalog: int
    seq_contiguous: bool
    footage_s: float
    video_packets: int
    expected_video_packets: int
    packets_lost: int
    gaps_store: int
    gaps_catalog: int
    chain_intact: bool
    chain_problems: int
    unexplained_holes: int

    @property
    def ok(self) -> bool:
        return (
            self.segments_store > 0
            and self.segments_store == self.segments_catalog
            and self.seq_contiguous
            and self.packets_lost == 0
            and self.gaps_store == 0
            and self.gaps_catalog == 0
            and self.chain_intact
        )


@dataclass(frozen=True)
class JobsCheck:
    segments: int
    done_once: dict[str, int]  # kind → segments whose job is done on its first attempt
    missing: dict[str, int]  # kind → segments with no job of that kind
    retried: dict[str, int]  # kind → jobs done after more than one attempt (a lease ran out, or an error)
    not_done: dict[str, int]  # kind → jobs queued, running or failed
    other_kinds: dict[str, int]  # e.g. rule evaluations, by kind

    @property
    def ok(self) -> bool:
        return all(self.done_once.get(kind, 0) == self.segments for kind in SEGMENT_JOB_KINDS)


def contiguous(seqs: list[int]) -> bool:
    """1, 2, …, n in some order, without repeats (a fresh store starts every camera at seq 1)."""
    return sorted(seqs) == list(range(1, len(seqs) + 1))


def check_camera(store: ObjectStore, engine: Engine, camera: str, fps: int) -> CameraCheck:
    manifests = stored_manifests(store, camera)
    with Session(engine) as session:
        catalog_seqs = list(session.scalars(select(SegmentRow.seq).where(SegmentRow.camera == camera)))
        gaps_catalog = len(list(session.scalars(select(GapRow.key).where(GapRow.camera == camera))))
    footage_s = sum(m.duration_s for m in manifests)
    packets = sum(m.video.packets for m in manifests)
    expected = round(footage_s * fps)
    chain = load_chain(store, camera)
    gaps_store = sum(1 for info in store.list(gap_prefix(camera)) if info.key.endswith(".json"))
    return CameraCheck(
        camera, len(manifests), len(catalog_seqs),
        contiguous([m.seq for m in manifests]) and sorted(catalog_seqs) == sorted(m.seq for m in manifests),
        footage_s, packets, expected, max(0, expected - packets), gaps_store, gaps_catalog,
        chain.intact, len(chain.problems), len(chain.unexplained_holes),
    )  # fmt: skip


def check_jobs(engine: Engine) -> JobsCheck:
    with Session(engine) as session:
        keys = set(session.scalars(select(SegmentRow.key)))
        jobs = session.execute(select(JobRow.kind, JobRow.subject, JobRow.status, JobRow.attempts)).all()
    done_once: Counter[str] = Counter()
    retried: Counter[str] = Counter()
    not_done: Counter[str] = Counter()
    other: Counter[str] = Counter()
    seen: dict[str, set[str]] = {kind: set() for kind in SEGMENT_JOB_KINDS}
    for kind, subject, status, attempts in jobs:
        if kind not in seen:
            other[kind] += 1
            continue
        seen[kind].add(subject)
        if status != "done":
            not_done[kind] += 1
        elif attempts == 1 and subject in keys:
            done_once[kind] += 1
        else:
            retried[kind] += 1
    missing = {kind: len(keys - subjects) for kind, subjects in seen.items()}
    return JobsCheck(len(keys), dict(done_once), missing, dict(retried), dict(not_done), dict(other))


def queue_state(engine: Engine) -> tuple[int, int]:
    """(segments in the catalog, jobs not yet done or failed): the drain waits for the second to reach 0."""
    with Session(engine) as session:
        segments = len(list(session.scalars(select(SegmentRow.key))))
        pending = len(list(session.scalars(select(JobRow.id).where(JobRow.status.in_(("queued", "running"))))))
    return segments, pending
