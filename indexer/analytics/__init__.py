"""Indexer analytics: camera integrity, people at the window and its sound, per recorded segment.

Entry point: ``observations.analyse_segment``.
"""
