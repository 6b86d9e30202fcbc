"""The recorder's restart loop: one camera, sessions retried with backoff, gaps accounted for."""

from __future__ import annotations

import logging
import random
import threading
from dataclasses import dataclass
from datetime import datetime

from recorder.finalize import recover_leftover
from recorder.metrics import RecorderMetrics
from recorder.segmenter import backoff_delay_s
from recorder.session import CameraSession, SessionEnd
from recorder.source import CameraSpec, SourceError
from recorder.spool import ChainState, PendingGap, ReadySegment, Spool
from recorder.uploader import Uploader
from seffaf.clock import Clock
from seffaf.config import RecorderConfig
from seffaf.keys import segment_prefix
from seffaf.manifests import GapCause, SegmentManifest
from seffaf.storage.base import ObjectStore, StoreError

logger = logging.getLogger(__name__)
DISK_FULL_FLOOR_BYTES = 1 << 20

EXIT_OK = 0
EXIT_CAMERA = 2
EXIT_SPOOL_LEFT = 3
EXIT_SETUP = 4


class RecorderSetupError(Exception):
    """The recorder cannot start; the message says what to fix."""


@dataclass(frozen=True)
class RecorderOutcome:
    exit_code: int
    message: str


def chain_head_from_store(store: ObjectStore, camera: str) -> ChainState | None:
    """The last committed segment of a camera, for a recorder whose spool is new."""
    last_manifest_key = None
    for info in store.list(segment_prefix(camera)):
        if info.key.endswith(".json"):
            last_manifest_key = info.key
    if last_manifest_key is None:
        return None
    return ChainState.after(SegmentManifest.model_validate_json(store.get(last_manifest_key)))


def reconcile_chain(spool: Spool, store: ObjectStore) -> ChainState:
    """Spool state, corrected by anything committed after it was saved (crash between the two)."""
    state = spool.load_state()
    if state is None:
        try:
            state = chain_head_from_store(store, spool.camera)
        except StoreError as exc:
            raise RecorderSetupError(
                f"camera {spool.camera}: the spool has no chain state and the store cannot be read "
                f"to continue the sequence ({exc}); start again once the store is reachable"
            ) from exc
    state = state or ChainState()
    segments = [item for item in spool.ready_items() if isinstance(item, ReadySegment)]
    if segments and segments[-1].manifest.seq > state.last_seq:
        state = ChainState.after(segments[-1].manifest)
    return state


def spool_room_needed(min_free: int, free_now: int, largest_waiting: int | None) -> int:
    """Free bytes to wait for before taking footage again.

    Below the configured minimum: the minimum. Out of space (`largest_waiting` known): the minimum
    may be far too low to help, so wait until uploads have freed at least one segment's worth
    (the largest waiting), or a floor when nothing waits (the disk is full of something else).
    """
    if largest_waiting is None:
        return min_free
    return max(min_free, free_now + (largest_waiting or DISK_FULL_FLOOR_BYTES))


