"""Queue events to files: JSON Lines (the ingest API's own shape) and CSV (for spreadsheets and bulk loads).

Both stream: a month of a large centre is about a million events, so nothing is collected in a list.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ingest.events import QueueEvent

CSV_COLUMNS = (
    "source",
    "event_id",
    "type",
    "center",
    "occurred_at",
    "ticket",
    "service",
    "priority",
    "window",
    "operator",
    "application_ids",
    "to_window",
    "to_service",
)
APPLICATION_ID_SEPARATOR = ";"


def _record(event: QueueEvent) -> dict[str, Any]:
    # Built by hand rather than with model_dump_json (3x faster, but it writes UTC as "Z"): occurred_at
    # keeps an explicit "+00:00" offset, as the schema describes it, and full precision.
    return {
        "source": event.source,
        "event_id": event.event_id,
        "type": event.type.value,
        "center": event.center,
        "occurred_at": event.occurred_at.isoformat(),
        "ticket": event.ticket,
        "service": event.service,
        "priority": event.priority,
        "window": event.window,
        "operator": event.operator,
        "application_ids": list(event.application_ids),
        "to_window": event.to_window,
        "to_service": event.to_service,
    }


def write_jsonl(events: Iterable[QueueEvent], path: Path) -> int:
    """One JSON object per line with the model's field names; returns the number of lines."""
    count = 0
    with path.open("w", encoding="utf-8", newline="\n") as out:
        for event in events:
            out.write(json.dumps(_record(event), ensure_ascii=False, separators=(",", ":")))
            out.write("\n")
            count += 1
    return count


def write_csv(events: Iterable[QueueEvent], path: Path) -> int:
    """CSV with a CSV_COLUMNS header; application ids joined with ";", empty cells for None; returns rows."""
    count = 0
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(CSV_COLUMNS)
        for event in events:
            record = _record(event)
            record["application_ids"] = APPLICATION_ID_SEPARATOR.join(record["application_ids"])
            writer.writerow(["" if record[name] is None else record[name] for name in CSV_COLUMNS])
            count += 1
    return count
