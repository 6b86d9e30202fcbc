"""Accepted queue events, archived append-only in the object store.

    events/{source}/{YYYY}/{MM}/{DD}/{HH}/{batch}.jsonl   one object per source, hour received, batch

Objects are never rewritten: a batch adds new ones. With the segment manifests and the
sites file, they are all `seffaf catalog rebuild` needs to recreate the catalog.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from datetime import datetime

from ingest.events import QueueEvent
from ingest.writer import AcceptedEvent
from seffaf.storage.base import ObjectStore

PREFIX = "events/"


def archive_key(source: str, received_at: datetime, batch_id: str) -> str:
    return f"{PREFIX}{source}/{received_at:%Y/%m/%d/%H}/{batch_id}.jsonl"


class EventArchive:
    def __init__(self, store: ObjectStore) -> None:
        self._store = store

    def append(self, events: Sequence[AcceptedEvent], received_at: datetime, batch_id: str) -> list[str]:
        """Write the batch's accepted events (their canonical JSON); returns the keys written."""
        by_source: dict[str, list[str]] = defaultdict(list)
        for accepted in events:
            by_source[accepted.event.source].append(accepted.canonical_json)
        keys = []
        for source, lines in sorted(by_source.items()):
            key = archive_key(source, received_at, batch_id)
            self._store.put_bytes(key, ("\n".join(lines) + "\n").encode(), content_type="application/x-ndjson")
            keys.append(key)
        return keys

    def replay(self) -> Iterator[QueueEvent]:
        """Every archived event, in key order (source, then time received)."""
        for info in self._store.list(PREFIX):
            for line in self._store.get(info.key).decode().splitlines():
                if line.strip():
                    yield QueueEvent.model_validate_json(line)
