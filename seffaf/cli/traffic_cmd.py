"""`seffaf traffic`: seeded, realistic queue traffic for a centre (demo, tests, benchmarks, drills)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from ingest.export import write_csv, write_jsonl
from ingest.traffic import CentreProfile, generate_range
from seffaf.cli.common import fail


def traffic(
    out: Annotated[Path, typer.Option(help="Output file: .csv for CSV, anything else JSON lines.")],
    center: Annotated[str, typer.Option(help="Centre id.")] = "baku-1",
    windows: Annotated[int, typer.Option(min=1, max=9999, help="Service windows.")] = 12,
    first_day: Annotated[str, typer.Option("--from", help="First day (YYYY-MM-DD).")] = "2026-05-04",
    days: Annotated[int, typer.Option(min=1, max=3660, help="Number of days.")] = 1,
    seed: Annotated[int, typer.Option(help="Same seed, same traffic.")] = 1,
    timezone: Annotated[str, typer.Option(help="Centre timezone.")] = "Asia/Baku",
    source: Annotated[str, typer.Option(help="Source system name in the events.")] = "qms-sim",
) -> None:
    """Write generated queue events for a centre to a JSONL or CSV file."""
    try:
        start = date.fromisoformat(first_day)
        profile = CentreProfile(center=center, windows=windows, timezone=timezone, source=source)
    except ValueError as exc:
        fail(str(exc))
    events = generate_range(profile, start, days, seed)
    count = write_csv(events, out) if out.suffix.lower() == ".csv" else write_jsonl(events, out)
    typer.echo(f"wrote {count} events for {center} ({windows} windows, {days} day(s)) to {out}")
