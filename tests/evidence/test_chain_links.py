"""Chain continuity of included originals: consecutive seqs link by hash, a missing run needs a hole."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from seffaf.evidence.chain_links import Link, Span, chain_breaks

T0 = datetime(2026, 5, 4, 6, 0, tzinfo=UTC)


def link(seq: int, sha: str, prev: str | None, start_s: float, end_s: float) -> Link:
    return Link(f"o/{seq}.mp4", seq, sha * 64, prev * 64 if prev else None, T0 + timedelta(seconds=start_s),
                T0 + timedelta(seconds=end_s))  # fmt: skip


def span(start_s: float, end_s: float) -> Span:
    return Span(T0 + timedelta(seconds=start_s), T0 + timedelta(seconds=end_s))


@pytest.mark.parametrize(
    ("links", "holes", "broken"),
    [
        ([link(1, "a", None, 0, 10), link(2, "b", "a", 10, 20), link(3, "c", "b", 20, 30)], [], []),
        ([link(3, "c", "b", 20, 30), link(2, "b", "a", 10, 20)], [], []),  # order of listing does not matter
        ([link(1, "a", None, 0, 10), link(2, "b", "f", 10, 20)], [], ["o/2.mp4"]),  # prev hash is not seq 1's
        ([link(1, "a", None, 0, 10), link(2, "b", None, 10, 20)], [], ["o/2.mp4"]),  # a link dropped
        ([link(1, "a", None, 0, 10), link(3, "c", "b", 20, 30)], [], ["o/3.mp4"]),  # seq 2 missing, no hole
        ([link(1, "a", None, 0, 10), link(3, "c", "b", 25, 35)], [span(10, 25)], []),  # missing, a hole explains
        ([link(1, "a", None, 0, 10), link(3, "c", "b", 25, 35)], [span(12, 25)], ["o/3.mp4"]),  # hole too short
        ([link(1, "a", None, 0, 10), link(1, "a", None, 0, 10)], [], ["o/1.mp4"]),  # the same seq twice
        # a recorded gap between consecutive seqs keeps the link: nothing to explain
        ([link(3, "c", "b", 20, 25), link(4, "d", "c", 40, 50)], [], []),
        ([], [], []),
    ],
)
def test_chain_breaks(links: list[Link], holes: list[Span], broken: list[str]) -> None:
    assert [b.name for b in chain_breaks(links, holes)] == broken
