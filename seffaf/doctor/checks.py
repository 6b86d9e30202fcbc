"""Pure verdicts of `seffaf doctor`: observations in, one CheckResult out; no I/O here."""

from __future__ import annotations

from seffaf.doctor.observations import (
    ClockReading,
    DatabaseObservation,
    SigningKeyObservation,
    SpoolObservation,
    StoreObservation,
)
from seffaf.doctor.results import CheckResult, Status
from seffaf.storage.object_lock import SETTING, BucketAction, BucketState, ObjectLockPolicy, decide_bucket, in_force

# Segment keys, visit coverage and audit times all come from clocks: a few seconds apart already
# misplaces a 10 s segment against a ticket; half a minute makes legs miss their footage.
SKEW_WARN_S = 2.0
SKEW_FAIL_S = 30.0
# Below min_free_spool_bytes the recorder stops; warn while there is less than this many times it.
SPOOL_WARN_FACTOR = 2.0
MIB = 1024 * 1024


def clock_offset_s(reading: ClockReading) -> float:
    """Peer minus us, in seconds; 0 when the readings cannot tell the clocks apart.

    Our clock was somewhere in [before, after] when the peer stamped a time in [remote, remote + resolution].
    """
    if reading.after < reading.before:
        raise ValueError("clock reading: after is earlier than before")
    if reading.resolution_s < 0:
        raise ValueError("clock reading: resolution_s is negative")
    earliest = (reading.remote - reading.after).total_seconds()
    latest = (reading.remote - reading.before).total_seconds() + reading.resolution_s
    if earliest > 0:
        return earliest
    if latest < 0:
        return latest
    return 0.0


def judge_skew(
    name: str, peer: str, reading: ClockReading | None, warn_s: float = SKEW_WARN_S, fail_s: float = SKEW_FAIL_S
) -> CheckResult:
    if reading is None:
        return CheckResult(name=name, status=Status.OK, message=f"{peer} uses this host's clock (same host)",
                           measured={"offset_s": None})  # fmt: skip
    offset = clock_offset_s(reading)
    size = abs(offset)
    direction = "ahead of" if offset > 0 else "behind"
    measured = {"offset_s": round(offset, 3), "uncertainty_s": round(_uncertainty_s(reading), 3)}
    if size == 0:
        return CheckResult(name=name, status=Status.OK, measured=measured,
                           message=f"{peer} clock agrees with this host's (within "
                                   f"{_uncertainty_s(reading):.3f} s)")  # fmt: skip
    said = f"{peer} clock is {size:.1f} s {direction} this host's"
    if size > fail_s:
        return CheckResult(name=name, status=Status.FAIL, measured=measured,
                           message=f"{said}: segment times and session coverage will be wrong; "
                                   "set up NTP on both")  # fmt: skip
    if size > warn_s:
        return CheckResult(name=name, status=Status.WARN, measured=measured,
                           message=f"{said} (more than {warn_s:g} s): check NTP on both")  # fmt: skip
    return CheckResult(name=name, status=Status.OK, measured=measured, message=said)


def _uncertainty_s(reading: ClockReading) -> float:
    return (reading.after - reading.before).total_seconds() + reading.resolution_s


def judge_database(obs: DatabaseObservation) -> CheckResult:
    name = "database"
    measured = {"url": obs.url, "revision": obs.revision, "head": obs.head}
    if obs.missing_file:
        return CheckResult(name=name, status=Status.WARN, measured=measured,
                           message=f"no catalog file yet at {obs.url}: the first seffaf command that opens "
                                   "the catalog creates it")  # fmt: skip
    if obs.error is not None:
        return CheckResult(name=name, status=Status.FAIL, measured=measured,
                           message=f"cannot reach the catalog database {obs.url}: {obs.error}")  # fmt: skip
    if obs.revision == obs.head:
        return CheckResult(name=name, status=Status.OK, measured=measured,
                           message=f"{obs.url} reachable; schema up to date ({obs.head})")  # fmt: skip
    if obs.revision is None:
        return CheckResult(name=name, status=Status.WARN, measured=measured,
                           message=f"{obs.url} is reachable but empty: the first seffaf command that opens "
                                   "the catalog creates the tables")  # fmt: skip
    if obs.revision not in obs.known_revisions:
        return CheckResult(name=name, status=Status.FAIL, measured=measured,
                           message=f"{obs.url} has schema {obs.revision}, which this seffaf does not know "
                                   f"(newest it knows: {obs.head}): a newer seffaf migrated it; "
                                   "upgrade seffaf on this host")  # fmt: skip
    return CheckResult(name=name, status=Status.WARN, measured=measured,
                       message=f"{obs.url} has schema {obs.revision}, older than {obs.head}: the next seffaf "
                               "command that opens the catalog upgrades it")  # fmt: skip


# The socket error inside an HTTP client's message, said the way an operator would act on it.
NETWORK_CAUSES = (
    ("Connection refused", "nothing answers at that address (connection refused): is the S3 server running, "
                           "and is the port right?"),
    ("timed out", "no answer in time (timed out): is the host up, or a firewall in the way?"),
    ("Name or service not known", "the host name does not resolve"),
    ("Temporary failure in name resolution", "the host name does not resolve"),
    ("No route to host", "no route to the host"),
)  # fmt: skip


def plain_store_error(error: str | None) -> str:
    """The operator-level cause of a store error; the error itself when it is no known network failure."""
    text = error or "unknown error"
    return next((plain for cause, plain in NETWORK_CAUSES if cause in text), text)


