"""The object-store contract every backend fulfils (checked by the same tests on each)."""

from __future__ import annotations

import hashlib
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from seffaf.storage.capabilities import StoreCapabilities

SHA256_METADATA_KEY = "sha256"
HASH_CHUNK_BYTES = 1 << 20


class StoreError(Exception):
    """Any failure of the object store that the caller should report."""


class StoreUnavailableError(StoreError):
    """The store cannot be reached right now; the operation may succeed later."""


class ObjectNotFoundError(StoreError):
    """No object exists at that key."""

    def __init__(self, key: str) -> None:
        super().__init__(f"no object at key {key!r}")
        self.key = key


class ObjectLockedError(StoreError):
    """The store refused to destroy the object: a legal hold (object lock) protects it."""

    def __init__(self, key: str) -> None:
        super().__init__(f"the store keeps {key!r} under an object legal hold: release the hold first")
        self.key = key


class ObjectLockRequiredError(StoreError):
    """storage.object_lock = "require" and the bucket has no object lock: the message says what to do."""


@dataclass(frozen=True)
class ObjectInfo:
    key: str
    size: int
    last_modified: datetime
    sha256: str | None = None
    content_type: str = "application/octet-stream"
    metadata: Mapping[str, str] = field(default_factory=dict)


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(HASH_CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


class ObjectStore(ABC):
    """Keys are '/'-separated paths; listing is lexicographic, as in S3."""

    @property
    @abstractmethod
    def location(self) -> str:
        """A human-readable description of where objects go (no secrets)."""

    @abstractmethod
    def put_file(
        self,
        key: str,
        path: Path,
        *,
        sha256: str,
        content_type: str = "application/octet-stream",
        metadata: Mapping[str, str] | None = None,
    ) -> ObjectInfo:
        """Store the file at key; sha256 is recorded as object metadata."""

    @abstractmethod
    def put_bytes(
        self,
        key: str,
        data: bytes,
        *,
        content_type: str = "application/octet-stream",
        metadata: Mapping[str, str] | None = None,
    ) -> ObjectInfo:
        """Store small payloads (manifests); the SHA-256 is computed here."""

    @abstractmethod
    def get_range(self, key: str, offset: int = 0, length: int | None = None) -> bytes:
        """Bytes [offset, offset+length) of the object; to its end when length is None."""

    @abstractmethod
    def iter_chunks(self, key: str, chunk_size: int = HASH_CHUNK_BYTES) -> Iterator[bytes]:
        """Stream the whole object without holding it in memory."""

    @abstractmethod
    def stat(self, key: str) -> ObjectInfo:
        """Raise ObjectNotFoundError when absent."""

    @abstractmethod
    def list(self, prefix: str, start_after: str | None = None) -> Iterator[ObjectInfo]:
        """Objects whose key starts with prefix, in key order, strictly after start_after."""

    @abstractmethod
    def delete(self, key: str) -> None:
        """Remove the object (every version of it); a missing key is not an error.

        Raises ObjectLockedError when a store-level legal hold protects it.
        """

    @abstractmethod
    def capabilities(self) -> StoreCapabilities:
        """Ask the store what it supports (object lock, versioning); may contact the server."""

    @abstractmethod
    def set_legal_hold(self, key: str, on: bool) -> bool:
        """Place (on) or release a store-level legal hold; False when the store cannot hold objects."""

    def get(self, key: str) -> bytes:
        return self.get_range(key, 0, None)

    def exists(self, key: str) -> bool:
        try:
            self.stat(key)
        except ObjectNotFoundError:
            return False
        return True

    def compute_sha256(self, key: str) -> str:
        """Hash the stored bytes themselves (never trusts recorded metadata)."""
        digest = hashlib.sha256()
        for chunk in self.iter_chunks(key):
            digest.update(chunk)
        return digest.hexdigest()
