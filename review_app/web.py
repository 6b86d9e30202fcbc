"""The review app's pages: Jinja2 templates, static files (browser libraries copied in by ./run), error pages."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException

from indexer.session_query import FULL_COVERAGE
from review_app.pages import formatting, layout
from review_app.pages.errors import database_unavailable, http_error, validation_error

PACKAGE_DIR = Path(__file__).resolve().parent
STATIC_DIR = PACKAGE_DIR / "static"
TEMPLATES_DIR = PACKAGE_DIR / "templates"
# hls.js from npm (package-lock.json), copied here by ./run; never committed, never from a CDN.
HLS_JS = STATIC_DIR / "vendor" / "hls.min.js"


def install_web(app: FastAPI) -> None:
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    templates = Jinja2Templates(directory=TEMPLATES_DIR)
    templates.env.globals.update(signed_in=layout.signed_in, csrf_token=layout.csrf_token,
                                 sees_audit=layout.sees_audit, FULL_COVERAGE=FULL_COVERAGE)  # fmt: skip
    templates.env.filters.update(local_time=formatting.local_time, coverage=formatting.coverage_percent,
                                 seconds=formatting.seconds, hole_cause=formatting.hole_cause)  # fmt: skip
    app.state.templates = templates
    # Pages send the signed-out to /login and show browsers error pages; /api/* keeps its JSON.
    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(OperationalError, database_unavailable)


def get_templates(request: Request) -> Jinja2Templates:
    templates: Jinja2Templates = request.app.state.templates
    return templates


TemplatesDep = Annotated[Jinja2Templates, Depends(get_templates)]
