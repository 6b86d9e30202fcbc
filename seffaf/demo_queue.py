"""The demo centre's queue: its sites registry and a day of generated traffic, ingested."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from ingest.archive import EventArchive
from ingest.parsing import ParsedEvent, ParsedRow
from ingest.service import IngestService, IngestSummary
from ingest.traffic import CentreProfile, generate_day
from seffaf.catalog.connect import Catalog
from seffaf.catalog.sites_repo import store_sites
from seffaf.clock import Clock
from seffaf.sites import load_sites
from seffaf.storage.base import ObjectStore

DEMO_TIMEZONE = "Asia/Baku"


def write_demo_sites(path: Path, center: str, windows: int, media_dir: Path) -> Path:
    lines = [f'[[center]]\nid = "{center}"\nname = "Demo centre"\ntimezone = "{DEMO_TIMEZONE}"\n']
    for number in range(1, windows + 1):
        camera = f"{center}-w{number:02d}"
        lines.append(f'[[window]]\ncenter = "{center}"\nnumber = {number}\ncamera = "{camera}"\n')
        lines.append(f'[[camera]]\nid = "{camera}"\nsource = "{media_dir / (camera + ".mov")}"\n')
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines))
    return path


def ingest_demo_day(
    catalog: Catalog, store: ObjectStore, clock: Clock, sites_file: Path, center: str, windows: int, day: date
) -> IngestSummary:
    """Load the sites file and the day's traffic; a second run finds the same events as duplicates."""
    with catalog.sessions() as session, session.begin():
        store_sites(session, load_sites(sites_file))
    profile = CentreProfile(center=center, windows=windows, timezone=DEMO_TIMEZONE, source="demo-queue")
    rows: list[ParsedRow] = [
        ParsedEvent(event, f"demo:{event.event_id}", event.model_dump_json()) for event in generate_day(profile, day, 1)
    ]
    return IngestService(catalog.sessions, EventArchive(store), clock).ingest_rows(rows)
