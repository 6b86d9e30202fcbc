"""One indexing pass: discover new footage, re-link the legs it touches, link new legs."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from indexer.coverage import DEFAULT_PAD_S
from indexer.discovery import Discoverer
from indexer.job_kinds import ANALYSE_SEGMENT, VERIFY_SEGMENT
from indexer.jobs import enqueue
from indexer.linker import Linker
from seffaf.catalog.sites_tables import CameraRow, WindowRow
from seffaf.clock import Clock
from seffaf.storage.base import ObjectStore


@dataclass(frozen=True)
class IndexPass:
    segments: int
    gaps: int
    legs_marked: int
    legs_linked: int


class Indexer:
    def __init__(self, sessions: sessionmaker[Session], store: ObjectStore, clock: Clock, pad_s: float = DEFAULT_PAD_S):
        self._sessions = sessions
        self._store = store
        self._clock = clock
        self._pad_s = pad_s

    def run_once(self) -> IndexPass:
        with self._sessions() as session, session.begin():
            cameras = set(session.scalars(select(CameraRow.id)))
            cameras |= {c for c in session.scalars(select(WindowRow.camera)) if c is not None}
            discovered = Discoverer(self._store, session).run(cameras)
            for kind in (VERIFY_SEGMENT, ANALYSE_SEGMENT):
                enqueue(session, kind, discovered.new_segment_keys, self._clock())
            linker = Linker(session, self._clock, self._pad_s)
            marked = linker.mark_stale(discovered)
            linked = linker.link_pending()
        return IndexPass(discovered.segments, discovered.gaps, marked, linked)
