"""Export real recorded footage into an evidence package, then check it as a recipient would."""

from __future__ import annotations

import itertools
import subprocess
import zipfile
from dataclasses import dataclass
from pathlib import Path

import av
import pytest
from sqlalchemy import update

from recorder.fmp4 import scan_boxes
from review_app.audit.entries import AuditEntry
from seffaf.catalog.connect import open_catalog
from seffaf.catalog.footage_tables import SegmentRow
from seffaf.evidence.layout import AUDIT_EXTRACT, MANIFEST, PUBLIC_KEY, SIGNATURE, SUMS
from seffaf.evidence.manifest import PackageManifest
from seffaf.evidence.package import ExportResult
from seffaf.evidence.verify import verify_package
from tests.evidence.support import CopyingRedactor, export_leg, rewrite_member, signer_in
from tests.support.recorded_leg import CALLED, ENDED, T0, add_finding, catalog_leg


@dataclass(frozen=True)
class Exported:
    result: ExportResult
    public_key: Path
    work: Path


@pytest.fixture(scope="module")
def exported(recorded_footage: Path, tmp_path_factory: pytest.TempPathFactory) -> Exported:
    """One package (originals included) of the recorded leg, with a finding on it; SQLite catalog."""
    work = tmp_path_factory.mktemp("export")
    leg = catalog_leg(recorded_footage, work, f"sqlite:///{work / 'catalog.sqlite3'}")
    add_finding(leg, CALLED, "Raised voice")
    signer, public_key = signer_in(work / "keys")
    return Exported(export_leg(leg, signer, work / "case-17.zip"), public_key, work)


def _clip_member(manifest: PackageManifest) -> str:
    clip = manifest.sessions[0].legs[0].clip
    assert clip is not None
    return clip.member


def _video_packets(path: Path) -> list[tuple[bytes, bool, float]]:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        return [(bytes(p), p.is_keyframe, float(p.pts * p.time_base)) for p in container.demux(stream)
                if p.size and p.pts is not None and p.time_base is not None]  # fmt: skip


def test_export_then_verify_passes(exported: Exported) -> None:
    report = verify_package(exported.result.path, exported.public_key.read_bytes())
    assert report.ok, report.problems
    assert report.signing_key_fingerprint == exported.result.manifest.signing_key_fingerprint
    manifest = exported.result.manifest
    session = manifest.sessions[0]
    assert (session.center, session.ticket, session.operators) == ("baku-1", "A9", ["3317"])
    assert [e.type for e in session.ticket_events] == ["ticket_issued", "ticket_called", "service_completed"]
    assert [f.title for f in session.findings] == ["Raised voice"] and session.findings[0].review_status == "open"
    leg = session.legs[0]
    assert [s.seq for s in leg.segments] == [1, 2, 3, 4]  # seq 5 starts when the leg ends
    assert all(s.member for s in leg.segments)
    assert [h.cause for h in leg.holes] == ["recorded:source_discontinuity"]
    assert manifest.redaction.mode == "none" and manifest.redaction.unredacted_reason == "court order 2026/17"
    assert (manifest.case.reference, manifest.exported_by) == ("C-17", "handler1")
    with zipfile.ZipFile(exported.result.path) as archive:
        audit = [AuditEntry.model_validate_json(line) for line in archive.read(AUDIT_EXTRACT).splitlines()]
    assert [(e.action, e.actor, e.object_id) for e in audit] == [("session_view", "reviewer1", str(session.visit_id))]


def test_clip_is_a_stream_copy_from_the_keyframe_before_the_leg(exported: Exported, tmp_path: Path) -> None:
    manifest = exported.result.manifest
    with zipfile.ZipFile(exported.result.path) as archive:
        archive.extractall(tmp_path)
    clip = tmp_path / _clip_member(manifest)
    leg = manifest.sessions[0].legs[0]
    clip_packets = _video_packets(clip)
    originals = [tmp_path / s.member for s in leg.segments if s.member]
    source: list[tuple[bytes, bool, float]] = []
    for path, segment in zip(originals, leg.segments, strict=True):
        offset = (segment.start - T0).total_seconds()
        source += [(data, key, at + offset) for data, key, at in _video_packets(path)]
    first = [data for data, _, _ in source].index(clip_packets[0][0])
    # Every video packet byte for byte, in order: copied, not re-encoded.
    assert [p[0] for p in clip_packets] == [p[0] for p in source[first : first + len(clip_packets)]]
    starts_on, at = source[first][1], source[first][2]
    assert starts_on and clip_packets[0][1], "the clip starts on a keyframe"
    assert at <= (CALLED - T0).total_seconds() < at + 2.5  # at or before the leg start, within one GOP
    assert leg.clip is not None and leg.clip.stream_copy and leg.clip.starts_at <= CALLED
    assert leg.clip.ends_at >= ENDED
    times = [p[2] for p in clip_packets]
    jumps = [b - a for a, b in itertools.pairwise(times)]
    assert all(j > 0 for j in jumps), "timestamps run on across segment joins"
    assert [round(j) for j in jumps if j > 1] == [15], "only the recorded 15 s hole shows as a jump"
    with av.open(str(clip)) as container:
        assert container.streams.audio, "the audio is kept"
        assert sum(1 for _ in container.decode(video=0)) == len(clip_packets)
    boxes, _ = scan_boxes(clip.read_bytes())
    kinds = [box.kind for box in boxes]
    assert kinds.index("moov") < kinds.index("mdat"), "faststart: moov before mdat"


