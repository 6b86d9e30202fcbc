"""The sites registry (TOML): centres, their windows and the cameras that film them."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from seffaf.keys import CAMERA_ID
from seffaf.toml_files import entry_line, read_toml


class SitesError(ValueError):
    """A sites file that cannot be used; the message names the entry and field."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Center(_Strict):
    id: str = Field(min_length=1, max_length=64)
    name: str
    timezone: str
    retention_days: int | None = Field(
        None, ge=1, le=36_500, description="Footage of this centre is kept this long; None: the configured default."
    )


ZoneBox = Annotated[list[float], Field(min_length=4, max_length=4)]


class Window(_Strict):
    center: str
    number: int = Field(ge=1)
    camera: str | None = None
    operator_zone: ZoneBox | None = Field(None, description="[x0, y0, x1, y1] in 0..1: the civil servant's side")
    citizen_zone: ZoneBox | None = Field(None, description="[x0, y0, x1, y1] in 0..1: the citizen's side")

    @model_validator(mode="after")
    def _zones_inside_the_picture(self) -> Window:
        for name in ("operator_zone", "citizen_zone"):
            box = getattr(self, name)
            if box is not None and not (0 <= box[0] < box[2] <= 1 and 0 <= box[1] < box[3] <= 1):
                raise ValueError(f"{name}: must be [x0, y0, x1, y1] with 0 <= x0 < x1 <= 1 and 0 <= y0 < y1 <= 1")
        return self


class Camera(_Strict):
    id: str = Field(pattern=CAMERA_ID.pattern)
    source: str


class Sites(_Strict):
    center: list[Center] = Field(default_factory=list)
    window: list[Window] = Field(default_factory=list)
    camera: list[Camera] = Field(default_factory=list)

    @model_validator(mode="after")
    def _references_resolve(self) -> Sites:
        centers = {c.id for c in self.center}
        cameras = {c.id for c in self.camera}
        for index, center in enumerate(self.center):
            try:
                ZoneInfo(center.timezone)
            except (ZoneInfoNotFoundError, ValueError) as exc:
                raise ValueError(f"center[{index}].timezone: unknown timezone {center.timezone!r}") from exc
        seen: set[tuple[str, int]] = set()
        for index, window in enumerate(self.window):
            if window.center not in centers:
                raise ValueError(f"window[{index}].center: unknown centre {window.center!r}")
            if window.camera is not None and window.camera not in cameras:
                raise ValueError(f"window[{index}].camera: unknown camera {window.camera!r}")
            if (window.center, window.number) in seen:
                raise ValueError(f"window[{index}].number: window {window.number} of {window.center} listed twice")
            seen.add((window.center, window.number))
        return self

    def window_of_camera(self, camera: str) -> Window | None:
        return next((w for w in self.window if w.camera == camera), None)


def load_sites(path: Path) -> Sites:
    text, raw = read_toml(path, "sites file", SitesError)
    try:
        return Sites.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = [str(part) for part in first["loc"]]
        message = str(first["msg"]).removeprefix("Value error, ")
        if not loc and "[" in message:  # cross-reference rules name their entry, e.g. window[2].center
            loc = [message.split("[")[0], message.split("[")[1].split("]")[0]]
            where, message = message.split(": ", 1)[0], message.split(": ", 1)[1]
        else:
            where = ".".join(loc)
        line = entry_line(text, loc[0], int(loc[1])) if len(loc) >= 2 and loc[1].isdigit() else None
        at = f" (line {line})" if line else ""
        raise SitesError(f"sites file {path}{at}: {where}: {message}") from exc
