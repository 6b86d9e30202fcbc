"""`seffaf keys generate`, `seffaf export`, `seffaf verify` as an operator runs them."""

from __future__ import annotations

import zipfile
from pathlib import Path

import typer
from typer.testing import CliRunner

from review_app.audit.entries import AuditFilter
from review_app.audit.log import AuditLog
from seffaf.catalog.connect import open_catalog
from seffaf.cli.evidence_cmd import export, keys_app, verify
from seffaf.cli.main import main
from tests.evidence.support import rewrite_member
from tests.support.recorded_leg import catalog_leg


def _app() -> typer.Typer:
    """The commands as main.py registers them (tested here before they are)."""
    app = typer.Typer()
    app.callback()(main)
    app.command()(export)
    app.command()(verify)
    app.add_typer(keys_app, name="keys")
    return app


def test_generate_export_verify(recorded_footage: Path, tmp_path: Path) -> None:
    leg = catalog_leg(recorded_footage, tmp_path, f"sqlite:///{tmp_path / 'catalog.sqlite3'}")
    runner, app = CliRunner(), _app()
    made = runner.invoke(app, ["keys", "generate", "--out", str(tmp_path / "keys")])
    assert made.exit_code == 0, made.output
    private = tmp_path / "keys" / "evidence-signing-key.pem"
    public = tmp_path / "keys" / "evidence-signing-key.pub.pem"
    assert private.stat().st_mode & 0o077 == 0, "the private key is readable by its owner only"
    again = runner.invoke(app, ["keys", "generate", "--out", str(tmp_path / "keys")])
    assert again.exit_code == 2 and "exists" in again.output

    env = {"SEFFAF_STORAGE_URL": leg.objects.as_uri(), "SEFFAF_DATABASE_URL": leg.database_url}
    package = tmp_path / "case.zip"
    base = ["export", "--visit", str(leg.visit_id), "--case-ref", "C-17", "--out", str(package)]
    no_key = runner.invoke(app, [*base, "--unredacted", "--reason", "court order"], env=env)
    assert no_key.exit_code == 2 and "evidence.signing_key_path" in no_key.output
    env["SEFFAF_EVIDENCE__SIGNING_KEY_PATH"] = str(private)
    no_reason = runner.invoke(app, [*base, "--unredacted"], env=env)
    assert no_reason.exit_code == 2 and "--reason" in no_reason.output
    exported = runner.invoke(app, [*base, "--unredacted", "--reason", "court order", "--originals"], env=env)
    assert exported.exit_code == 0, exported.output
    assert "NOT redacted" in exported.output

    catalog = open_catalog(leg.database_url)
    with catalog.sessions() as session:
        rows = AuditLog(session).search(AuditFilter(action="export"))
    catalog.close()
    assert [(r.object_id, r.reason, r.detail["redacted"]) for r in rows] == [("C-17", "court order", False)]

    checked = runner.invoke(app, ["verify", str(package), "--public-key", str(public)])
    assert checked.exit_code == 0 and checked.output.startswith("OK"), checked.output
    with zipfile.ZipFile(package) as archive:
        clip = next(name for name in archive.namelist() if name.endswith("clip.mp4"))
    rewrite_member(package, tmp_path / "changed.zip", clip, 5000)
    failed = runner.invoke(app, ["verify", str(tmp_path / "changed.zip"), "--public-key", str(public)])
    assert failed.exit_code == 1 and f"FAILED {tmp_path / 'changed.zip'}: {clip}" in failed.output
    bad_key = tmp_path / "bad.pem"
    bad_key.write_text("not a key")
    refused = runner.invoke(app, ["verify", str(package), "--public-key", str(bad_key)])
    assert refused.exit_code == 2 and "--public-key" in refused.output
