"""Ctrl-C and SIGTERM as a request to stop at the next safe point, not an exception mid-write."""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType

logger = logging.getLogger(__name__)
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


def install_stop_signals(stop: threading.Event, announce: str | None = None) -> Callable[[], None]:
    """Make SIGTERM and SIGINT set `stop`; returns a function that puts the previous handlers back.

    A second Ctrl-C after the first is the user insisting: it raises KeyboardInterrupt as usual.
    """
    previous = {signum: signal.getsignal(signum) for signum in STOP_SIGNALS}

    def handle(signum: int, _frame: FrameType | None) -> None:
        if stop.is_set() and signum == signal.SIGINT:
            raise KeyboardInterrupt
        if announce:
            logger.info("signal %s: %s", signal.Signals(signum).name, announce)
        stop.set()

    for signum in STOP_SIGNALS:
        signal.signal(signum, handle)

    def restore() -> None:
        for signum, handler in previous.items():
            signal.signal(signum, handler)

    return restore


@contextmanager
def stop_signals(stop: threading.Event, announce: str | None = None) -> Iterator[threading.Event]:
    restore = install_stop_signals(stop, announce)
    try:
        yield stop
    finally:
        restore()
