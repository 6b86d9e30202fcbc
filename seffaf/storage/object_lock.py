"""Whether an S3 bucket gets, or must have, object lock: the pure decision behind `S3ObjectStore.ensure_bucket`.

Object lock can only be enabled when a bucket is made, so this decides at the one moment it can be
chosen; an existing bucket is never changed. Without object lock the catalog alone enforces legal
holds; with it the store too refuses to destroy held footage.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

SETTING = "storage.object_lock"


class ObjectLockPolicy(StrEnum):
    """The `storage.object_lock` setting (env SEFFAF_STORAGE__OBJECT_LOCK)."""

    CREATE = "create"  # a missing bucket is made with object lock; an existing one is used as it is
    REQUIRE = "require"  # as create, and a bucket without object lock is refused
    OFF = "off"  # a missing bucket is made without object lock (for S3 servers that have none)


MEANING = {
    ObjectLockPolicy.CREATE: "a missing bucket is made with object lock; an existing one is used as it is",
    ObjectLockPolicy.REQUIRE: "a missing bucket is made with object lock; a bucket without it is refused",
    ObjectLockPolicy.OFF: "a missing bucket is made without object lock",
}


def in_force(policy: ObjectLockPolicy) -> str:
    """The setting and what it means, for logs and `seffaf doctor`."""
    return f'{SETTING} = "{policy.value}": {MEANING[policy]}'


class BucketState(StrEnum):
    MISSING = "missing"
    LOCKED = "locked"  # exists, with object lock
    PLAIN = "plain"  # exists, without object lock


class BucketAction(StrEnum):
    CREATE_LOCKED = "create-locked"
    CREATE_PLAIN = "create-plain"
    USE = "use"
    REFUSE = "refuse"


@dataclass(frozen=True)
class BucketDecision:
    action: BucketAction
    reason: str  # one sentence naming the bucket and the setting: logged, or the error when refused
    warn: bool = False  # the bucket is used, but the setting's intent (store-enforced holds) is not met


def decide_bucket(bucket: str, state: BucketState, policy: ObjectLockPolicy) -> BucketDecision:
    """What to do with `bucket` (a name or location, for the messages) found in `state` under `policy`."""
    setting = f'{SETTING} = "{policy.value}"'
    if state is BucketState.MISSING:
        if policy is ObjectLockPolicy.OFF:
            return BucketDecision(BucketAction.CREATE_PLAIN, f"making bucket {bucket} without object lock ({setting})")
        return BucketDecision(BucketAction.CREATE_LOCKED, f"making bucket {bucket} with object lock ({setting})")
    if state is BucketState.LOCKED:
        return BucketDecision(BucketAction.USE, f"bucket {bucket} has object lock: the store enforces legal holds too")
    if policy is ObjectLockPolicy.REQUIRE:
        return BucketDecision(
            BucketAction.REFUSE,
            f"bucket {bucket} has no object lock, and {setting} refuses such a bucket: object lock can only be "
            "enabled when a bucket is made, so point storage_url at a bucket made with it (or let seffaf make a "
            f'new one), or set {SETTING} = "create" to accept holds enforced by the catalog alone',
        )
    catalog_only = f"bucket {bucket} has no object lock: legal holds are enforced by the catalog alone"
    if policy is ObjectLockPolicy.CREATE:
        return BucketDecision(
            BucketAction.USE,
            f"{catalog_only} ({setting} only applies when seffaf makes the bucket; object lock cannot be added "
            "to an existing bucket)",
            warn=True,
        )
    return BucketDecision(BucketAction.USE, f"{catalog_only} ({in_force(policy)})")
