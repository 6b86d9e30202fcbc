"""Ingest: queue and application events in, service sessions out."""
