"""Top-level ISO-BMFF box scanning, used to close a partial fMP4 left by a crash.

A fragmented MP4 written by the recorder is `ftyp moov (moof mdat)*`. After a kill -9
the tail may hold a fragment cut short; keeping everything up to the last complete
`mdat` that follows a `moof` yields a file that decodes to the last whole fragment.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

HEADER = struct.Struct(">I4s")
LARGE_SIZE = struct.Struct(">Q")


@dataclass(frozen=True)
class Box:
    kind: str
    offset: int
    size: int


def scan_boxes(data: bytes) -> tuple[list[Box], int]:
    """Complete top-level boxes, and the offset where the first incomplete one starts."""
    boxes: list[Box] = []
    offset = 0
    while offset + HEADER.size <= len(data):
        size, raw_kind = HEADER.unpack_from(data, offset)
        header = HEADER.size
        if size == 1:
            if offset + 16 > len(data):
                break
            (size,) = LARGE_SIZE.unpack_from(data, offset + 8)
            header = 16
        elif size == 0:  # "to end of file": only complete if the writer finished
            break
        if size < header or offset + size > len(data):
            break
        boxes.append(Box(raw_kind.decode("latin-1"), offset, size))
        offset += size
    return boxes, offset


def complete_fragments_length(data: bytes) -> tuple[int, int]:
    """Bytes to keep so the file ends after a whole fragment, and how many fragments that is.

    Returns (0, 0) when not even the header (ftyp + moov) is complete.
    """
    boxes, _ = scan_boxes(data)
    kinds = [box.kind for box in boxes]
    if "moov" not in kinds:
        return 0, 0
    keep = boxes[kinds.index("moov")].offset + boxes[kinds.index("moov")].size
    fragments = 0
    pending_moof = False
    for box in boxes[kinds.index("moov") + 1 :]:
        if box.kind == "moof":
            pending_moof = True
        elif box.kind == "mdat" and pending_moof:
            keep = box.offset + box.size
            fragments += 1
            pending_moof = False
        elif box.kind not in ("styp", "sidx", "prft", "free", "skip"):
            pending_moof = False
    return keep, fragments
