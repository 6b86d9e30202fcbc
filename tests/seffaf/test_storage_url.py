"""Storage URLs: what a good one parses to, and that a bad one is refused with the reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from seffaf.storage.local import LocalObjectStore
from seffaf.storage.s3 import S3ObjectStore
from seffaf.storage.url import LocalLocation, S3Location, StorageUrlError, open_store, parse_storage_url

SECRET = "wJalr-XUtnFEMI-K7MDENG"  # noqa: S105 - a made-up test credential


def test_file_url_parses_to_its_absolute_path(tmp_path: Path) -> None:
    assert parse_storage_url(f"file://{tmp_path}/store") == LocalLocation(root=(tmp_path / "store").resolve())
    assert parse_storage_url(f"file://localhost{tmp_path}") == LocalLocation(root=tmp_path.resolve())
    assert parse_storage_url(f"file://{tmp_path}/with%20space") == LocalLocation(
        root=(tmp_path / "with space").resolve()
    )
    assert parse_storage_url(str(tmp_path)) == LocalLocation(root=tmp_path.resolve())  # a bare path


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            f"s3://AKIA1:{SECRET}@127.0.0.1:8333/evidence?secure=false",
            S3Location("127.0.0.1:8333", "AKIA1", SECRET, "evidence", secure=False, region=None),
        ),
        (
            f"s3://AKIA1:{SECRET}@s3.example.az/evidence",
            S3Location("s3.example.az", "AKIA1", SECRET, "evidence", secure=True, region=None),
        ),
        (
            "s3://AKIA1:s%2Fk%40y%3A@minio.local:9000/evidence/?secure=no&region=eu-central-1",
            S3Location("minio.local:9000", "AKIA1", "s/k@y:", "evidence", secure=False, region="eu-central-1"),
        ),
        (
            f"s3://AKIA1:{SECRET}@minio.local:9000/evidence?secure=ON",
            S3Location("minio.local:9000", "AKIA1", SECRET, "evidence", secure=True, region=None),
        ),
    ],
)
def test_s3_url_parses_to_its_fields(url: str, expected: S3Location) -> None:
    assert parse_storage_url(url) == expected


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        (f"s3://AKIA1:{SECRET}@127.0.0.1:8333", "bucket"),
        (f"s3://AKIA1:{SECRET}@127.0.0.1:8333/", "bucket"),
        (f"s3://AKIA1:{SECRET}@127.0.0.1:8333/evidence/extra", "bucket"),
        ("s3://127.0.0.1:8333/evidence", "credentials"),
        ("s3://AKIA1@127.0.0.1:8333/evidence", "credentials"),
        (f"s3://:{SECRET}@127.0.0.1:8333/evidence", "credentials"),
        ("s3://AKIA1:@127.0.0.1:8333/evidence", "credentials"),
        (f"s3://AKIA1:{SECRET}@127.0.0.1:port/evidence", "port"),
        (f"s3://AKIA1:{SECRET}@127.0.0.1:70000/evidence", "port"),
        (f"s3://AKIA1:{SECRET}@/evidence", "host"),
        (f"https://AKIA1:{SECRET}@s3.example.az/evidence", "scheme 'https'"),
        ("ftp://archive/evidence", "scheme 'ftp'"),
        (f"s3://AKIA1:{SECRET}@127.0.0.1:8333/evidence?secure=false&timeout=5", "timeout"),
        (f"s3://AKIA1:{SECRET}@127.0.0.1:8333/evidence?secure=maybe", "secure='maybe'"),
        ("file://fileserver/share/evidence", "no host"),
    ],
)
def test_bad_url_is_refused_naming_the_problem(url: str, problem: str) -> None:
    with pytest.raises(StorageUrlError) as error:
        parse_storage_url(url, url_field="storage.url")

    message = str(error.value)
    assert message.startswith("storage.url: ")
    assert problem in message
    assert SECRET not in message


def test_s3_location_repr_never_shows_the_secret() -> None:
    location = parse_storage_url(f"s3://AKIA1:{SECRET}@127.0.0.1:8333/evidence?secure=false")

    assert isinstance(location, S3Location)
    for shown in (repr(location), str(location), f"{location}", repr([location])):
        assert SECRET not in shown
        assert "evidence" in shown
        assert "127.0.0.1:8333" in shown


def test_open_store_builds_the_backend_without_contacting_it(tmp_path: Path) -> None:
    local = open_store(parse_storage_url(f"file://{tmp_path}/store"))
    assert isinstance(local, LocalObjectStore)
    assert local.root == (tmp_path / "store").resolve()
    assert not local.root.exists()  # creates nothing

    # Nothing listens on port 9: building the store must not need the server.
    s3 = open_store(parse_storage_url(f"s3://AKIA1:{SECRET}@127.0.0.1:9/evidence?secure=false"))
    assert isinstance(s3, S3ObjectStore)
    assert s3.bucket == "evidence"
    assert s3.location == "s3://127.0.0.1:9/evidence"
