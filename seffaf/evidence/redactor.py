"""What an export asks of redaction: a clip in, a clip out with citizens' faces blurred.

Redaction is the only path that re-encodes footage; the export records the method and keeps the
hashes of both the redacted clip and the originals it came from.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol


@dataclass(frozen=True)
class ZoneBox:
    """[x0, y0, x1, y1] in 0..1 of the picture."""

    x0: float
    y0: float
    x1: float
    y1: float


@dataclass(frozen=True)
class RedactionResult:
    method: str  # e.g. "centerface blur v1": recorded in the manifest
    frames: int
    faces_blurred: int


class Redactor(Protocol):
    def redact(self, source: Path, target: Path, keep: ZoneBox | None) -> RedactionResult:
        """Write `target`: `source` with every detected face blurred except inside `keep` (the operator's zone)."""
        ...
