"""The sites registry (TOML): centres, their windows and the cameras that film them."""

from __future__ import annotations

import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from seffaf.keys import CAMERA_ID


class SitesError(ValueError):
    """A sites file that cannot be used; the message names the entry and field."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Center(_Strict):
    id: str = Field(min_length=1, max_length=64)
    name: str
    timezone: str


class Window(_Strict):
    center: str
    number: int = Field(ge=1)
    camera: str | None = None


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
        for index, window in enumerate(self.window):
            if window.center not in centers:
                raise ValueError(f"window[{index}].center: unknown centre {window.center!r}")
            if window.camera is not None and window.camera not in cameras:
                raise ValueError(f"window[{index}].camera: unknown camera {window.camera!r}")
        return self

    def window_of_camera(self, camera: str) -> Window | None:
        return next((w for w in self.window if w.camera == camera), None)


def load_sites(path: Path) -> Sites:
    try:
        raw = tomllib.loads(path.read_text())
    except FileNotFoundError as exc:
        raise SitesError(f"sites file {path} does not exist") from exc
    except tomllib.TOMLDecodeError as exc:
        raise SitesError(f"sites file {path}: {exc}") from exc
    try:
        return Sites.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise SitesError(f"sites file {path}: {where}: {first['msg']}") from exc
