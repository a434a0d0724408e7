"""Injectable wall clock for the `date` fields and callback-query expiry."""

from __future__ import annotations

import threading


class FakeClock:
    """A controllable `now` callable: frozen until advanced (thread-safe)."""

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self._now = start
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> float:
        """Move the clock forward and return the new time."""
        with self._lock:
            self._now += seconds
            return self._now

    def set(self, timestamp: float) -> None:
        """Jump to an absolute Unix timestamp."""
        with self._lock:
            self._now = timestamp
