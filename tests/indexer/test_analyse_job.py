"""Indexing queues verification and analytics for new segments; a worker runs them once."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from indexer.analyse_job import analyse_segment_job
from indexer.analytics.observations import DETECTOR_VERSIONS
from indexer.job_kinds import ANALYSE_SEGMENT
from indexer.jobs import Claim
from seffaf.catalog.connect import open_catalog
from seffaf.catalog.footage_tables import SegmentRow
from seffaf.catalog.job_tables import JobRow
from seffaf.catalog.observation_tables import ObservationRow
from seffaf.cli.main import app
from seffaf.storage.local import LocalObjectStore
from tests.support.cli import seffaf
from tests.support.queue import SITES, event, write_jsonl

T0 = datetime(2026, 5, 4, 6, 0, tzinfo=UTC)


def test_new_segments_are_verified_and_analysed_exactly_once(
    tmp_path: Path, database_url: str, g711_clip: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = {"SEFFAF_DATABASE_URL": database_url, "SEFFAF_STORAGE_URL": (tmp_path / "objects").as_uri()}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    (tmp_path / "sites.toml").write_text(SITES)
    runner = CliRunner()
    assert runner.invoke(app, ["sites", "load", str(tmp_path / "sites.toml")]).exit_code == 0
    recorded = seffaf("record", "--camera", "baku-1-w07", "--source", str(g711_clip), "--start-time",
                      T0.isoformat(), "--spool", str(tmp_path / "spool"), cwd=tmp_path, env=env)  # fmt: skip
    assert recorded.returncode == 0, recorded.stderr
    called, done = (T0 + timedelta(seconds=5, hours=4)).strftime("%H:%M:%S"), "10:00:18"
    visit = [event(1, "ticket_called", called, ticket="A9", window=7), event(2, "service_completed", done,
                                                                               ticket="A9", window=7)]  # fmt: skip
    assert runner.invoke(app, ["ingest", str(write_jsonl(tmp_path / "q.jsonl", visit))]).exit_code == 0
    assert json.loads(runner.invoke(app, ["index", "--json"]).stdout)["segments"] == 3
    worked = seffaf("worker", "--once", cwd=tmp_path, env=env, timeout=300)
    assert worked.returncode == 0, worked.stderr
    assert "done 6" in worked.stdout  # 3 verifications + 3 analyses

    catalog = open_catalog(database_url)
    with catalog.sessions() as session:
        assert {j.status for j in session.scalars(select(JobRow))} == {"done"}
        segments = session.scalars(select(SegmentRow)).all()
        assert all(s.verified_ok for s in segments)
        per_segment = dict(
            session.execute(select(ObservationRow.segment_key, func.count()).group_by(ObservationRow.segment_key)).all()
        )
        assert set(per_segment) == {s.key for s in segments}
        kinds = set(session.scalars(select(ObservationRow.kind)))
        assert {"loudness_lufs", "speech_share"} <= kinds  # the clip has a tone: audio was analysed
        versions = {(o.detector, o.detector_version) for o in session.scalars(select(ObservationRow))}
        assert all(DETECTOR_VERSIONS.get(detector) == version for detector, version in versions)

    handler = analyse_segment_job(LocalObjectStore(tmp_path / "objects"))
    with catalog.sessions() as session, session.begin():
        again = handler(session, Claim(0, ANALYSE_SEGMENT, segments[0].key, 2))
    assert again["cached"] is True
    with catalog.sessions() as session:
        count = session.scalar(select(func.count()).select_from(ObservationRow))
    assert count == sum(per_segment.values())  # nothing doubled
    catalog.close()
    [shown] = json.loads(runner.invoke(app, ["sessions", "--ticket", "A9", "--json"]).stdout)
    seen = shown["legs"][0]["observations"]
    assert seen is not None and seen["loudness_max_lufs"] is not None  # the tone, heard during the leg
    leg = shown["legs"][0]
    for interval in seen["tamper"] + seen["raised_voice"]:  # clipped to the leg
        assert leg["called_at"] <= interval["start"] < interval["end"] <= leg["ended_at"]
