"""POST /api/v1/queue-events: a batch from a queue system, answered item by item."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Header, HTTPException, Request, status
from pydantic import BaseModel

from ingest.events import QueueEvent
from ingest.parsing import ParsedRow, RejectedRow, parse_payload
from ingest.service import IngestSummary
from ingest.sources import SourceSystem, authenticate
from review_app.deps import ServicesDep

router = APIRouter(prefix="/api/v1", tags=["queue events"])
MAX_BATCH = 10_000


class ItemAnswer(BaseModel):
    index: int
    event_id: str | None
    status: str
    reason: str | None = None


class BatchAnswer(BaseModel):
    summary: dict[str, int]
    results: list[ItemAnswer]


def _source_for(services: ServicesDep, api_key: str | None) -> SourceSystem:
    if not api_key:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "X-API-Key header required")
    with services.catalog.sessions() as session:
        source = authenticate(session, api_key)
    if source is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "unknown or disabled API key")
    return source


def _rows(body: object, source: SourceSystem) -> list[ParsedRow]:
    items = body.get("events") if isinstance(body, dict) else body
    if not isinstance(items, list):
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT, "body: a JSON array of events (or {'events': [...]})"
        )
    if len(items) > MAX_BATCH:
        raise HTTPException(status.HTTP_413_REQUEST_ENTITY_TOO_LARGE, f"body: at most {MAX_BATCH} events per batch")
    rows: list[ParsedRow] = []
    for index, item in enumerate(items):
        origin, raw = f"http[{index}]", json.dumps(item, ensure_ascii=False)
        if not isinstance(item, dict):
            rows.append(RejectedRow(origin, raw, None, "not a JSON object", source.name))
        elif item.get("source") not in (None, source.name):
            reason = f"source: {item.get('source')!r} does not match the API key's source {source.name!r}"
            rows.append(RejectedRow(origin, raw, "source", reason, source.name))
        else:
            rows.append(parse_payload(item, origin, raw, source.name))
    return rows


@router.post(
    "/queue-events",
    response_model=BatchAnswer,
    summary="Post a batch of queue events",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"type": "array", "items": QueueEvent.model_json_schema()}}},
        }
    },
)
async def post_queue_events(
    request: Request, services: ServicesDep, x_api_key: Annotated[str | None, Header()] = None
) -> BatchAnswer:
    """Each item is accepted, a duplicate, a conflict, or rejected with the reason naming the field."""
    source = _source_for(services, x_api_key)
    try:
        body = json.loads(await request.body())
    except json.JSONDecodeError as exc:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, f"body: not JSON: {exc.msg}") from exc
    rows = _rows(body, source)
    results = services.ingest.ingest_batch(rows)
    summary = IngestSummary()
    summary.add(results)
    answers = [
        ItemAnswer(index=i, event_id=r.event_id, status=r.status.value, reason=r.reason) for i, r in enumerate(results)
    ]
    return BatchAnswer(summary=summary.as_dict(), results=answers)
