"""HTTP Range requests (RFC 9110 14.2) for one byte range: what to send (pure, table-tested).

A single range is honoured; several ranges are answered with the whole object (RFC 9110
allows a server to ignore Range, and players ask for one). A header that does not parse is
ignored the same way; a range starting at or past the end is 416.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_SINGLE = re.compile(r"^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class ByteRange:
    start: int
    end: int  # inclusive, as in Content-Range

    @property
    def length(self) -> int:
        return self.end - self.start + 1

    def content_range(self, size: int) -> str:
        return f"bytes {self.start}-{self.end}/{size}"


@dataclass(frozen=True)
class Unsatisfiable:
    def content_range(self, size: int) -> str:
        return f"bytes */{size}"


RangeAnswer = ByteRange | Unsatisfiable | None  # None: send the whole object (200)


def parse_range(header: str | None, size: int) -> RangeAnswer:
    if header is None:
        return None
    match = _SINGLE.match(header)
    if match is None:
        return None  # several ranges, another unit, or garbage
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:  # suffix: the last N bytes
        suffix = int(last)
        if suffix == 0 or size == 0:
            return Unsatisfiable()
        return ByteRange(max(0, size - suffix), size - 1)
    start = int(first)
    end = int(last) if last else size - 1
    if last and end < start:
        return None  # invalid syntax: ignored, not refused
    if start >= size:
        return Unsatisfiable()
    return ByteRange(start, min(end, size - 1))
