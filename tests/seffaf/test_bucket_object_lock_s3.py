"""`ensure_bucket` under each `storage.object_lock`, against a real SeaweedFS; and the commands that obey it.

How holds behave in a bucket made with object lock by hand is in test_store_legal_holds.py (and a plain
bucket refusing holds there too); here: that seffaf makes such a bucket itself, and what it does with
one it finds.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
import typer
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from review_app.app import create_app
from seffaf.cli.common import build_store, settings_from
from seffaf.cli.doctor_cmd import doctor
from seffaf.config import load_settings
from seffaf.storage.base import ObjectLockedError, ObjectLockRequiredError
from seffaf.storage.object_lock import BucketAction, ObjectLockPolicy
from seffaf.storage.s3 import S3ObjectStore
from seffaf.storage.url import open_store, parse_storage_url
from tests.support.seaweed import SeaweedServer

KEY = "segments/cam-a/000000000007_20260504T090000000000Z.mp4"


def fresh_store(server: SeaweedServer, prefix: str = "lock") -> S3ObjectStore:
    store = open_store(parse_storage_url(server.url(f"{prefix}-{uuid.uuid4().hex[:12]}")))
    assert isinstance(store, S3ObjectStore)
    return store


def test_a_bucket_seffaf_makes_by_default_holds_evidence_itself(seaweed_server: SeaweedServer) -> None:
    store = fresh_store(seaweed_server)
    assert store.ensure_bucket().action is BucketAction.USE  # made, then asked again: it has object lock
    client = seaweed_server.client()
    assert client.get_object_lock_config(store.bucket) is not None  # the server's own answer
    caps = store.capabilities()
    assert (caps.object_lock, caps.versioning) == (True, True)

    store.put_bytes(KEY, b"media", content_type="video/mp4")
    assert store.set_legal_hold(KEY, True) is True
    assert client.is_object_legal_hold_enabled(store.bucket, KEY)
    with pytest.raises(ObjectLockedError):
        store.delete(KEY)
    assert store.get(KEY) == b"media"  # the held version is still the current one
    assert store.set_legal_hold(KEY, False) is True
    store.delete(KEY)
    assert not store.exists(KEY)


@pytest.mark.parametrize(("policy", "locked"), [(ObjectLockPolicy.REQUIRE, True), (ObjectLockPolicy.OFF, False)])
def test_a_missing_bucket_is_made_as_the_setting_says(
    seaweed_server: SeaweedServer, policy: ObjectLockPolicy, locked: bool
) -> None:
    store = fresh_store(seaweed_server)
    store.ensure_bucket(policy)
    assert seaweed_server.client().bucket_exists(store.bucket)
    assert (store.capabilities().object_lock, store.capabilities().versioning) == (locked, locked)


def test_an_existing_bucket_is_used_as_it_is_or_refused_under_require(seaweed_server: SeaweedServer) -> None:
    plain = fresh_store(seaweed_server, "plain")
    seaweed_server.client().make_bucket(plain.bucket)
    decision = plain.ensure_bucket(ObjectLockPolicy.CREATE)
    assert (decision.action, decision.warn) == (BucketAction.USE, True)
    assert plain.capabilities().object_lock is False  # object lock cannot be added afterwards, and is not
    with pytest.raises(ObjectLockRequiredError) as refused:
        plain.ensure_bucket(ObjectLockPolicy.REQUIRE)
    assert f"bucket {plain.location} has no object lock" in str(refused.value)
    assert 'storage.object_lock = "require"' in str(refused.value)

    locked = fresh_store(seaweed_server)
    locked.ensure_bucket(ObjectLockPolicy.CREATE)
    assert locked.ensure_bucket(ObjectLockPolicy.REQUIRE).action is BucketAction.USE  # again: nothing to make


cli = typer.Typer()


@cli.command()
def open_store_command(ctx: typer.Context) -> None:
    """What `seffaf record` / `ingest` / `demo` do first: open the store, making the bucket if missing."""
    build_store(settings_from(ctx), create_bucket=True, on_unreachable=lambda why: None)
    typer.echo("store open")


cli.command()(doctor)


def test_commands_and_the_app_refuse_to_start_against_a_bucket_without_lock(
    seaweed_server: SeaweedServer, tmp_path: Path
) -> None:
    plain = fresh_store(seaweed_server, "plain")
    seaweed_server.client().make_bucket(plain.bucket)
    env = {"SEFFAF_STORAGE_URL": seaweed_server.url(plain.bucket), "SEFFAF_DATA_DIR": str(tmp_path)}
    used = CliRunner().invoke(cli, ["open-store-command"], env=env)
    assert (used.exit_code, used.stdout.strip()) == (0, "store open")  # stderr: the warning, if logged
    # Even the recorder, which starts without a reachable store: this is a rule, not an outage.
    require = {**env, "SEFFAF_STORAGE__OBJECT_LOCK": "require"}
    refused = CliRunner().invoke(cli, ["open-store-command"], env=require)
    assert refused.exit_code == 2 and "store open" not in refused.output
    assert f"error: bucket {plain.location} has no object lock, and storage.object_lock" in refused.stderr
    checked = CliRunner().invoke(cli, ["doctor"], env=require)  # says so before anything is started
    assert checked.exit_code == 1 and f"FAIL  object lock: no: seffaf refuses to start: bucket {plain.location}" in (
        checked.output
    )

    settings = load_settings(storage_url=seaweed_server.url(plain.bucket), data_dir=tmp_path,
                             storage={"object_lock": "require"})  # fmt: skip
    with pytest.raises(ObjectLockRequiredError), TestClient(create_app(settings)):
        pass
