"""Which file verify blames when a member's bytes, its SHA256SUMS line and its manifest entry disagree."""

from __future__ import annotations

import pytest

from seffaf.evidence.verify import attribute_mismatch

X, Y, Z = "1" * 64, "2" * 64, "3" * 64


@pytest.mark.parametrize(
    ("actual", "summed", "recorded", "blamed"),
    [
        (X, X, X, []),
        (Y, X, X, ["clip.mp4"]),  # the file changed
        (X, Y, X, ["SHA256SUMS"]),  # its sum line changed
        (X, X, Y, ["manifest.json"]),  # its manifest entry changed
        (X, Y, Z, ["clip.mp4"]),  # nothing agrees: the file is what can't be trusted
        (X, None, X, ["clip.mp4"]),  # not listed in the sums at all
        (X, X, None, []),  # a member the manifest does not describe (manifest.json itself)
        (Y, X, None, ["clip.mp4"]),
    ],
)
def test_attribute_mismatch(actual: str, summed: str | None, recorded: str | None, blamed: list[str]) -> None:
    assert [p.member for p in attribute_mismatch("clip.mp4", actual, summed, recorded)] == blamed
