"""Exporting a case in the app: a redacted package by default that `seffaf verify` accepts once downloaded, recorded
as an ExportRow and audited; unredacted only with the permission and a reason; a case or export outside the
user's scope answers like a missing one and is audited; no signing key is a clear 409. SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import re
import zipfile
from pathlib import Path

from fastapi.testclient import TestClient

from seffaf.evidence.layout import MANIFEST
from seffaf.evidence.manifest import PackageManifest
from seffaf.evidence.verify import verify_package
from tests.cases.export_support import Exporting, app_over, export_rows, exporting, exporting_sqlite, trail
from tests.cases.test_cases_pages import csrf
from tests.review_app.conftest import PASSWORD
from tests.review_app.pages_support import BROWSER, text_of
from tests.review_app.test_login_pages import log_in
from tests.support.clock import SteppedClock

__all__ = ["exporting", "exporting_sqlite"]  # the fixtures


def manifest_of(package: Path) -> PackageManifest:
    with zipfile.ZipFile(package) as archive:
        return PackageManifest.model_validate_json(archive.read(MANIFEST))


def download(client: TestClient, export_id: int, target: Path) -> Path:
    got = client.get(f"/api/v1/exports/{export_id}/package.zip")
    assert got.status_code == 200, got.text
    assert got.headers["content-type"] == "application/zip" and got.headers["cache-control"] == "no-store"
    target.write_bytes(got.content)
    return target


def test_a_handler_exports_a_redacted_package_that_verifies(exporting: Exporting, tmp_path: Path) -> None:
    web, case_id = exporting.web, exporting.case_id
    token = web.login("leyla")
    made = web.client.post(f"/api/v1/cases/{case_id}/exports", json={}, headers={"X-CSRF-Token": token})
    assert made.status_code == 201, made.text
    export = made.json()
    assert (export["file_name"], export["redacted"], export["reason"], export["exported_by"]) == (
        f"case-{case_id}-1.zip", True, None, "leyla")  # fmt: skip

    package = download(web.client, export["id"], tmp_path / "got.zip")
    assert hashlib.sha256(package.read_bytes()).hexdigest() == export["package_sha256"]
    report = verify_package(package, exporting.public_key.read_bytes())
    assert report.ok, report.problems
    manifest = manifest_of(package)
    assert (manifest.case.id, manifest.case.reference, manifest.case.status) == (case_id, "C-17", "open")
    assert (manifest.redaction.mode, manifest.redaction.method) == ("faces_blurred", "test copy v1")
    assert [s.ticket for s in manifest.sessions] == ["A9"] and manifest.exported_by == "leyla"
    with zipfile.ZipFile(package) as archive:
        assert hashlib.sha256(archive.read(MANIFEST)).hexdigest() == export["manifest_sha256"]

    assert export_rows(web.catalog) == [(case_id, f"case-{case_id}-1.zip", True, None, "leyla")]
    assert [(a, t, i) for a, t, i, _ in trail(web.catalog, "export")] == [
        ("leyla", "case", str(case_id)), ("leyla", "export", str(export["id"]))]  # fmt: skip
    again = web.client.post(f"/api/v1/cases/{case_id}/exports", json={"include_originals": True},
                            headers={"X-CSRF-Token": token}).json()  # fmt: skip
    assert again["file_name"] == f"case-{case_id}-2.zip"
    assert verify_package(download(web.client, again["id"], tmp_path / "again.zip")).ok
    case = web.client.get(f"/api/v1/cases/{case_id}").json()
    assert [e["id"] for e in case["exports"]] == [export["id"], again["id"]]


def test_unredacted_needs_the_permission_and_a_reason(exporting: Exporting, tmp_path: Path) -> None:
    web, path = exporting.web, f"/api/v1/cases/{exporting.case_id}/exports"
    token = web.login("leyla")
    refused = web.client.post(path, json={"unredacted": True, "reason": "court order"},
                              headers={"X-CSRF-Token": token})  # fmt: skip
    assert refused.status_code == 403 and "unredacted_export permission" in refused.json()["detail"]
    assert trail(web.catalog, "access_denied") == [
        ("leyla", "case", str(exporting.case_id), "unredacted export without the permission")]  # fmt: skip
    assert export_rows(web.catalog) == [] and not list(exporting.exports_dir.glob("*.zip"))

    token = web.login("nadia")
    for reason in (None, "  ", "ab"):
        unstated = web.client.post(path, json={"unredacted": True, "reason": reason}, headers={"X-CSRF-Token": token})
        assert unstated.status_code == 422 and unstated.json()["detail"].startswith("reason: an unredacted export")
    made = web.client.post(path, json={"unredacted": True, "reason": " court order 2026/17 "},
                           headers={"X-CSRF-Token": token})  # fmt: skip
    assert made.status_code == 201, made.text
    export = made.json()
    assert (export["redacted"], export["reason"]) == (False, "court order 2026/17")
    manifest = manifest_of(download(web.client, export["id"], tmp_path / "unredacted.zip"))
    assert (manifest.redaction.mode, manifest.redaction.unredacted_reason) == ("none", "court order 2026/17")
    assert trail(web.catalog, "export")[0] == ("nadia", "case", str(exporting.case_id), "court order 2026/17")

    web.login("leyla")  # may see the case, not the unredacted package
    assert web.client.get(f"/api/v1/exports/{export['id']}/package.zip").status_code == 403
    assert trail(web.catalog, "access_denied")[-1] == (
        "leyla", "export", str(export["id"]), "unredacted export without the permission")  # fmt: skip


def test_a_case_or_export_outside_the_scope_answers_like_a_missing_one(exporting: Exporting) -> None:
    web, case_id = exporting.web, exporting.case_id
    token = web.login("leyla")
    made = web.client.post(f"/api/v1/cases/{case_id}/exports", json={}, headers={"X-CSRF-Token": token})
    export_id = made.json()["id"]
    token = web.login("farid")  # a handler at another centre
    hidden = web.client.post(f"/api/v1/cases/{case_id}/exports", json={}, headers={"X-CSRF-Token": token})
    missing = web.client.post("/api/v1/cases/999999/exports", json={}, headers={"X-CSRF-Token": token})
    assert hidden.status_code == missing.status_code == 404
    assert (
        hidden.json()["detail"] == f"case {case_id} not found" and missing.json()["detail"] == "case 999999 not found"
    )
    hidden = web.client.get(f"/api/v1/exports/{export_id}/package.zip")
    missing = web.client.get("/api/v1/exports/999999/package.zip")
    assert hidden.status_code == missing.status_code == 404
    assert (hidden.json()["detail"], missing.json()["detail"]) == (
        f"export {export_id} not found",
        "export 999999 not found",
    )
    outside = "outside the user's scope"
    assert trail(web.catalog, "access_denied") == [("farid", "case", str(case_id), outside),
                                                   ("farid", "export", str(export_id), outside)]  # fmt: skip
    assert len(export_rows(web.catalog)) == 1 and [t for _, t, _, _ in trail(web.catalog, "export")] == ["case"]


def test_the_case_page_exports_and_lists_the_package(exporting_sqlite: Exporting, tmp_path: Path) -> None:
    web, case_path = exporting_sqlite.web, f"/cases/{exporting_sqlite.case_id}"
    log_in(web, "leyla")
    page = web.client.get(case_path, headers=BROWSER).text
    assert "data-export-form" in page and "data-unredacted" not in page  # no permission: no such choice
    posted = web.client.post(f"{case_path}/exports", data={"originals": "true", "csrf_token": csrf(page)},
                             headers=BROWSER, follow_redirects=False)  # fmt: skip
    assert posted.status_code == 303, posted.text
    listed = web.client.get(case_path, headers=BROWSER).text
    [(export_id, row)] = re.findall(r'<tr id="export-(\d+)" data-export="\d+">(.*?)</tr>', listed, re.S)
    assert f'href="/api/v1/exports/{export_id}/package.zip"' in row and "yes" in text_of(row)
    package = download(web.client, int(export_id), tmp_path / "from-page.zip")
    assert verify_package(package).ok and all(s.member for s in manifest_of(package).sessions[0].legs[0].segments)

    log_in(web, "nadia")
    page = web.client.get(case_path, headers=BROWSER).text
    assert "data-unredacted" in page
    unstated = web.client.post(f"{case_path}/exports", data={"unredacted": "true", "csrf_token": csrf(page)},
                               headers=BROWSER)  # fmt: skip
    assert unstated.status_code == 422 and "an unredacted export needs a stated reason" in text_of(unstated.text)


def test_without_a_signing_key_the_export_says_how_to_make_one(exporting_sqlite: Exporting, tmp_path: Path) -> None:
    exporting = exporting_sqlite
    app = app_over(exporting.leg, tmp_path / "keyless", None, SteppedClock(exporting.web.clock.now))
    with TestClient(app) as client:
        login = client.post("/api/v1/auth/login", json={"username": "leyla", "password": PASSWORD}).json()
        refused = client.post(f"/api/v1/cases/{exporting.case_id}/exports", json={},
                              headers={"X-CSRF-Token": login["csrf_token"]})  # fmt: skip
        assert refused.status_code == 409 and "seffaf keys generate" in refused.json()["detail"]
        page = client.get(f"/cases/{exporting.case_id}", headers=BROWSER).text
        shown = client.post(f"/cases/{exporting.case_id}/exports", data={"csrf_token": csrf(page)}, headers=BROWSER)
        assert shown.status_code == 409 and "SEFFAF_EVIDENCE__SIGNING_KEY_PATH" in text_of(shown.text)
    assert export_rows(exporting.web.catalog) == [] and not (tmp_path / "keyless" / "exports").exists()
