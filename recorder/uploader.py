"""Spool → object store, strictly in order, verified before anything local is deleted."""

from __future__ import annotations

import logging
import random
import threading
import time
from datetime import datetime

from recorder.metrics import RecorderMetrics
from recorder.segmenter import backoff_delay_s
from recorder.spool import ReadyGap, ReadyItem, ReadySegment, Spool
from seffaf.clock import Clock
from seffaf.storage.base import ObjectStore, StoreError

logger = logging.getLogger(__name__)
POLL_SECONDS = 0.5
JSON = "application/json"


class VerificationError(StoreError):
    """The store holds something other than what we sent."""


class Uploader:
    def __init__(
        self,
        store: ObjectStore,
        spool: Spool,
        metrics: RecorderMetrics,
        clock: Clock,
        retry_max_s: float = 30.0,
        rng: random.Random | None = None,
    ) -> None:
        self._store = store
        self._spool = spool
        self._metrics = metrics
        self._clock = clock
        self._retry_max_s = retry_max_s
        self._rng = rng or random.Random()  # noqa: S311 - backoff jitter, not security
        self._failures = 0
        self.wake = threading.Event()

    def upload(self, item: ReadyItem) -> None:
        """Upload one item and verify it; the spool copy is removed only after that."""
        if isinstance(item, ReadySegment):
            manifest = item.manifest
            self._store.put_file(
                manifest.key,
                item.media_path,
                sha256=manifest.sha256,
                content_type="video/mp4",
                metadata={"camera": manifest.camera, "seq": str(manifest.seq)},
            )
            stored = self._store.stat(manifest.key)
            if stored.size != manifest.size_bytes:
                raise VerificationError(f"{manifest.key}: stored {stored.size} bytes, sent {manifest.size_bytes}")
            actual = self._store.compute_sha256(manifest.key)
            if actual != manifest.sha256:
                raise VerificationError(f"{manifest.key}: stored SHA-256 {actual} differs from {manifest.sha256}")
            self._put_verified_json(manifest.key.removesuffix(".mp4") + ".json", item.manifest_path.read_bytes())
            self._metrics.segment_uploaded()
        else:
            self._put_verified_json(item.manifest.key, item.manifest_path.read_bytes())
        self._spool.remove(item)

    def _put_verified_json(self, key: str, payload: bytes) -> None:
        self._store.put_bytes(key, payload, content_type=JSON)
        if self._store.get(key) != payload:
            raise VerificationError(f"{key}: stored manifest differs from the one sent")

    def has_pending(self) -> bool:
        return self._spool.ready_count() > 0

    def step(self) -> bool:
        """Try the oldest waiting item; True when it went through (or nothing waited)."""
        items = self._spool.ready_items(limit=1)
        self._report(items)
        if not items:
            return True
        head = items[0]
        try:
            self.upload(head)
        except (StoreError, OSError) as exc:
            self._failures += 1
            self._metrics.upload_failed()
            logger.warning("upload of %s failed (attempt %d): %s", _describe(head), self._failures, exc)
            return False
        self._failures = 0
        return True

    def retry_delay_s(self) -> float:
        return backoff_delay_s(self._failures - 1, 0.5, self._retry_max_s, self._rng)

    def run(self, stop: threading.Event) -> None:
        """Upload until stop is set; never skips ahead of a failing item (order matters)."""
        while not stop.is_set():
            try:
                went_through = self.step()
            except Exception:
                logger.exception("uploader: unexpected error; retrying")
                went_through = False
            if went_through and self.has_pending():
                continue
            delay = POLL_SECONDS if went_through else self.retry_delay_s()
            self.wake.wait(delay)
            self.wake.clear()

    def drain(self, deadline_s: float, stop_at: threading.Event | None = None) -> bool:
        """Upload what is left until empty or the deadline passes; True when the spool is empty."""
        deadline = time.monotonic() + deadline_s
        while self.has_pending():
            if time.monotonic() >= deadline or (stop_at is not None and stop_at.is_set()):
                return False
            if not self.step():
                time.sleep(min(self.retry_delay_s(), max(0.0, deadline - time.monotonic())))
        return True

    def _report(self, items: list[ReadyItem]) -> None:
        oldest: datetime | None = next((item.manifest.end for item in items if isinstance(item, ReadySegment)), None)
        lag = (self._clock() - oldest).total_seconds() if oldest else 0.0
        self._metrics.spool(self._spool.bytes_used(), max(0.0, lag))


def _describe(item: ReadyItem) -> str:
    if isinstance(item, ReadyGap):
        return f"gap {item.manifest.key}"
    return f"segment {item.manifest.key}"
