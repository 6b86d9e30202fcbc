"""The PostgreSQL test fixtures of tests/support/postgres.py against a real server."""

from __future__ import annotations

import os
import signal
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, create_engine, insert, inspect, select, text
from sqlalchemy.engine import make_url

from tests.support.postgres import PostgresCluster, child_pids

pytestmark = pytest.mark.integration

ISTANBUL = timezone(timedelta(hours=3))
NOTES = Table("notes", MetaData(), Column("id", Integer, primary_key=True), Column("body", String, nullable=False))
_seen_databases: list[str] = []  # databases handed out by postgres_url earlier in this module


def _database_names(cluster: PostgresCluster) -> set[str]:
    with cluster.connect() as conn:
        return {str(row[0]) for row in conn.execute("SELECT datname FROM pg_database")}


def _tables(url: str) -> list[str]:
    engine = create_engine(url)
    try:
        return inspect(engine).get_table_names()
    finally:
        engine.dispose()


def test_timestamptz_round_trips_equal_and_aware(postgres_url: str) -> None:
    metadata = MetaData()
    events = Table(
        "events",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("at", DateTime(timezone=True), nullable=False),
    )
    at = datetime(2024, 3, 1, 12, 30, 15, 123456, tzinfo=ISTANBUL)
    engine = create_engine(postgres_url)
    try:
        assert engine.dialect.name == "postgresql"
        assert engine.dialect.driver == "psycopg"
        metadata.create_all(engine)
        with engine.begin() as conn:
            conn.execute(insert(events).values(id=1, at=at))
        with engine.connect() as conn:
            got = conn.execute(select(events.c.at).where(events.c.id == 1)).scalar_one()
            column_type = conn.execute(
                text(
                    "SELECT data_type FROM information_schema.columns"
                    " WHERE table_name = 'events' AND column_name = 'at'"
                )
            ).scalar_one()
    finally:
        engine.dispose()
    assert column_type == "timestamp with time zone"
    assert isinstance(got, datetime)
    assert got.tzinfo is not None
    assert got.utcoffset() is not None
    assert got == at  # the same instant, whatever the session time zone
    assert got.astimezone(ISTANBUL).replace(tzinfo=None) == at.replace(tzinfo=None)


def test_two_databases_of_the_cluster_are_isolated(postgres_url: str, postgres_cluster: PostgresCluster) -> None:
    other_name = f"t_{uuid.uuid4().hex}"
    other_url = postgres_cluster.create_database(other_name)
    try:
        assert make_url(other_url).database != make_url(postgres_url).database
        engine = create_engine(postgres_url)
        try:
            with engine.begin() as conn:
                conn.execute(text("CREATE TABLE only_here (id integer PRIMARY KEY)"))
                conn.execute(text("INSERT INTO only_here VALUES (1)"))
        finally:
            engine.dispose()
        assert _tables(postgres_url) == ["only_here"]
        assert _tables(other_url) == []
    finally:
        postgres_cluster.drop_database(other_name)
    assert other_name not in _database_names(postgres_cluster)


@pytest.mark.parametrize("label", ["first", "second"])
def test_each_postgres_url_is_a_fresh_database_dropped_after_the_test(
    label: str, postgres_url: str, postgres_cluster: PostgresCluster
) -> None:
    name = make_url(postgres_url).database
    assert name is not None
    assert name.startswith("t_")
    assert _tables(postgres_url) == []  # nothing left by an earlier test of this module
    existing = _database_names(postgres_cluster)
    assert name in existing
    assert not set(_seen_databases) & existing  # earlier tests' databases were dropped at teardown
    _seen_databases.append(name)
    engine = create_engine(postgres_url)
    try:
        with engine.begin() as conn:
            conn.execute(text(f"CREATE TABLE made_by_{label} (id integer)"))
    finally:
        engine.dispose()


def test_database_url_works_for_both_kinds(database_url: str, request: pytest.FixtureRequest) -> None:
    kind = request.node.callspec.params["database_url"]
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SELECT 1")).scalar_one() == 1
        assert engine.dialect.name == kind
    finally:
        engine.dispose()
    if kind == "sqlite":
        assert database_url.endswith("/catalog.sqlite3")
        assert Path(make_url(database_url).database or "").is_file()
    else:
        assert make_url(database_url).drivername == "postgresql+psycopg"


def _server_pids(cluster: PostgresCluster) -> list[int]:
    assert cluster.pid is not None
    return [cluster.pid, *child_pids(cluster.pid)]


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie is dead; only its exit status waits for a parent


def _read_note(url: str) -> str:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return str(conn.execute(select(NOTES.c.body).where(NOTES.c.id == 1)).scalar_one())
    finally:
        engine.dispose()


def test_restart_keeps_port_and_data_and_stop_leaves_no_process(tmp_path: Path) -> None:
    with PostgresCluster(tmp_path / "private", stop_timeout_s=1.0) as cluster:
        url = cluster.create_database("keep")
        engine = create_engine(url)
        try:
            NOTES.metadata.create_all(engine)
            with engine.begin() as conn:
                conn.execute(insert(NOTES).values(id=1, body="survives a restart"))
            # An open connection: fast shutdown must end its backend, not wait for it.
            with engine.connect() as conn:
                port, first_pids = cluster.port, _server_pids(cluster)
                assert len(first_pids) > 1  # postmaster, checkpointer, ..., this backend
                cluster.restart()
        finally:
            engine.dispose()
        assert cluster.port == port
        assert cluster.url("keep") == url
        assert not any(_alive(pid) for pid in first_pids)
        assert _read_note(url) == "survives a restart"

        # A postmaster that ignores the fast-shutdown request is killed, backends and all.
        frozen = _server_pids(cluster)
        os.kill(frozen[0], signal.SIGSTOP)
        cluster.stop()
        assert not cluster.running
        assert not any(_alive(pid) for pid in frozen)
        cluster.start()  # same port, data intact after the kill (a crash recovery)
        assert cluster.url("keep") == url
        assert _read_note(url) == "survives a restart"
