"""Opening the catalog: engine, session factory, schema brought up to date."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from seffaf.catalog.base import make_engine, make_session_factory
from seffaf.catalog.migrate import upgrade


class CatalogError(Exception):
    """The catalog database cannot be opened; the message says why."""


@dataclass(frozen=True)
class Catalog:
    engine: Engine
    sessions: sessionmaker[Session]

    def close(self) -> None:
        self.engine.dispose()


def open_catalog(url: str, migrate: bool = True) -> Catalog:
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise CatalogError(f"database URL {url!r} is not a SQLAlchemy URL: {exc}") from exc
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = make_engine(url)
    try:
        if migrate:
            upgrade(engine)
    except OperationalError as exc:
        engine.dispose()
        raise CatalogError(f"cannot open the catalog database {parsed.render_as_string()}: {exc.orig}") from exc
    return Catalog(engine, make_session_factory(engine))
