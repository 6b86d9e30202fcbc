"""`seffaf verify`: check an evidence package offline, with no database, and name what fails.

Every member is hashed and compared with SHA256SUMS and with manifest.json; where the two
disagree with each other, the one that disagrees with the bytes is the one named. The signature
over manifest.json and SHA256SUMS is checked with the embedded key, and against a trusted key
when one is given; included original segments must form an unbroken hash chain.
"""

from __future__ import annotations

import hashlib
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from seffaf.evidence.chain_links import Link, Span, chain_breaks
from seffaf.evidence.layout import FINGERPRINT, MANIFEST, PUBLIC_KEY, SIGNATURE, SUMS, UNSUMMED
from seffaf.evidence.manifest import PackageManifest
from seffaf.evidence.signing import SigningKeyError, fingerprint, load_public_key, signature_valid
from seffaf.evidence.sums import SumsError, parse_sums

REQUIRED = (MANIFEST, SUMS, SIGNATURE, PUBLIC_KEY)


@dataclass(frozen=True)
class Problem:
    member: str
    detail: str


@dataclass(frozen=True)
class VerifyReport:
    path: Path
    members_checked: int
    signing_key_fingerprint: str | None
    problems: list[Problem]

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def failing_members(self) -> list[str]:
        return sorted({problem.member for problem in self.problems})


def attribute_mismatch(member: str, actual: str, summed: str | None, recorded: str | None) -> list[Problem]:
    """Which file to blame when a member's hash, its SHA256SUMS line and its manifest entry disagree."""
    if summed is None:
        return [Problem(member, "not listed in SHA256SUMS")]
    if recorded is None:
        return [] if actual == summed else [Problem(member, f"changed: hashes to {actual}, SHA256SUMS says {summed}")]
    if actual == summed == recorded:
        return []
    if actual == summed:
        return [Problem(MANIFEST, f"records {recorded} for {member}, which hashes to {actual}")]
    if actual == recorded:
        return [Problem(SUMS, f"says {summed} for {member}, which hashes to {actual}")]
    return [Problem(member, f"changed: hashes to {actual}, SHA256SUMS says {summed}, manifest.json {recorded}")]


