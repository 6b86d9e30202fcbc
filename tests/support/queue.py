"""Terse queue events and a sites file for ingest tests."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

SITES = """
[[center]]
id = "baku-1"
name = "Baku ASAN 1"
timezone = "Asia/Baku"

[[window]]
center = "baku-1"
number = 7
camera = "baku-1-w07"

[[window]]
center = "baku-1"
number = 12

[[camera]]
id = "baku-1-w07"
source = "rtsp://10.0.7.21/stream1"
"""


def event(n: int, type_: str, at: str, **fields: Any) -> dict[str, Any]:
    """An event of centre baku-1 on 2026-05-04 at local time `at` (Asia/Baku, +04:00)."""
    return {"source": "qms", "event_id": f"e{n}", "type": type_, "center": "baku-1",
            "occurred_at": f"2026-05-04T{at}+04:00", **fields}  # fmt: skip


def a042_visit() -> list[dict[str, Any]]:
    """Ticket A042: issued, called to window 7, served, transferred to 12, completed there."""
    return [
        event(1, "operator_login", "08:55:00", operator="3317", window=7),
        event(2, "operator_login", "08:56:00", operator="4410", window=12),
        event(3, "ticket_issued", "10:00:00", ticket="A042", service="passport", priority=0),
        event(4, "ticket_called", "10:02:11", ticket="A042", window=7),
        event(5, "service_started", "10:02:40", ticket="A042", window=7, operator="3317"),
        event(6, "application_registered", "10:05:00", ticket="A042", application_ids=["APP-1", "APP-2"]),
        event(7, "ticket_transferred", "10:09:00", ticket="A042", window=7, to_window=12),
        event(8, "ticket_called", "10:11:00", ticket="A042", window=12),
        event(9, "service_completed", "10:20:30", ticket="A042", window=12),
    ]


def write_jsonl(path: Path, events: Iterable[dict[str, Any] | str]) -> Path:
    lines = [e if isinstance(e, str) else json.dumps(e) for e in events]
    path.write_text("\n".join(lines) + "\n")
    return path
