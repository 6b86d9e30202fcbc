"""Recording into a real S3 store (SeaweedFS) and proving what happened to it afterwards."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from seffaf.storage.s3 import S3ObjectStore
from seffaf.storage.url import open_store, parse_storage_url
from tests.support.cli import seffaf
from tests.support.footage import stored_manifests
from tests.support.seaweed import SeaweedServer

pytestmark = pytest.mark.integration


def test_verify_chain_names_exactly_the_flipped_and_the_removed_segment_in_the_bucket(
    tmp_path: Path, g711_clip: Path, seaweed_server: SeaweedServer
) -> None:
    url = seaweed_server.url("tamper")
    recorded = seffaf("record", "--camera", "w4", "--source", str(g711_clip), "--storage", url,
                      "--spool", str(tmp_path / "spool"), "--segment-seconds", "4", cwd=tmp_path)  # fmt: skip
    assert recorded.returncode == 0, recorded.stderr
    store = open_store(parse_storage_url(url))
    assert isinstance(store, S3ObjectStore)
    manifests = stored_manifests(store, "w4")
    assert len(manifests) >= 5
    intact = seffaf("verify-chain", "--camera", "w4", "--storage", url, "--json", cwd=tmp_path)
    assert intact.returncode == 0, intact.stdout

    flipped, removed = manifests[1], manifests[3]
    data = bytearray(store.get(flipped.key))
    data[1000] ^= 0x80
    store.client.put_object(store.bucket, flipped.key, io.BytesIO(bytes(data)), len(data))
    store.delete(removed.key)

    broken = seffaf("verify-chain", "--camera", "w4", "--storage", url, cwd=tmp_path)
    assert broken.returncode == 1
    named = [
        line.replace(":", " ").split()[:4]
        for line in broken.stdout.splitlines()
        if line.strip().startswith(("ALTERED", "MISSING"))
    ]
    assert named == [
        ["ALTERED", "seq", str(flipped.seq), flipped.key],
        ["MISSING", "seq", str(removed.seq), removed.key],
    ]


def test_sites_file_records_every_camera_in_its_own_process(tmp_path: Path, g711_clip: Path, aac_clip: Path) -> None:
    sites = tmp_path / "sites.toml"
    sites.write_text(f"""
[[center]]
id = "baku-1"
name = "Baku ASAN 1"
timezone = "Asia/Baku"

[[window]]
center = "baku-1"
number = 1
camera = "baku-1-w01"

[[window]]
center = "baku-1"
number = 2
camera = "baku-1-w02"

[[camera]]
id = "baku-1-w01"
source = "{g711_clip}"

[[camera]]
id = "baku-1-w02"
source = "{aac_clip}"
""")
    storage = (tmp_path / "objects").as_uri()
    result = seffaf("record", "--sites", str(sites), "--storage", storage, "--spool", str(tmp_path / "spool"),
                    cwd=tmp_path)  # fmt: skip
    assert result.returncode == 0, result.stderr
    store = open_store(parse_storage_url(storage))
    for window, camera in ((1, "baku-1-w01"), (2, "baku-1-w02")):
        manifests = stored_manifests(store, camera)
        assert manifests, camera
        assert {(m.center, m.window) for m in manifests} == {("baku-1", window)}


def test_sites_file_with_an_unknown_camera_reference_is_rejected_by_name(tmp_path: Path) -> None:
    sites = tmp_path / "sites.toml"
    sites.write_text('[[center]]\nid = "c"\nname = "C"\ntimezone = "UTC"\n\n'
                     '[[window]]\ncenter = "c"\nnumber = 1\ncamera = "nope"\n')  # fmt: skip
    result = seffaf("record", "--sites", str(sites), cwd=tmp_path)
    assert result.returncode != 0
    assert "window[0].camera" in result.stderr and "nope" in result.stderr
    assert "Traceback" not in result.stderr
