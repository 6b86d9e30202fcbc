"""Store capabilities and legal holds, asked of the stores themselves (local disk and SeaweedFS).

What SeaweedFS 4.x does, as these tests found and now assert:

- a bucket made without object lock answers GetObjectLockConfiguration with
  ObjectLockConfigurationNotFoundError and PutObjectLegalHold with InvalidRequest: no holds there;
- a bucket can be made with object lock (x-amz-bucket-object-lock-enabled); that turns versioning on;
- a legal hold does NOT make a plain DeleteObject fail: as on AWS, it succeeds and only adds a
  delete marker, the held version staying in the bucket (readable by version id);
- deleting the held version itself is refused (AccessDenied) until the hold is released;
- a release naming no version applies to the current one, which after a plain delete is the
  marker: the hidden version stays held. So a release goes version by version.

So on a versioned bucket the store deletes every version of a key (a plain delete would keep the
footage), and a held one surfaces as ObjectLockedError.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from minio import Minio
from minio.error import S3Error

from seffaf.keys import SegmentKey
from seffaf.storage.base import ObjectLockedError, ObjectNotFoundError, ObjectStore
from seffaf.storage.legal_holds import StoreLegalHolds
from seffaf.storage.local import LocalObjectStore
from seffaf.storage.s3 import S3ObjectStore
from seffaf.storage.url import open_store, parse_storage_url
from tests.support.seaweed import SeaweedServer

SEGMENT = SegmentKey.decode("segments/cam-a/000000000007_20260504T090000000000Z.mp4")


def versions(client: Minio, bucket: str, key: str) -> list[tuple[str | None, bool]]:
    return [(o.version_id, o.is_delete_marker) for o in client.list_objects(bucket, prefix=key, include_version=True)
            if o.object_name == key]  # fmt: skip


def put_segment(store: ObjectStore) -> None:
    store.put_bytes(SEGMENT.encode(), b"media", content_type="video/mp4")
    store.put_bytes(SEGMENT.manifest_key, b"{}", content_type="application/json")


@pytest.fixture
def locked_store(seaweed_server: SeaweedServer) -> tuple[S3ObjectStore, Minio]:
    bucket = f"locked-{uuid.uuid4().hex[:12]}"
    client = seaweed_server.client()
    client.make_bucket(bucket, object_lock=True)
    store = open_store(parse_storage_url(seaweed_server.url(bucket)))
    assert isinstance(store, S3ObjectStore)
    return store, client


def test_local_disk_cannot_hold_objects_and_says_so(tmp_path: Path) -> None:
    store = LocalObjectStore(tmp_path / "objects")
    put_segment(store)
    caps = store.capabilities()
    assert (caps.kind, caps.object_lock, caps.versioning) == ("local", False, False)
    assert "catalog" in caps.detail
    assert StoreLegalHolds(store).placed(SEGMENT.encode()) is False
    with pytest.raises(ObjectNotFoundError):
        store.set_legal_hold("segments/cam-a/nothing.mp4", True)


def test_a_bucket_without_object_lock_cannot_hold(s3_store: S3ObjectStore) -> None:
    put_segment(s3_store)
    caps = s3_store.capabilities()
    assert (caps.kind, caps.object_lock, caps.versioning) == ("s3", False, False)
    assert "ObjectLockConfigurationNotFoundError" in caps.detail
    assert StoreLegalHolds(s3_store).placed(SEGMENT.encode()) is False
    with pytest.raises(S3Error) as refused:  # what the server answers, asked directly
        s3_store.client.enable_object_legal_hold(s3_store.bucket, SEGMENT.encode())
    assert refused.value.code == "InvalidRequest"


def test_seaweedfs_legal_hold_keeps_the_held_version_until_released(locked_store: tuple[S3ObjectStore, Minio]) -> None:
    store, client = locked_store
    put_segment(store)
    caps = store.capabilities()
    assert (caps.object_lock, caps.versioning) == (True, True)
    holds = StoreLegalHolds(store)
    assert holds.placed(SEGMENT.encode()) is True
    for key in (SEGMENT.encode(), SEGMENT.manifest_key):
        assert client.is_object_legal_hold_enabled(store.bucket, key)

    # A plain DeleteObject succeeds, but only hides the object behind a delete marker.
    client.remove_object(store.bucket, SEGMENT.encode())
    assert not store.exists(SEGMENT.encode())
    held = [v for v, marker in versions(client, store.bucket, SEGMENT.encode()) if not marker]
    assert len(held) == 1
    assert client.get_object(store.bucket, SEGMENT.encode(), version_id=held[0]).read() == b"media"

    # The store deletes every version: the held one is refused by the server.
    with pytest.raises(ObjectLockedError):
        store.delete(SEGMENT.encode())
    with pytest.raises(S3Error) as denied:
        client.remove_object(store.bucket, SEGMENT.encode(), version_id=held[0])
    assert denied.value.code == "AccessDenied"

    client.disable_object_legal_hold(store.bucket, SEGMENT.encode())  # no version: the marker's
    assert client.is_object_legal_hold_enabled(store.bucket, SEGMENT.encode(), version_id=held[0])
    assert holds.released(SEGMENT.encode()) is True
    store.delete(SEGMENT.encode())
    store.delete(SEGMENT.manifest_key)
    assert versions(client, store.bucket, SEGMENT.encode()) == []
    assert versions(client, store.bucket, SEGMENT.manifest_key) == []
