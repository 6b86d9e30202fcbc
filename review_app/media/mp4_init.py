"""The initialization section (ftyp ... moov) at the head of a stored fMP4 segment.

HLS wants it apart from the media (EXT-X-MAP). It is found by walking the top-level boxes of
the object's first bytes only: the recorder writes an empty moov first, about 1.3 KB.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from seffaf.storage.base import ObjectStore

HEAD_BYTES = 64 * 1024
MAX_INIT_BYTES = 4 * 1024 * 1024  # a moov this large is not an fMP4 init section
MEDIA_BOXES = frozenset({b"moof", b"mdat", b"sidx", b"styp"})


class NoInitSectionError(ValueError):
    """The object does not start with ftyp ... moov (not one of the recorder's segments)."""


@dataclass(frozen=True)
class InitFound:
    length: int


@dataclass(frozen=True)
class NeedBytes:
    total: int  # read at least this many bytes from the start, then look again


def locate_init(head: bytes, object_size: int) -> InitFound | NeedBytes:
    """Where moov ends, judged from the object's first bytes (pure)."""
    position = 0
    while position < object_size:
        if len(head) < position + 16 and len(head) < object_size:
            return NeedBytes(min(object_size, position + 16))
        if position + 8 > len(head):
            break
        size, kind = struct.unpack_from(">I4s", head, position)
        if size == 1:
            if position + 16 > len(head):
                break
            size = struct.unpack_from(">Q", head, position + 8)[0]
        if size < 8 or kind in MEDIA_BOXES:
            break  # size 0 ("to the end"), a broken header, or media before any moov
        end = position + size
        if kind == b"moov":
            if end > MAX_INIT_BYTES or end > object_size:
                break
            return InitFound(end) if end <= len(head) else NeedBytes(end)
        position = end
    raise NoInitSectionError("no ftyp ... moov at the start of the object")


def read_init(store: ObjectStore, key: str, object_size: int) -> bytes:
    """Read only the head of the object: one range request, a second when the moov is larger."""
    head = store.get_range(key, 0, min(HEAD_BYTES, object_size))
    while True:
        found = locate_init(head, object_size)
        if isinstance(found, InitFound):
            return head[: found.length]
        if found.total > MAX_INIT_BYTES:
            raise NoInitSectionError(f"initialization section larger than {MAX_INIT_BYTES} bytes")
        longer = store.get_range(key, 0, found.total)
        if len(longer) <= len(head):
            raise NoInitSectionError(f"object {key!r} is shorter than its boxes say")
        head = longer
