"""`seffaf doctor`: the verdict functions (tables) and the command against real stores and databases."""

from __future__ import annotations

import json
import shutil
import socket
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner, Result

from seffaf.catalog.connect import open_catalog
from seffaf.cli.doctor_cmd import doctor
from seffaf.doctor.checks import (
    clock_offset_s,
    judge_database,
    judge_signing_key,
    judge_skew,
    judge_spool,
    judge_store,
    plain_store_error,
)
from seffaf.doctor.observations import (
    ClockReading,
    DatabaseObservation,
    SigningKeyObservation,
    SpoolObservation,
    StoreObservation,
)
from seffaf.doctor.results import Status
from seffaf.evidence.signing import generate_key_pair
from seffaf.storage.local import LocalObjectStore
from tests.support.seaweed import SeaweedServer

T0 = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)
MIB = 1024 * 1024


def reading(remote_offset_s: float, round_trip_s: float = 0.0, resolution_s: float = 0.0) -> ClockReading:
    return ClockReading(T0, T0 + timedelta(seconds=round_trip_s), T0 + timedelta(seconds=remote_offset_s), resolution_s)


@pytest.mark.parametrize(
    ("remote_offset_s", "round_trip_s", "resolution_s", "expected"),
    [
        (0.0, 0.0, 0.0, 0.0),
        (5.0, 0.0, 0.0, 5.0),
        (-5.0, 0.0, 0.0, -5.0),
        (0.3, 0.5, 0.0, 0.0),  # stamped during the round trip: indistinguishable
        (5.0, 0.5, 0.0, 4.5),  # ahead by at least the distance from our later reading
        (-0.6, 0.0, 1.0, 0.0),  # whole-second stamp: truncated, so up to 1 s later than it reads
        (-3.0, 0.0, 1.0, -2.0),
    ],
)
def test_clock_offset_is_the_smallest_skew_the_readings_allow(
    remote_offset_s: float, round_trip_s: float, resolution_s: float, expected: float
) -> None:
    assert clock_offset_s(reading(remote_offset_s, round_trip_s, resolution_s)) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("offset_s", "status", "words"),
    [
        (0.0, Status.OK, "agrees"),
        (1.5, Status.OK, "1.5 s ahead of"),
        (2.5, Status.WARN, "2.5 s ahead of"),
        (-2.5, Status.WARN, "2.5 s behind"),
        (30.0, Status.WARN, "30.0 s"),
        (31.0, Status.FAIL, "NTP"),
        (-3600.0, Status.FAIL, "3600.0 s behind"),
    ],
)
def test_skew_warns_past_two_seconds_and_fails_past_thirty(offset_s: float, status: Status, words: str) -> None:
    result = judge_skew("clock vs store", "the store", reading(offset_s))
    assert result.status is status and words in result.message
    assert result.measured["offset_s"] == pytest.approx(offset_s)


def test_skew_without_a_peer_clock_says_same_host() -> None:
    result = judge_skew("clock vs database", "the database", None)
    assert result.status is Status.OK and "same host" in result.message


def spool(free: int | None, exists: bool = True) -> SpoolObservation:
    path = Path("/var/spool/seffaf")
    return SpoolObservation(path, exists, path if exists else path.parent, free, None if free is not None else "EIO")


@pytest.mark.parametrize(
    ("observation", "minimum", "status", "words"),
    [
        (spool(1000 * MIB), 256 * MIB, Status.OK, "1,000 MiB free"),
        (spool(512 * MIB), 256 * MIB, Status.OK, "512 MiB free"),
        (spool(511 * MIB), 256 * MIB, Status.WARN, "close to recorder.min_free_spool_bytes"),
        (spool(255 * MIB), 256 * MIB, Status.FAIL, "the recorder will stop taking footage"),
        (spool(0), 0, Status.OK, "0 MiB free"),
        (spool(None), 256 * MIB, Status.FAIL, "cannot tell the free space"),
        (spool(1000 * MIB, exists=False), 256 * MIB, Status.OK, "not made yet"),
    ],
)
def test_spool_verdict_against_the_recorders_minimum(
    observation: SpoolObservation, minimum: int, status: Status, words: str
) -> None:
    result = judge_spool(observation, minimum)
    assert result.status is status and words in result.message and "/var/spool/seffaf" in result.message


