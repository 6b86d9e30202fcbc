"""SHA256SUMS in GNU coreutils format, so `sha256sum -c SHA256SUMS` checks a package with no seffaf.

    <64 lowercase hex>  <path relative to the package root>

Text mode (two spaces) as `sha256sum` writes by default; binary mode (" *") is read too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_LINE = re.compile(r"^(?P<hex>[0-9a-fA-F]{64}) (?P<mode>[ *])(?P<path>.+)$")


class SumsError(ValueError):
    """SHA256SUMS that cannot be read; the message names the line."""


@dataclass(frozen=True)
class SumLine:
    sha256: str
    path: str


def _check_path(path: str, where: str) -> str:
    if path.startswith("/") or any(p in ("", ".", "..") for p in path.split("/")) or "\\" in path:
        raise SumsError(f"{where}: path {path!r} must be relative to the package root, without '.' or '..'")
    # sha256sum escapes such names with a leading backslash; a package never needs them.
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in path):
        raise SumsError(f"{where}: path {path!r} holds a control character")
    return path


def format_sums(lines: list[SumLine]) -> bytes:
    """One line per file, sorted by path, each ending in a newline."""
    out = []
    for line in sorted(lines, key=lambda item: item.path):
        _check_path(line.path, f"path {line.path!r}")
        if "\n" in line.path or not re.fullmatch(r"[0-9a-f]{64}", line.sha256):
            raise SumsError(f"cannot write a sum line for {line.path!r}")
        out.append(f"{line.sha256}  {line.path}\n")
    return "".join(out).encode()


def parse_sums(data: bytes) -> dict[str, str]:
    """path -> lowercase hex; raises SumsError naming the first bad line (or a duplicate path)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SumsError(f"not UTF-8 text: {exc}") from exc
    if text and not text.endswith("\n"):
        raise SumsError("the last line does not end in a newline")
    sums: dict[str, str] = {}
    # Split on "\n" only: splitlines() would also cut at "\r" and other breaks a path may hold.
    for number, line in enumerate(text.split("\n")[:-1], start=1):
        match = _LINE.match(line)
        if match is None:
            raise SumsError(f"line {number}: not '<64 hex digits>  <path>'")
        path = _check_path(match["path"], f"line {number}")
        if path in sums:
            raise SumsError(f"line {number}: {path!r} listed twice")
        sums[path] = match["hex"].lower()
    return sums
