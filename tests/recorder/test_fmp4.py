from __future__ import annotations

import struct

import pytest

from recorder.fmp4 import complete_fragments_length, scan_boxes


def box(kind: str, payload_size: int) -> bytes:
    return struct.pack(">I4s", 8 + payload_size, kind.encode()) + b"\x00" * payload_size


HEAD = box("ftyp", 16) + box("moov", 100)
FRAGMENT = box("moof", 40) + box("mdat", 500)


@pytest.mark.parametrize(
    ("data", "keep", "fragments"),
    [
        (b"", 0, 0),
        (box("ftyp", 16), 0, 0),  # no moov yet
        (HEAD[:-10], 0, 0),  # moov cut short
        (HEAD, len(HEAD), 0),  # header only
        (HEAD + FRAGMENT, len(HEAD + FRAGMENT), 1),
        (HEAD + FRAGMENT + FRAGMENT, len(HEAD) + 2 * len(FRAGMENT), 2),
        (HEAD + FRAGMENT + FRAGMENT[:-1], len(HEAD + FRAGMENT), 1),  # last mdat short by one byte
        (HEAD + FRAGMENT + box("moof", 40), len(HEAD + FRAGMENT), 1),  # moof without its mdat
        (HEAD + FRAGMENT + b"\x00\x00", len(HEAD + FRAGMENT), 1),  # torn header
        (HEAD + box("mdat", 10), len(HEAD), 0),  # mdat without moof is not a fragment
    ],
)
def test_partial_file_is_cut_after_the_last_complete_fragment(data: bytes, keep: int, fragments: int) -> None:
    assert complete_fragments_length(data) == (keep, fragments)


def test_large_size_boxes_are_understood() -> None:
    large = struct.pack(">I4sQ", 1, b"mdat", 16 + 4) + b"abcd"
    boxes, end = scan_boxes(box("moof", 8) + large)
    assert [b.kind for b in boxes] == ["moof", "mdat"]
    assert end == 16 + len(large)


def test_zero_size_box_stops_the_scan() -> None:
    boxes, end = scan_boxes(box("ftyp", 4) + struct.pack(">I4s", 0, b"mdat") + b"data")
    assert [b.kind for b in boxes] == ["ftyp"]
    assert end == 12
