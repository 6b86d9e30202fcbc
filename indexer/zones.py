"""Where the operator and the citizen are in a window camera's picture: the zones from the sites file.

Kept apart from the analytics so that code which only needs the zones (evidence redaction, the
review app) does not load OpenCV and the detectors.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from seffaf.catalog.sites_tables import WindowRow


@dataclass(frozen=True)
class Zone:
    """A rectangle in normalized coordinates (0..1, origin top left)."""

    x0: float
    y0: float
    x1: float
    y1: float

    def __post_init__(self) -> None:
        if not (0.0 <= self.x0 < self.x1 <= 1.0 and 0.0 <= self.y0 < self.y1 <= 1.0):
            raise ValueError(f"zone must satisfy 0 <= x0 < x1 <= 1 and 0 <= y0 < y1 <= 1: {self}")

    def contains(self, x: float, y: float) -> bool:
        return self.x0 <= x < self.x1 and self.y0 <= y < self.y1

    def expanded(self, margin: float) -> Zone:
        dx, dy = (self.x1 - self.x0) * margin, (self.y1 - self.y0) * margin
        return Zone(max(0.0, self.x0 - dx), max(0.0, self.y0 - dy), min(1.0, self.x1 + dx), min(1.0, self.y1 + dy))

    def pixels(self, width: int, height: int) -> tuple[int, int, int, int]:
        x0, y0 = int(self.x0 * width), int(self.y0 * height)
        return x0, y0, max(x0 + 1, round(self.x1 * width)), max(y0 + 1, round(self.y1 * height))


@dataclass(frozen=True)
class Zones:
    operator: Zone
    citizen: Zone


# Without zones in the sites file: the operator sits across the desk (top half of the picture
# from a camera behind the citizen), the citizen in the bottom half.
DEFAULT_ZONES = Zones(operator=Zone(0.0, 0.0, 1.0, 0.5), citizen=Zone(0.0, 0.5, 1.0, 1.0))


def zones_for(session: Session, camera: str) -> Zones:
    window = session.scalars(select(WindowRow).where(WindowRow.camera == camera)).first()
    if window is None:
        return DEFAULT_ZONES
    operator = Zone(*window.operator_zone) if window.operator_zone else DEFAULT_ZONES.operator
    citizen = Zone(*window.citizen_zone) if window.citizen_zone else DEFAULT_ZONES.citizen
    return Zones(operator=operator, citizen=citizen)
