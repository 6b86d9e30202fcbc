"""Store-level legal holds on a segment, for the case service: the catalog's hold rows stay the rule.

Where the bucket has object lock, a held segment's media and manifest get an S3 legal hold, so
not even someone with the bucket's credentials can destroy them by deleting; elsewhere (local
disk, a bucket made without object lock) these answer False and the catalog's hold alone protects.
"""

from __future__ import annotations

import logging

from seffaf.keys import KeyLayoutError, SegmentKey
from seffaf.storage.base import ObjectStore

logger = logging.getLogger(__name__)


def _held_keys(segment_key: str) -> list[str]:
    try:
        return [segment_key, SegmentKey.decode(segment_key).manifest_key]
    except KeyLayoutError:  # not in the recorder's layout: only the object itself
        return [segment_key]


class StoreLegalHolds:
    """`placed(key)` / `released(key)`: True when the store now (no longer) holds the segment itself."""

    def __init__(self, store: ObjectStore) -> None:
        self._store = store

    def placed(self, segment_key: str) -> bool:
        return self._set(segment_key, True)

    def released(self, segment_key: str) -> bool:
        return self._set(segment_key, False)

    def _set(self, segment_key: str, on: bool) -> bool:
        media, *manifest = _held_keys(segment_key)
        if not self._store.set_legal_hold(media, on):
            return False
        for key in manifest:
            if not on or self._store.exists(key):  # a release also reaches versions hidden by a delete
                self._store.set_legal_hold(key, on)
            else:
                logger.warning("legal hold: segment %s has no manifest object %s to hold", segment_key, key)
        return True
