"""The trace a deletion leaves in the store, beside the footage that remains.

The catalog can be rebuilt from the store alone, so deleting a segment's media and manifest
must not leave an unexplained hole there: each deletion batch (one camera) writes a record

    deletions/{camera}/{first_seq:012d}_{last_seq:012d}_{deleted_at}.json

naming every segment removed (key, time range, hashes: the hash chain stays checkable across
the hole), why, and by whom. It is written after the objects are gone and before the catalog
rows are removed, so the catalog still lists any segment a crash leaves without its record.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from seffaf.keys import SEQ_DIGITS, TIME_FORMAT, validate_camera_id
from seffaf.manifests import UtcDatetime
from seffaf.storage.base import ObjectStore

DELETIONS = "deletions"
_RECORD_NAME = re.compile(rf"/(?P<first>\d{{{SEQ_DIGITS}}})_(?P<last>\d{{{SEQ_DIGITS}}})_\d{{8}}T\d{{12}}Z\.json$")


class DeletionCause(StrEnum):
    RETENTION = "retention"
    EXPLICIT = "explicit"  # `seffaf footage delete` or the admin API


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DeletedSegment(_Frozen):
    seq: int = Field(ge=0)
    key: str
    manifest_key: str | None
    center: str | None
    window: int | None
    start: UtcDatetime
    end: UtcDatetime
    size_bytes: int = Field(ge=0)
    sha256: str
    prev_sha256: str | None


class DeletionRecord(_Frozen):
    schema_version: Literal[1] = 1
    kind: Literal["deletion"] = "deletion"
    camera: str
    cause: DeletionCause
    reason: str
    actor: str
    deleted_at: UtcDatetime
    segments: list[DeletedSegment] = Field(min_length=1)

    @property
    def key(self) -> str:
        first, last = self.segments[0].seq, self.segments[-1].seq
        at = self.deleted_at.strftime(TIME_FORMAT)
        return f"{deletion_prefix(self.camera)}{first:0{SEQ_DIGITS}d}_{last:0{SEQ_DIGITS}d}_{at}.json"


def deletion_prefix(camera: str) -> str:
    return f"{DELETIONS}/{validate_camera_id(camera)}/"


def write_record(store: ObjectStore, record: DeletionRecord) -> str:
    store.put_bytes(record.key, record.model_dump_json(indent=1).encode(), content_type="application/json")
    return record.key


def record_seqs(key: str) -> tuple[int, int] | None:
    """The first and last sequence number a record's key names; None: not a deletion record key."""
    match = _RECORD_NAME.search(key)
    return (int(match["first"]), int(match["last"])) if match and key.startswith(f"{DELETIONS}/") else None


def record_keys(store: ObjectStore, camera: str, seqs: tuple[int, int] | None = None) -> list[str]:
    """A camera's deletion record keys in sequence order; with seqs, only records reaching into that range."""
    keys = []
    for info in store.list(deletion_prefix(camera)):
        named = record_seqs(info.key)
        if named is not None and (seqs is None or (named[0] <= seqs[1] and seqs[0] <= named[1])):
            keys.append(info.key)
    return keys


def read_records(store: ObjectStore, camera: str, seqs: tuple[int, int] | None = None) -> Iterator[DeletionRecord]:
    """A camera's deletion records in sequence order (what a rebuild or chain check would read); seqs: as above."""
    for key in record_keys(store, camera, seqs):
        yield DeletionRecord.model_validate_json(store.get(key))
