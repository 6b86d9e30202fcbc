"""A case's evidence packages in the app: POST /api/v1/cases/{id}/exports builds one (synchronously, into the
data directory), GET /api/v1/exports/{id}/package.zip downloads it.

Complaint handlers and admins, within the case's scope: a case or export outside it answers like a
missing one (404, audited). Packages are redacted; an unredacted one needs the unredacted_export
permission and a stated reason (a refusal is a 403, audited), and so does downloading one. Building
and downloading are audited as `export`. The case page's form (pages.py) goes through make_export.
"""

from __future__ import annotations

import logging
from pathlib import Path

from fastapi import APIRouter, HTTPException, status
from fastapi.responses import FileResponse
from pydantic import BaseModel, ConfigDict, Field

from review_app.audit.entries import AuditAction
from review_app.audit.log import AuditLog
from review_app.auth.denials import AuditedDenial, Denial, not_found, not_found_unless
from review_app.auth.roles import Role, User
from review_app.auth.scope import may_export_unredacted
from review_app.cases.guards import Handler, case_error, may_see, store_error, visible_case
from review_app.deps import AppServices, ServicesDep
from review_app.media.responses import PRIVATE
from seffaf.cases.case_export import MAX_REASON, CaseExportAsk, CaseExporter, reason_problem, reserve_package
from seffaf.cases.case_reads import CaseReader
from seffaf.cases.states import CaseError, CaseNotFound
from seffaf.cases.views import CaseDetail, ExportView
from seffaf.catalog.case_tables import ExportRow
from seffaf.evidence.assemble import ExportError
from seffaf.evidence.cut_points import CutError
from seffaf.evidence.signing import Signer, SigningKeyError
from seffaf.storage.base import StoreError, sha256_file

logger = logging.getLogger(__name__)
router = APIRouter(prefix="/api/v1", tags=["cases"])
NO_KEY = (
    "no signing key is configured: make one with `seffaf keys generate --out DIR`, set evidence.signing_key_path "
    "(SEFFAF_EVIDENCE__SIGNING_KEY_PATH) to its private key and restart the app"
)
NEEDS_PERMISSION = f"an unredacted export needs the {Role.UNREDACTED_EXPORT.value} permission"


class ExportIn(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    unredacted: bool = Field(False, description="Leave citizens' faces visible: needs the permission and a reason.")
    reason: str | None = Field(None, max_length=MAX_REASON, description="Why, for an unredacted export (audited).")
    include_originals: bool = Field(False, description="Include the original stored segments, hash chain and all.")


def signer_of(services: AppServices) -> Signer:
    path = services.evidence.signing_key_path
    if path is None:
        raise HTTPException(status.HTTP_409_CONFLICT, NO_KEY)
    try:
        return Signer.from_pem_file(path)
    except SigningKeyError as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, f"{exc}; `seffaf keys generate --out DIR` makes a key") from exc


def refuse_unredacted(user: User, object_type: str, object_id: str) -> None:
    """The 403 for an unredacted package without the permission, audited."""
    if not may_export_unredacted(user):
        denial = Denial(user.username, object_type, object_id, "unredacted export without the permission")
        raise AuditedDenial(status.HTTP_403_FORBIDDEN, NEEDS_PERMISSION, denial)


def make_export(services: AppServices, user: User, case_id: int, body: ExportIn) -> ExportView:
    """Build, record and audit the case's package under the data directory; its ExportRow as shown."""
    ask = CaseExportAsk(case_id=case_id, exported_by=user.username, include_originals=body.include_originals,
                        unredacted=body.unredacted, reason=body.reason)  # fmt: skip
    target: Path | None = None
    try:
        with services.catalog.sessions() as session, session.begin():
            visible_case(session, services, user, case_id)
            if body.unredacted:
                refuse_unredacted(user, "case", str(case_id))
            problem = reason_problem(body.unredacted, body.reason)
            if problem is not None:
                raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, problem)
            exporter = CaseExporter(session, services.store, signer_of(services), services.clock, services.redactors)
            redactor = exporter.redactor(ask)
            target = reserve_package(services.exports_dir, case_id, exporter.count(case_id) + 1)
            made = exporter.export(ask, target, redactor)
    except BaseException as exc:
        if target is not None:  # nothing was recorded: no package is left behind either
            target.unlink(missing_ok=True)
        if isinstance(exc, CaseError):
            raise case_error(exc) from exc
        if isinstance(exc, ExportError | CutError):
            raise HTTPException(status.HTTP_409_CONFLICT, f"the package cannot be made: {exc}") from exc
        if isinstance(exc, StoreError):
            raise store_error(exc) from exc
        raise
    return made.export


def kept_exports(services: AppServices, detail: CaseDetail) -> set[int]:
    """The case's exports whose package the app keeps (`seffaf export` writes its own where it is told)."""
    return {e.id for e in detail.exports if package_path(services, e.file_name).is_file()}


def package_path(services: AppServices, file_name: str) -> Path:
    return services.exports_dir / Path(file_name).name  # a bare name, whatever the row says


@router.post("/cases/{case_id}/exports", status_code=status.HTTP_201_CREATED)
def post_export(case_id: int, body: ExportIn, user: Handler, services: ServicesDep) -> ExportView:
    """Build the case's evidence package now (redacted unless asked otherwise); download it from the answer's id."""
    return make_export(services, user, case_id, body)


@router.get("/exports/{export_id}/package.zip", response_class=FileResponse)
def get_package(export_id: int, user: Handler, services: ServicesDep) -> FileResponse:
    """The package as made, after checking it still hashes to what was recorded; the download is audited."""
    with services.catalog.sessions() as session, session.begin():
        row = session.get(ExportRow, export_id)
        if row is None:
            raise not_found("export", str(export_id))
        try:
            concerned = CaseReader(session, services.clock).concerns(row.case_id)
        except CaseNotFound:
            raise not_found("export", str(export_id)) from None
        not_found_unless(may_see(services, user, concerned), user, "export", str(export_id))
        if not row.redacted:
            refuse_unredacted(user, "export", str(export_id))
        path = package_path(services, row.file_name)
        if not path.is_file():
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"export {export_id}: {row.file_name} was not made in "
                                "the app, or has been removed from its data directory")  # fmt: skip
        if sha256_file(path) != row.package_sha256:
            logger.error("export %s: %s no longer hashes to its recorded %s", export_id, path, row.package_sha256)
            raise HTTPException(status.HTTP_409_CONFLICT, f"export {export_id}: the kept package no longer matches "
                                "its recorded hash; it is not served")  # fmt: skip
        AuditLog(session, services.clock).append(
            AuditAction.EXPORT, actor=user.username, object_type="export", object_id=str(export_id),
            reason="package downloaded",
            detail={"case": row.case_id, "file": row.file_name, "redacted": row.redacted,
                    "package_sha256": row.package_sha256},
        )  # fmt: skip
        name = row.file_name
    return FileResponse(path, media_type="application/zip", filename=name, headers=PRIVATE)
