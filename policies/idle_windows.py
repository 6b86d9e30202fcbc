"""Stretches when a citizen sat at a window while no session was open there (pure, table-tested)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

Span = tuple[datetime, datetime]

# A face lost for a few seconds (looking down at papers) is the same person still sitting there.
BRIDGE_S = 10.0
# Citizens sit down just before the call is shown and gather papers after the end: that is not idle.
SESSION_PAD_S = 30.0


def merge(spans: Sequence[Span], bridge_s: float = 0.0) -> list[Span]:
    merged: list[Span] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1] + timedelta(seconds=bridge_s):
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def subtract(spans: Sequence[Span], cuts: Sequence[Span]) -> list[Span]:
    pieces: list[Span] = []
    ordered_cuts = merge(cuts)
    for start, end in spans:
        cursor = start
        for cut_start, cut_end in ordered_cuts:
            if cut_end <= cursor or cut_start >= end:
                continue
            if cut_start > cursor:
                pieces.append((cursor, cut_start))
            cursor = max(cursor, cut_end)
        if cursor < end:
            pieces.append((cursor, end))
    return pieces


def citizen_without_session(
    citizen: Sequence[Span], sessions: Sequence[Span], bridge_s: float = BRIDGE_S, pad_s: float = SESSION_PAD_S
) -> list[Span]:
    """Citizen presence, bridged over short losses, minus every session (padded) at the window."""
    pad = timedelta(seconds=pad_s)
    padded = [(start - pad, end + pad) for start, end in sessions]
    return subtract(merge(citizen, bridge_s), padded)