def store(step: str | None = None, matches: bool = True, gone: bool = True) -> StoreObservation:
    return StoreObservation(location="s3://h:1/b", probe_key="doctor/x.probe", failed_step=step,
                            error="boom" if step else None, read_back_matches=matches, gone_after_delete=gone,
                            kind="s3", object_lock=False, versioning=False, capabilities_error=None,
                            clock=None)  # fmt: skip


@pytest.mark.parametrize(
    ("observation", "status", "words"),
    [
        (store(), Status.OK, "wrote, read back and deleted"),
        (store("write", matches=False, gone=False), Status.FAIL, "cannot write to s3://h:1/b: boom"),
        (store("read", matches=False, gone=False), Status.FAIL, "cannot read it back"),
        (store(matches=False), Status.FAIL, "different bytes"),
        (store("delete", gone=False), Status.FAIL, "cannot delete doctor/x.probe"),
        (store(gone=False), Status.FAIL, "still in s3://h:1/b after deleting"),
    ],
)
def test_store_probe_verdict(observation: StoreObservation, status: Status, words: str) -> None:
    result = judge_store(observation)
    assert result.status is status and words in result.message


@pytest.mark.parametrize(
    ("error", "words"),
    [
        ("upload 'k': s3://h:1/b unreachable (... [Errno 111] Connection refused)", "nothing answers"),
        ("upload 'k': s3://h:1/b unreachable (ConnectTimeoutError(... 'Connection to h timed out.'))", "timed out"),
        ("[Errno -2] Name or service not known", "does not resolve"),
        ("upload 'k' in s3://h:1/b: AccessDenied: Access Denied.", "AccessDenied: Access Denied."),
    ],
)
def test_store_errors_are_said_as_their_network_cause(error: str, words: str) -> None:
    assert words in plain_store_error(error)


def database(revision: str | None, error: str | None = None, missing: bool = False) -> DatabaseObservation:
    return DatabaseObservation(url="postgresql://u:***@h/db", dialect="postgresql", missing_file=missing, error=error,
                               revision=revision, head="0006", known_revisions=frozenset({"0005", "0006"}),
                               clock=None)  # fmt: skip


@pytest.mark.parametrize(
    ("observation", "status", "words"),
    [
        (database("0006"), Status.OK, "schema up to date (0006)"),
        (database("0005"), Status.WARN, "older than 0006"),
        (database(None), Status.WARN, "empty"),
        (database("0099"), Status.FAIL, "upgrade seffaf"),
        (database(None, error="connection refused"), Status.FAIL, "cannot reach the catalog database"),
        (database(None, missing=True), Status.WARN, "no catalog file yet"),
    ],
)
def test_database_verdict(observation: DatabaseObservation, status: Status, words: str) -> None:
    result = judge_database(observation)
    assert result.status is status and words in result.message


@pytest.mark.parametrize(
    ("observation", "status", "words"),
    [
        (SigningKeyObservation(None, None, None), Status.WARN, "evidence.signing_key_path is not set"),
        (SigningKeyObservation(Path("/k.pem"), None, "cannot read /k.pem"), Status.FAIL, "cannot read /k.pem"),
        (SigningKeyObservation(Path("/k.pem"), "ab" * 32, None), Status.OK, "fingerprint " + "ab" * 32),
    ],
)
def test_signing_key_verdict(observation: SigningKeyObservation, status: Status, words: str) -> None:
    result = judge_signing_key(observation)
    assert result.status is status and words in result.message


app = typer.Typer()


@app.callback()
def _group() -> None:
    """Makes `doctor` a subcommand, as in seffaf/cli/main.py."""


app.command()(doctor)


def run_doctor(database_url: str, storage_url: str, tmp_path: Path, **extra: str) -> Result:
    env = {"SEFFAF_DATABASE_URL": database_url, "SEFFAF_STORAGE_URL": storage_url,
           "SEFFAF_SPOOL_DIR": str(tmp_path / "spool"),
           "SEFFAF_RECORDER__MIN_FREE_SPOOL_BYTES": str(MIB), **extra}  # fmt: skip
    return CliRunner().invoke(app, ["doctor", "--json"], env=env)


def statuses(result: Result) -> dict[str, dict[str, object]]:
    return {check["name"]: check for check in json.loads(result.output)["checks"]}


