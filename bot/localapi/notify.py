"""Cross-thread, cross-event-loop change notification."""

# The emulator's state can be mutated from the uvicorn thread while a test waits in its own
# loop (or the other way round), so waiters are futures woken via call_soon_threadsafe.

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


class Notifier:
    """Wakes every registered waiter whenever the state changes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._waiters: set[tuple[asyncio.AbstractEventLoop, asyncio.Future[None]]] = set()

    def notify_all(self) -> None:
        """Wake all waiters (callable from any thread)."""
        with self._lock:
            waiters = list(self._waiters)
        for loop, future in waiters:
            # A closed loop raises RuntimeError: its waiter is gone with it.
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(_wake, future)

    async def wait_for(
        self,
        check: Callable[[], T | None],
        timeout: float,
        *,
        cancelled: Callable[[], bool] | None = None,
    ) -> T | None:
        """Re-run `check` after each change until non-None; None on timeout or cancellation."""
        loop = asyncio.get_running_loop()
        deadline = time.monotonic() + timeout
        while True:
            future: asyncio.Future[None] = loop.create_future()
            entry = (loop, future)
            with self._lock:
                self._waiters.add(entry)
            try:
                # Registered before checking, so a change between the two is not missed.
                result = check()
                if result is not None:
                    return result
                remaining = deadline - time.monotonic()
                if remaining <= 0 or (cancelled is not None and cancelled()):
                    return None
                await asyncio.wait({future}, timeout=remaining)
            finally:
                with self._lock:
                    self._waiters.discard(entry)
                if not future.done():
                    future.cancel()


def _wake(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)
