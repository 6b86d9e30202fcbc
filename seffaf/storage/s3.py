"""S3 object store through the minio SDK (MinIO, SeaweedFS, AWS, any S3)."""

from __future__ import annotations

import hashlib
import io
import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import TypeVar

import urllib3
from minio import Minio
from minio.commonconfig import ENABLED
from minio.error import S3Error
from minio.versioningconfig import SUSPENDED

from seffaf.storage.base import (
    HASH_CHUNK_BYTES,
    SHA256_METADATA_KEY,
    ObjectInfo,
    ObjectLockedError,
    ObjectLockRequiredError,
    ObjectNotFoundError,
    ObjectStore,
    StoreError,
    StoreUnavailableError,
)
from seffaf.storage.capabilities import StoreCapabilities
from seffaf.storage.object_lock import (
    SETTING,
    BucketAction,
    BucketDecision,
    BucketState,
    ObjectLockPolicy,
    decide_bucket,
)

USER_META_PREFIX = "x-amz-meta-"
MISSING_CODES = frozenset({"NoSuchKey", "NoSuchObject", "ResourceNotFound"})
# How servers say "this bucket has no object lock": AWS and SeaweedFS, then servers without the API.
NO_LOCK_CODES = frozenset({"ObjectLockConfigurationNotFoundError", "NotImplemented", "InvalidRequest"})
T = TypeVar("T")
logger = logging.getLogger(__name__)


def _user_metadata(headers: Mapping[str, str]) -> dict[str, str]:
    return {
        name.lower()[len(USER_META_PREFIX) :]: value
        for name, value in headers.items()
        if name.lower().startswith(USER_META_PREFIX)
    }


