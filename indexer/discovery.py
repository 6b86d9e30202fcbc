"""Finding new segment and gap manifests and deletion records in the store, camera by camera, from a watermark.

Listing starts after the last manifest key processed for each camera, so a pass costs what is
new, never the whole history. The recorder uploads a segment's media before its manifest and
in sequence order, so once a manifest is seen everything before it is complete.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from seffaf.catalog.footage_tables import GapRow, IndexWatermarkRow, SegmentRow
from seffaf.keys import gap_prefix, segment_prefix
from seffaf.manifests import GapManifest, SegmentManifest
from seffaf.retention.deletion_gaps import add_gap_rows
from seffaf.retention.tombstones import DeletionRecord, deletion_prefix
from seffaf.storage.base import ObjectStore


@dataclass
class Discovered:
    segments: int = 0
    gaps: int = 0
    new_segment_keys: list[str] = field(default_factory=list)
    # camera -> the time range its new footage or gaps cover (for re-linking legs there)
    touched: dict[str, tuple[datetime, datetime]] = field(default_factory=dict)

    def touch(self, camera: str, start: datetime, end: datetime) -> None:
        old = self.touched.get(camera)
        self.touched[camera] = (min(start, old[0]), max(end, old[1])) if old else (start, end)


class Discoverer:
    def __init__(self, store: ObjectStore, session: Session) -> None:
        self._store = store
        self._session = session

    def run(self, cameras: Iterable[str]) -> Discovered:
        found = Discovered()
        for camera in sorted(set(cameras)):
            self._segments(camera, found)
            self._gaps(camera, found)
            self._deletions(camera, found)
        self._session.flush()
        return found

    def _manifest_keys(self, prefix: str) -> list[str]:
        watermark = self._session.get(IndexWatermarkRow, prefix)
        after = watermark.last_key if watermark else None
        return [info.key for info in self._store.list(prefix, start_after=after) if info.key.endswith(".json")]

    def _advance(self, prefix: str, last_key: str) -> None:
        self._session.merge(IndexWatermarkRow(prefix=prefix, last_key=last_key))

    def _segments(self, camera: str, found: Discovered) -> None:
        prefix = segment_prefix(camera)
        keys = self._manifest_keys(prefix)
        known = set(self._session.scalars(select(SegmentRow.seq).where(SegmentRow.camera == camera)))
        for key in keys:
            manifest = SegmentManifest.model_validate_json(self._store.get(key))
            if manifest.seq not in known:  # idempotent: a segment is recorded once
                self._session.add(
                    SegmentRow(
                        key=manifest.key,
                        camera=camera,
                        seq=manifest.seq,
                        center=manifest.center,
                        window=manifest.window,
                        start=manifest.start,
                        end=manifest.end,
                        duration_s=manifest.duration_s,
                        size_bytes=manifest.size_bytes,
                        sha256=manifest.sha256,
                        prev_sha256=manifest.prev_sha256,
                        audio_status=manifest.audio_status.value,
                        recovered=manifest.recovered,
                    )
                )
                known.add(manifest.seq)
                found.segments += 1
                found.new_segment_keys.append(manifest.key)
            found.touch(camera, manifest.start, manifest.end)
        if keys:
            self._advance(prefix, keys[-1])

    def _gaps(self, camera: str, found: Discovered) -> None:
        prefix = gap_prefix(camera)
        keys = self._manifest_keys(prefix)
        for key in keys:
            gap = GapManifest.model_validate_json(self._store.get(key))
            if self._session.get(GapRow, gap.key) is None:
                self._session.add(
                    GapRow(
                        key=gap.key,
                        camera=camera,
                        after_seq=gap.after_seq,
                        start=gap.start,
                        end=gap.end,
                        cause=gap.cause.value,
                        detail=gap.detail[:500],
                    )
                )
                found.gaps += 1
            found.touch(camera, gap.start, gap.end)
        if keys:
            self._advance(prefix, keys[-1])

    def _deletions(self, camera: str, found: Discovered) -> None:
        """Deleted footage as gap rows, the deleter's own (seffaf/retention/deletion_gaps.py).

        The deleter inserts them as it deletes, so this matters for a rebuild (no watermark: every
        record), and a record sorting before the watermark loses nothing. Legs are not marked stale:
        re-linking would re-judge long-reviewed legs on footage retention took away.
        """
        prefix = deletion_prefix(camera)
        keys = self._manifest_keys(prefix)
        for key in keys:
            found.gaps += len(add_gap_rows(self._session, DeletionRecord.model_validate_json(self._store.get(key))))
        if keys:
            self._advance(prefix, keys[-1])