def judge_store(obs: StoreObservation) -> CheckResult:
    name = "store"
    measured = {"location": obs.location, "probe_key": obs.probe_key, "failed_step": obs.failed_step,
                "error": obs.error}  # fmt: skip
    if obs.failed_step == "write":
        return CheckResult(name=name, status=Status.FAIL, measured=measured,
                           message=f"cannot write to {obs.location}: {plain_store_error(obs.error)}")  # fmt: skip
    if obs.failed_step == "read":
        return CheckResult(name=name, status=Status.FAIL, measured=measured,
                           message=f"wrote {obs.probe_key} to {obs.location} but cannot read it back: "
                                   f"{obs.error}")  # fmt: skip
    if not obs.read_back_matches:
        return CheckResult(name=name, status=Status.FAIL, measured=measured,
                           message=f"{obs.location} gave back different bytes than were written to "
                                   f"{obs.probe_key}")  # fmt: skip
    if obs.failed_step == "delete":
        return CheckResult(name=name, status=Status.FAIL, measured=measured,
                           message=f"cannot delete {obs.probe_key} from {obs.location}: {obs.error}; "
                                   "retention could not delete footage either")  # fmt: skip
    if not obs.gone_after_delete:
        return CheckResult(name=name, status=Status.FAIL, measured=measured,
                           message=f"{obs.probe_key} is still in {obs.location} after deleting it: "
                                   "retention would leave footage behind")  # fmt: skip
    return CheckResult(name=name, status=Status.OK, measured=measured,
                       message=f"{obs.location}: wrote, read back and deleted a probe object")  # fmt: skip


def judge_object_lock(obs: StoreObservation, policy: ObjectLockPolicy) -> CheckResult:
    name = "object lock"
    measured = {"kind": obs.kind, "object_lock": obs.object_lock, "versioning": obs.versioning,
                "setting": policy.value}  # fmt: skip
    setting = in_force(policy)
    if obs.capabilities_error is not None or obs.object_lock is None:
        cause = plain_store_error(obs.capabilities_error)
        return CheckResult(name=name, status=Status.WARN, measured=measured,
                           message=f"unknown: could not ask the store: {cause} ({setting})")  # fmt: skip
    if obs.object_lock:
        return CheckResult(name=name, status=Status.OK, measured=measured,
                           message=f"yes: legal holds are also enforced by the store itself ({setting})")  # fmt: skip
    if obs.kind == "local":
        return CheckResult(name=name, status=Status.OK, measured=measured,
                           message="no: legal holds are enforced by the catalog only (local disk has no object "
                                   f"lock; {SETTING} applies to S3 buckets)")  # fmt: skip
    # The decision seffaf makes when it opens the bucket: the doctor says in advance what that will do.
    decision = decide_bucket(obs.location, BucketState.PLAIN, policy)
    if decision.action is BucketAction.REFUSE:
        return CheckResult(name=name, status=Status.FAIL, measured=measured,
                           message=f"no: seffaf refuses to start: {decision.reason}")  # fmt: skip
    # Not a fault (the catalog enforces holds on its own), but under "create" not what the setting asks for.
    return CheckResult(name=name, status=Status.WARN if decision.warn else Status.OK, measured=measured,
                       message=f"no: {decision.reason}")  # fmt: skip


def judge_spool(obs: SpoolObservation, min_free_bytes: int, warn_factor: float = SPOOL_WARN_FACTOR) -> CheckResult:
    name = "spool"
    measured = {"path": str(obs.path), "free_bytes": obs.free_bytes, "min_free_bytes": min_free_bytes}
    if obs.free_bytes is None:
        return CheckResult(name=name, status=Status.FAIL, measured=measured,
                           message=f"cannot tell the free space of spool {obs.path}: {obs.error}")  # fmt: skip
    where = f"spool {obs.path}" if obs.exists else f"spool {obs.path} (not made yet; its disk at {obs.measured_on})"
    free = f"{obs.free_bytes / MIB:,.0f} MiB free"
    needed = f"{min_free_bytes / MIB:,.0f} MiB"
    if obs.free_bytes < min_free_bytes:
        return CheckResult(name=name, status=Status.FAIL, measured=measured,
                           message=f"{where} has {free}, less than recorder.min_free_spool_bytes ({needed}): "
                                   "the recorder will stop taking footage")  # fmt: skip
    if obs.free_bytes < min_free_bytes * warn_factor:
        return CheckResult(name=name, status=Status.WARN, measured=measured,
                           message=f"{where} has {free}, close to recorder.min_free_spool_bytes ({needed}) "
                                   "below which the recorder stops")  # fmt: skip
    return CheckResult(name=name, status=Status.OK, measured=measured,
                       message=f"{where} has {free} (recorder stops below {needed})")  # fmt: skip


def judge_signing_key(obs: SigningKeyObservation) -> CheckResult:
    name = "signing key"
    measured = {"path": None if obs.path is None else str(obs.path), "fingerprint": obs.fingerprint}
    if obs.path is None:
        return CheckResult(name=name, status=Status.WARN, measured=measured,
                           message="evidence.signing_key_path is not set: evidence packages cannot be signed; "
                                   "`seffaf keys generate` makes a key")  # fmt: skip
    if obs.error is not None or obs.fingerprint is None:
        return CheckResult(name=name, status=Status.FAIL, measured=measured,
                           message=f"evidence packages cannot be signed: {obs.error}")  # fmt: skip
    return CheckResult(name=name, status=Status.OK, measured=measured,
                       message=f"{obs.path} is readable; public fingerprint {obs.fingerprint}")  # fmt: skip