class S3ObjectStore(ObjectStore):
    def __init__(self, client: Minio, bucket: str, endpoint: str) -> None:
        self._client = client
        self._bucket = bucket
        self._endpoint = endpoint
        self._capabilities: StoreCapabilities | None = None  # asked once, on first need

    @property
    def location(self) -> str:
        return f"s3://{self._endpoint}/{self._bucket}"

    @property
    def bucket(self) -> str:
        return self._bucket

    @property
    def client(self) -> Minio:
        return self._client

    def _call(self, what: str, key: str, action: Callable[[], T]) -> T:
        try:
            return action()
        except S3Error as exc:
            if exc.code in MISSING_CODES:
                raise ObjectNotFoundError(key) from exc
            raise StoreError(f"{what} {key!r} in {self.location}: {exc.code}: {exc.message}") from exc
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            raise StoreUnavailableError(f"{what} {key!r}: {self.location} unreachable ({exc})") from exc
        except ValueError as exc:  # minio's client-side checks: bucket name, non-ASCII metadata
            raise StoreError(f"{what} {key!r} in {self.location}: {exc}") from exc

    def ensure_bucket(self, object_lock: ObjectLockPolicy = ObjectLockPolicy.CREATE) -> BucketDecision:
        """Make the bucket when missing, with or without object lock as the policy says.

        Raises ObjectLockRequiredError when the policy refuses the bucket as it is.
        """
        exists = self._call("look for bucket", self._bucket, lambda: self._client.bucket_exists(self._bucket))
        decision = decide_bucket(self.location, self._state() if exists else BucketState.MISSING, object_lock)
        if decision.action in (BucketAction.CREATE_LOCKED, BucketAction.CREATE_PLAIN):
            self._make_bucket(decision.action is BucketAction.CREATE_LOCKED)
            logger.info("%s", decision.reason)
            # Ask again rather than trust the request: a server may ignore the object-lock header.
            decision = decide_bucket(self.location, self._state(), object_lock)
        if decision.action is BucketAction.REFUSE:
            raise ObjectLockRequiredError(decision.reason)
        logger.log(logging.WARNING if decision.warn else logging.INFO, "%s", decision.reason)
        return decision

    def _state(self) -> BucketState:
        self._capabilities = None  # the bucket may have just been made: never a cached answer
        return BucketState.LOCKED if self.capabilities().object_lock else BucketState.PLAIN

    def _make_bucket(self, locked: bool) -> None:
        try:
            self._client.make_bucket(self._bucket, object_lock=locked)
        except S3Error as exc:
            if exc.code == "BucketAlreadyOwnedByYou":  # another seffaf process made it first
                return
            if not locked:
                raise StoreError(f"create bucket {self.location}: {exc.code}: {exc.message}") from exc
            raise StoreError(
                f"create bucket {self.location} with object lock: {exc.code}: {exc.message}; if this S3 server "
                f'has no object lock, set {SETTING} = "off" to make the bucket without it'
            ) from exc
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            raise StoreUnavailableError(f"create bucket: {self.location} unreachable ({exc})") from exc

    def put_file(
        self,
        key: str,
        path: Path,
        *,
        sha256: str,
        content_type: str = "application/octet-stream",
        metadata: Mapping[str, str] | None = None,
    ) -> ObjectInfo:
        meta: dict[str, str | list[str] | tuple[str]] = {**(metadata or {}), SHA256_METADATA_KEY: sha256}
        self._call(
            "upload",
            key,
            lambda: self._client.fput_object(self._bucket, key, str(path), content_type=content_type, metadata=meta),
        )
        return self.stat(key)

    def put_bytes(
        self,
        key: str,
        data: bytes,
        *,
        content_type: str = "application/octet-stream",
        metadata: Mapping[str, str] | None = None,
    ) -> ObjectInfo:
        meta: dict[str, str | list[str] | tuple[str]] = {
            **(metadata or {}),
            SHA256_METADATA_KEY: hashlib.sha256(data).hexdigest(),
        }
        self._call(
            "upload",
            key,
            lambda: self._client.put_object(
                self._bucket, key, io.BytesIO(data), len(data), content_type=content_type, metadata=meta
            ),
        )
        return self.stat(key)

    def get_range(self, key: str, offset: int = 0, length: int | None = None) -> bytes:
        if length == 0:  # minio reads length=0 as "to the end"
            self.stat(key)  # a missing key is still an error
            return b""

        def fetch() -> bytes:
            try:
                response = self._client.get_object(self._bucket, key, offset=offset, length=length or 0)
            except S3Error as exc:
                if exc.code == "InvalidRange":  # offset at or past the end: an empty range, as on disk
                    return b""
                raise
            try:
                return bytes(response.read())
            finally:
                response.close()
                response.release_conn()

        return self._call("read", key, fetch)

    def iter_chunks(self, key: str, chunk_size: int = HASH_CHUNK_BYTES) -> Iterator[bytes]:
        response = self._call("read", key, lambda: self._client.get_object(self._bucket, key))
        try:
            while True:
                chunk = self._call("read", key, lambda: response.read(chunk_size))
                if not chunk:
                    return
                yield bytes(chunk)
        finally:
            response.close()
            response.release_conn()

    def stat(self, key: str) -> ObjectInfo:
        obj = self._call("stat", key, lambda: self._client.stat_object(self._bucket, key))
        user_meta = _user_metadata(obj.metadata or {})
        sha256 = user_meta.pop(SHA256_METADATA_KEY, None)
        return ObjectInfo(
            key=key,
            size=int(obj.size or 0),
            last_modified=obj.last_modified or datetime.now(UTC),
            sha256=sha256,
            content_type=obj.content_type or "application/octet-stream",
            metadata=user_meta,
        )

    def list(self, prefix: str, start_after: str | None = None) -> Iterator[ObjectInfo]:
        listing = self._call(
            "list",
            prefix,
            lambda: iter(
                self._client.list_objects(self._bucket, prefix=prefix, recursive=True, start_after=start_after)
            ),
        )
        while True:
            obj = self._call("list", prefix, lambda: next(listing, None))
            if obj is None:
                return
            if obj.is_dir or obj.object_name is None:
                continue
            yield ObjectInfo(
                key=obj.object_name,
                size=int(obj.size or 0),
                last_modified=obj.last_modified or datetime.now(UTC),
            )

    def delete(self, key: str) -> None:
        if not self.capabilities().versioning:
            self._call("delete", key, lambda: self._client.remove_object(self._bucket, key))
            return
        # On a versioned bucket a plain delete only hides the object behind a delete marker: the
        # footage would stay. Remove every version (and marker) of exactly this key.
        for version in self._versions(key, with_markers=True):
            self._call("delete", key, partial(self._remove_version, key, version))

    def _versions(self, key: str, with_markers: bool) -> Sequence[str | None]:
        return self._call(
            "list versions of",
            key,
            lambda: [
                obj.version_id
                for obj in self._client.list_objects(self._bucket, prefix=key, include_version=True)
                if obj.object_name == key and (with_markers or not obj.is_delete_marker)
            ],
        )

    def _remove_version(self, key: str, version: str | None) -> None:
        try:
            self._client.remove_object(self._bucket, key, version_id=version)
        except S3Error as exc:
            # A held version answers AccessDenied, like a missing permission: ask which it is.
            if exc.code == "AccessDenied" and self._client.is_object_legal_hold_enabled(
                self._bucket, key, version_id=version
            ):
                raise ObjectLockedError(key) from exc
            raise

    def capabilities(self) -> StoreCapabilities:
        if self._capabilities is None:
            self._capabilities = self._call("read the settings of bucket", self._bucket, self._ask_capabilities)
        return self._capabilities

    def _ask_capabilities(self) -> StoreCapabilities:
        try:
            lock = self._client.get_object_lock_config(self._bucket)
        except S3Error as exc:
            if exc.code not in NO_LOCK_CODES:
                raise
            lock_text = f"object lock: no ({exc.code})"
            object_lock = False
        else:
            default = f", default retention {lock.mode} {lock.duration}" if lock.mode else ", no default retention"
            lock_text = f"object lock: enabled{default}"
            object_lock = True
        status = self._client.get_bucket_versioning(self._bucket).status
        versioning = status in (ENABLED, SUSPENDED)  # a suspended bucket still keeps its old versions
        return StoreCapabilities(
            kind="s3",
            object_lock=object_lock,
            versioning=versioning,
            detail=f"bucket {self._bucket}: {lock_text}; versioning: {status or 'never enabled'}",
        )

    def set_legal_hold(self, key: str, on: bool) -> bool:
        if not self.capabilities().object_lock:
            self.stat(key)  # a hold on nothing is a caller's mistake, whatever the bucket supports
            return False
        if on:  # the current version: what the recorder wrote under this key
            self._call("place a legal hold on", key, lambda: self._client.enable_object_legal_hold(self._bucket, key))
            return True
        # Every version: one hidden behind a delete marker (a plain DeleteObject) stays held otherwise.
        for version in self._versions(key, with_markers=False):
            self._call("release the legal hold of", key,
                       partial(self._client.disable_object_legal_hold, self._bucket, key, version))  # fmt: skip
        return True
