"""The job queue workers share: claims, leases, exactly-once completion (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from indexer.jobs import MAX_ATTEMPTS, claim, complete, enqueue, fail
from seffaf.catalog.connect import open_catalog
from seffaf.catalog.job_tables import JobRow

T0 = datetime(2026, 5, 4, 6, 0, tzinfo=UTC)


@pytest.fixture
def sessions(database_url: str) -> Iterator[sessionmaker[Session]]:
    catalog = open_catalog(database_url)
    yield catalog.sessions
    catalog.close()


def test_enqueue_is_idempotent_per_kind_and_subject(sessions: sessionmaker[Session]) -> None:
    with sessions() as session, session.begin():
        assert enqueue(session, "verify_segment", ["a", "b", "c"], T0) == 3
        assert enqueue(session, "verify_segment", ["b", "c", "d"], T0) == 1
        assert enqueue(session, "other", ["a"], T0) == 1
    with sessions() as session:
        assert len(session.scalars(select(JobRow)).all()) == 5


def test_two_workers_never_get_the_same_job_and_take_the_oldest_first(sessions: sessionmaker[Session]) -> None:
    with sessions() as session, session.begin():
        enqueue(session, "k", ["first", "second"], T0)
    with sessions() as session, session.begin():
        one = claim(session, "w1", ["k"], T0, 30)
        two = claim(session, "w2", ["k"], T0, 30)
        three = claim(session, "w3", ["k"], T0, 30)
    assert one is not None and two is not None
    assert (one.subject, two.subject, three) == ("first", "second", None)


def test_a_killed_workers_job_is_taken_again_when_its_lease_runs_out(sessions: sessionmaker[Session]) -> None:
    with sessions() as session, session.begin():
        enqueue(session, "k", ["job"], T0)
        held = claim(session, "dead", ["k"], T0, 30)
    assert held is not None
    with sessions() as session, session.begin():
        assert claim(session, "alive", ["k"], T0 + timedelta(seconds=29), 30) is None
        retaken = claim(session, "alive", ["k"], T0 + timedelta(seconds=31), 30)
    assert retaken is not None and retaken.attempt == 2
    with sessions() as session, session.begin():
        assert not complete(session, held, "dead", {"by": "dead"}, T0)  # the lease is gone: refused
        assert complete(session, retaken, "alive", {"by": "alive"}, T0)
    with sessions() as session:
        job = session.scalars(select(JobRow)).one()
    assert (job.status, job.worker, job.result) == ("done", "alive", {"by": "alive"})


def test_a_failing_job_is_retried_then_left_failed_for_a_person(sessions: sessionmaker[Session]) -> None:
    with sessions() as session, session.begin():
        enqueue(session, "k", ["broken"], T0)
    for attempt in range(1, MAX_ATTEMPTS + 1):
        with sessions() as session, session.begin():
            job = claim(session, "w", ["k"], T0, 30)
            assert job is not None and job.attempt == attempt
            fail(session, job, "w", "ValueError: bad input", T0)
    with sessions() as session:
        row = session.scalars(select(JobRow)).one()
        assert (row.status, row.attempts, row.error) == ("failed", MAX_ATTEMPTS, "ValueError: bad input")
        assert claim(session, "w", ["k"], T0 + timedelta(days=1), 30) is None
