"""Streaming readers for queue-event exports (JSONL and CSV): one row at a time, never the file.

Every row comes out either as a valid event or as a rejection naming the field, with the raw
text kept so nothing is lost.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ingest.events import QueueEvent

CSV_COLUMNS = (
    "source", "event_id", "type", "center", "occurred_at", "ticket", "service", "priority", "window",
    "operator", "application_ids", "to_window", "to_service",
)  # fmt: skip
INT_COLUMNS = frozenset({"priority", "window", "to_window"})


@dataclass(frozen=True)
class ParsedEvent:
    event: QueueEvent
    origin: str
    raw: str


@dataclass(frozen=True)
class RejectedRow:
    origin: str
    raw: str
    field: str | None
    reason: str
    source: str


ParsedRow = ParsedEvent | RejectedRow


def describe_validation_error(error: ValidationError) -> tuple[str | None, str]:
    """The first problem as (field, 'field: message') for a person to act on."""
    first = error.errors()[0]
    loc = [str(part) for part in first["loc"]]
    message = str(first["msg"]).removeprefix("Value error, ")
    if not loc and ":" in message:  # model-level rules name their field at the start
        named, _, rest = message.partition(":")
        return named.strip(), f"{named.strip()}: {rest.strip()}"
    where = ".".join(loc) if loc else "event"
    return (loc[0] if loc else None), f"{where}: {message}"


def parse_payload(payload: Mapping[str, Any], origin: str, raw: str, default_source: str | None) -> ParsedRow:
    data = dict(payload)
    if default_source and not data.get("source"):
        data["source"] = default_source
    source = str(data.get("source") or default_source or "")
    try:
        return ParsedEvent(QueueEvent.model_validate(data), origin, raw)
    except ValidationError as exc:
        field, reason = describe_validation_error(exc)
        return RejectedRow(origin, raw, field, reason, source)


def read_jsonl(path: Path, default_source: str | None = None) -> Iterator[ParsedRow]:
    with path.open("r", encoding="utf-8", errors="replace") as handle:
        for number, line in enumerate(handle, start=1):
            text = line.strip()
            if not text:
                continue
            origin = f"{path.name}:{number}"
            try:  # fast path: JSON parsed and validated in one step (pydantic-core)
                yield ParsedEvent(QueueEvent.model_validate_json(text), origin, text)
                continue
            except ValidationError:
                pass  # below: the slow path finds the field to name, or fills a default source
            try:
                payload = json.loads(text)
            except json.JSONDecodeError as exc:
                yield RejectedRow(
                    origin, text, None, f"not JSON: {exc.msg} at column {exc.colno}", default_source or ""
                )
                continue
            if not isinstance(payload, dict):
                yield RejectedRow(origin, text, None, "not a JSON object", default_source or "")
                continue
            yield parse_payload(payload, origin, text, default_source)


def _csv_value(column: str, cell: str) -> object:
    cell = cell.strip()
    if column == "application_ids":
        return [part.strip() for part in cell.split(";") if part.strip()]
    if cell == "":
        return None
    if column in INT_COLUMNS:
        try:
            return int(cell)
        except ValueError:
            return cell  # let validation name the field
    return cell


def read_csv(path: Path, default_source: str | None = None) -> Iterator[ParsedRow]:
    with path.open("r", encoding="utf-8", errors="replace", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None:
            return
        columns = [name.strip() for name in header]
        unknown = [name for name in columns if name not in CSV_COLUMNS]
        if unknown or "type" not in columns:
            reason = f"header: unknown column(s) {unknown}" if unknown else "header: no 'type' column"
            yield RejectedRow(f"{path.name}:1", ",".join(header), "header", reason, default_source or "")
            return
        for number, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue
            origin = f"{path.name}:{number}"
            if len(cells) != len(columns):
                reason = f"row has {len(cells)} cells, header has {len(columns)}"
                yield RejectedRow(origin, _csv_line(cells), None, reason, default_source or "")
                continue
            # Kept as a JSON object of the cells, so a rejected row can be retried without its file.
            raw = json.dumps(dict(zip(columns, cells, strict=True)), ensure_ascii=False)
            payload = {col: _csv_value(col, cell) for col, cell in zip(columns, cells, strict=True)}
            yield parse_payload(payload, origin, raw, default_source)


def _csv_line(cells: list[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerow(cells)
    return buffer.getvalue().rstrip("\r\n")


def parse_raw(raw: str, origin: str, default_source: str | None = None) -> ParsedRow:
    """Parse a stored raw payload again (retrying a rejected row after a fix)."""
    try:
        payload = json.loads(raw)
    except json.JSONDecodeError as exc:
        return RejectedRow(origin, raw, None, f"not JSON: {exc.msg} at column {exc.colno}", default_source or "")
    if not isinstance(payload, dict):
        return RejectedRow(origin, raw, None, "not a JSON object", default_source or "")
    if all(isinstance(v, str) for v in payload.values()) and set(payload) <= set(CSV_COLUMNS):
        payload = {col: _csv_value(col, cell) for col, cell in payload.items()}  # a CSV row's cells
    return parse_payload(payload, origin, raw, default_source)


def read_file(path: Path, default_source: str | None = None) -> Iterator[ParsedRow]:
    """By suffix: .csv is CSV, anything else JSON lines."""
    if path.suffix.lower() == ".csv":
        return read_csv(path, default_source)
    return read_jsonl(path, default_source)