def test_local_store_and_sqlite_all_ok(tmp_path: Path) -> None:
    database_url = f"sqlite:///{tmp_path / 'catalog.sqlite3'}"
    open_catalog(database_url).close()
    key = generate_key_pair(tmp_path / "keys")
    objects = tmp_path / "objects"
    env = {"SEFFAF_EVIDENCE__SIGNING_KEY_PATH": str(key.private_path)}
    result = run_doctor(database_url, objects.as_uri(), tmp_path, **env)
    assert result.exit_code == 0, result.output
    checks = statuses(result)
    names = ["database", "store", "object lock", "clock vs database", "clock vs store", "spool", "signing key"]
    assert {name: c["status"] for name, c in checks.items()} == dict.fromkeys(names, "ok")
    assert "same host" in str(checks["clock vs database"]["message"])
    assert key.fingerprint in str(checks["signing key"]["message"])
    assert list(LocalObjectStore(objects).list("doctor/")) == []  # the probe object is gone
    text = CliRunner().invoke(app, ["doctor"], env={"SEFFAF_DATABASE_URL": database_url,
                                                    "SEFFAF_STORAGE_URL": objects.as_uri(),
                                                    "SEFFAF_SPOOL_DIR": str(tmp_path), **env})  # fmt: skip
    assert (
        text.exit_code == 0
        and "ok    store: file://" in text.output
        and "run doctor on each recorder host" in text.output
    )


def test_seaweedfs_and_each_database_probe_ok_and_clocks_close(
    tmp_path: Path, seaweed_server: SeaweedServer, database_url: str
) -> None:
    bucket = f"doctor-{uuid.uuid4().hex[:12]}"
    seaweed_server.client().make_bucket(bucket)
    open_catalog(database_url).close()
    result = run_doctor(database_url, seaweed_server.url(bucket), tmp_path)
    checks = statuses(result)
    assert (checks["database"]["status"], checks["store"]["status"]) == ("ok", "ok"), result.output
    assert checks["clock vs store"]["status"] == "ok"
    store_offset = checks["clock vs store"]["measured"]
    assert isinstance(store_offset, dict) and abs(store_offset["offset_s"]) <= 1.0
    database_offset = checks["clock vs database"]["measured"]
    if database_url.startswith("postgresql"):  # measured, and the same host's clock: nothing between them
        assert isinstance(database_offset, dict) and database_offset["offset_s"] == pytest.approx(0, abs=0.05)
    assert list(seaweed_server.client().list_objects(bucket, prefix="doctor/", recursive=True)) == []
    assert seaweed_server.secret_key not in result.output


def test_a_store_on_a_closed_port_fails_in_plain_words(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    database_url = f"sqlite:///{tmp_path / 'catalog.sqlite3'}"
    open_catalog(database_url).close()
    result = CliRunner().invoke(app, ["doctor"], env={
        "SEFFAF_DATABASE_URL": database_url, "SEFFAF_STORAGE_URL": f"s3://key:secret@127.0.0.1:{port}/footage?secure=false",
        "SEFFAF_SPOOL_DIR": str(tmp_path)})  # fmt: skip
    assert result.exit_code == 1
    assert f"FAIL  store: cannot write to s3://127.0.0.1:{port}/footage" in result.output
    assert "nothing answers at that address (connection refused)" in result.output
    assert "secret" not in result.output


def test_a_spool_with_less_free_space_than_required_fails_naming_it(tmp_path: Path) -> None:
    database_url = f"sqlite:///{tmp_path / 'catalog.sqlite3'}"
    open_catalog(database_url).close()
    spool_dir = tmp_path / "spool"
    spool_dir.mkdir()
    too_much = shutil.disk_usage(spool_dir).free + 1024 * MIB
    result = CliRunner().invoke(app, ["doctor"], env={
        "SEFFAF_DATABASE_URL": database_url, "SEFFAF_STORAGE_URL": (tmp_path / "objects").as_uri(),
        "SEFFAF_SPOOL_DIR": str(spool_dir), "SEFFAF_RECORDER__MIN_FREE_SPOOL_BYTES": str(too_much)})  # fmt: skip
    assert result.exit_code == 1
    assert f"FAIL  spool: spool {spool_dir} has" in result.output
    assert "less than recorder.min_free_spool_bytes" in result.output
