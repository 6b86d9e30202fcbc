"""Indexer: links service sessions to footage, measures coverage, runs analytics."""
