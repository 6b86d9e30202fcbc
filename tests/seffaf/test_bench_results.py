"""bench/RESULTS.md from the benchmarks' JSON: rows, ratios, targets, and "not run" for what is missing."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bench.results import Applies, Bound, Line, Target, ratio
from bench.run_all import write_results

RECORDER = {
    "file": {"cpu_s_per_stream_hour": {"seffaf_pipeline": 6.0, "seffaf_record_command": 24.0,
                                       "ffmpeg_copy_segment": 4.0}},
    "live": [{"cameras": 8, "cpu_percent_per_stream": 4.4, "packets_lost": 0, "gaps": 0}],
}  # fmt: skip
INGEST = {
    "events": 1000, "parse_only_events_per_s": 50_000.0, "http_events_per_s": 3000.0,
    "databases": [{"database": "sqlite", "events_per_s": 25_000.0, "rebuild_s": 2.0, "peak_rss_mb": 100.0},
                  {"database": "postgresql", "events_per_s": 10_000.0, "rebuild_s": 3.0, "peak_rss_mb": 120.0}],
}  # fmt: skip
LINK = {"segments": 5000, "legs": 1000, "seconds": 2.0, "anchor_seconds_scaled": 50.0}
EXPORT = {"minutes": 15.0, "segments": 90, "seffaf_clip_s": [2.0, 2.2, 9.0], "ffmpeg_concat_s": [2.0, 2.0, 2.0],
          "redaction": "no redactor"}  # fmt: skip


def search_json(database: str, p95: float) -> dict[str, object]:
    row = {"search": "ticket_date", "what": "ticket + date", "role": "reviewer", "requests": 200, "p50_ms": 10.0,
           "p95_ms": p95, "sql_p95_ms": 1.0, "errors": 0}  # fmt: skip
    return {"sessions": 1000, "target_p95_ms": 50.0,
            "databases": [{"database": database, "rows": [row], "load_average": [1.0, 1.5]}]}  # fmt: skip


def write(out: Path, name: str, data: object) -> None:
    (out / name).write_text(json.dumps(data))


@pytest.fixture
def rendered(tmp_path: Path) -> str:
    out = tmp_path / "out"
    out.mkdir()
    write(out, "recorder.json", RECORDER)
    write(out, "ingest.json", INGEST)
    write(out, "link.json", LINK)
    write(out, "export.json", EXPORT)
    write(out, "search.json", search_json("sqlite", 40.0))
    # analytics.json is absent: that benchmark was not run
    return write_results(out, tmp_path / "RESULTS.md", datetime(2026, 11, 22, 12, 0, tzinfo=UTC))


def rows(markdown: str, start: str) -> list[str]:
    return [line for line in markdown.splitlines() if line.startswith(f"| {start}")]


def test_each_figure_sits_beside_its_anchor_with_ratio_and_verdict(rendered: str) -> None:
    assert rows(rendered, "file 720p") == [
        "| file 720p H.264+AAC → 10 s segments: pipeline (segment, hash, fsync, spool), CPU s per stream-hour "
        "| 6.00 CPU s/h | ffmpeg -c copy -f segment 4.00 CPU s/h | 1.50 | ratio ≤ 1.10 | **not met** |"
    ]
    sqlite, postgresql = rows(rendered, "1,000 events")
    assert "25,000 events/s | parse only (json + pydantic) 50,000 events/s | 0.50 | ≥ 20,000 events/s | met |" in sqlite
    assert "10,000 events/s" in postgresql and postgresql.endswith("| 0.20 | ≥ 20,000 events/s | **not met** |")
    assert rows(rendered, "link 1,000 legs")[0].endswith("| 500 legs/s | two indexed queries per leg (sample, "
                                                         "scaled) 20 legs/s | 25.00 |  |  |")  # fmt: skip
    # medians, so the one slow repeat (9.0 s) does not decide the ratio
    assert "| 2.20 s | ffmpeg -f concat -c copy 2.00 s | 1.10 | ratio ≤ 1.10 | met |" in rows(rendered, "evidence")[0]
    assert "- redaction: no redactor" in rendered


def test_missing_benchmark_reads_not_run(rendered: str) -> None:
    analytics = rendered.split("## Analytics")[1].split("## ")[0]
    assert "| analytics | not run | | | | |" in analytics
    assert "| Analytics | | not run |" in rendered  # in the summary too
    assert "| all searches | postgresql | | | not run |" in rendered


def test_search_rows_per_database_and_role(rendered: str) -> None:
    assert rows(rendered, "ticket + date") == ["| ticket + date | sqlite | reviewer | 200 | 10.0 | 40.0 | 1.0 | met |"]
    assert "sqlite: from `search.json`" in rendered and "1-min load average 1.0 → 1.5" in rendered


def test_newest_search_file_wins_per_database_and_older_shape_is_not_run(tmp_path: Path) -> None:
    write(tmp_path, "search.json", {**search_json("postgresql", 40.0)})
    write(tmp_path, "search-postgresql.json", search_json("postgresql", 70.0))
    os.utime(tmp_path / "search.json", (1_000_000, 1_000_000))  # the older run
    write(tmp_path, "link.json", {"legs": 1000, "seconds": 2.0})  # an older shape, before the anchor
    text = write_results(tmp_path, tmp_path / "RESULTS.md", datetime(2026, 11, 22, tzinfo=UTC))
    assert rows(text, "ticket + date") == [
        "| ticket + date | postgresql | reviewer | 200 | 10.0 | 70.0 | 1.0 | **not met** |"
    ]
    assert "| linker | not run (link.json: missing field anchor_seconds_scaled) |" in text


@pytest.mark.parametrize(
    ("line", "expected_ratio", "met"),
    [
        (Line("x", 6.0, anchor_value=4.0, target=Target(Bound.AT_MOST, 1.10, Applies.RATIO)), 1.5, False),
        (Line("x", 4.4, anchor_value=4.0, target=Target(Bound.AT_MOST, 1.10, Applies.RATIO)), 1.1, True),
        (Line("x", 69.0, anchor_value=33.0, target=Target(Bound.AT_LEAST, 60.0)), 69 / 33, True),
        (Line("x", 59.9, target=Target(Bound.AT_LEAST, 60.0)), None, False),
        (Line("x", 50.0, target=Target(Bound.BELOW, 50.0)), None, False),
        (Line("x", 49.9, target=Target(Bound.BELOW, 50.0)), None, True),
        (Line("x", 0.0, target=Target(Bound.AT_MOST, 0.0)), None, True),
        (Line("x", 3.0, anchor_value=0.0, target=Target(Bound.AT_MOST, 1.1, Applies.RATIO)), None, None),
        (Line("x", 3.0, anchor_value=2.0), 1.5, None),
    ],
)
def test_ratio_and_target(line: Line, expected_ratio: float | None, met: bool | None) -> None:
    assert line.ratio == (None if expected_ratio is None else pytest.approx(expected_ratio))
    assert line.met is met
    assert ratio(1.0, None) is None