class Supervisor:
    def __init__(
        self,
        camera: CameraSpec,
        spool: Spool,
        store: ObjectStore,
        config: RecorderConfig,
        metrics: RecorderMetrics,
        clock: Clock,
        stop: threading.Event,
        wait_for_camera: bool = False,
        start_time: datetime | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.camera = camera
        self._spool = spool
        self._store = store
        self._config = config
        self._metrics = metrics
        self._clock = clock
        self._stop = stop
        self._wait_for_camera = wait_for_camera
        self._start_time = start_time
        self._rng = rng or random.Random()  # noqa: S311 - backoff jitter, not security

    def _recover(self) -> ChainState:
        # recover_leftover commits (and saves the state); reconcile_chain covers a crash between.
        for opened in self._spool.leftovers():
            recover_leftover(self._spool, opened, self._clock())
        return reconcile_chain(self._spool, self._store)

    def run(self) -> RecorderOutcome:
        self._spool.prepare()
        chain = self._recover()
        pending = None
        if chain.accounted_until is not None and self.camera.is_live:
            pending = PendingGap(
                start=chain.accounted_until, cause=GapCause.RECORDER_DOWN, detail="recorder was not running"
            )
        uploader = Uploader(self._store, self._spool, self._metrics, self._clock, self._config.upload_retry_max_seconds)
        upload_stop = threading.Event()
        upload_thread = threading.Thread(target=uploader.run, args=(upload_stop,), name="uploader", daemon=True)
        upload_thread.start()
        try:
            outcome = self._record(chain, pending, uploader)
        finally:
            upload_stop.set()
            uploader.wake.set()
            upload_thread.join()
        if outcome.exit_code != EXIT_OK:
            return outcome
        drain_limit = self._config.drain_seconds if self.camera.is_live else float("inf")
        if uploader.drain(drain_limit):
            return outcome
        left = self._spool.ready_count()
        message = f"camera {self.camera.camera}: {left} item(s) still in the spool; they upload at next start"
        return RecorderOutcome(EXIT_OK if self.camera.is_live else EXIT_SPOOL_LEFT, message)

    def _record(self, chain: ChainState, pending: PendingGap | None, uploader: Uploader) -> RecorderOutcome:
        attempt = 0
        ever_connected = False
        while not self._stop.is_set():
            session = CameraSession(
                self.camera, self._spool, chain, self._config, self._clock, self._stop, self._metrics,
                pending, self._start_time,
            )  # fmt: skip
            try:
                result = session.run()
            except SourceError as exc:
                if not ever_connected and not self._wait_for_camera:
                    return RecorderOutcome(EXIT_CAMERA, str(exc))
                logger.warning("%s", exc)
                chain, pending = session.chain, session.pending_gap or self._gap_from(chain, str(exc))
            else:
                # The session closes the pending gap once footage flows: take its view of both.
                chain, pending = session.chain, session.pending_gap
                ever_connected = ever_connected or result.connected
                if result.connected:
                    attempt = 0
                if result.end is SessionEnd.STOPPED:
                    break
                if result.end is SessionEnd.SOURCE_ENDED and not self.camera.is_live:
                    return RecorderOutcome(
                        EXIT_OK, f"camera {self.camera.camera}: file recorded to seq {chain.last_seq}"
                    )
                if result.end is SessionEnd.SPOOL_FULL:
                    pending = self._wait_for_spool(chain, result.disk_full)
                    continue
                pending = session.pending_gap or self._gap_from(chain, result.detail)
            self._metrics.reconnect()
            delay = backoff_delay_s(
                attempt, self._config.reconnect_initial_seconds, self._config.reconnect_max_seconds, self._rng
            )
            attempt += 1
            logger.info("camera %s: reconnecting in %.1fs", self.camera.camera, delay)
            uploader.wake.set()
            self._stop.wait(delay)
        if pending is not None and pending.cause is not GapCause.RECORDER_DOWN:
            # Stopping while the camera is down: close that gap now, the restart opens its own.
            session = CameraSession(
                self.camera, self._spool, chain, self._config, self._clock, self._stop, self._metrics
            )
            session.close_gap(pending, self._clock())
        return RecorderOutcome(EXIT_OK, f"camera {self.camera.camera}: stopped at seq {chain.last_seq}")

    def _gap_from(self, chain: ChainState, detail: str) -> PendingGap:
        start = chain.accounted_until or self._clock()
        return PendingGap(start=start, cause=GapCause.CAMERA_UNREACHABLE, detail=f"camera unreachable: {detail}")

    def _wait_for_spool(self, chain: ChainState, disk_full: bool) -> PendingGap:
        self._metrics.spool_full(True)
        free = self._spool.free_bytes()
        needed = spool_room_needed(
            self._config.min_free_spool_bytes, free, self._spool.largest_ready_bytes() if disk_full else None
        )
        logger.error(
            "camera %s: ALARM spool has %d bytes free (%s): not taking footage until uploads free %d bytes",
            self.camera.camera, free, "out of space" if disk_full else "below its minimum", needed,
        )  # fmt: skip
        while not self._stop.is_set() and self._spool.free_bytes() < needed:
            self._stop.wait(1.0)
        self._metrics.spool_full(False)
        start = chain.accounted_until or self._clock()
        return PendingGap(start=start, cause=GapCause.SPOOL_FULL, detail="spool disk below its free-space minimum")
