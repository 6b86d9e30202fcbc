"""The on-disk queue of one camera's footage between the camera and the object store.

    {root}/{camera}/state.json          chain head: last seq, its hash, time accounted for
    {root}/{camera}/open/{seq}.json     sidecar of the segment being written
    {root}/{camera}/open/{seq}.mp4.part the segment being written
    {root}/{camera}/ready/{seq}.mp4     closed segment waiting for upload
    {root}/{camera}/ready/{seq}.json    its manifest (renamed last: presence = complete)
    {root}/{camera}/ready/gap-*.json    gap records waiting for upload

Every state change is a rename after an fsync, so a crash at any point leaves a state
that start-up recovery understands. Nothing here deletes a file that has not been
verified in the store (the uploader calls `remove` only after verification).
"""

from __future__ import annotations

import contextlib
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

from seffaf.durable import fsync_dir, write_atomically
from seffaf.manifests import AudioStatus, GapCause, GapManifest, SegmentManifest, UtcDatetime

SEQ_NAME = "{seq:012d}"


class SpoolError(Exception):
    """The spool directory cannot be used; the message says why."""


class ChainState(BaseModel):
    """The head of a camera's hash chain and how far its timeline is accounted for."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    last_seq: int = 0
    last_sha256: str | None = None
    last_key: str | None = None
    accounted_until: UtcDatetime | None = None

    @classmethod
    def after(cls, manifest: SegmentManifest) -> ChainState:
        """The chain head once this segment is committed."""
        return cls(last_seq=manifest.seq, last_sha256=manifest.sha256, last_key=manifest.key,
                   accounted_until=manifest.end)  # fmt: skip


class PendingGap(BaseModel):
    """An interruption whose end is not known yet: closed when footage flows again."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    start: UtcDatetime
    cause: GapCause
    detail: str


