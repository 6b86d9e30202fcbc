"""`seffaf export`, `seffaf verify`, `seffaf keys generate`: evidence packages anyone can check offline.

The exporter (PyAV, the analytics' zones, SQLAlchemy) and the signatures (cryptography) are imported
inside each function: at the top they would cost every other `seffaf` command (a recorder per camera)
seconds of start-up time and their memory.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from review_app.auth.roles import Role
from review_app.auth.scope import AccessPolicy, may_export_unredacted
from seffaf.cases.states import CaseError, CaseNotFound
from seffaf.cli.cases_cmd import named_handler
from seffaf.cli.common import build_store, fail, open_catalog_or_fail, settings_from, user_errors
from seffaf.cli.users_cmd import cli_actor
from seffaf.clock import utcnow
from seffaf.config import Settings
from seffaf.evidence.cut_points import CutError
from seffaf.evidence.redactor_lookup import RedactorUnavailable, find_redactor
from seffaf.storage.base import ObjectStore

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from seffaf.cases.case_export import CaseExportAsk, CaseExported
    from seffaf.catalog.connect import Catalog
    from seffaf.evidence.redactor import Redactor
    from seffaf.evidence.signing import Signer
    from seffaf.evidence.verify import VerifyReport


@dataclass(frozen=True)
class Refusal:
    reason: str  # for the audit row
    message: str  # for the console


keys_app = typer.Typer(help="The Ed25519 key pair that signs evidence packages.", no_args_is_help=True)


def _signer(ctx: typer.Context, signing_key: Path | None) -> Signer:
    from seffaf.evidence.signing import Signer, SigningKeyError

    path = signing_key or settings_from(ctx).evidence.signing_key_path
    if path is None:
        fail("evidence.signing_key_path is not set: make a key with `seffaf keys generate --out DIR` and set "
             "SEFFAF_EVIDENCE__SIGNING_KEY_PATH (or pass --signing-key)")  # fmt: skip
    with user_errors(SigningKeyError):
        return Signer.from_pem_file(path)


def _redactor(unredacted: bool, reason: str | None) -> Redactor | None:
    from seffaf.cases.case_export import reason_problem

    problem = reason_problem(unredacted, reason)
    if problem is not None:
        fail(f"--{problem}")
    if unredacted:
        return None
    found = find_redactor()
    if isinstance(found, RedactorUnavailable):
        fail(f"face redaction is not available here ({found.reason}); an export without it needs "
             "--unredacted --reason TEXT")  # fmt: skip
    return found


def _check_options(case: int | None, visit: list[int] | None, case_ref: str | None, by: str | None, out: Path) -> None:
    if out.suffix.lower() != ".zip":
        fail(f"--out: {out} must be a .zip file")
    if (case is None) == (not visit):
        fail("--case or --visit: name a case, or the sessions of an export outside any case (one of the two)")
    if case is not None and case_ref is not None:
        fail("--case-ref: the case's own reference is printed on its package; give it with --visit only")
    if visit and case_ref is None:
        fail("--case-ref: an export of --visit sessions needs a reference to print on the package")
    if by is not None and case is None:
        fail("--by: only with --case (the account's scope is checked against the case)")


def _audit_refusal(catalog: Catalog, by: str, case_id: int, reason: str) -> None:
    """The refusal's own record: the export's transaction has rolled back."""
    from review_app.audit.entries import AuditAction, AuditOutcome
    from review_app.audit.log import AuditLog

    with catalog.sessions() as session, session.begin():
        AuditLog(session, utcnow).append(AuditAction.ACCESS_DENIED, actor=by, object_type="case",
                                         object_id=str(case_id), reason=reason, outcome=AuditOutcome.DENIED,
                                         detail={"command": "seffaf export", "at_console": cli_actor()})  # fmt: skip


def _refusal(session: Session, settings: Settings, ask: CaseExportAsk, by: str) -> Refusal | None:
    """Why the named account may not make this export, or None."""
    from seffaf.cases.case_reads import CaseReader

    user = named_handler(session, by)
    policy = AccessPolicy(block_linked_operators=settings.review.block_linked_operators)
    concerned = CaseReader(session, utcnow).concerns(ask.case_id)
    if not all(policy.can_access_all(user, part.center, part.operators) for part in concerned):
        # As the app answers: like a missing case.
        return Refusal("outside the user's scope", f"--case: no case {ask.case_id}")
    if ask.unredacted and not may_export_unredacted(user):
        return Refusal("unredacted export without the permission",
                       f"--unredacted: {by} does not hold the {Role.UNREDACTED_EXPORT.value} permission")  # fmt: skip
    return None


def _export_case(session: Session, settings: Settings, store: ObjectStore, signer: Signer, ask: CaseExportAsk,
                 by: str | None, out: Path) -> CaseExported | Refusal:  # fmt: skip
    from seffaf.cases.case_export import CaseExporter

    try:
        refused = _refusal(session, settings, ask, by) if by is not None else None
        if refused is not None:
            return refused
        exporter = CaseExporter(session, store, signer, utcnow)
        return exporter.export(ask, out, exporter.redactor(ask))
    except CaseNotFound:
        raise CaseError(f"--case: no case {ask.case_id}") from None
    except CaseError as exc:
        raise CaseError(f"--{exc}" if str(exc).startswith("reason:") else str(exc)) from None


def export_case(settings: Settings, signer: Signer, ask: CaseExportAsk, by: str | None, out: Path) -> CaseExported:
    """`seffaf export --case`: with `by`, that account's scope and permission apply as in the app."""
    from seffaf.evidence.assemble import ExportError

    store = build_store(settings, create_bucket=False)
    catalog = open_catalog_or_fail(settings)
    try:
        with user_errors(CaseError, ExportError, CutError), catalog.sessions() as session, session.begin():
            made = _export_case(session, settings, store, signer, ask, by, out)
        if isinstance(made, Refusal):
            _audit_refusal(catalog, by or "", ask.case_id, made.reason)
            fail(made.message)
    finally:
        catalog.close()
    return made


