"""The typed outcome of one doctor check: a verdict, plain words, and the numbers it was judged on."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum

from pydantic import BaseModel, Field

Measured = float | int | str | bool | None


class Status(StrEnum):
    OK = "ok"
    WARN = "warn"
    FAIL = "fail"

    @property
    def label(self) -> str:
        """How the text output shows it: problems in capitals so they stand out in a column of `ok`."""
        return "ok" if self is Status.OK else self.value.upper()


SEVERITY = {Status.OK: 0, Status.WARN: 1, Status.FAIL: 2}


class CheckResult(BaseModel):
    name: str
    status: Status
    message: str
    measured: Mapping[str, Measured] = Field(default_factory=dict)

    def line(self) -> str:
        return f"{self.status.label:<4}  {self.name}: {self.message}"


def worst(results: Iterable[CheckResult]) -> Status:
    return max((r.status for r in results), key=SEVERITY.__getitem__, default=Status.OK)
