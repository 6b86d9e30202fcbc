"""Recreating the catalog from the object store alone (plus the sites file).

The store holds every accepted queue event (archived), a manifest per segment and gap and a
record per deletion (its gap rows name it as the cause of the missing footage); replaying them
into an empty database gives the same sessions, links and coverage.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import func, select

from indexer.service import Indexer
from ingest.archive import EventArchive
from ingest.parsing import ParsedEvent, ParsedRow
from ingest.service import IngestService
from seffaf.catalog.connect import Catalog
from seffaf.catalog.event_tables import QueueEventRow
from seffaf.catalog.footage_tables import SegmentRow
from seffaf.catalog.sites_repo import store_sites
from seffaf.clock import Clock
from seffaf.sites import Sites
from seffaf.storage.base import ObjectStore


class CatalogNotEmptyError(Exception):
    """Rebuilding only goes into an empty catalog: nothing is merged or overwritten."""


@dataclass(frozen=True)
class RebuildSummary:
    events: int
    duplicates: int
    segments: int
    gaps: int
    legs_linked: int


def _archived_rows(store: ObjectStore) -> Iterator[ParsedRow]:
    for event in EventArchive(store).replay():
        yield ParsedEvent(event, f"archive:{event.source}/{event.event_id}", event.model_dump_json())


def rebuild_catalog(catalog: Catalog, store: ObjectStore, sites: Sites, clock: Clock) -> RebuildSummary:
    with catalog.sessions() as session:
        present = (session.scalar(select(func.count()).select_from(QueueEventRow)) or 0) + (
            session.scalar(select(func.count()).select_from(SegmentRow)) or 0
        )
    if present:
        raise CatalogNotEmptyError("the catalog database already holds events or segments: rebuild into an empty one")
    with catalog.sessions() as session, session.begin():
        store_sites(session, sites)
    # No archive on the way back in: the events are already in the store.
    ingested = IngestService(catalog.sessions, None, clock).ingest_rows(_archived_rows(store))
    indexed = Indexer(catalog.sessions, store, clock).run_once()
    return RebuildSummary(ingested.accepted, ingested.duplicate, indexed.segments, indexed.gaps, indexed.legs_linked)
