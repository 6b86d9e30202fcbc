"""HTTP Range: one range honoured, several or garbage answered whole, past the end refused."""

from __future__ import annotations

import pytest

from review_app.media.ranges import ByteRange, RangeAnswer, Unsatisfiable, parse_range

SIZE = 1000


@pytest.mark.parametrize(
    ("header", "size", "answer"),
    [
        (None, SIZE, None),
        ("bytes=0-99", SIZE, ByteRange(0, 99)),
        ("bytes=100-", SIZE, ByteRange(100, 999)),
        ("bytes=-100", SIZE, ByteRange(900, 999)),
        ("bytes=-5000", SIZE, ByteRange(0, 999)),  # a suffix longer than the object: all of it
        ("bytes=990-5000", SIZE, ByteRange(990, 999)),  # the end is clamped
        ("bytes=999-999", SIZE, ByteRange(999, 999)),
        ("BYTES = 5 - 9", SIZE, ByteRange(5, 9)),  # unit case-insensitive, whitespace tolerated
        ("bytes=1000-", SIZE, Unsatisfiable()),
        ("bytes=1000-1100", SIZE, Unsatisfiable()),
        ("bytes=-0", SIZE, Unsatisfiable()),
        ("bytes=0-", 0, Unsatisfiable()),  # nothing to send from an empty object
        ("bytes=-1", 0, Unsatisfiable()),
        ("bytes=9-5", SIZE, None),  # invalid: ignored, not refused (RFC 9110 14.1.1)
        ("bytes=0-1,5-9", SIZE, None),  # several ranges: answered whole
        ("bytes=-", SIZE, None),
        ("items=0-9", SIZE, None),
        ("bytes=a-b", SIZE, None),
        ("", SIZE, None),
    ],
)
def test_range_header(header: str | None, size: int, answer: RangeAnswer) -> None:
    assert parse_range(header, size) == answer


def test_content_range_headers() -> None:
    assert ByteRange(0, 99).content_range(SIZE) == "bytes 0-99/1000"
    assert ByteRange(0, 99).length == 100
    assert Unsatisfiable().content_range(SIZE) == "bytes */1000"
