"""Where things go inside an evidence package: member names, in one place for writer and verifier."""

from __future__ import annotations

from datetime import date
from pathlib import PurePosixPath

MANIFEST = "manifest.json"
SUMS = "SHA256SUMS"
SIGNATURE = "manifest-and-sums.sig"  # raw Ed25519 signature over manifest.json bytes then SHA256SUMS bytes
PUBLIC_KEY = "public-key.pem"
FINGERPRINT = "public-key.sha256"
README = "README.txt"
AUDIT_EXTRACT = "audit-log.jsonl"
# SHA256SUMS cannot list itself, and the signature is made after it.
UNSUMMED = frozenset({SUMS, SIGNATURE})


def _safe(part: str) -> str:
    """A path component from catalog values: no separators or dot-names a zip tool could misread."""
    cleaned = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in part)
    return cleaned.lstrip(".") or "_"


def session_dir(center: str, service_date: date, ticket: str) -> str:
    return f"sessions/{_safe(center)}_{service_date.isoformat()}_{_safe(ticket)}"


def leg_dir(center: str, service_date: date, ticket: str, leg_index: int) -> str:
    return f"{session_dir(center, service_date, ticket)}/leg-{leg_index}"


def clip_member(leg: str) -> str:
    return f"{leg}/clip.mp4"


def original_member(leg: str, key: str) -> str:
    """An original keeps its object key's file name (seq and start time), so it sorts in chain order."""
    return f"{leg}/originals/{_safe(PurePosixPath(key).name)}"
