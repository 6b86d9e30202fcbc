"""Media answers: an object from the store, whole or one byte range, never cached by the browser."""

from __future__ import annotations

import logging
from collections.abc import Iterator

from fastapi import HTTPException, status
from fastapi.responses import Response, StreamingResponse

from review_app.media.ranges import ByteRange, Unsatisfiable, parse_range
from seffaf.storage.base import ObjectNotFoundError, ObjectStore, StoreError, StoreUnavailableError

logger = logging.getLogger(__name__)

CHUNK_BYTES = 1 << 20
# Footage is evidence: no copy stays in the browser's or a proxy's cache after the page is closed.
PRIVATE = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
MP4 = "video/mp4"
HLS = "application/vnd.apple.mpegurl"


NOT_FOUND = "not found"


def not_found() -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND, NOT_FOUND)


def store_failure(exc: StoreError) -> HTTPException:
    if isinstance(exc, ObjectNotFoundError):
        return not_found()
    if isinstance(exc, StoreUnavailableError):
        return HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "object store unavailable, try again")
    return HTTPException(status.HTTP_502_BAD_GATEWAY, "object store error")


def ranged_object(store: ObjectStore, key: str, range_header: str | None, content_type: str = MP4) -> Response:
    """200 with the whole object, 206 with the one range asked for, or 416."""
    try:
        size = store.stat(key).size
    except StoreError as exc:
        raise store_failure(exc) from exc
    headers = {**PRIVATE, "Accept-Ranges": "bytes"}
    wanted = parse_range(range_header, size)
    if isinstance(wanted, Unsatisfiable):
        headers["Content-Range"] = wanted.content_range(size)
        return Response(status_code=status.HTTP_416_RANGE_NOT_SATISFIABLE, headers=headers)
    part = wanted or ByteRange(0, size - 1)
    if wanted is not None:
        headers["Content-Range"] = wanted.content_range(size)
    headers["Content-Length"] = str(part.length)
    code = status.HTTP_206_PARTIAL_CONTENT if wanted is not None else status.HTTP_200_OK
    return StreamingResponse(
        _chunks(store, key, part, size), status_code=code, headers=headers, media_type=content_type
    )


def _chunks(store: ObjectStore, key: str, part: ByteRange, size: int) -> Iterator[bytes]:
    position, end = part.start, min(part.end + 1, size)
    try:
        while position < end:
            data = store.get_range(key, position, min(CHUNK_BYTES, end - position))
            if not data:
                break
            yield data
            position += len(data)
    except StoreError:
        # Headers are gone already: the client sees a short body and retries.
        logger.exception("media %s: store read failed at byte %s of %s", key, position, size)
        raise


def private_bytes(data: bytes, content_type: str) -> Response:
    return Response(content=data, media_type=content_type, headers=PRIVATE)
