"""Object storage: one interface, a local-disk and an S3 implementation."""

from seffaf.storage.base import (
    ObjectInfo,
    ObjectLockedError,
    ObjectLockRequiredError,
    ObjectNotFoundError,
    ObjectStore,
    StoreError,
    StoreUnavailableError,
)
from seffaf.storage.capabilities import StoreCapabilities

__all__ = [
    "ObjectInfo",
    "ObjectLockRequiredError",
    "ObjectLockedError",
    "ObjectNotFoundError",
    "ObjectStore",
    "StoreCapabilities",
    "StoreError",
    "StoreUnavailableError",
]
