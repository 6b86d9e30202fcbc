"""Alembic migrations of the catalog database."""
