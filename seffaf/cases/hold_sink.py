"""Where legal holds go beyond the catalog: the store's own object locks, where it has them.

The catalog rows are the record; a sink mirrors them onto the stored objects (an S3 bucket with
object lock sets an object legal hold, seffaf/storage/legal_holds.py) so footage outlives even a
deletion that ignores the catalog. Stores that cannot hold objects answer False: catalog holds only.
"""

from __future__ import annotations

import logging
from typing import Protocol

from seffaf.storage.base import ObjectNotFoundError, ObjectStore
from seffaf.storage.legal_holds import StoreLegalHolds

logger = logging.getLogger(__name__)


class HoldSink(Protocol):
    def place_hold(self, segment_key: str) -> bool:
        """Hold the stored object; True when the store itself now holds it (recorded as `store_hold`)."""
        ...

    def release_hold(self, segment_key: str) -> None:
        """Lift the store's hold: called only once no open case holds the segment any more."""
        ...


class NoHoldSink:
    """Catalog holds only (reading, and tests of the catalog rules)."""

    def place_hold(self, segment_key: str) -> bool:
        return False

    def release_hold(self, segment_key: str) -> None:
        return None


class StoreHoldSink:
    """The configured store's legal holds; a segment catalogued but gone from the store is held in the catalog only."""

    def __init__(self, store: ObjectStore) -> None:
        self._store = store
        self._holds = StoreLegalHolds(store)

    def place_hold(self, segment_key: str) -> bool:
        # Asked first: SeaweedFS answers a hold on a missing key with HTTP 500, which reads as "unreachable".
        if not self._store.exists(segment_key):
            logger.warning("legal hold: segment %s is not in the store; held in the catalog only", segment_key)
            return False
        return self._holds.placed(segment_key)

    def release_hold(self, segment_key: str) -> None:
        try:
            self._holds.released(segment_key)
        except ObjectNotFoundError:
            logger.warning("legal hold: segment %s is no longer in the store; nothing to release", segment_key)


def sink_for(store: ObjectStore) -> HoldSink:
    """What the API and `seffaf cases` hand the case service: the store's holds, wherever it has them."""
    return StoreHoldSink(store)
