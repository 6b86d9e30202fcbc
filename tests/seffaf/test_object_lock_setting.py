"""`storage.object_lock`: the bucket decision, the doctor's line about it and the setting itself (tables, no I/O)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from seffaf.config import ConfigError, load_settings
from seffaf.doctor.checks import judge_object_lock
from seffaf.doctor.observations import StoreObservation
from seffaf.doctor.results import Status
from seffaf.storage.object_lock import BucketAction, BucketState, ObjectLockPolicy, decide_bucket

CREATE, REQUIRE, OFF = ObjectLockPolicy.CREATE, ObjectLockPolicy.REQUIRE, ObjectLockPolicy.OFF
MISSING, LOCKED, PLAIN = BucketState.MISSING, BucketState.LOCKED, BucketState.PLAIN
S3_URL = "s3://key:secret@s3.internal:9000/footage"
IN_CREATE = 'storage.object_lock = "create": a missing bucket is made with object lock'
CATALOG_ONLY = "bucket s3://h:1/b has no object lock: legal holds are enforced by the catalog alone"


@pytest.mark.parametrize(
    ("state", "policy", "action", "warn"),
    [
        (MISSING, CREATE, BucketAction.CREATE_LOCKED, False),
        (MISSING, REQUIRE, BucketAction.CREATE_LOCKED, False),
        (MISSING, OFF, BucketAction.CREATE_PLAIN, False),
        (LOCKED, CREATE, BucketAction.USE, False),
        (LOCKED, REQUIRE, BucketAction.USE, False),
        (LOCKED, OFF, BucketAction.USE, False),  # "off" never takes object lock away: it cannot
        (PLAIN, CREATE, BucketAction.USE, True),  # the setting asks for lock but cannot add it
        (PLAIN, REQUIRE, BucketAction.REFUSE, False),
        (PLAIN, OFF, BucketAction.USE, False),
    ],
)
def test_what_happens_to_the_bucket(state: BucketState, policy: ObjectLockPolicy, action: BucketAction,
                                    warn: bool) -> None:  # fmt: skip
    decision = decide_bucket("s3://s3.internal:9000/footage", state, policy)
    assert (decision.action, decision.warn) == (action, warn)
    assert "s3://s3.internal:9000/footage" in decision.reason
    assert f'storage.object_lock = "{policy.value}"' in decision.reason or state is LOCKED


def test_a_refusal_says_which_bucket_which_setting_and_the_ways_out() -> None:
    reason = decide_bucket("s3://h:1/footage", PLAIN, REQUIRE).reason
    assert "bucket s3://h:1/footage has no object lock" in reason
    assert 'storage.object_lock = "require" refuses' in reason
    assert "only be enabled when a bucket is made" in reason and 'storage.object_lock = "create"' in reason


def observed(kind: str | None, lock: bool | None, error: str | None = None) -> StoreObservation:
    return StoreObservation(location="s3://h:1/b", probe_key="doctor/x.probe", failed_step=None, error=None,
                            read_back_matches=True, gone_after_delete=True, kind=kind, object_lock=lock,
                            versioning=lock, capabilities_error=error, clock=None)  # fmt: skip


@pytest.mark.parametrize(
    ("observation", "policy", "status", "words"),
    [
        (
            observed("s3", True),
            CREATE,
            Status.OK,
            f"yes: legal holds are also enforced by the store itself ({IN_CREATE}",
        ),
        (observed("s3", True), OFF, Status.OK, '(storage.object_lock = "off": a missing bucket is made without'),
        (observed("s3", False), CREATE, Status.WARN, f'no: {CATALOG_ONLY} (storage.object_lock = "create" only'),
        (observed("s3", False), OFF, Status.OK, f'{CATALOG_ONLY} (storage.object_lock = "off": a missing bucket'),
        (observed("s3", False), REQUIRE, Status.FAIL, "no: seffaf refuses to start: bucket s3://h:1/b has no"),
        (observed("local", False), REQUIRE, Status.OK, "no: legal holds are enforced by the catalog only (local disk"),
        (observed(None, None, "NoSuchBucket"), REQUIRE, Status.WARN, "unknown: could not ask the store: NoSuchBucket"),
    ],
)
def test_doctor_says_which_setting_is_in_force_and_what_it_means(
    observation: StoreObservation, policy: ObjectLockPolicy, status: Status, words: str
) -> None:
    result = judge_object_lock(observation, policy)
    assert (result.status, result.measured["setting"]) == (status, policy.value)
    assert words in result.message, result.message


def test_the_setting_is_read_from_the_environment_and_defaults_to_create(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SEFFAF_STORAGE__OBJECT_LOCK", raising=False)
    assert load_settings(storage_url=S3_URL).storage.object_lock is CREATE
    monkeypatch.setenv("SEFFAF_STORAGE__OBJECT_LOCK", "require")
    assert load_settings(storage_url=S3_URL).storage.object_lock is REQUIRE
    monkeypatch.setenv("SEFFAF_STORAGE__OBJECT_LOCK", "yes")
    with pytest.raises(
        ConfigError, match=re.escape("storage.object_lock: Input should be 'create', 'require' or 'off'")
    ):
        load_settings(storage_url=S3_URL)


def test_require_is_refused_with_the_local_disk_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SEFFAF_STORAGE__OBJECT_LOCK", "require")
    with pytest.raises(ConfigError, match=re.escape('storage.object_lock = "require" needs an s3:// storage_url')):
        load_settings(data_dir=tmp_path)  # the default store: file://<data_dir>/objects
    monkeypatch.setenv("SEFFAF_STORAGE__OBJECT_LOCK", "off")
    assert load_settings(data_dir=tmp_path).storage.object_lock is OFF
