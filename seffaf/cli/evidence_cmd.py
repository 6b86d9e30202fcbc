"""`seffaf export`, `seffaf verify`, `seffaf keys generate`: evidence packages anyone can check offline."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from review_app.audit.entries import AuditAction
from review_app.audit.log import AuditLog
from seffaf.cli.common import build_store, fail, open_catalog_or_fail, settings_from, user_errors
from seffaf.cli.users_cmd import cli_actor
from seffaf.clock import utcnow
from seffaf.evidence.assemble import ExportError
from seffaf.evidence.audit_extract import audit_extract
from seffaf.evidence.cut_points import CutError
from seffaf.evidence.manifest import CaseInfo
from seffaf.evidence.package import ExportRequest, PackageBuilder
from seffaf.evidence.redactor import Redactor
from seffaf.evidence.redactor_lookup import RedactorUnavailable, find_redactor
from seffaf.evidence.signing import Signer, SigningKeyError, generate_key_pair
from seffaf.evidence.verify import VerifyReport, verify_package

keys_app = typer.Typer(help="The Ed25519 key pair that signs evidence packages.", no_args_is_help=True)


def _signer(ctx: typer.Context, signing_key: Path | None) -> Signer:
    path = signing_key or settings_from(ctx).evidence.signing_key_path
    if path is None:
        fail("evidence.signing_key_path is not set: make a key with `seffaf keys generate --out DIR` and set "
             "SEFFAF_EVIDENCE__SIGNING_KEY_PATH (or pass --signing-key)")  # fmt: skip
    with user_errors(SigningKeyError):
        return Signer.from_pem_file(path)


def _redactor(unredacted: bool, reason: str | None) -> Redactor | None:
    if unredacted:
        if not (reason or "").strip():
            fail("--reason: an unredacted export needs a stated reason (it is audited)")
        return None
    if reason is not None:
        fail("--reason is for --unredacted exports only")
    found = find_redactor()
    if isinstance(found, RedactorUnavailable):
        fail(f"face redaction is not available here ({found.reason}); an export without it needs "
             "--unredacted --reason TEXT")  # fmt: skip
    return found


def export(
    ctx: typer.Context,
    visit: Annotated[list[int], typer.Option("--visit", help="Session (visit) id to include (repeatable).")],
    case_ref: Annotated[str, typer.Option("--case-ref", help="The case's reference, printed on the package.")],
    out: Annotated[Path, typer.Option("--out", help="The .zip file to write.")],
    originals: Annotated[bool, typer.Option("--originals", help="Include the original stored segments.")] = False,
    unredacted: Annotated[bool, typer.Option("--unredacted", help="Leave citizens' faces visible.")] = False,
    reason: Annotated[str | None, typer.Option(help="Why an unredacted export is needed (audited).")] = None,
    signing_key: Annotated[Path | None, typer.Option(help="Private key PEM (overrides the configuration).")] = None,
    storage: Annotated[str | None, typer.Option(help="Storage URL (overrides SEFFAF_STORAGE_URL).")] = None,
) -> None:
    """Write an evidence package: per session leg a stream-copied clip, a manifest, SHA256SUMS and a signature."""
    if out.suffix.lower() != ".zip":
        fail(f"--out: {out} must be a .zip file")
    redactor = _redactor(unredacted, reason)
    signer = _signer(ctx, signing_key)
    settings = settings_from(ctx, storage_url=storage)
    store = build_store(settings, create_bucket=False)
    catalog = open_catalog_or_fail(settings)
    actor = cli_actor()
    try:
        with catalog.sessions() as session, session.begin(), user_errors(ExportError, CutError):
            objects = [("session", str(v)) for v in visit] + [("case", case_ref)]
            request = ExportRequest(
                case=CaseInfo(id=None, reference=case_ref, status=None), visit_ids=tuple(visit), exported_by=actor,
                include_originals=originals, redactor=redactor, unredacted_reason=reason if unredacted else None,
                audit_entries=tuple(audit_extract(session, objects)),
            )  # fmt: skip
            result = PackageBuilder(session, store, signer, utcnow).build(request, out)
            AuditLog(session, utcnow).append(
                AuditAction.EXPORT, actor=actor, object_type="case", object_id=case_ref,
                reason=reason if unredacted else None,
                detail={"file": out.name, "visits": [str(v) for v in visit], "redacted": result.redacted,
                        "originals": originals, "package_sha256": result.package_sha256,
                        "manifest_sha256": result.manifest_sha256},
            )  # fmt: skip
    finally:
        catalog.close()
    state = "redacted" if result.redacted else "NOT redacted"
    typer.echo(f"wrote {out} ({state}): sha256 {result.package_sha256}, signing key {signer.fingerprint}")


def _print_report(report: VerifyReport, as_json: bool) -> None:
    if as_json:
        problems = [{"member": p.member, "detail": p.detail} for p in report.problems]
        typer.echo(json.dumps({"ok": report.ok, "members_checked": report.members_checked,
                               "signing_key_fingerprint": report.signing_key_fingerprint,
                               "failing_members": report.failing_members, "problems": problems}, indent=2))  # fmt: skip
    elif report.ok:
        typer.echo(f"OK {report.path}: {report.members_checked} file(s) match SHA256SUMS and manifest.json; "
                   f"signature valid (key {report.signing_key_fingerprint})")  # fmt: skip
    else:
        typer.echo(f"FAILED {report.path}: {', '.join(report.failing_members)}")
        for problem in report.problems:
            typer.echo(f"  {problem.member}: {problem.detail}")


def verify(
    package: Annotated[Path, typer.Argument(help="The evidence package (.zip).")],
    public_key: Annotated[
        Path | None, typer.Option(help="The publisher's public key (PEM): the package must be signed with it.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Check every hash, the signature and the chain of included originals, offline; exit 1 naming what fails."""
    if not package.is_file():
        fail(f"{package}: no such file")
    trusted = None
    if public_key is not None:
        try:
            trusted = public_key.read_bytes()
        except OSError as exc:
            fail(f"--public-key: cannot read {public_key}: {exc.strerror}")
    with user_errors(SigningKeyError):
        report = verify_package(package, trusted)
    _print_report(report, as_json)
    raise typer.Exit(0 if report.ok else 1)


@keys_app.command("generate")
def keys_generate(
    out: Annotated[Path, typer.Option("--out", help="Directory for the private and public key files.")],
) -> None:
    """Make a signing key pair; keep the private one secret, publish the public one and its fingerprint."""
    with user_errors(SigningKeyError):
        made = generate_key_pair(out)
    typer.echo(f"private key: {made.private_path} (secret; set SEFFAF_EVIDENCE__SIGNING_KEY_PATH to it)")
    typer.echo(f"public key:  {made.public_path} (publish it)")
    typer.echo(f"fingerprint: {made.fingerprint}")
