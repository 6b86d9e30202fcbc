"""Verify a camera's stored footage: object hashes, chain links, sequence continuity.

`check_chain` is pure (table-tested); `load_chain` reads the store to feed it. Segments a deletion
record lists (retention, explicit deletes) are no break: the chain is followed through the hashes
the record kept, so only the deletion explains their absence, and nothing else.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum

from pydantic import ValidationError

from seffaf.keys import GapKey, KeyLayoutError, SegmentKey, gap_prefix, segment_prefix
from seffaf.manifests import GapManifest, SegmentManifest
from seffaf.retention.tombstones import DeletedSegment, DeletionRecord, record_keys
from seffaf.storage.base import ObjectNotFoundError, ObjectStore

MANIFEST_ABSENT = "manifest object is absent"


class ProblemKind(StrEnum):
    MISSING = "missing"
    ALTERED = "altered"
    REORDERED = "reordered"


@dataclass(frozen=True)
class StoredSegment:
    """One segment as found in the store: its keys, manifest (if readable) and actual hash."""

    seq: int
    media_key: str
    manifest: SegmentManifest | None
    manifest_error: str | None
    actual_sha256: str | None  # None: media object absent


@dataclass(frozen=True)
class _Tombstone:
    """A deleted segment as its deletion record describes it."""

    record_key: str
    segment: DeletedSegment


@dataclass(frozen=True)
class Problem:
    kind: ProblemKind
    seq: int
    key: str
    detail: str


@dataclass(frozen=True)
class Hole:
    start: datetime
    end: datetime
    after_seq: int
    gap_key: str | None  # the recorded gap or deletion record that explains it; None: unexplained

    @property
    def seconds(self) -> float:
        return (self.end - self.start).total_seconds()


@dataclass
class ChainReport:
    camera: str
    segments_checked: int = 0
    problems: list[Problem] = field(default_factory=list)
    recorded_gaps: list[Hole] = field(default_factory=list)
    unexplained_holes: list[Hole] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.problems and not self.unexplained_holes


def _integrity_problems(segment: StoredSegment) -> list[Problem]:
    manifest = segment.manifest
    if manifest is None:
        kind = ProblemKind.MISSING if segment.manifest_error == MANIFEST_ABSENT else ProblemKind.ALTERED
        return [Problem(kind, segment.seq, segment.media_key, f"manifest unreadable: {segment.manifest_error}")]
    if manifest.seq != segment.seq or manifest.key != segment.media_key:
        return [Problem(ProblemKind.REORDERED, segment.seq, segment.media_key,
                        f"manifest describes seq {manifest.seq} at {manifest.key}")]  # fmt: skip
    if segment.actual_sha256 is None:
        return [Problem(ProblemKind.MISSING, segment.seq, segment.media_key, "media object is absent")]
    if segment.actual_sha256 != manifest.sha256:
        return [Problem(ProblemKind.ALTERED, segment.seq, segment.media_key,
                        f"SHA-256 is {segment.actual_sha256}, manifest says {manifest.sha256}")]  # fmt: skip
    return []


def _covering_gap(
    start: datetime, end: datetime, gaps: Sequence[GapManifest], tolerance_s: float
) -> GapManifest | None:
    for gap in gaps:
        if (gap.start - start).total_seconds() <= tolerance_s and (end - gap.end).total_seconds() <= tolerance_s:
            return gap
    return None


def check_chain(
    camera: str,
    segments: Sequence[StoredSegment],
    gaps: Sequence[GapManifest],
    tolerance_s: float = 1.0,
    checked_from_seq: int | None = None,
    deletions: Sequence[DeletionRecord] = (),
) -> ChainReport:
    """segments: sorted by seq; the first may be context only (seq < checked_from_seq)."""
    report = ChainReport(camera)
    by_sha = {s.manifest.sha256: s.seq for s in segments if s.manifest is not None}
    deleted = {gone.seq: _Tombstone(record.key, gone) for record in deletions for gone in record.segments}
    previous: StoredSegment | None = None
    for segment in segments:
        in_range = checked_from_seq is None or segment.seq >= checked_from_seq
        if in_range:
            report.segments_checked += 1
            report.problems.extend(_integrity_problems(segment))
        if previous is not None and in_range:
            bridge = [deleted[seq] for seq in range(previous.seq + 1, segment.seq) if seq in deleted]
            _check_link(report, previous, segment, by_sha, bridge)
            _check_time(report, previous, segment, gaps, tolerance_s, bridge)
        previous = segment
    return report


def _check_link(
    report: ChainReport, previous: StoredSegment, segment: StoredSegment, by_sha: dict[str, int],
    bridge: Sequence[_Tombstone],
) -> None:  # fmt: skip
    gone = {tombstone.segment.seq for tombstone in bridge}
    for missing_seq in range(previous.seq + 1, segment.seq):
        if missing_seq not in gone:
            detail = f"no manifest, media or deletion record between {previous.media_key} and {segment.media_key}"
            report.problems.append(Problem(ProblemKind.MISSING, missing_seq, "", detail))
    if previous.manifest is None or segment.manifest is None or segment.seq != previous.seq + 1 + len(bridge):
        return
    # Through the deleted segments by the hashes their record kept, then on to this segment.
    expected, source = previous.manifest.sha256, f"seq {previous.seq}"
    for tombstone in bridge:
        deleted = tombstone.segment
        if deleted.prev_sha256 != expected:
            detail = f"deletion record {tombstone.record_key}: chain link {deleted.prev_sha256} does not match {source}"
            report.problems.append(Problem(ProblemKind.ALTERED, deleted.seq, deleted.key, f"{detail} ({expected})"))
        expected, source = deleted.sha256, f"deleted seq {deleted.seq}"
    link = segment.manifest.prev_sha256
    if link == expected:
        return
    if link is not None and link in by_sha:
        detail = f"links to seq {by_sha[link]} instead of {source}"
        report.problems.append(Problem(ProblemKind.REORDERED, segment.seq, segment.media_key, detail))
    else:
        detail = f"chain link {link} does not match {source} ({expected})"
        report.problems.append(Problem(ProblemKind.ALTERED, segment.seq, segment.media_key, detail))


def _check_time(
    report: ChainReport,
    previous: StoredSegment,
    segment: StoredSegment,
    gaps: Sequence[GapManifest],
    tolerance_s: float,
    bridge: Sequence[_Tombstone],
) -> None:
    if previous.manifest is None or segment.manifest is None:
        return
    cursor, after_seq = previous.manifest.end, previous.seq
    for tombstone in bridge:
        deleted = tombstone.segment
        _explain_time(report, cursor, deleted.start, after_seq, gaps, tolerance_s)
        _add_deleted_time(report, tombstone, tolerance_s)
        cursor, after_seq = max(cursor, deleted.end), deleted.seq
    _explain_time(report, cursor, segment.manifest.start, after_seq, gaps, tolerance_s)


def _explain_time(
    report: ChainReport, start: datetime, end: datetime, after_seq: int, gaps: Sequence[GapManifest],
    tolerance_s: float,
) -> None:  # fmt: skip
    if (end - start).total_seconds() <= tolerance_s:
        return
    gap = _covering_gap(start, end, gaps, tolerance_s)
    hole = Hole(start, end, after_seq, gap.key if gap else None)
    (report.recorded_gaps if gap else report.unexplained_holes).append(hole)


def _add_deleted_time(report: ChainReport, tombstone: _Tombstone, tolerance_s: float) -> None:
    """Deleted footage is a hole its record explains; one hole per run of one record."""
    deleted = tombstone.segment
    last = report.recorded_gaps[-1] if report.recorded_gaps else None
    if last is None or last.gap_key != tombstone.record_key or (deleted.start - last.end).total_seconds() > tolerance_s:
        report.recorded_gaps.append(Hole(deleted.start, deleted.end, deleted.seq - 1, tombstone.record_key))
    else:
        report.recorded_gaps[-1] = replace(last, end=max(last.end, deleted.end))


def load_chain(
    store: ObjectStore, camera: str, since: datetime | None = None, until: datetime | None = None
) -> ChainReport:
    """Read manifests and hash every object in [since, until] (by segment start), plus one before."""
    keys = [info.key for info in store.list(segment_prefix(camera))]
    media = {SegmentKey.decode(k).seq: k for k in keys if k.endswith(".mp4") and _is_segment_key(k)}
    manifests = {SegmentKey.decode(k).seq: k for k in keys if k.endswith(".json") and _is_segment_key(k)}
    all_seqs = sorted(set(media) | set(manifests))

    def start_of(seq: int) -> datetime:
        return SegmentKey.decode(media.get(seq) or manifests[seq]).start

    in_range = [
        s for s in all_seqs if (since is None or start_of(s) >= since) and (until is None or start_of(s) <= until)
    ]
    if not in_range:
        return ChainReport(camera)
    context = [s for s in all_seqs if s < in_range[0]][-1:]
    stored = [_load_one(store, seq, media.get(seq), manifests.get(seq)) for seq in context + in_range]
    gaps = [_load_gap(store, info.key) for info in store.list(gap_prefix(camera)) if _is_gap_key(info.key)]
    records = [_load_record(store, key) for key in record_keys(store, camera, (stored[0].seq, in_range[-1]))]
    return check_chain(camera, stored, [g for g in gaps if g is not None], checked_from_seq=in_range[0],
                       deletions=[r for r in records if r is not None])  # fmt: skip


def _is_segment_key(key: str) -> bool:
    try:
        SegmentKey.decode(key)
    except KeyLayoutError:
        return False
    return True


def _is_gap_key(key: str) -> bool:
    try:
        GapKey.decode(key)
    except KeyLayoutError:
        return False
    return True


def _load_one(store: ObjectStore, seq: int, media_key: str | None, manifest_key: str | None) -> StoredSegment:
    manifest, error = None, None
    if manifest_key is None:
        error = MANIFEST_ABSENT
    else:
        try:
            manifest = SegmentManifest.model_validate_json(store.get(manifest_key))
        except ValidationError as exc:
            error = f"{exc.error_count()} schema error(s), first: {exc.errors()[0]['msg']}"
    key = media_key or (manifest.key if manifest else (manifest_key or "").removesuffix(".json") + ".mp4")
    actual = None
    if media_key is not None:
        try:
            actual = store.compute_sha256(media_key)
        except ObjectNotFoundError:
            actual = None
    return StoredSegment(seq, key, manifest, error, actual)


def _load_gap(store: ObjectStore, key: str) -> GapManifest | None:
    try:
        return GapManifest.model_validate_json(store.get(key))
    except (ValidationError, ObjectNotFoundError):
        return None


def _load_record(store: ObjectStore, key: str) -> DeletionRecord | None:
    """None: unreadable, so its segments count as missing (a record must not be trusted half-read)."""
    try:
        return DeletionRecord.model_validate_json(store.get(key))
    except (ValidationError, ObjectNotFoundError):
        return None
