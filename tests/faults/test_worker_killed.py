"""Two real worker processes on PostgreSQL; one is killed holding a job: every job completes once."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from indexer.job_kinds import VERIFY_SEGMENT
from indexer.jobs import enqueue
from seffaf.catalog.connect import open_catalog
from seffaf.catalog.footage_tables import SegmentRow
from seffaf.catalog.job_tables import JobRow
from seffaf.storage.local import LocalObjectStore
from tests.support.cli import seffaf_process

JOBS = 60
T0 = datetime(2026, 5, 4, 6, 0, tzinfo=UTC)


def test_a_worker_killed_mid_job_loses_nothing_and_no_job_completes_twice(tmp_path: Path, postgres_url: str) -> None:
    store = LocalObjectStore(tmp_path / "objects")
    catalog = open_catalog(postgres_url)
    with catalog.sessions() as session, session.begin():
        keys = []
        for seq in range(1, JOBS + 1):
            key = f"segments/cam/{seq:012d}_x.mp4"
            data = os.urandom(2_000_000)  # a few MB each, so a job takes a moment
            store.put_bytes(key, data)
            start = T0 + timedelta(seconds=10 * seq)
            session.add(SegmentRow(key=key, camera="cam", seq=seq, center="c", window=1, start=start,
                                   end=start + timedelta(seconds=10), duration_s=10.0, size_bytes=len(data),
                                   sha256=hashlib.sha256(data).hexdigest(), prev_sha256=None,
                                   audio_status="copied"))  # fmt: skip
            keys.append(key)
        session.flush()
        enqueue(session, VERIFY_SEGMENT, keys, T0)
    env = {"SEFFAF_DATABASE_URL": postgres_url, "SEFFAF_STORAGE_URL": store.root.as_uri()}

    def running_held_by(name: str) -> int:
        with catalog.sessions() as session:
            query = select(func.count()).select_from(JobRow).where(JobRow.worker == name, JobRow.status == "running")
            return session.scalar(query) or 0

    doomed = seffaf_process("worker", "--lease", "2", "--name", "doomed", cwd=tmp_path, env=env,
                            log=tmp_path / "doomed.log")  # fmt: skip
    caught = False
    deadline = time.monotonic() + 60
    while not caught and time.monotonic() < deadline:
        os.kill(doomed.pid, signal.SIGSTOP)  # freeze it, then look: is it holding a job right now?
        if running_held_by("doomed"):
            os.killpg(doomed.pid, signal.SIGKILL)
            caught = True
        else:
            os.kill(doomed.pid, signal.SIGCONT)
            time.sleep(0.01)
    doomed.wait(timeout=10)
    assert caught, "the doomed worker was never caught holding a job"

    survivor = seffaf_process("worker", "--lease", "2", "--name", "survivor", "--once", cwd=tmp_path, env=env,
                              log=tmp_path / "survivor.log")  # fmt: skip
    time.sleep(3)  # past the doomed worker's lease
    survivor.wait(timeout=120)
    if running_held_by("doomed"):  # --once may have finished before the lease ran out: run again
        subprocess.run(survivor.args, cwd=tmp_path, env={**os.environ, **env}, check=True, capture_output=True)

    with catalog.sessions() as session:
        jobs = session.scalars(select(JobRow)).all()
        segments = session.scalars(select(SegmentRow)).all()
    catalog.close()
    assert len(jobs) == JOBS
    assert {job.status for job in jobs} == {"done"}
    retaken = [job for job in jobs if job.attempts > 1]
    assert retaken and all(job.worker == "survivor" for job in retaken)
    assert all(job.result == {"ok": True, "sha256": s.sha256} for job, s in zip(
        sorted(jobs, key=lambda j: j.subject), sorted(segments, key=lambda s: s.key), strict=True))  # fmt: skip
    assert all(segment.verified_ok for segment in segments)
