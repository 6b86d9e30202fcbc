"""A generated month of catalogued footage: segment rows with objects in a local store, and what to keep.

Three cameras record one 10 s segment an hour for 30 days (2160 segments). Centre `c1` keeps
footage 7 days (cameras cam-a, cam-b), centre `c2` the configured default, 14 days (cam-c).
Segment starts sit 30 minutes off the cut-offs, so seconds of clock drift change nothing.
Special cases, all old enough to go otherwise, are listed in `Month` by (camera, seq).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert
from sqlalchemy.orm import Session

from seffaf.catalog.case_tables import CaseRow, HoldRow
from seffaf.catalog.connect import Catalog
from seffaf.catalog.finding_tables import FindingRow, VerdictRow
from seffaf.catalog.footage_tables import SegmentRow
from seffaf.catalog.sites_repo import store_sites
from seffaf.config import RetentionConfig
from seffaf.keys import SegmentKey
from seffaf.sites import Camera, Center, Sites, Window
from seffaf.storage.local import LocalObjectStore

CAMERAS = {"cam-a": ("c1", 1), "cam-b": ("c1", 2), "cam-c": ("c2", 1)}
PERIOD_DAYS = {"c1": 7, "c2": 14}
HOURS = 30 * 24
CONFIG = RetentionConfig(default_days=14, plan_batch=97, delete_batch=40)  # odd sizes: pages split runs
SITES = Sites(
    center=[Center(id="c1", name="One", timezone="UTC", retention_days=7), Center(id="c2", name="Two", timezone="UTC")],
    window=[Window(center=c, number=n, camera=cam) for cam, (c, n) in CAMERAS.items()],
    camera=[Camera(id=cam, source=f"rtsp://{cam}") for cam in CAMERAS],
)

Seg = tuple[str, int]


@dataclass
class Month:
    now: datetime
    store: LocalObjectStore
    keys: dict[Seg, str] = field(default_factory=dict)
    held: Seg = ("cam-a", 100)
    released_hold: Seg = ("cam-a", 101)  # its hold was released: it goes
    undecided: list[Seg] = field(default_factory=lambda: [("cam-b", 200), ("cam-b", 201)])
    decided: Seg = ("cam-b", 300)  # its finding has a final verdict: it goes
    unverified: Seg = ("cam-c", 50)
    failed_verification: Seg = ("cam-c", 51)
    case_id: int = 0
    finding_id: int = 0

    def start(self, seq: int) -> datetime:
        return self.now - timedelta(days=30) + timedelta(minutes=30) + timedelta(hours=seq - 1)

    def old(self, segment: Seg) -> bool:
        camera, seq = segment
        period = timedelta(days=PERIOD_DAYS[CAMERAS[camera][0]])
        return self.start(seq) + timedelta(seconds=10) <= self.now - period

    def expected_deleted(self) -> set[Seg]:
        kept = {self.held, *self.undecided, self.unverified, self.failed_verification}
        return {s for s in self.keys if self.old(s)} - kept


def _finding(session: Session, month: Month, camera: str, seqs: list[int], status: str | None) -> int:
    center, window = CAMERAS[camera]
    # The finding's range lies inside the segments (the player's padding would reach nothing else: an hour apart).
    start, end = month.start(seqs[0]) + timedelta(seconds=2), month.start(seqs[-1]) + timedelta(seconds=8)
    row = FindingRow(subject=f"idle:{center}/{window}/{start.isoformat()}", rule_id="idle_citizen",
                     ruleset="asan-default", ruleset_version="1.0", principle="responsibility", severity="medium",
                     title="idle", center=center, service_date=date(start.year, start.month, start.day),
                     window=window, operator=None, ticket=None, leg_index=None, visit_id=None, start=start, end=end,
                     evidence=[], facts={}, explanation="x", evaluated_at=start)  # fmt: skip
    session.add(row)
    session.flush()
    if status is not None:
        session.add(VerdictRow(finding_id=row.id, verdict=status, status=status, reviewer="r", decided_at=end))
    return row.id


def make_month(catalog: Catalog, root: Path, now: datetime) -> Month:
    month = Month(now=now, store=LocalObjectStore(root))
    rows: list[dict[str, object]] = []
    with catalog.sessions() as session, session.begin():
        store_sites(session, SITES)
        for camera, (center, window) in CAMERAS.items():
            for seq in range(1, HOURS + 1):
                start = month.start(seq)
                key = SegmentKey(camera, seq, start)
                for object_key, body in ((key.encode(), f"media {camera} {seq}"), (key.manifest_key, "{}")):
                    path = root / object_key  # plain files: the store's layout, without 4320 fsyncs
                    path.parent.mkdir(parents=True, exist_ok=True)
                    path.write_text(body)
                verified = {month.unverified: None, month.failed_verification: False}.get((camera, seq), True)
                rows.append({"key": key.encode(), "camera": camera, "seq": seq, "center": center, "window": window,
                             "start": start, "end": start + timedelta(seconds=10), "duration_s": 10.0,
                             "size_bytes": 100, "sha256": f"{seq:064x}", "prev_sha256": None,
                             "audio_status": "copied", "recovered": False,
                             "verified_at": now if verified is not None else None,
                             "verified_ok": verified})  # fmt: skip
                month.keys[(camera, seq)] = key.encode()
        session.execute(insert(SegmentRow), rows)
        case = CaseRow(status="open", opened_by="h", opened_at=now)
        session.add(case)
        session.flush()
        month.case_id = case.id
        for segment, released in ((month.held, None), (month.released_hold, now)):
            session.add(HoldRow(case_id=case.id, segment_key=month.keys[segment], camera=segment[0], seq=segment[1],
                                placed_by="h", placed_at=now, released_at=released))  # fmt: skip
        month.finding_id = _finding(session, month, "cam-b", [s for _, s in month.undecided], "awaiting_senior")
        _finding(session, month, "cam-b", [month.decided[1]], "dismissed")
    return month
