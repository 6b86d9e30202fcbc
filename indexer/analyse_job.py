"""The analyse_segment job: run the footage analytics on one stored segment, keep what they saw.

Results are cached by segment hash and detector versions: the same bytes analysed by the same
detectors are not analysed again. A segment's observations are replaced as a whole, so a job
run twice leaves one set.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import cast

from sqlalchemy import Table, delete, select
from sqlalchemy.orm import Session

from indexer.analytics.observations import analyse_segment, cache_key
from indexer.jobs import Claim
from indexer.worker import Handler
from indexer.zones import zones_for
from seffaf.catalog.bulk import ValueEncoder, insert_tuples
from seffaf.catalog.footage_tables import SegmentRow
from seffaf.catalog.observation_tables import ObservationRow
from seffaf.storage.base import ObjectStore

OBSERVATIONS = cast(Table, ObservationRow.__table__)
COLUMNS = ("segment_key", "cache_key", "camera", "start", "end", "kind", "value", "confidence", "detector",
           "detector_version")  # fmt: skip


def analyse_segment_job(store: ObjectStore) -> Handler:
    def handle(session: Session, job: Claim) -> dict[str, object]:
        segment = session.get(SegmentRow, job.subject)
        if segment is None:
            return {"analysed": False, "reason": "segment not in the catalog"}
        key = cache_key(segment.sha256)
        cached = session.scalar(select(ObservationRow.cache_key).where(ObservationRow.segment_key == segment.key))
        if cached == key:
            return {"analysed": False, "cached": True, "cache_key": key}
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "segment.mp4"
            path.write_bytes(store.get(segment.key))
            analysis = analyse_segment(path, segment.camera, segment.start, zones_for(session, segment.camera), None)
        session.execute(delete(ObservationRow).where(ObservationRow.segment_key == segment.key))
        encode = ValueEncoder(session.connection().dialect.name)
        rows = [
            (
                segment.key,
                key,
                o.camera,
                encode.datetime(o.start),
                encode.datetime(o.end),
                o.kind,
                o.value,
                o.confidence,
                o.detector,
                o.detector_version,
            )
            for o in analysis.observations
        ]
        insert_tuples(session.connection(), OBSERVATIONS, COLUMNS, rows)
        return {"analysed": True, "observations": len(rows), "cache_key": key,
                "seconds": {name: round(s, 3) for name, s in analysis.timings_per_detector.items()}}  # fmt: skip

    return handle
