"""Read each benchmark's JSON (bench/out/*.json, each its own shape) into bench.results rows.

Readers are pure: they take the parsed JSON (`Loaded`), or None when the file is absent, and
return a Section; a field missing or of the wrong type (an older run) makes the section "not run"
with the field named, never a crash.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from bench.results import (
    Applies,
    Bound,
    Line,
    ResultShapeError,
    SearchDatabase,
    SearchRow,
    SearchSection,
    Section,
    Target,
)

NOT_RUN = "not run"
SEARCH_DATABASES = ("sqlite", "postgresql")
SEARCH_TARGET = Target(Bound.BELOW, 50.0)


@dataclass(frozen=True)
class Loaded:
    """One JSON file as parsed, with its name and when it was written."""

    source: str
    data: object
    measured_at: datetime | None


def get(data: object, *path: str) -> object:
    """The value at a path of keys (digits index lists), or ResultShapeError naming the field."""
    here = data
    for i, key in enumerate(path):
        if isinstance(here, dict) and key in here:
            here = here[key]
        elif isinstance(here, list) and key.isdigit() and int(key) < len(here):
            here = here[int(key)]
        else:
            raise ResultShapeError(f"missing field {'.'.join(path[: i + 1])}")
    return here


def num(data: object, *path: str) -> float:
    value = get(data, *path)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ResultShapeError(f"field {'.'.join(path)} is not a number: {value!r}")
    return float(value)


def items(data: object, *path: str) -> list[object]:
    value = get(data, *path)
    if not isinstance(value, list):
        raise ResultShapeError(f"field {'.'.join(path)} is not a list")
    return list(value)


def text(data: object, *path: str) -> str:
    value = get(data, *path)
    if not isinstance(value, str):
        raise ResultShapeError(f"field {'.'.join(path)} is not text: {value!r}")
    return value


def recorder_lines(data: object) -> tuple[list[Line], list[str]]:
    anchor = num(data, "file", "cpu_s_per_stream_hour", "ffmpeg_copy_segment")
    lines = [
        Line("file 720p H.264+AAC → 10 s segments: pipeline (segment, hash, fsync, spool), CPU s per stream-hour",
             num(data, "file", "cpu_s_per_stream_hour", "seffaf_pipeline"), "CPU s/h", "ffmpeg -c copy -f segment",
             anchor, Target(Bound.AT_MOST, 1.10, Applies.RATIO)),
        Line("same, whole `seffaf record` process (start-up included), CPU s per stream-hour",
             num(data, "file", "cpu_s_per_stream_hour", "seffaf_record_command"), "CPU s/h",
             "ffmpeg -c copy -f segment", anchor),
    ]  # fmt: skip
    for run in items(data, "live"):
        cameras = int(num(run, "cameras"))
        lines.append(Line(f"live RTSP 640x360 25 fps, {cameras} cameras: CPU per camera",
                          num(run, "cpu_percent_per_stream"), "% of a core"))  # fmt: skip
        lines.append(Line(f"live RTSP, {cameras} cameras: video packets lost ({num(run, 'gaps'):.0f} gaps)",
                          num(run, "packets_lost"), "packets", target=Target(Bound.AT_MOST, 0)))  # fmt: skip
    return lines, []


def ingest_lines(data: object) -> tuple[list[Line], list[str]]:
    parse = num(data, "parse_only_events_per_s")
    lines = []
    for db in items(data, "databases"):
        name = text(db, "database")
        lines.append(Line(f"{num(data, 'events'):,.0f} events (40 windows, 30 days), {name}: event phase",
                          num(db, "events_per_s"), "events/s", "parse only (json + pydantic)", parse,
                          Target(Bound.AT_LEAST, 20_000)))  # fmt: skip
        lines.append(Line(f"{name}: session rebuild", num(db, "rebuild_s"), "s"))
        lines.append(Line(f"{name}: peak memory", num(db, "peak_rss_mb"), "MB RSS"))
    lines.append(Line("HTTP ingest, batches of 1,000, SQLite", num(data, "http_events_per_s"), "events/s"))
    return lines, []


def link_lines(data: object) -> tuple[list[Line], list[str]]:
    legs, seconds = num(data, "legs"), num(data, "seconds")
    anchor_s = num(data, "anchor_seconds_scaled")
    lines = [
        Line(f"link {legs:,.0f} legs to {num(data, 'segments'):,.0f} segments (SQLite)", legs / seconds, "legs/s",
             "two indexed queries per leg (sample, scaled)", legs / anchor_s),
        Line("same, wall time", seconds, "s", "two indexed queries per leg (scaled)", anchor_s),
    ]  # fmt: skip
    return lines, []


def analytics_lines(data: object) -> tuple[list[Line], list[str]]:
    target = num(data, "target_x_realtime_per_core")
    lines = [
        Line(f"analytics, {num(data, 'media_s') / 60:g} min 720p in {num(data, 'segments'):.0f} segments, "
             "x real time per core", num(data, "x_realtime_per_core"), "x", "full decode, no analysis",
             num(data, "anchor_x_realtime_per_core"), Target(Bound.AT_LEAST, target)),
        Line("same, CPU s", num(data, "analysis_cpu_s"), "CPU s", "full decode", num(data, "anchor_cpu_s")),
    ]  # fmt: skip
    pr = get(data, "precision_recall")
    pairs = []
    for detector in sorted(pr) if isinstance(pr, dict) else []:
        precision, recall = num(pr, detector, "0"), num(pr, detector, "1")
        pairs.append(f"{detector} {precision:.2f}/{recall:.2f}")
    return lines, [f"precision/recall per detector (synthetic labelled set): {', '.join(pairs)}"] if pairs else []


def export_lines(data: object) -> tuple[list[Line], list[str]]:
    clips = [float(v) for v in items(data, "seffaf_clip_s") if isinstance(v, int | float)]
    concat = [float(v) for v in items(data, "ffmpeg_concat_s") if isinstance(v, int | float)]
    if not clips or not concat:
        raise ResultShapeError("field seffaf_clip_s / ffmpeg_concat_s holds no timings")
    lines = [
        Line(f"evidence clip, {num(data, 'minutes'):g} min session from {num(data, 'segments'):.0f} segments, "
             f"stream copy + faststart (median of {len(clips)})", statistics.median(clips), "s",
             "ffmpeg -f concat -c copy", statistics.median(concat), Target(Bound.AT_MOST, 1.10, Applies.RATIO)),
    ]  # fmt: skip
    redaction = get(data, "redaction")
    if isinstance(redaction, dict):
        lines.append(Line(f"redacted export ({num(redaction, 'footage_s'):.0f} s of footage), x real time",
                          num(redaction, "x_real_time"), "x"))  # fmt: skip
        return lines, [f"redaction: {text(redaction, 'method')}"]
    return lines, [f"redaction: {redaction}"]


def scale_lines(data: object) -> tuple[list[Line], list[str]]:
    cameras, seconds, workers = num(data, "cameras"), num(data, "seconds"), num(data, "workers")
    jobs = get(data, "jobs", "retried")
    retried = sum(v for v in jobs.values() if isinstance(v, int)) if isinstance(jobs, dict) else 0
    lines = [
        Line(f"{cameras:.0f} RTSP cameras for {seconds:g} s into SeaweedFS, {workers:.0f} workers on PostgreSQL: "
             "video packets lost", num(data, "packets_lost"), "packets", target=Target(Bound.AT_MOST, 0)),
        Line("same: gap records", num(data, "gaps"), "gaps", target=Target(Bound.AT_MOST, 0)),
        Line("same: recorder CPU per camera", num(data, "recorder_cpu_percent_per_camera"), "% of a core"),
        Line("same: segment jobs run more than once", retried, "jobs", target=Target(Bound.AT_MOST, 0)),
    ]  # fmt: skip
    load = [f"{v:.1f}" for v in items(data, "load_average_before") if isinstance(v, int | float)]
    verdict = "passed" if get(data, "ok") is True else "FAILED"
    start_load = load[0] if load else "?"
    return lines, [
        f"{num(data, 'segments'):.0f} segments; all checks {verdict}; 1-min load average at start {start_load}"
    ]


def cli_startup_lines(data: object) -> tuple[list[Line], list[str]]:
    commands = {text(c, "command"): c for c in items(data, "commands")}
    anchor_name = text(data, "anchor")
    if anchor_name not in commands:
        raise ResultShapeError(f"missing field commands.{anchor_name}")
    anchor = num(commands[anchor_name], "wall_s")
    lines = []
    for name, command in commands.items():
        if name == anchor_name:
            continue
        heavy = [h for h in items(command, "heavy_loaded") if isinstance(h, str)]
        loaded = f" (loads {', '.join(heavy)})" if heavy else ""
        target = Target(Bound.AT_MOST, 1.0) if name in ("seffaf record --help", "seffaf ingest --help") else None
        lines.append(Line(f"`{name}`: wall time{loaded}", num(command, "wall_s"), "s", anchor_name, anchor, target))
        lines.append(Line(f"`{name}`: peak memory, {num(command, 'modules'):.0f} modules",
                          num(command, "peak_rss_mb"), "MB RSS"))  # fmt: skip
    return lines, [f"median of {num(data, 'repeats'):.0f} runs per command; peak RSS of that process alone"]


READERS: dict[str, tuple[str, str, Callable[[object], tuple[list[Line], list[str]]]]] = {
    "recorder": ("Recorder", "python -m bench.recorder", recorder_lines),
    "ingest": ("Ingest", "python -m bench.ingest", ingest_lines),
    "link": ("Linker", "python -m bench.link", link_lines),
    "analytics": ("Analytics", "python -m bench.analytics", analytics_lines),
    "export": ("Evidence export", "python -m bench.export", export_lines),
    "scale": ("Scale", "python -m bench.scale", scale_lines),
    "cli_startup": ("CLI start-up", "python -m bench.cli_startup", cli_startup_lines),
}


def read_section(name: str, loaded: Loaded | None) -> Section:
    title, command, reader = READERS[name]
    if loaded is None:
        return Section(name, title, command, missing=NOT_RUN)
    try:
        lines, notes = reader(loaded.data)
    except ResultShapeError as e:
        return Section(name, title, command, loaded.measured_at, missing=f"{NOT_RUN} ({loaded.source}: {e})")
    return Section(name, title, command, loaded.measured_at, lines, notes)


def _search_database(db: object, loaded: Loaded) -> SearchDatabase:
    rows = [
        SearchRow(text(r, "search"), text(r, "what"), text(r, "role"), int(num(r, "requests")), num(r, "p50_ms"),
                  num(r, "p95_ms"), num(r, "sql_p95_ms"), int(num(r, "errors")))
        for r in items(db, "rows")
    ]  # fmt: skip
    load = [float(v) for v in items(db, "load_average") if isinstance(v, int | float)]
    return SearchDatabase(text(db, "database"), loaded.source, loaded.measured_at, load, rows)


def read_search(files: list[Loaded]) -> SearchSection:
    """Files oldest first: for each database the newest file that measured it wins."""
    found: dict[str, SearchDatabase] = {}
    problems: dict[str, str] = {}
    target, sessions = SEARCH_TARGET, None
    for loaded in files:
        try:
            dbs = [_search_database(db, loaded) for db in items(loaded.data, "databases")]
            target = Target(Bound.BELOW, num(loaded.data, "target_p95_ms"))
            sessions = int(num(loaded.data, "sessions"))
        except ResultShapeError as e:
            problems[loaded.source] = str(e)
            continue
        found.update({db.database: db for db in dbs})
    missing = {}
    for name in SEARCH_DATABASES:
        if name not in found:
            why = "; ".join(f"{source}: {e}" for source, e in problems.items())
            missing[name] = f"{NOT_RUN} ({why})" if why else NOT_RUN
    ordered = [found[n] for n in SEARCH_DATABASES if n in found] + [
        db for n, db in found.items() if n not in SEARCH_DATABASES
    ]
    return SearchSection(target, sessions, ordered, missing)
