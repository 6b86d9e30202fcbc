"""Reading the project's TOML files (config, sites, rule sets) with errors a person can act on."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any


def read_toml(path: Path, label: str, error: type[Exception]) -> tuple[str, dict[str, Any]]:
    """The file's text and parsed content; a missing or malformed file raises `error` naming it."""
    try:
        text = path.read_text()
        return text, tomllib.loads(text)
    except FileNotFoundError as exc:
        raise error(f"{label} {path} does not exist") from exc
    except tomllib.TOMLDecodeError as exc:
        raise error(f"{label} {path}: {exc}") from exc


def entry_line(text: str, table: str, index: int) -> int | None:
    """Line number of the index-th `[[table]]` header (what an editor shows)."""
    seen = -1
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip().replace(" ", "") == f"[[{table}]]":
            seen += 1
            if seen == index:
                return number
    return None
