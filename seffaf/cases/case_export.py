"""Exporting a case as an evidence package: its sessions built into a signed zip, recorded and audited.

The one place `seffaf export --case` and the app's export button go through. Who may export (the
case's scope, the unredacted-export permission) is the caller's check; this module checks the
request itself (a reason for an unredacted export), builds the package, writes the ExportRow with
the zip's and manifest.json's hashes and the audit row, in the caller's transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from review_app.audit.entries import AuditAction, AuditEntry
from review_app.audit.log import AuditLog
from seffaf.cases.export_scope import case_export_scope
from seffaf.cases.states import CaseConflict, CaseError
from seffaf.cases.views import CaseExportScope, ExportView
from seffaf.catalog.case_tables import CaseRow, ExportRow
from seffaf.catalog.finding_tables import FindingRow
from seffaf.clock import Clock
from seffaf.evidence.audit_extract import audit_extract
from seffaf.evidence.manifest import CaseInfo
from seffaf.evidence.package import ExportRequest, ExportResult, PackageBuilder
from seffaf.evidence.redactor import Redactor
from seffaf.evidence.redactor_lookup import RedactorUnavailable, find_redactor
from seffaf.evidence.signing import Signer
from seffaf.storage.base import ObjectStore

logger = logging.getLogger(__name__)
MIN_REASON = 3
MAX_REASON = 4000
RedactorLookup = Callable[[], Redactor | RedactorUnavailable]


class RedactionUnavailable(CaseConflict):
    """This installation cannot redact faces, so only an unredacted export (permission and reason) is possible."""


@dataclass(frozen=True)
class CaseExportAsk:
    case_id: int
    exported_by: str
    include_originals: bool = False
    unredacted: bool = False
    reason: str | None = None


@dataclass(frozen=True)
class CaseExported:
    export: ExportView
    result: ExportResult


def reason_problem(unredacted: bool, reason: str | None) -> str | None:
    """Why the stated reason does not fit the export asked for, or None. Pure."""
    stated = (reason or "").strip()
    if not unredacted:
        return "reason: only an unredacted export takes a reason" if stated else None
    if len(stated) < MIN_REASON:
        return f"reason: an unredacted export needs a stated reason (at least {MIN_REASON} characters; it is audited)"
    if len(stated) > MAX_REASON:
        return f"reason: at most {MAX_REASON} characters"
    return None


def package_name(case_id: int, n: int) -> str:
    return f"case-{case_id}-{n}.zip"


def reserve_package(directory: Path, case_id: int, first: int) -> Path:
    """A new, empty file case-{id}-{n}.zip with n from `first` on: created exclusively, so two exports made at
    once never share a name; the package is written over it."""
    directory.mkdir(parents=True, exist_ok=True)
    n = first
    while True:
        target = directory / package_name(case_id, n)
        try:
            target.touch(exist_ok=False)
        except FileExistsError:
            n += 1
            continue
        return target


def export_view(row: ExportRow) -> ExportView:
    return ExportView(id=row.id, file_name=row.file_name, package_sha256=row.package_sha256,
                      manifest_sha256=row.manifest_sha256, redacted=row.redacted, reason=row.reason,
                      exported_by=row.exported_by, exported_at=row.exported_at)  # fmt: skip


class CaseExporter:
    def __init__(self, session: Session, store: ObjectStore, signer: Signer, clock: Clock,
                 redactors: RedactorLookup = find_redactor) -> None:  # fmt: skip
        self._session = session
        self._store = store
        self._signer = signer
        self._clock = clock
        self._redactors = redactors

    def count(self, case_id: int) -> int:
        """Exports the case has had: the next app-made package is numbered after them."""
        return self._session.scalar(select(func.count()).where(ExportRow.case_id == case_id)) or 0

    def redactor(self, ask: CaseExportAsk) -> Redactor | None:
        """Checks the request; the face redactor for a redacted export, None for an unredacted one."""
        problem = reason_problem(ask.unredacted, ask.reason)
        if problem is not None:
            raise CaseError(problem)
        if ask.unredacted:
            return None
        found = self._redactors()
        if isinstance(found, RedactorUnavailable):
            raise RedactionUnavailable(f"face redaction is not available here ({found.reason}); only an unredacted "
                                       "export (with the permission and a stated reason) can be made")  # fmt: skip
        return found

    def export(self, ask: CaseExportAsk, target: Path, redactor: Redactor | None) -> CaseExported:
        """Build the case's package at `target` (with `redactor`, from redactor()); record and audit it."""
        scope = case_export_scope(self._session, ask.case_id)
        gone = [f"{v.center}/{v.service_date}/{v.ticket}" for v in scope.visits if v.visit_id is None]
        if gone:
            raise CaseConflict(f"case #{ask.case_id}: session {gone[0]} is no longer in the catalog; re-index first")
        visit_ids = tuple(v.visit_id for v in scope.visits if v.visit_id is not None)
        if not visit_ids:
            raise CaseConflict(f"case #{ask.case_id}: it has no sessions to export")
        reason = ask.reason.strip() if ask.unredacted and ask.reason else None
        request = ExportRequest(
            case=CaseInfo(id=scope.case_id, reference=scope.complaint_reference or f"case-{scope.case_id}",
                          status=scope.status.value),
            visit_ids=visit_ids, exported_by=ask.exported_by, include_originals=ask.include_originals,
            redactor=redactor, unredacted_reason=reason, audit_entries=tuple(self._audit_extract(scope, visit_ids)),
        )  # fmt: skip
        result = PackageBuilder(self._session, self._store, self._signer, self._clock).build(request, target)
        row = ExportRow(case_id=scope.case_id, file_name=target.name, package_sha256=result.package_sha256,
                        manifest_sha256=result.manifest_sha256, redacted=result.redacted, reason=reason,
                        exported_by=ask.exported_by, exported_at=result.manifest.exported_at)  # fmt: skip
        self._session.add(row)
        self._session.flush()
        sessions = [f"{v.center}/{v.service_date}/{v.ticket}" for v in scope.visits]
        AuditLog(self._session, self._clock).append(
            AuditAction.EXPORT, actor=ask.exported_by, object_type="case", object_id=str(scope.case_id),
            reason=reason,
            detail={"export": row.id, "file": row.file_name, "redacted": row.redacted,
                    "originals": ask.include_originals, "sessions": sessions,
                    "package_sha256": row.package_sha256, "manifest_sha256": row.manifest_sha256},
        )  # fmt: skip
        logger.info("case %s exported as export %s (%s) by %s", scope.case_id, row.id, row.file_name, ask.exported_by)
        return CaseExported(export_view(row), result)

    def _audit_extract(self, scope: CaseExportScope, visit_ids: tuple[int, ...]) -> list[AuditEntry]:
        """What the trail says about the case, its complaint, sessions, their findings and earlier exports."""
        objects = [("case", str(scope.case_id))]
        case = self._session.get(CaseRow, scope.case_id)
        if case is not None and case.complaint_id is not None:
            objects.append(("complaint", str(case.complaint_id)))
        objects += [("session", str(v)) for v in visit_ids]
        for v in scope.visits:  # by identity, as the package's findings are: visit ids go stale on a rebuild
            findings = self._session.scalars(select(FindingRow.id).where(
                FindingRow.center == v.center, FindingRow.service_date == v.service_date,
                FindingRow.ticket == v.ticket))  # fmt: skip
            objects += [("finding", str(f)) for f in findings]
        exports = self._session.scalars(select(ExportRow.id).where(ExportRow.case_id == scope.case_id))
        objects += [("export", str(e)) for e in exports]
        return audit_extract(self._session, objects)
