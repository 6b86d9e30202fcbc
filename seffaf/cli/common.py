"""Shared CLI plumbing: loading settings, opening the store, turning known errors into messages."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import typer

from seffaf.clock import require_utc
from seffaf.config import ConfigError, Settings, load_settings
from seffaf.storage.base import ObjectLockRequiredError, ObjectStore, StoreError
from seffaf.storage.url import S3Location, StorageUrlError, open_store, parse_storage_url

if TYPE_CHECKING:
    from seffaf.catalog.connect import Catalog

logger = logging.getLogger(__name__)


@dataclass
class CliState:
    config_file: Path | None = None


def fail(message: str, code: int = 2) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


@contextmanager
def user_errors(*extra: type[Exception]) -> Iterator[None]:
    """Known, explainable failures become one line on stderr and a non-zero exit."""
    known: tuple[type[Exception], ...] = (ConfigError, StorageUrlError, StoreError, *extra)
    try:
        yield
    except known as exc:
        fail(str(exc))


def settings_from(ctx: typer.Context, **overrides: Any) -> Settings:
    state: CliState = ctx.obj or CliState()
    with user_errors():
        return load_settings(state.config_file, **overrides)


def build_store(
    settings: Settings, create_bucket: bool, on_unreachable: Callable[[str], None] | None = None
) -> ObjectStore:
    with user_errors():
        location = parse_storage_url(settings.resolved_storage_url, "storage URL")
        store = open_store(location)
    if create_bucket and isinstance(location, S3Location):
        from seffaf.storage.s3 import S3ObjectStore  # loaded by open_store already; here for the type

        assert isinstance(store, S3ObjectStore)
        try:
            store.ensure_bucket(settings.storage.object_lock)
        except ObjectLockRequiredError as exc:  # the operator's rule, not an outage: never start without it
            fail(str(exc))
        except StoreError as exc:
            if on_unreachable is None:
                fail(str(exc))
            on_unreachable(str(exc))
    return store


def parse_time_option(value: str | None, name: str) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        return require_utc(parsed, name)
    except ValueError as exc:
        fail(f"{name}: {value!r} is not an ISO 8601 time with offset (e.g. 2026-05-01T09:00:00+04:00): {exc}")


def open_catalog_or_fail(settings: Settings) -> Catalog:
    # Imported here: SQLAlchemy and Alembic cost every command that has no catalog (the recorders) start-up time.
    from seffaf.catalog.connect import CatalogError, open_catalog

    try:
        return open_catalog(settings.resolved_database_url)
    except CatalogError as exc:
        fail(str(exc))
