"""`seffaf doctor`: the configured store's kind and what it supports, the catalog, the retention in force."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

from seffaf.catalog.connect import open_catalog
from seffaf.catalog.sites_repo import store_sites
from tests.retention.cli_app import environment, run
from tests.retention.footage_month import CONFIG, SITES
from tests.support.seaweed import SeaweedServer


def test_doctor_on_local_disk_reports_no_object_lock_and_each_centres_period(tmp_path: Path) -> None:
    database_url = f"sqlite:///{tmp_path / 'catalog.sqlite3'}"
    catalog = open_catalog(database_url)
    with catalog.sessions() as session, session.begin():
        store_sites(session, SITES)
    catalog.close()
    env = environment(database_url, (tmp_path / "objects").as_uri(), CONFIG)
    report = json.loads(run(env, "doctor", "--json").output)
    assert (report["store"]["kind"], report["store"]["object_lock"], report["store"]["versioning"]) == (
        "local", False, False)  # fmt: skip
    assert report["catalog"]["reachable"] and report["retention_default_days"] == 14
    centers = {c["center"]: c["retention_days"] for c in report["catalog"]["centers"]}
    assert centers == {"c1": 7, "c2": None}
    text = run(env, "doctor")
    assert text.exit_code == 0
    assert "ok    object lock: no: legal holds are enforced by the catalog only" in text.output
    assert "centre c1: 7 days" in text.output


def test_doctor_finds_object_lock_on_a_seaweedfs_bucket_made_with_it(
    tmp_path: Path, seaweed_server: SeaweedServer
) -> None:
    locked, plain = f"locked-{uuid.uuid4().hex[:12]}", f"plain-{uuid.uuid4().hex[:12]}"
    client = seaweed_server.client()
    client.make_bucket(locked, object_lock=True)
    client.make_bucket(plain)
    database_url = f"sqlite:///{tmp_path / 'catalog.sqlite3'}"
    open_catalog(database_url).close()  # doctor reads the catalog, it does not create it
    answers = {}
    for bucket in (locked, plain):
        result = run(environment(database_url, seaweed_server.url(bucket), CONFIG), "doctor", "--json")
        assert result.exit_code == 0, result.output
        answers[bucket] = json.loads(result.output)["store"]
    assert (answers[locked]["object_lock"], answers[locked]["versioning"]) == (True, True)
    assert (answers[plain]["object_lock"], answers[plain]["versioning"]) == (False, False)
    assert seaweed_server.secret_key not in json.dumps(answers)

    missing = run(environment(database_url, seaweed_server.url("no-such-bucket"), CONFIG), "doctor")
    assert missing.exit_code == 1 and "FAIL  store: cannot write to" in missing.output