def _hash_member(archive: zipfile.ZipFile, name: str) -> str:
    digest = hashlib.sha256()
    with archive.open(name) as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _parse_manifest(data: bytes) -> PackageManifest | Problem:
    try:
        return PackageManifest.model_validate_json(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "(top level)"
        return Problem(MANIFEST, f"not a seffaf evidence manifest (format 1): {where}: {first['msg']}")


def _chain_problems(manifest: PackageManifest) -> list[Problem]:
    problems = []
    for session in manifest.sessions:
        for leg in session.legs:
            links = [Link(s.member, s.seq, s.sha256, s.prev_sha256, s.start, s.end) for s in leg.segments if s.member]
            holes = [Span(h.start, h.end) for h in leg.holes]
            problems += [Problem(b.name, f"hash chain broken: {b.detail}") for b in chain_breaks(links, holes)]
    return problems


def _manifest_consistency(manifest: PackageManifest) -> list[Problem]:
    """The clip and original records must agree with the manifest's own file list."""
    recorded = {f.member: f.sha256 for f in manifest.files}
    problems = []
    for session in manifest.sessions:
        for leg in session.legs:
            pairs = [(s.member, s.sha256) for s in leg.segments if s.member]
            pairs += [(leg.clip.member, leg.clip.sha256)] if leg.clip else []
            problems += [Problem(MANIFEST, f"{member}: its record and the file list disagree")
                         for member, sha in pairs if recorded.get(member) != sha]  # fmt: skip
    return problems


def _signature_problems(
    archive: zipfile.ZipFile, names: set[str], manifest: PackageManifest | None, trusted_public_key: bytes | None
) -> tuple[list[Problem], str | None]:
    if not {SIGNATURE, PUBLIC_KEY, MANIFEST, SUMS} <= names:
        return [], None
    try:
        signature = archive.read(SIGNATURE)
    except (zipfile.BadZipFile, zlib.error) as exc:
        return [Problem(SIGNATURE, f"damaged in the zip: {exc}")], None
    try:
        key = load_public_key(archive.read(PUBLIC_KEY), PUBLIC_KEY)
    except SigningKeyError as exc:
        return [Problem(PUBLIC_KEY, str(exc))], None
    embedded = fingerprint(key)
    problems = []
    if manifest is not None and manifest.signing_key_fingerprint != embedded:
        problems.append(Problem(PUBLIC_KEY, f"fingerprint {embedded} is not the signing key manifest.json names"))
    if FINGERPRINT in names and archive.read(FINGERPRINT).decode("utf-8", "replace").strip() != embedded:
        problems.append(Problem(FINGERPRINT, f"does not match {PUBLIC_KEY} (fingerprint {embedded})"))
    if trusted_public_key is not None:
        trusted = load_public_key(trusted_public_key, "--public-key")
        if fingerprint(trusted) != embedded:
            detail = f"signed with key {embedded}, not the trusted key {fingerprint(trusted)}"
            problems.append(Problem(PUBLIC_KEY, detail))
        key = trusted
    if not signature_valid(key, signature, archive.read(MANIFEST) + archive.read(SUMS)):
        problems.append(Problem(SIGNATURE, f"does not verify over {MANIFEST} + {SUMS} with key {fingerprint(key)}"))
    return problems, embedded


def verify_package(path: Path, trusted_public_key: bytes | None = None) -> VerifyReport:
    """Raises SigningKeyError only for a bad trusted key; everything wrong inside the package is a Problem."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        return VerifyReport(path, 0, None, [Problem(path.name, f"not a readable zip file: {exc}")])
    with archive:
        names = [info.filename for info in archive.infolist() if not info.is_dir()]
        problems = [Problem(name, "appears twice in the zip") for name in sorted(set(names)) if names.count(name) > 1]
        problems += [Problem(name, "missing from the package") for name in REQUIRED if name not in names]
        actual: dict[str, str] = {}
        for name in names:
            if name in UNSUMMED:
                continue
            try:
                actual[name] = _hash_member(archive, name)
            except (zipfile.BadZipFile, zlib.error, OSError) as exc:
                problems.append(Problem(name, f"damaged in the zip: {exc}"))
        sums: dict[str, str] = {}
        if SUMS in names:
            try:
                sums = parse_sums(archive.read(SUMS))
            except SumsError as exc:
                problems.append(Problem(SUMS, str(exc)))
            except (zipfile.BadZipFile, zlib.error) as exc:
                problems.append(Problem(SUMS, f"damaged in the zip: {exc}"))
                names.remove(SUMS)
        manifest: PackageManifest | None = None
        if MANIFEST in actual:
            parsed = _parse_manifest(archive.read(MANIFEST))
            manifest = parsed if isinstance(parsed, PackageManifest) else None
            problems += [parsed] if isinstance(parsed, Problem) else []
        recorded = {f.member: f.sha256 for f in manifest.files} if manifest else {}
        for name, sha in actual.items():
            if manifest is not None and name != MANIFEST and name not in recorded:
                problems.append(Problem(name, "not described in manifest.json"))
            elif name in sums or SUMS in names:
                problems += attribute_mismatch(name, sha, sums.get(name), recorded.get(name))
        for name in sums:
            if name not in actual:
                why = "which it cannot cover" if name in UNSUMMED else "which is not in the package"
                problems.append(Problem(SUMS, f"lists {name}, {why}"))
        problems += [Problem(MANIFEST, f"records {name}, which is not in the package")
                     for name in recorded if name not in names]  # fmt: skip
        if manifest is not None:
            problems += _manifest_consistency(manifest) + _chain_problems(manifest)
        # Members damaged in the zip itself were named above; only readable ones take part in the signature.
        readable = {name for name in names if name in actual or name in UNSUMMED}
        signature, embedded = _signature_problems(archive, readable, manifest, trusted_public_key)
    return VerifyReport(path, len(actual), embedded, problems + signature)
