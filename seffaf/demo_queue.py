"""The demo centre's queue: its sites registry, a week of generated history and the scripted morning, ingested."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import select

from ingest.archive import EventArchive
from ingest.events import QueueEvent
from ingest.parsing import ParsedEvent, ParsedRow
from ingest.service import IngestService, IngestSummary
from ingest.traffic import CentreProfile, generate_day
from seffaf.catalog.connect import Catalog
from seffaf.catalog.event_tables import QueueEventRow
from seffaf.catalog.sites_repo import store_sites
from seffaf.clock import Clock
from seffaf.demo_incidents import CITIZEN_ZONE, OPERATOR_ZONE, SCENARIO_SOURCE, IncidentPlan
from seffaf.sites import load_sites
from seffaf.storage.base import ObjectStore

DEMO_TIMEZONE = "Asia/Baku"
HISTORY_SOURCE = "demo-queue"
HISTORY_WEEKDAYS = 5  # enough completed services per type for the usual durations, and volume to search


def write_demo_sites(path: Path, center: str, clips: Mapping[int, Path]) -> Path:
    """Centre, windows with their cameras' zones (the scripted faces sit in them) and cameras (their clips)."""
    lines = [f'[[center]]\nid = "{center}"\nname = "Demo centre"\ntimezone = "{DEMO_TIMEZONE}"\n']
    for number, clip in sorted(clips.items()):
        camera = f"{center}-w{number:02d}"
        lines.append(f'[[window]]\ncenter = "{center}"\nnumber = {number}\ncamera = "{camera}"\n'
                     f"operator_zone = {list(OPERATOR_ZONE)}\ncitizen_zone = {list(CITIZEN_ZONE)}\n")  # fmt: skip
        lines.append(f'[[camera]]\nid = "{camera}"\nsource = "{clip}"\n')
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines))
    return path


def history_days(day: date, count: int = HISTORY_WEEKDAYS) -> list[date]:
    """The `count` weekdays before `day`, oldest first."""
    days: list[date] = []
    while len(days) < count:
        day -= timedelta(days=1)
        if day.weekday() < 5:
            days.append(day)
    return days[::-1]


def ingest_demo_queue(
    catalog: Catalog, store: ObjectStore, clock: Clock, sites_file: Path, plan: IncidentPlan
) -> IngestSummary:
    """Load the sites file, the history before the plan's day and the plan's events.

    A second run finds the same events as duplicates. A day that already holds an earlier run's scripted
    morning gets no generated traffic on top of it, so that morning stays as it was filmed.
    """
    with catalog.sessions() as session, session.begin():
        store_sites(session, load_sites(sites_file))
        scripted = set(
            session.scalars(
                select(QueueEventRow.service_date)
                .where(QueueEventRow.source == SCENARIO_SOURCE, QueueEventRow.center == plan.center)
                .distinct()
            )
        )
    profile = CentreProfile(
        center=plan.center, windows=len(plan.footage), timezone=DEMO_TIMEZONE, source=HISTORY_SOURCE
    )
    days = [day for day in history_days(plan.day) if day not in scripted]
    return IngestService(catalog.sessions, EventArchive(store), clock).ingest_rows(_rows(profile, days, plan))


def _rows(profile: CentreProfile, days: list[date], plan: IncidentPlan) -> Iterator[ParsedRow]:
    def row(event: QueueEvent) -> ParsedEvent:
        return ParsedEvent(event, f"demo:{event.event_id}", event.model_dump_json())

    for day in days:
        yield from (row(event) for event in generate_day(profile, day, 1))
    yield from (row(event) for event in plan.events)
