"""The init section (ftyp ... moov) is found from the head of a segment, reading no more than it needs."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from review_app.media.mp4_init import HEAD_BYTES, InitFound, NeedBytes, NoInitSectionError, locate_init, read_init
from seffaf.storage.local import LocalObjectStore


def box(kind: bytes, payload_size: int) -> bytes:
    return struct.pack(">I4s", 8 + payload_size, kind) + b"\0" * payload_size


def large_box(kind: bytes, payload_size: int) -> bytes:
    return struct.pack(">I4sQ", 1, kind, 16 + payload_size) + b"\0" * payload_size


FTYP, MOOV, MOOF, MDAT = box(b"ftyp", 20), box(b"moov", 1000), box(b"moof", 100), box(b"mdat", 5000)
FILE = FTYP + MOOV + MOOF + MDAT
INIT = len(FTYP + MOOV)


@pytest.mark.parametrize(
    ("head", "size", "answer"),
    [
        (FILE, len(FILE), InitFound(INIT)),
        (FILE[:INIT], len(FILE), InitFound(INIT)),  # exactly the init section read
        (FILE[:100], len(FILE), NeedBytes(INIT)),  # moov's header seen: its end is known
        (FILE[:30], len(FILE), NeedBytes(44)),  # moov's header cut: read 16 more bytes
        (FTYP + box(b"free", 8) + MOOV + MOOF, 10_000, InitFound(INIT + 16)),
        (FTYP + large_box(b"moov", 100) + MOOF, 10_000, InitFound(len(FTYP) + 116)),
    ],
)
def test_init_section_is_located_from_the_head(head: bytes, size: int, answer: InitFound | NeedBytes) -> None:
    assert locate_init(head, size) == answer


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(FTYP + MOOF + MDAT, id="media before any moov"),
        pytest.param(MOOF + MDAT, id="no ftyp, no moov"),
        pytest.param(FTYP + struct.pack(">I4s", 0, b"moov"), id="moov to the end of the file"),
        pytest.param(FTYP + struct.pack(">I4s", 4, b"moov") + b"\0" * 40, id="box smaller than its header"),
        pytest.param(FTYP + box(b"moov", 1000)[:200], id="moov longer than the object"),
        pytest.param(b"", id="empty object"),
        pytest.param(b"\0\0\0", id="three bytes"),
    ],
)
def test_objects_without_an_init_section_are_refused(data: bytes) -> None:
    with pytest.raises(NoInitSectionError):
        locate_init(data, len(data))


class CountingStore(LocalObjectStore):
    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.reads: list[tuple[int, int | None]] = []

    def get_range(self, key: str, offset: int = 0, length: int | None = None) -> bytes:
        self.reads.append((offset, length))
        return super().get_range(key, offset, length)


def test_a_small_init_is_one_read_of_the_head(tmp_path: Path) -> None:
    store = CountingStore(tmp_path)
    data = FTYP + MOOV + MOOF + box(b"mdat", 200_000)
    store.put_bytes("seg.mp4", data)
    assert read_init(store, "seg.mp4", len(data)) == FTYP + MOOV
    assert store.reads == [(0, HEAD_BYTES)]


def test_a_large_moov_takes_a_second_read_of_exactly_its_length(tmp_path: Path) -> None:
    store = CountingStore(tmp_path)
    moov = box(b"moov", 100_000)
    data = FTYP + moov + MOOF + box(b"mdat", 200_000)
    store.put_bytes("seg.mp4", data)
    assert read_init(store, "seg.mp4", len(data)) == FTYP + moov
    assert store.reads == [(0, HEAD_BYTES), (0, len(FTYP + moov))]
