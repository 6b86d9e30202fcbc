"""Building packages from the recorded test leg, and tampering with them as an attacker would."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

from review_app.audit.entries import AuditAction
from review_app.audit.log import AuditLog
from seffaf.catalog.connect import open_catalog
from seffaf.clock import utcnow
from seffaf.evidence.audit_extract import audit_extract
from seffaf.evidence.manifest import CaseInfo
from seffaf.evidence.package import ExportRequest, ExportResult, PackageBuilder
from seffaf.evidence.redactor import RedactionResult, Redactor, ZoneBox
from seffaf.evidence.signing import Signer, generate_key_pair
from seffaf.storage.local import LocalObjectStore
from tests.support.recorded_leg import CataloguedLeg

CASE = CaseInfo(id=17, reference="C-17", status="under_review")


def signer_in(directory: Path) -> tuple[Signer, Path]:
    """A fresh key pair; the signer and the public key's PEM file."""
    keys = generate_key_pair(directory)
    return Signer.from_pem_file(keys.private_path), keys.public_path


def export_leg(
    leg: CataloguedLeg, signer: Signer, target: Path, *, originals: bool = True, redactor: Redactor | None = None
) -> ExportResult:
    """The leg's session as a case's export, with the audit rows of a reviewer having watched it."""
    catalog = open_catalog(leg.database_url)
    visit = str(leg.visit_id)
    try:
        with catalog.sessions() as session, session.begin():
            AuditLog(session, utcnow).append(AuditAction.SESSION_VIEW, actor="reviewer1", object_type="session",
                                             object_id=visit, reason="complaint C-17")  # fmt: skip
        with catalog.sessions() as session:
            request = ExportRequest(case=CASE, visit_ids=(leg.visit_id,), exported_by="handler1",
                                    include_originals=originals, redactor=redactor,
                                    unredacted_reason=None if redactor else "court order 2026/17",
                                    audit_entries=tuple(audit_extract(session, [("session", visit)])))  # fmt: skip
            return PackageBuilder(session, LocalObjectStore(leg.objects), signer, utcnow).build(request, target)
    finally:
        catalog.close()


def rewrite_member(source: Path, target: Path, member: str, position: int) -> None:
    """A copy of the package with one byte of `member` flipped (the zip itself stays well-formed)."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            data = old.read(info)
            if info.filename == member:
                index = position % len(data)
                data = data[:index] + bytes([data[index] ^ 0x01]) + data[index + 1 :]
            new.writestr(info, data)


class CopyingRedactor:
    """Stands in for face redaction where only the package's bookkeeping is under test: copies the clip."""

    def __init__(self) -> None:
        self.keeps: list[ZoneBox | None] = []

    def redact(self, source: Path, target: Path, keep: ZoneBox | None) -> RedactionResult:
        self.keeps.append(keep)
        shutil.copyfile(source, target)
        with target.open("ab") as handle:
            handle.write(b"\0" * 8)  # a different file, as a re-encode would be (a trailing free-space box)
        return RedactionResult(method="test copy v1", frames=0, faces_blurred=0)
