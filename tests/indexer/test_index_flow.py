"""Footage and queue events meet: legs linked to segments, coverage and holes, on both databases."""

from __future__ import annotations

import json
import signal
import time
from datetime import timedelta
from pathlib import Path

import pytest

from seffaf.keys import GapKey
from seffaf.manifests import GapCause, GapManifest, RecorderInfo
from seffaf.storage.local import LocalObjectStore
from tests.support.cli import seffaf_process
from tests.support.queue import write_jsonl
from tests.support.served_footage import T0, record, run, served, site_env


@pytest.fixture
def env(tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    return site_env(tmp_path, database_url, monkeypatch)


def legs(ticket: str) -> list[dict[str, object]]:
    [visit] = json.loads(run("sessions", "--ticket", ticket, "--json"))
    return visit["legs"]  # type: ignore[no-any-return]


def test_legs_are_linked_to_their_window_footage_with_offsets_and_coverage(
    tmp_path: Path, env: dict[str, str], g711_clip: Path
) -> None:
    record(tmp_path, env, g711_clip, T0)  # 25 s: segments [0,10) [10,20) [20,25)
    run("ingest", str(write_jsonl(tmp_path / "q.jsonl", served(1, "A001", 5, 18) + served(10, "A002", 15, 40))))
    summary = json.loads(run("index", "--json"))
    assert summary["segments"] == 3 and summary["legs_linked"] == 2

    [leg] = legs("A001")
    assert leg["coverage"] == 1.0 and leg["holes"] == []
    segments = leg["segments"]
    assert isinstance(segments, list)
    assert [(s["in_offset_s"], s["out_offset_s"]) for s in segments] == [(0.0, 10.0), (0.0, 10.0), (0.0, 5.0)]

    [visit] = json.loads(run("sessions", "--ticket", "A001", "--json"))
    assert visit["coverage"] == 1.0
    [partial] = legs("A002")  # 15 s..40 s, footage ends at 25 s
    assert partial["coverage"] == pytest.approx(10 / 25)
    assert partial["holes"] == [
        {"start": "2026-05-04T06:00:25Z", "end": "2026-05-04T06:00:40Z", "cause": "unexplained"}
    ]


def test_late_footage_and_a_recorded_gap_re_link_idempotently(
    tmp_path: Path, env: dict[str, str], g711_clip: Path
) -> None:
    run("ingest", str(write_jsonl(tmp_path / "q.jsonl", served(1, "B001", 5, 70))))
    run("index")
    [before] = legs("B001")
    assert before["coverage"] == 0.0 and before["segments"] == []

    record(tmp_path, env, g711_clip, T0)  # footage 0..25 s arrives late
    store = LocalObjectStore(tmp_path / "objects")
    gap_start, gap_end = T0 + timedelta(seconds=25), T0 + timedelta(seconds=50)
    gap = GapManifest(
        center="baku-1", window=7, camera="baku-1-w07",
        key=GapKey("baku-1-w07", 3, gap_start, "camera_unreachable").encode(), after_seq=3,
        start=gap_start, end=gap_end, cause=GapCause.CAMERA_UNREACHABLE, detail="camera unreachable: test",
        recorder=RecorderInfo(host="test", version="0"), written_at=gap_end,
    )  # fmt: skip
    store.put_bytes(gap.key, gap.model_dump_json().encode())
    first = json.loads(run("index", "--json"))
    assert (first["segments"], first["gaps"]) == (3, 1)
    [after] = legs("B001")
    assert after["coverage"] == pytest.approx(20 / 65)
    holes = after["holes"]
    assert isinstance(holes, list)
    assert [h["cause"] for h in holes] == ["recorded:camera_unreachable", "unexplained"]

    again = json.loads(run("index", "--json"))
    assert (again["segments"], again["gaps"], again["legs_marked"]) == (0, 0, 0)
    assert legs("B001") == [after]


def test_index_follow_links_footage_as_it_arrives_and_stops_on_sigterm(
    tmp_path: Path, env: dict[str, str], g711_clip: Path
) -> None:
    run("ingest", str(write_jsonl(tmp_path / "q.jsonl", served(1, "F001", 5, 18))))
    daemon = seffaf_process("index", "--follow", "--interval", "0.5", "--json", cwd=tmp_path, env=env,
                            log=tmp_path / "index.log")  # fmt: skip
    try:
        record(tmp_path, env, g711_clip, T0)
        deadline = time.monotonic() + 60
        while legs("F001")[0]["coverage"] != 1.0:
            assert time.monotonic() < deadline, (tmp_path / "index.log").read_text()
            time.sleep(0.5)
    finally:
        daemon.send_signal(signal.SIGTERM)
        assert daemon.wait(timeout=30) == 0
