"""One leg's footage for a package: its segments fetched and checked, its clip cut, redacted if asked.

Every segment fetched from the store is hashed on the way and compared with the catalog: a
package never carries footage whose hash the chain does not vouch for.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from seffaf.evidence.assemble import ExportError, LegFootage
from seffaf.evidence.clip import ClipCutter, ClipPart
from seffaf.evidence.layout import clip_member, original_member
from seffaf.evidence.manifest import ClipRecord, RedactionRecord, SegmentRecord
from seffaf.evidence.redactor import Redactor
from seffaf.storage.base import ObjectStore, sha256_file


@dataclass(frozen=True)
class LegFiles:
    clip: ClipRecord
    segments: list[SegmentRecord]  # with `member` set when originals are included
    members: dict[str, Path]  # package path -> local file


def fetch_segment(store: ObjectStore, segment: SegmentRecord, target: Path) -> Path:
    digest = hashlib.sha256()
    with target.open("wb") as handle:
        for chunk in store.iter_chunks(segment.key):
            digest.update(chunk)
            handle.write(chunk)
    if digest.hexdigest() != segment.sha256:
        raise ExportError(f"segment {segment.key}: the stored bytes hash to {digest.hexdigest()}, the catalog "
                          f"and its chain say {segment.sha256}; refusing to export altered footage")  # fmt: skip
    return target


class LegClipMaker:
    def __init__(self, store: ObjectStore, work_dir: Path, cutter: ClipCutter | None = None) -> None:
        self._store = store
        self._work_dir = work_dir
        self._cutter = cutter or ClipCutter()

    def make(self, footage: LegFootage, leg_dir: str, include_originals: bool, redactor: Redactor | None) -> LegFiles:
        local = self._work_dir / leg_dir
        (local / "originals").mkdir(parents=True, exist_ok=True)
        fetched = {s.seq: fetch_segment(self._store, s, local / "originals" / f"{s.seq:012d}.mp4")
                   for s in footage.segments}  # fmt: skip
        by_seq = {s.seq: s for s in footage.segments}
        parts = [ClipPart(fetched[cut.seq], by_seq[cut.seq].key, by_seq[cut.seq].start, cut) for cut in footage.cuts]
        copied = local / "clip-stream-copy.mp4"
        cut = self._cutter.cut(parts, copied)
        starts_at = parts[0].start + timedelta(seconds=cut.start_offset_s)
        clip_path, redaction = copied, None
        if redactor is not None:
            clip_path = local / "clip-redacted.mp4"
            result = redactor.redact(copied, clip_path, footage.keep_zone)
            redaction = RedactionRecord(method=result.method, frames=result.frames, faces_blurred=result.faces_blurred,
                                        unredacted_sha256=sha256_file(copied))  # fmt: skip
        member = clip_member(leg_dir)
        clip = ClipRecord(member=member, sha256=sha256_file(clip_path), size_bytes=clip_path.stat().st_size,
                          starts_at=starts_at, ends_at=starts_at + timedelta(seconds=cut.duration_s),
                          stream_copy=redaction is None, redaction=redaction)  # fmt: skip
        members = {member: clip_path}
        segments = footage.segments
        if include_originals:
            segments = [s.model_copy(update={"member": original_member(leg_dir, s.key)}) for s in footage.segments]
            members.update({s.member: fetched[s.seq] for s in segments if s.member is not None})
        return LegFiles(clip, segments, members)
