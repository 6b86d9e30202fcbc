"""Local-disk object store: the default for a user with no S3 server.

Objects are plain files under the root; their metadata lives in a parallel tree under
`.meta/` so the media stays directly playable. Writes are atomic (temp file, fsync,
rename, fsync of the directory) so a crash never leaves a half object under a key.
It has no object lock: legal holds are the catalog's alone, `storage.object_lock` does not apply,
and the settings refuse "require" with a file:// store.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path

from seffaf.durable import write_atomically
from seffaf.storage.base import (
    HASH_CHUNK_BYTES,
    ObjectInfo,
    ObjectNotFoundError,
    ObjectStore,
    StoreError,
)
from seffaf.storage.capabilities import StoreCapabilities

META_DIR = ".meta"


def validate_key(key: str) -> str:
    parts = key.split("/")
    if not key or key.startswith("/") or any(p in ("", ".", "..") for p in parts):
        raise StoreError(f"invalid object key {key!r}: empty, absolute or with '.'/'..' parts")
    if any(p.startswith(".") for p in parts):
        raise StoreError(f"invalid object key {key!r}: parts may not start with '.'")
    return key


def _chunks_of(path: Path) -> Iterator[bytes]:
    with path.open("rb") as handle:
        while chunk := handle.read(HASH_CHUNK_BYTES):
            yield chunk


class LocalObjectStore(ObjectStore):
    def __init__(self, root: Path) -> None:
        self._root = root

    @property
    def location(self) -> str:
        return f"file://{self._root}"

    @property
    def root(self) -> Path:
        return self._root

    def _object_path(self, key: str) -> Path:
        return self._root / validate_key(key)

    def _meta_path(self, key: str) -> Path:
        return self._root / META_DIR / (validate_key(key) + ".json")

    def _put(
        self,
        key: str,
        body: Iterator[bytes],
        sha256: str,
        content_type: str,
        metadata: Mapping[str, str] | None,
    ) -> ObjectInfo:
        meta = {"sha256": sha256, "content_type": content_type, "metadata": dict(metadata or {})}
        # Metadata first: an object file never exists without its metadata.
        write_atomically(self._meta_path(key), iter([json.dumps(meta).encode()]))
        write_atomically(self._object_path(key), body)
        return self.stat(key)

    def put_file(
        self,
        key: str,
        path: Path,
        *,
        sha256: str,
        content_type: str = "application/octet-stream",
        metadata: Mapping[str, str] | None = None,
    ) -> ObjectInfo:
        try:
            return self._put(key, _chunks_of(path), sha256, content_type, metadata)
        except OSError as exc:
            raise StoreError(f"cannot write {key!r} under {self._root}: {exc.strerror}") from exc

    def put_bytes(
        self,
        key: str,
        data: bytes,
        *,
        content_type: str = "application/octet-stream",
        metadata: Mapping[str, str] | None = None,
    ) -> ObjectInfo:
        try:
            return self._put(key, iter([data]), hashlib.sha256(data).hexdigest(), content_type, metadata)
        except OSError as exc:
            raise StoreError(f"cannot write {key!r} under {self._root}: {exc.strerror}") from exc

    def get_range(self, key: str, offset: int = 0, length: int | None = None) -> bytes:
        path = self._object_path(key)
        try:
            with path.open("rb") as handle:
                handle.seek(offset)
                return handle.read() if length is None else handle.read(length)
        except FileNotFoundError as exc:
            raise ObjectNotFoundError(key) from exc

    def iter_chunks(self, key: str, chunk_size: int = HASH_CHUNK_BYTES) -> Iterator[bytes]:
        path = self._object_path(key)
        try:
            handle = path.open("rb")
        except FileNotFoundError as exc:
            raise ObjectNotFoundError(key) from exc
        with handle:
            while chunk := handle.read(chunk_size):
                yield chunk

    def stat(self, key: str) -> ObjectInfo:
        path = self._object_path(key)
        try:
            status = path.stat()
        except FileNotFoundError as exc:
            raise ObjectNotFoundError(key) from exc
        try:
            meta = json.loads(self._meta_path(key).read_text())
        except FileNotFoundError:
            meta = {}
        return ObjectInfo(
            key=key,
            size=status.st_size,
            last_modified=datetime.fromtimestamp(status.st_mtime, UTC),
            sha256=meta.get("sha256"),
            content_type=meta.get("content_type", "application/octet-stream"),
            metadata=meta.get("metadata", {}),
        )

    def list(self, prefix: str, start_after: str | None = None) -> Iterator[ObjectInfo]:
        # Walk only below the deepest directory the prefix names.
        base_dir = prefix.rsplit("/", 1)[0] if "/" in prefix else ""
        start = self._root / base_dir if base_dir else self._root
        if not start.is_dir():
            return
        keys: list[str] = []
        for dirpath, dirnames, filenames in os.walk(start):
            dirnames[:] = [d for d in dirnames if not d.startswith(".")]
            rel_dir = Path(dirpath).relative_to(self._root).as_posix()
            for name in filenames:
                if name.startswith("."):
                    continue
                key = name if rel_dir == "." else f"{rel_dir}/{name}"
                if key.startswith(prefix) and (start_after is None or key > start_after):
                    keys.append(key)
        for key in sorted(keys):
            with contextlib.suppress(ObjectNotFoundError):
                yield self.stat(key)

    def delete(self, key: str) -> None:
        for path in (self._object_path(key), self._meta_path(key)):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()

    def capabilities(self) -> StoreCapabilities:
        return StoreCapabilities(
            kind="local",
            object_lock=False,
            versioning=False,
            detail="local disk: no object lock or versions; legal holds are enforced by the catalog alone",
        )

    def set_legal_hold(self, key: str, on: bool) -> bool:
        self.stat(key)  # a hold on nothing is a caller's mistake, as on S3
        return False
