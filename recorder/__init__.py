"""Recorder: one window camera into crash-safe, hash-chained fMP4 segments in object storage."""
