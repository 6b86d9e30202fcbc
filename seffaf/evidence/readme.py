"""README.txt: how a recipient checks the package with standard tools, no seffaf needed."""

from __future__ import annotations

from seffaf.evidence.layout import FINGERPRINT, MANIFEST, PUBLIC_KEY, SIGNATURE, SUMS
from seffaf.evidence.manifest import PackageManifest


def _session_lines(manifest: PackageManifest) -> str:
    lines = []
    for s in manifest.sessions:
        legs = [f"leg {leg.index} (window {leg.window}): {leg.clip.member if leg.clip else 'no footage'}"
                for leg in s.legs]  # fmt: skip
        lines.append(f"  - {s.center} {s.service_date.isoformat()} ticket {s.ticket}: {', '.join(legs)}")
    return "\n".join(lines)


def render_readme(manifest: PackageManifest) -> str:
    sessions = _session_lines(manifest)
    if manifest.redaction.mode == "faces_blurred":
        redaction = (f"Citizens' faces are blurred ({manifest.redaction.method}); the operator's zone is left as\n"
                     "recorded. Redaction re-encodes the clip: manifest.json keeps the hash of the unredacted\n"
                     "clip and of every original segment it came from.")  # fmt: skip
    else:
        redaction = (f"NOT REDACTED: faces are visible. Reason given: {manifest.redaction.unredacted_reason}\n"
                     "The clips are stream copies of the recorded footage (no re-encoding).")  # fmt: skip
    return f"""Evidence package: case {manifest.case.reference}
Exported by {manifest.exported_by} at {manifest.exported_at.isoformat()} with seffaf {manifest.seffaf_version}.

Sessions:
{sessions}

{redaction}

Each clip.mp4 plays in any video player. manifest.json describes everything: the sessions, the
queue-system events of each ticket, the operators, the source segments with their SHA-256 hashes,
sequence numbers and hash-chain links, holes in the recorded coverage, findings and verdicts.
{manifest.audit_extract} holds the audit-log rows of the case. Times are UTC.

HOW TO CHECK THIS PACKAGE (after unzipping it, in its folder)

1. Every file is unchanged (GNU coreutils; on macOS use `shasum -a 256 -c {SUMS}`):

       sha256sum -c {SUMS}

2. The signature over {MANIFEST} and {SUMS} is valid (OpenSSL 3):

       cat {MANIFEST} {SUMS} > signed-message
       openssl pkeyutl -verify -pubin -inkey {PUBLIC_KEY} -rawin -in signed-message -sigfile {SIGNATURE}

3. The signing key is the one the publisher announced. Its fingerprint (SHA-256 of the raw
   Ed25519 public key) is {manifest.signing_key_fingerprint}
   (also in {FINGERPRINT}); compare it with the published one, or compute it:

       openssl pkey -pubin -in {PUBLIC_KEY} -outform DER | tail -c 32 | sha256sum

With seffaf installed, all of this and the hash-chain continuity of included original segments
is checked at once, offline:

       seffaf verify PACKAGE.zip --public-key PUBLISHED-KEY.pem
"""
