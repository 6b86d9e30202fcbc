"""The Alembic migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from seffaf.catalog.base import make_engine
from seffaf.catalog.migrate import alembic_config, current_tables, upgrade
from seffaf.catalog.models import Base
from tests.support.cli import seffaf


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


def test_catalog_migrate_brings_an_empty_database_to_the_newest_revision(database_url: str, tmp_path: Path) -> None:
    engine = make_engine(database_url)
    head = ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
    done = seffaf("catalog", "migrate", cwd=tmp_path, env={"SEFFAF_DATABASE_URL": database_url,
                                                         "SEFFAF_DATA_DIR": str(tmp_path)})  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"catalog schema at revision {head}"
    with engine.connect() as connection:
        assert MigrationContext.configure(connection).get_current_revision() == head
    engine.dispose()
