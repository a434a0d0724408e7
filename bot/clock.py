"""The bot's clock: real time in production, movable in the sandbox and in tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class Clock:
    """Aware UTC time, optionally shifted forward (the sandbox's "skip ahead")."""

    def __init__(self, offset: timedelta = timedelta(0), frozen: datetime | None = None) -> None:
        if frozen is not None and frozen.tzinfo is None:
            raise ValueError("a frozen time must be timezone-aware")
        self.offset = offset
        self.frozen = frozen

    def now(self) -> datetime:
        """The current time in UTC."""
        base = self.frozen if self.frozen is not None else datetime.now(UTC)
        return (base + self.offset).astimezone(UTC)

    def advance(self, delta: timedelta) -> datetime:
        """Move the clock forward (never back) and return the new time."""
        if delta < timedelta(0):
            raise ValueError("the clock only moves forward")
        self.offset += delta
        return self.now()