class OpenSegment(BaseModel):
    """Written when a segment file is opened, so a crash can be closed properly."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    camera: str
    center: str | None
    window: int | None
    seq: int
    key: str
    start: UtcDatetime
    prev_sha256: str | None
    source: str
    video_codec: str
    width: int
    height: int
    audio_source_codec: str | None
    audio_stored_codec: str | None
    audio_sample_rate: int
    audio_channels: int
    audio_status: AudioStatus
    warnings: list[str]
    gap_before: PendingGap | None = None


@dataclass(frozen=True)
class ReadySegment:
    manifest: SegmentManifest
    manifest_path: Path
    media_path: Path


@dataclass(frozen=True)
class ReadyGap:
    manifest: GapManifest
    manifest_path: Path


ReadyItem = ReadySegment | ReadyGap


def write_json_atomically(path: Path, payload: str) -> None:
    write_atomically(path, [payload.encode()])


class Spool:
    def __init__(self, root: Path, camera: str) -> None:
        self.camera = camera
        self.dir = root / camera
        self.open_dir = self.dir / "open"
        self.ready_dir = self.dir / "ready"
        self.state_path = self.dir / "state.json"

    def prepare(self) -> None:
        """Create the directories and prove we can write there (clear error otherwise)."""
        try:
            for directory in (self.open_dir, self.ready_dir):
                directory.mkdir(parents=True, exist_ok=True)
            probe = self.dir / f".write-probe-{uuid.uuid4().hex}"
            probe.write_bytes(b"ok")
            probe.unlink()
        except OSError as exc:
            raise SpoolError(f"spool directory {self.dir} is not writable: {exc.strerror or exc}") from exc

    # chain state

    def load_state(self) -> ChainState | None:
        try:
            return ChainState.model_validate_json(self.state_path.read_text())
        except FileNotFoundError:
            return None
        except ValidationError as exc:
            raise SpoolError(f"{self.state_path} is damaged: {exc.errors()[0]['msg']}") from exc

    def save_state(self, state: ChainState) -> None:
        write_json_atomically(self.state_path, state.model_dump_json())

    # segments being written

    def part_path(self, seq: int) -> Path:
        return self.open_dir / f"{SEQ_NAME.format(seq=seq)}.mp4.part"

    def sidecar_path(self, seq: int) -> Path:
        return self.open_dir / f"{SEQ_NAME.format(seq=seq)}.json"

    def pending_manifest_path(self, seq: int) -> Path:
        return self.open_dir / f"{SEQ_NAME.format(seq=seq)}.manifest.json"

    def begin(self, segment: OpenSegment) -> Path:
        write_json_atomically(self.sidecar_path(segment.seq), segment.model_dump_json())
        return self.part_path(segment.seq)

    def leftovers(self) -> list[OpenSegment]:
        found = []
        for path in sorted(self.open_dir.glob("*.json")):
            if path.name.endswith(".manifest.json"):
                continue
            found.append(OpenSegment.model_validate_json(path.read_text()))
        return found

    def commit(self, manifest: SegmentManifest) -> None:
        """Move a closed segment and its manifest to ready/ (manifest last)."""
        seq = manifest.seq
        pending = self.pending_manifest_path(seq)
        write_json_atomically(pending, manifest.model_dump_json(indent=2))
        self.finish_commit(seq)

    def finish_commit(self, seq: int) -> None:
        """Idempotent tail of `commit`, also used by recovery after a crash inside it."""
        name = SEQ_NAME.format(seq=seq)
        part, pending = self.part_path(seq), self.pending_manifest_path(seq)
        if part.exists():
            part.replace(self.ready_dir / f"{name}.mp4")
        if pending.exists():
            pending.replace(self.ready_dir / f"{name}.json")
        fsync_dir(self.ready_dir)
        with contextlib.suppress(FileNotFoundError):
            self.sidecar_path(seq).unlink()
        fsync_dir(self.open_dir)

    def discard_open(self, seq: int) -> None:
        """Forget an open segment that never got a single complete fragment."""
        for path in (self.part_path(seq), self.sidecar_path(seq), self.pending_manifest_path(seq)):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()

    # waiting for upload

    def add_gap(self, gap: GapManifest) -> None:
        name = f"gap-{gap.after_seq:012d}-{gap.start.strftime('%Y%m%dT%H%M%S%f')}-{gap.cause.value}.json"
        write_json_atomically(self.ready_dir / name, gap.model_dump_json(indent=2))

    def ready_items(self, limit: int | None = None) -> list[ReadyItem]:
        """What waits for upload: segments in sequence order, each gap after its segment.

        Ordered by file name alone, so only the first `limit` manifests are parsed.
        """
        ordered: list[tuple[tuple[int, int, str], Path]] = []
        for path in self.ready_dir.glob("*.json"):
            name = path.name
            if name.startswith("."):
                continue
            if name.startswith("gap-"):
                ordered.append(((int(name[4:16]), 1, name), path))
            else:
                ordered.append(((int(name[:12]), 0, name), path))
        ordered.sort(key=lambda pair: pair[0])
        items: list[ReadyItem] = []
        for (_, is_gap, _), path in ordered[:limit]:
            if is_gap:
                items.append(ReadyGap(GapManifest.model_validate_json(path.read_text()), path))
            else:
                manifest = SegmentManifest.model_validate_json(path.read_text())
                items.append(ReadySegment(manifest, path, path.with_suffix(".mp4")))
        return items

    def ready_count(self) -> int:
        return sum(1 for path in self.ready_dir.glob("*.json") if not path.name.startswith("."))

    def remove(self, item: ReadyItem) -> None:
        if isinstance(item, ReadySegment):
            item.media_path.unlink(missing_ok=True)
        item.manifest_path.unlink(missing_ok=True)
        fsync_dir(self.ready_dir)

    # disk

    def bytes_used(self) -> int:
        total = 0
        for directory in (self.open_dir, self.ready_dir):
            for path in directory.iterdir():
                with contextlib.suppress(FileNotFoundError):
                    total += path.stat().st_size
        return total

    def largest_ready_bytes(self) -> int:
        """The largest segment waiting for upload (0 when none): the room its upload will free."""
        return max((path.stat().st_size for path in self.ready_dir.glob("*.mp4")), default=0)

    def free_bytes(self) -> int:
        return shutil.disk_usage(self.dir).free
