"""Building an evidence package: sessions assembled, clips cut, manifest, SHA256SUMS, signature, zip.

The library takes typed input and knows nothing of cases tables: the caller names the visits,
checks the exporter's permission (and, for an unredacted export, the stated reason) and audits it.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session

from review_app.audit.entries import AuditEntry
from seffaf import __version__
from seffaf.clock import Clock
from seffaf.evidence.assemble import ExportError, SessionAssembler
from seffaf.evidence.layout import AUDIT_EXTRACT, FINGERPRINT, MANIFEST, PUBLIC_KEY, README, SIGNATURE, SUMS, leg_dir
from seffaf.evidence.leg_clips import LegClipMaker
from seffaf.evidence.manifest import CaseInfo, FileRecord, PackageManifest, PackageRedaction, SessionRecord
from seffaf.evidence.readme import render_readme
from seffaf.evidence.redactor import Redactor
from seffaf.evidence.signing import Signer, public_pem
from seffaf.evidence.sums import SumLine, format_sums
from seffaf.storage.base import ObjectStore, sha256_file

logger = logging.getLogger(__name__)
# Already-compressed media is stored as is; text is deflated.
_STORED_SUFFIXES = (".mp4",)


@dataclass(frozen=True)
class ExportRequest:
    case: CaseInfo
    visit_ids: tuple[int, ...]
    exported_by: str
    include_originals: bool = False
    redactor: Redactor | None = None  # None: unredacted, which the caller has allowed and audits
    unredacted_reason: str | None = None
    audit_entries: tuple[AuditEntry, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        if not self.visit_ids:
            raise ExportError("visit_ids: name at least one session to export")
        if len(set(self.visit_ids)) != len(self.visit_ids):
            raise ExportError("visit_ids: a session is named twice")
        if not self.exported_by.strip():
            raise ExportError("exported_by: who exports must be named")
        if self.redactor is None and not (self.unredacted_reason or "").strip():
            raise ExportError("unredacted_reason: an unredacted export needs a stated reason")


@dataclass(frozen=True)
class ExportResult:
    path: Path
    package_sha256: str
    manifest_sha256: str
    redacted: bool
    manifest: PackageManifest


def _write_zip(target: Path, members: dict[str, Path | bytes], when: tuple[int, int, int, int, int, int]) -> None:
    """Members in the given order with a fixed timestamp, written beside `target` then renamed."""
    temp = target.parent / f".{target.name}.{os.getpid()}.tmp"
    try:
        with zipfile.ZipFile(temp, "w", allowZip64=True) as archive:
            for name, content in members.items():
                info = zipfile.ZipInfo(name, date_time=when)
                info.compress_type = zipfile.ZIP_STORED if name.endswith(_STORED_SUFFIXES) else zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                if isinstance(content, bytes):
                    archive.writestr(info, content)
                else:
                    with content.open("rb") as source, archive.open(info, "w", force_zip64=True) as sink:
                        shutil.copyfileobj(source, sink, 1 << 20)
        temp.replace(target)
    finally:
        temp.unlink(missing_ok=True)


class PackageBuilder:
    def __init__(self, session: Session, store: ObjectStore, signer: Signer, clock: Clock) -> None:
        self._session = session
        self._store = store
        self._signer = signer
        self._clock = clock

    def build(self, request: ExportRequest, target: Path) -> ExportResult:
        assembler = SessionAssembler(self._session)
        assembled = [assembler.assemble(visit_id) for visit_id in request.visit_ids]
        exported_at = self._clock()
        with tempfile.TemporaryDirectory(prefix="seffaf-export-") as work:
            maker = LegClipMaker(self._store, Path(work))
            files: dict[str, Path | bytes] = {}
            sessions: list[SessionRecord] = []
            for item in assembled:
                record = item.record
                legs = {leg.index: leg for leg in record.legs}
                for footage in item.footage:
                    folder = leg_dir(record.center, record.service_date, record.ticket, footage.leg_index)
                    made = maker.make(footage, folder, request.include_originals, request.redactor)
                    files.update(made.members)
                    legs[footage.leg_index] = legs[footage.leg_index].model_copy(
                        update={"clip": made.clip, "segments": made.segments}
                    )
                sessions.append(record.model_copy(update={"legs": [legs[leg.index] for leg in record.legs]}))
            files[AUDIT_EXTRACT] = b"".join(e.model_dump_json().encode() + b"\n" for e in request.audit_entries)
            files[PUBLIC_KEY] = public_pem(self._signer.public_key)
            files[FINGERPRINT] = f"{self._signer.fingerprint}\n".encode()
            manifest = PackageManifest(
                case=request.case, exported_by=request.exported_by, exported_at=exported_at,
                seffaf_version=__version__, signing_key_fingerprint=self._signer.fingerprint,
                redaction=PackageRedaction(
                    mode="none" if request.redactor is None else "faces_blurred",
                    method=_redaction_method(sessions), unredacted_reason=request.unredacted_reason
                    if request.redactor is None else None,
                ),
                sessions=sessions, audit_extract=AUDIT_EXTRACT, files=[],
            )  # fmt: skip
            files[README] = render_readme(manifest).encode()
            manifest = manifest.model_copy(update={"files": [_file_record(name, c) for name, c in files.items()]})
            manifest_bytes = manifest.model_dump_json(indent=2).encode() + b"\n"
            ordered: dict[str, Path | bytes] = {README: files.pop(README), MANIFEST: manifest_bytes}
            ordered.update(files)
            sums = format_sums([SumLine(_sha256(content), name) for name, content in ordered.items()])
            ordered[SUMS] = sums
            ordered[SIGNATURE] = self._signer.sign(manifest_bytes + sums)
            at = exported_at
            _write_zip(target, ordered, (at.year, at.month, at.day, at.hour, at.minute, at.second))
        logger.info("exported %s session(s) of case %s to %s", len(sessions), request.case.reference, target)
        return ExportResult(target, sha256_file(target), hashlib.sha256(manifest_bytes).hexdigest(),
                            request.redactor is not None, manifest)  # fmt: skip


def _sha256(content: Path | bytes) -> str:
    return hashlib.sha256(content).hexdigest() if isinstance(content, bytes) else sha256_file(content)


def _file_record(name: str, content: Path | bytes) -> FileRecord:
    size = len(content) if isinstance(content, bytes) else content.stat().st_size
    return FileRecord(member=name, sha256=_sha256(content), size_bytes=size)


def _redaction_method(sessions: list[SessionRecord]) -> str | None:
    methods = sorted({leg.clip.redaction.method for s in sessions for leg in s.legs
                      if leg.clip is not None and leg.clip.redaction is not None})  # fmt: skip
    return "; ".join(methods) or None