def test_coreutils_sha256sum_checks_the_extracted_package(exported: Exported, tmp_path: Path) -> None:
    with zipfile.ZipFile(exported.result.path) as archive:
        archive.extractall(tmp_path)
        members = archive.namelist()
    checked = subprocess.run(["sha256sum", "-c", SUMS], cwd=tmp_path, capture_output=True, text=True, check=False)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    listed = {line.rsplit(": ", 1)[0] for line in checked.stdout.splitlines()}
    assert listed == set(members) - {SUMS, SIGNATURE}


def test_openssl_verifies_the_signature(exported: Exported, tmp_path: Path) -> None:
    with zipfile.ZipFile(exported.result.path) as archive:
        (tmp_path / "signed").write_bytes(archive.read(MANIFEST) + archive.read(SUMS))
        (tmp_path / "sig").write_bytes(archive.read(SIGNATURE))
    checked = subprocess.run(["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", str(exported.public_key), "-rawin",
                              "-in", str(tmp_path / "signed"), "-sigfile", str(tmp_path / "sig")],
                             capture_output=True, text=True, check=False)  # fmt: skip
    assert checked.returncode == 0 and "Verified Successfully" in checked.stdout, checked.stderr


def test_one_changed_byte_in_any_member_fails_naming_it(exported: Exported, tmp_path: Path) -> None:
    with zipfile.ZipFile(exported.result.path) as archive:
        sizes = {info.filename: info.file_size for info in archive.infolist()}
    assert len(sizes) == 12
    for number, (member, size) in enumerate(sorted(sizes.items())):
        for position in (0, size // 2, size - 1):
            changed = tmp_path / f"changed-{number}-{position}.zip"
            rewrite_member(exported.result.path, changed, member, position)
            report = verify_package(changed, exported.public_key.read_bytes())
            assert not report.ok and member in report.failing_members, (member, position, report.problems)
            changed.unlink()


def test_a_package_signed_with_another_key_fails_against_the_published_one(exported: Exported, tmp_path: Path) -> None:
    _, other_public = signer_in(tmp_path / "other")
    report = verify_package(exported.result.path, other_public.read_bytes())
    assert report.failing_members == sorted([PUBLIC_KEY, SIGNATURE])
    assert verify_package(exported.result.path).ok, "with no trusted key, the embedded one is used"


def test_a_broken_chain_in_included_originals_fails(recorded_footage: Path, tmp_path: Path) -> None:
    leg = catalog_leg(recorded_footage, tmp_path, f"sqlite:///{tmp_path / 'catalog.sqlite3'}")
    catalog = open_catalog(leg.database_url)
    with catalog.sessions() as session, session.begin():
        # seq 3 as if the segment before it had been swapped: its link no longer names seq 2's hash
        session.execute(update(SegmentRow).where(SegmentRow.seq == 3).values(prev_sha256="e" * 64))
    catalog.close()
    signer, _ = signer_in(tmp_path / "keys")
    result = export_leg(leg, signer, tmp_path / "broken.zip")
    report = verify_package(result.path)
    seq3 = next(s.member for s in result.manifest.sessions[0].legs[0].segments if s.seq == 3)
    assert report.failing_members == [seq3]
    assert "does not link to seq 2" in report.problems[0].detail


def test_redacted_export_keeps_both_hashes(
    recorded_footage: Path, tmp_path: Path, database_url: str, exported: Exported
) -> None:
    """Also on PostgreSQL: the assembler's queries on both catalogs."""
    leg = catalog_leg(recorded_footage, tmp_path, database_url)
    signer, public_key = signer_in(tmp_path / "keys")
    redactor = CopyingRedactor()
    result = export_leg(leg, signer, tmp_path / "redacted.zip", originals=False, redactor=redactor)
    assert verify_package(result.path, public_key.read_bytes()).ok
    clip = result.manifest.sessions[0].legs[0].clip
    assert clip is not None and clip.redaction is not None and not clip.stream_copy
    unredacted = exported.result.manifest.sessions[0].legs[0].clip
    assert unredacted is not None
    assert clip.redaction.unredacted_sha256 == unredacted.sha256 != clip.sha256
    assert result.manifest.redaction.mode == "faces_blurred" and result.manifest.redaction.method == "test copy v1"
    assert result.manifest.redaction.unredacted_reason is None
    assert [s.seq for s in result.manifest.sessions[0].legs[0].segments] == [1, 2, 3, 4]
    assert all(s.member is None for s in result.manifest.sessions[0].legs[0].segments)
    assert redactor.keeps and redactor.keeps[0] is not None, "the operator's zone is passed to the redactor"
    with zipfile.ZipFile(result.path) as archive:
        assert not [name for name in archive.namelist() if "/originals/" in name]
