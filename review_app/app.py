"""The FastAPI application, built by create_app(settings): nothing is built at import time."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from ingest.archive import EventArchive
from ingest.service import IngestService
from review_app.api import auth, footage_admin, observations, queue_events, sessions
from review_app.auth.denials import AuditedDenial, audit_denial
from review_app.auth.passwords import Passwords
from review_app.auth.scope import AccessPolicy
from review_app.cases import api as cases_api
from review_app.cases import exports as case_exports
from review_app.cases import pages as cases_pages
from review_app.deps import AppServices
from review_app.findings import api as findings_api
from review_app.findings import pages as findings_pages
from review_app.findings import sample_pages, samples_api
from review_app.media import page as media_page
from review_app.media import routes as media_routes
from review_app.pages import audit_page, search, session_page
from review_app.pages import login as login_page
from review_app.web import install_web
from seffaf import __version__
from seffaf.cases.case_export import RedactorLookup
from seffaf.catalog.connect import open_catalog
from seffaf.clock import Clock, utcnow
from seffaf.config import Settings
from seffaf.evidence.redactor_lookup import find_redactor
from seffaf.storage.base import ObjectStore
from seffaf.storage.s3 import S3ObjectStore
from seffaf.storage.url import open_store, parse_storage_url


def create_app(
    settings: Settings,
    store: ObjectStore | None = None,
    clock: Clock = utcnow,
    redactors: RedactorLookup = find_redactor,
) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        catalog = open_catalog(settings.resolved_database_url)
        object_store = store or open_store(parse_storage_url(settings.resolved_storage_url))
        if isinstance(object_store, S3ObjectStore):
            object_store.ensure_bucket(settings.storage.object_lock)
        app.state.services = AppServices(
            catalog=catalog,
            ingest=IngestService(catalog.sessions, EventArchive(object_store), clock),
            clock=clock,
            review=settings.review,
            passwords=Passwords(),
            access=AccessPolicy(block_linked_operators=settings.review.block_linked_operators),
            store=object_store,
            evidence=settings.evidence,
            exports_dir=(settings.data_dir / "exports").resolve(),
            redactors=redactors,
        )
        try:
            yield
        finally:
            catalog.close()

    app = FastAPI(title="seffaf", version=__version__, lifespan=lifespan)
    app.add_exception_handler(AuditedDenial, audit_denial)
    app.include_router(queue_events.router)
    app.include_router(auth.router)
    app.include_router(sessions.router)
    app.include_router(media_routes.router)
    app.include_router(media_page.router)
    app.include_router(observations.router)
    app.include_router(login_page.router)
    app.include_router(search.router)
    app.include_router(session_page.router)
    app.include_router(audit_page.router)
    app.include_router(findings_api.router)
    app.include_router(samples_api.router)
    app.include_router(findings_pages.router)
    app.include_router(sample_pages.router)
    app.include_router(cases_api.router)
    app.include_router(cases_pages.router)
    app.include_router(case_exports.router)
    app.include_router(footage_admin.router)
    install_web(app)

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app
