"""The catalog database deleted: rebuilt from the object store alone, on SQLite and PostgreSQL.

Recorded footage and ingested queue events are indexed, then the database itself is deleted (the
SQLite file removed; the PostgreSQL database dropped) and an empty one made under the same URL.
`seffaf catalog rebuild` must give back the same sessions, the same links to footage and the
same coverage, from what the store holds.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import make_url
from typer.testing import CliRunner

from seffaf.cli.main import app
from tests.support.postgres import PostgresCluster
from tests.support.queue import write_jsonl
from tests.support.served_footage import T0, record, run, served, site_env


def delete_catalog(request: pytest.FixtureRequest, database_url: str) -> None:
    """Delete the catalog database for good, then leave an empty one where it was."""
    url = make_url(database_url)
    assert url.database
    if url.get_backend_name() == "sqlite":
        for path in Path(url.database).parent.glob(Path(url.database).name + "*"):  # with -wal / -journal
            path.unlink()
        return
    cluster: PostgresCluster = request.getfixturevalue("postgres_cluster")
    cluster.drop_database(url.database)
    cluster.create_database(url.database)


def without_ids(visits: list[dict[str, object]]) -> list[dict[str, object]]:
    return [{k: v for k, v in visit.items() if k != "id"} for visit in visits]


def test_catalog_rebuilt_from_the_store_alone_has_the_same_sessions_links_and_coverage(
    tmp_path: Path, database_url: str, g711_clip: Path, monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> None:  # fmt: skip
    env = site_env(tmp_path, database_url, monkeypatch)
    record(tmp_path, env, g711_clip, T0)
    events = served(1, "C001", 5, 18) + served(10, "C002", 15, 40) + served(20, "C003", 60, 90)
    run("ingest", str(write_jsonl(tmp_path / "q.jsonl", events)))
    run("index")
    before = json.loads(run("sessions", "--center", "baku-1", "--json"))
    assert [len(visit["legs"]) for visit in before] == [1, 1, 1]

    delete_catalog(request, database_url)
    summary = json.loads(run("catalog", "rebuild", "--sites", str(tmp_path / "sites.toml"), "--json"))
    assert summary == {"events": 9, "duplicates": 0, "segments": 3, "gaps": 0, "legs_linked": 3}
    after = json.loads(run("sessions", "--center", "baku-1", "--json"))

    assert without_ids(after) == without_ids(before)
    refused = CliRunner().invoke(app, ["catalog", "rebuild", "--sites", str(tmp_path / "sites.toml")])
    assert refused.exit_code != 0 and "empty" in refused.output
