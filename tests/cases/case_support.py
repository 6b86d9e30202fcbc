"""Complaints, extra catalogued segments and a hold sink that remembers, for the case tests."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from seffaf.cases.complaint_intake import ComplaintIn
from seffaf.catalog.case_tables import HoldRow
from seffaf.catalog.footage_tables import SegmentRow
from tests.support.recorded_leg import CAMERA, T0

DAY = date(2026, 5, 4)


def complaint(reference: str = "C-17", **fields: object) -> ComplaintIn:
    """'At window 7 on 4 May around 10:00, ticket A9': the recorded leg's visit (tests/support/recorded_leg.py)."""
    given: dict[str, object] = {"reference": reference, "received_on": date(2026, 5, 6), "channel": "phone",
                                "center": "baku-1", "window": 7, "service_date": DAY, "time_from": time(9, 55),
                                "time_to": time(10, 10), "ticket": "A9", "description": "asked for money"}  # fmt: skip
    return ComplaintIn.model_validate({**given, **fields})


def add_segment(session: Session, seq: int, start_s: float, end_s: float, camera: str = CAMERA) -> str:
    """A catalogued segment of `camera` from T0+start_s to T0+end_s; returns its key."""
    key = f"segments/{camera}/extra_{seq:06d}.mp4"
    start, end = T0 + timedelta(seconds=start_s), T0 + timedelta(seconds=end_s)
    session.add(SegmentRow(key=key, camera=camera, seq=seq, center="baku-1", window=7, start=start, end=end,
                           duration_s=end_s - start_s, size_bytes=1, sha256="0" * 64, prev_sha256=None,
                           audio_status="copied"))  # fmt: skip
    return key


def segment_keys(session: Session, camera: str = CAMERA) -> dict[int, str]:
    query = select(SegmentRow.seq, SegmentRow.key).where(SegmentRow.camera == camera)
    return {seq: key for seq, key in session.execute(query)}


def hold_rows(session: Session, case_id: int) -> list[HoldRow]:
    return list(session.scalars(select(HoldRow).where(HoldRow.case_id == case_id).order_by(HoldRow.seq)))


class RememberingSink:
    """A store that supports object legal holds, as far as the case code can tell: it remembers them."""

    def __init__(self) -> None:
        self.held: set[str] = set()
        self.released: list[str] = []

    def place_hold(self, segment_key: str) -> bool:
        self.held.add(segment_key)
        return True

    def release_hold(self, segment_key: str) -> None:
        self.held.discard(segment_key)
        self.released.append(segment_key)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)
