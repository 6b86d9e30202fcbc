"""The Alembic migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from seffaf.catalog.base import make_engine
from seffaf.catalog.migrate import current_tables, upgrade
from seffaf.catalog.models import Base


def test_migrated_schema_matches_the_models(database_url: str) -> None:
    engine = make_engine(database_url)
    upgrade(engine)
    upgrade(engine)  # a second run is a no-op
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    engine.dispose()
    assert differences == []


def test_migration_creates_every_catalog_table(database_url: str) -> None:
    engine = make_engine(database_url)
    upgrade(engine)
    assert set(Base.metadata.tables) <= current_tables(engine)
    engine.dispose()
