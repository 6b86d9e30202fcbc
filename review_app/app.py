"""The FastAPI application, built by create_app(settings): nothing is built at import time."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from ingest.archive import EventArchive
from ingest.service import IngestService
from review_app.api import queue_events
from review_app.deps import AppServices
from seffaf import __version__
from seffaf.catalog.connect import open_catalog
from seffaf.clock import Clock, utcnow
from seffaf.config import Settings
from seffaf.storage.base import ObjectStore
from seffaf.storage.s3 import S3ObjectStore
from seffaf.storage.url import open_store, parse_storage_url


def create_app(settings: Settings, store: ObjectStore | None = None, clock: Clock = utcnow) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        catalog = open_catalog(settings.resolved_database_url)
        object_store = store or open_store(parse_storage_url(settings.resolved_storage_url))
        if isinstance(object_store, S3ObjectStore):
            object_store.ensure_bucket()
        app.state.services = AppServices(catalog, IngestService(catalog.sessions, EventArchive(object_store), clock))
        try:
            yield
        finally:
            catalog.close()

    app = FastAPI(title="seffaf", version=__version__, lifespan=lifespan)
    app.include_router(queue_events.router)

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app
