"""Logging set-up: JSON lines for daemons, plain text for interactive commands."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import TextIO


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        payload = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            payload["traceback"] = self.formatException(record.exc_info)
        return json.dumps(payload, ensure_ascii=False)


class StderrHandler(logging.StreamHandler[TextIO]):
    """Writes to sys.stderr as it is when a record is logged, not as it was when logging was set up:
    an in-process caller (a test runner, an embedding app) may have swapped it and closed the old one."""

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stderr
        super().emit(record)


def configure_logging(json_lines: bool, level: int = logging.INFO) -> None:
    handler = StderrHandler(sys.stderr)
    handler.setFormatter(
        JsonFormatter() if json_lines else logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # FFmpeg's own chatter goes through PyAV's logger; keep only its errors.
    logging.getLogger("libav").setLevel(logging.ERROR)
