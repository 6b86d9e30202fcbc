"""The object-store contract, checked identically on local disk and on a real S3 server (SeaweedFS)."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

import pytest

from seffaf.storage.base import ObjectNotFoundError, ObjectStore, StoreError, StoreUnavailableError
from seffaf.storage.local import LocalObjectStore
from seffaf.storage.s3 import S3ObjectStore
from seffaf.storage.url import open_store, parse_storage_url
from tests.support.seaweed import SeaweedFactory, SeaweedServer

# Not a multiple of any chunk size used below, so the last chunk is a short one.
PAYLOAD = bytes(range(256)) * 40 + b"tail"


@pytest.fixture(params=["local", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> ObjectStore:
    if request.param == "local":
        return LocalObjectStore(tmp_path / "store")
    s3: S3ObjectStore = request.getfixturevalue("s3_store")
    return s3


def keys(store: ObjectStore, prefix: str, start_after: str | None = None) -> list[str]:
    return [info.key for info in store.list(prefix, start_after=start_after)]


def test_put_file_records_size_sha256_content_type_and_metadata(store: ObjectStore, tmp_path: Path) -> None:
    media = tmp_path / "segment.mp4"
    media.write_bytes(PAYLOAD)
    digest = hashlib.sha256(PAYLOAD).hexdigest()

    returned = store.put_file(
        "segments/cam-1/000001.mp4",
        media,
        sha256=digest,
        content_type="video/mp4",
        metadata={"camera": "cam-1", "seq": "1"},
    )

    stat = store.stat("segments/cam-1/000001.mp4")
    for info in (returned, stat):
        assert info.key == "segments/cam-1/000001.mp4"
        assert info.size == len(PAYLOAD)
        assert info.sha256 == digest
        assert info.content_type == "video/mp4"
        assert dict(info.metadata) == {"camera": "cam-1", "seq": "1"}
    assert store.get("segments/cam-1/000001.mp4") == PAYLOAD


def test_put_bytes_records_the_sha256_of_the_payload(store: ObjectStore) -> None:
    payload = b'{"seq": 1, "camera": "cam-1"}'

    returned = store.put_bytes("segments/cam-1/000001.json", payload, content_type="application/json")

    stat = store.stat("segments/cam-1/000001.json")
    assert returned.sha256 == stat.sha256 == hashlib.sha256(payload).hexdigest()
    assert stat.size == len(payload)
    assert stat.content_type == "application/json"
    assert dict(stat.metadata) == {}
    assert store.get("segments/cam-1/000001.json") == payload


def test_empty_object(store: ObjectStore) -> None:
    store.put_bytes("empty", b"")

    assert store.stat("empty").size == 0
    assert store.get("empty") == b""
    assert list(store.iter_chunks("empty")) == []
    assert store.compute_sha256("empty") == hashlib.sha256(b"").hexdigest()


@pytest.mark.parametrize(
    ("offset", "length", "expected"),
    [
        (0, None, PAYLOAD),
        (100, 50, PAYLOAD[100:150]),
        (1000, None, PAYLOAD[1000:]),
        (len(PAYLOAD) - 10, 100, PAYLOAD[-10:]),  # a length past the end stops at the end
        (7, 0, b""),
        (len(PAYLOAD), None, b""),  # reading at the end gives nothing, not an error
        (len(PAYLOAD) + 5, 10, b""),
    ],
)
def test_get_range(store: ObjectStore, offset: int, length: int | None, expected: bytes) -> None:
    store.put_bytes("blob", PAYLOAD)

    assert store.get_range("blob", offset, length) == expected


def test_iter_chunks_streams_the_whole_object_in_bounded_chunks(store: ObjectStore) -> None:
    store.put_bytes("blob", PAYLOAD)

    chunks = list(store.iter_chunks("blob", chunk_size=1000))

    assert b"".join(chunks) == PAYLOAD
    assert len(chunks) >= len(PAYLOAD) // 1000
    assert all(0 < len(chunk) <= 1000 for chunk in chunks)


def test_compute_sha256_hashes_the_stored_bytes_not_the_recorded_hash(store: ObjectStore, tmp_path: Path) -> None:
    media = tmp_path / "segment.mp4"
    media.write_bytes(PAYLOAD)
    wrong = "0" * 64

    store.put_file("segment.mp4", media, sha256=wrong)

    assert store.stat("segment.mp4").sha256 == wrong  # recorded as given
    assert store.compute_sha256("segment.mp4") == hashlib.sha256(PAYLOAD).hexdigest()


def test_list_by_prefix_is_in_key_order_and_excludes_other_prefixes(store: ObjectStore) -> None:
    for key in [  # written out of order
        "segments/cam-1/000010.mp4",
        "segments/cam-10/000001.mp4",
        "segments/cam-1/000002.json",
        "segments/cam-1/000001.mp4",
        "segments/cam-1-b/000001.mp4",
        "gaps/cam-1/000001.json",
        "segments/cam-1/000002.mp4",
    ]:
        store.put_bytes(key, key.encode())

    infos = list(store.list("segments/cam-1/"))

    assert [info.key for info in infos] == [
        "segments/cam-1/000001.mp4",
        "segments/cam-1/000002.json",
        "segments/cam-1/000002.mp4",
        "segments/cam-1/000010.mp4",
    ]
    assert [info.size for info in infos] == [len(info.key) for info in infos]
    # A prefix is text, not a folder: it also matches the neighbours that share it. (Only the
    # set is compared: SeaweedFS lists folder by folder, so "cam-1/" comes before "cam-1-b/"
    # although '-' < '/'; within one folder its order is plain key order.)
    assert sorted(keys(store, "segments/cam-1")) == [
        "segments/cam-1-b/000001.mp4",
        "segments/cam-1/000001.mp4",
        "segments/cam-1/000002.json",
        "segments/cam-1/000002.mp4",
        "segments/cam-1/000010.mp4",
        "segments/cam-10/000001.mp4",
    ]
    assert keys(store, "segments/cam-2/") == []
    assert keys(store, "nothing-here/") == []


def test_list_walks_nested_folders_in_key_order(store: ObjectStore) -> None:
    for key in ["s/b/2", "s/a/x/1", "s/c", "s/a/2", "s/a/x/0", "s/b/1"]:
        store.put_bytes(key, b"x")

    assert keys(store, "s/") == ["s/a/2", "s/a/x/0", "s/a/x/1", "s/b/1", "s/b/2", "s/c"]
    assert keys(store, "s/", start_after="s/a/x/0") == ["s/a/x/1", "s/b/1", "s/b/2", "s/c"]


def test_list_start_after_is_strict(store: ObjectStore) -> None:
    for seq in (1, 2, 3, 4):
        store.put_bytes(f"segments/cam-1/{seq:06d}.mp4", b"x")

    assert keys(store, "segments/cam-1/", start_after="segments/cam-1/000002.mp4") == [
        "segments/cam-1/000003.mp4",
        "segments/cam-1/000004.mp4",
    ]
    # A key that does not exist still splits the listing where it would sort.
    assert keys(store, "segments/cam-1/", start_after="segments/cam-1/000002.zzz") == [
        "segments/cam-1/000003.mp4",
        "segments/cam-1/000004.mp4",
    ]
    assert keys(store, "segments/cam-1/", start_after="segments/cam-1/000004.mp4") == []
    assert len(keys(store, "segments/cam-1/", start_after="segments/")) == 4


def test_missing_key_raises_object_not_found(store: ObjectStore) -> None:
    store.put_bytes("segments/cam-1/000001.mp4", PAYLOAD)
    missing = "segments/cam-1/000002.mp4"

    with pytest.raises(ObjectNotFoundError) as stat_error:
        store.stat(missing)
    assert stat_error.value.key == missing
    with pytest.raises(ObjectNotFoundError):
        store.get(missing)
    with pytest.raises(ObjectNotFoundError):
        store.get_range(missing, 10, 5)
    with pytest.raises(ObjectNotFoundError):
        store.get_range(missing, 10, 0)
    with pytest.raises(ObjectNotFoundError):
        list(store.iter_chunks(missing))
    with pytest.raises(ObjectNotFoundError):
        store.compute_sha256(missing)
    assert store.exists(missing) is False
    assert store.exists("segments/cam-1/000001.mp4") is True


def test_delete_removes_the_object_and_a_missing_key_is_fine(store: ObjectStore) -> None:
    store.put_bytes("segments/cam-1/000001.mp4", PAYLOAD, metadata={"camera": "cam-1"})
    store.put_bytes("segments/cam-1/000002.mp4", PAYLOAD)

    store.delete("segments/cam-1/000001.mp4")

    assert store.exists("segments/cam-1/000001.mp4") is False
    with pytest.raises(ObjectNotFoundError):
        store.get("segments/cam-1/000001.mp4")
    assert keys(store, "segments/") == ["segments/cam-1/000002.mp4"]
    store.delete("segments/cam-1/000001.mp4")  # again
    store.delete("never/written")
    assert store.get("segments/cam-1/000002.mp4") == PAYLOAD


def test_overwriting_a_key_replaces_content_hash_and_metadata(store: ObjectStore) -> None:
    store.put_bytes("manifest.json", b"first, longer version", metadata={"seq": "1", "old": "yes"})

    store.put_bytes("manifest.json", b"second", metadata={"seq": "2"})

    info = store.stat("manifest.json")
    assert store.get("manifest.json") == b"second"
    assert info.size == len(b"second")
    assert info.sha256 == hashlib.sha256(b"second").hexdigest()
    assert dict(info.metadata) == {"seq": "2"}
    assert keys(store, "") == ["manifest.json"]


def test_nested_keys_list_as_objects_not_folders(store: ObjectStore) -> None:
    deep = "segments/cam-1/2024/01/02/000001.mp4"
    store.put_bytes(deep, PAYLOAD)
    store.put_bytes("segments/cam-1/top.json", b"{}")

    assert store.get(deep) == PAYLOAD
    assert keys(store, "segments/") == [deep, "segments/cam-1/top.json"]
    assert keys(store, "segments/cam-1/2024/01/") == [deep]
    store.delete(deep)
    assert keys(store, "segments/") == ["segments/cam-1/top.json"]


# -- S3 only -------------------------------------------------------------------------------------


def test_s3_location_names_the_bucket_but_not_the_secret(
    s3_store: S3ObjectStore, seaweed_server: SeaweedServer
) -> None:
    assert s3_store.location == f"s3://{seaweed_server.endpoint}/{s3_store.bucket}"
    assert seaweed_server.secret_key not in s3_store.location


def test_s3_client_side_rejections_are_store_errors(s3_store: S3ObjectStore, seaweed_server: SeaweedServer) -> None:
    # S3 headers are ASCII; callers catch StoreError, so nothing else may escape.
    with pytest.raises(StoreError, match="US-ASCII"):
        s3_store.put_bytes("manifest.json", b"{}", metadata={"centre": "Gəncə"})
    bad_bucket = open_store(parse_storage_url(seaweed_server.url("Not_A_Bucket")))
    assert isinstance(bad_bucket, S3ObjectStore)
    with pytest.raises(StoreError, match="Not_A_Bucket"):
        bad_bucket.ensure_bucket()


def test_s3_store_down_raises_unavailable_quickly_and_recovers_after_restart(
    seaweed_factory: SeaweedFactory,
) -> None:
    server = seaweed_factory()
    store = open_store(parse_storage_url(server.url("outage")))
    assert isinstance(store, S3ObjectStore)
    store.ensure_bucket()
    store.put_bytes("segments/cam-1/000001.mp4", PAYLOAD, metadata={"camera": "cam-1"})

    server.stop()
    started = time.monotonic()
    with pytest.raises(StoreUnavailableError):
        store.stat("segments/cam-1/000001.mp4")
    with pytest.raises(StoreUnavailableError):
        store.put_bytes("segments/cam-1/000002.mp4", PAYLOAD)
    assert time.monotonic() - started < 10, "a stopped server must fail fast, not hang"

    server.restart()
    # The same store object works again, and what was stored before the outage is intact.
    assert store.get("segments/cam-1/000001.mp4") == PAYLOAD
    assert dict(store.stat("segments/cam-1/000001.mp4").metadata) == {"camera": "cam-1"}
    store.put_bytes("segments/cam-1/000002.mp4", PAYLOAD)
    assert keys(store, "segments/cam-1/") == ["segments/cam-1/000001.mp4", "segments/cam-1/000002.mp4"]