def export(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option("--out", help="The .zip file to write.")],
    case: Annotated[int | None, typer.Option("--case", help="Case id: its sessions, recorded as its export.")] = None,
    visit: Annotated[
        list[int] | None, typer.Option("--visit", help="Session (visit) id, for an export outside a case (repeatable).")
    ] = None,
    case_ref: Annotated[str | None, typer.Option("--case-ref", help="With --visit: the reference to print.")] = None,
    originals: Annotated[bool, typer.Option("--originals", help="Include the original stored segments.")] = False,
    unredacted: Annotated[bool, typer.Option("--unredacted", help="Leave citizens' faces visible.")] = False,
    reason: Annotated[str | None, typer.Option(help="Why an unredacted export is needed (audited).")] = None,
    by: Annotated[
        str | None, typer.Option("--by", help="With --case: the handler's account (its scope and permissions apply).")
    ] = None,
    signing_key: Annotated[Path | None, typer.Option(help="Private key PEM (overrides the configuration).")] = None,
    storage: Annotated[str | None, typer.Option(help="Storage URL (overrides SEFFAF_STORAGE_URL).")] = None,
) -> None:
    """Write an evidence package of a case (--case) or of sessions (--visit): per session leg a stream-copied clip,
    a manifest, SHA256SUMS and a signature. Redacted unless --unredacted with a --reason."""
    from review_app.audit.entries import AuditAction
    from review_app.audit.log import AuditLog
    from seffaf.cases.case_export import CaseExportAsk, reason_problem
    from seffaf.evidence.assemble import ExportError
    from seffaf.evidence.audit_extract import audit_extract
    from seffaf.evidence.manifest import CaseInfo
    from seffaf.evidence.package import ExportRequest, PackageBuilder

    _check_options(case, visit, case_ref, by, out)
    problem = reason_problem(unredacted, reason)
    if problem is not None:
        fail(f"--{problem}")
    signer = _signer(ctx, signing_key)
    settings = settings_from(ctx, storage_url=storage)
    if case is not None:
        ask = CaseExportAsk(case_id=case, exported_by=by or cli_actor(), include_originals=originals,
                            unredacted=unredacted, reason=reason)  # fmt: skip
        made = export_case(settings, signer, ask, by, out)
        state = "redacted" if made.export.redacted else "NOT redacted"
        typer.echo(f"wrote {out} ({state}): case #{case}, export {made.export.id}, sha256 "
                   f"{made.export.package_sha256}, signing key {signer.fingerprint}")  # fmt: skip
        return
    assert visit is not None and case_ref is not None  # _check_options
    redactor = _redactor(unredacted, reason)
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
    from seffaf.evidence.signing import SigningKeyError
    from seffaf.evidence.verify import verify_package

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
    from seffaf.evidence.signing import SigningKeyError, generate_key_pair

    with user_errors(SigningKeyError):
        made = generate_key_pair(out)
    typer.echo(f"private key: {made.private_path} (secret; set SEFFAF_EVIDENCE__SIGNING_KEY_PATH to it)")
    typer.echo(f"public key:  {made.public_path} (publish it)")
    typer.echo(f"fingerprint: {made.fingerprint}")
