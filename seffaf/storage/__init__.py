"""Object storage: one interface, a local-disk and an S3 implementation."""

from seffaf.storage.base import (
    ObjectInfo,
    ObjectNotFoundError,
    ObjectStore,
    StoreError,
    StoreUnavailableError,
)

__all__ = ["ObjectInfo", "ObjectNotFoundError", "ObjectStore", "StoreError", "StoreUnavailableError"]
