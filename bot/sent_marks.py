"""Replies that went out, written down in the outbox a few at a time.

A reply announcing a change is in the outbox from the change's own transaction (``Turn.
commit_and_reply``); once Telegram accepted it, the row is marked sent so the sender job does not
send it again. Marking each reply in a transaction of its own would be one more write per update
on the hot path; instead the marks wait here a moment (``FLUSH_DELAY``) and are written together.
The sender job writes any waiting marks before it looks for due messages, and the application
writes them when it stops. A crash in between loses only the marks: those replies go out once more
after ``REPLY_GRACE`` — at least once, never lost.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.exc import SQLAlchemyError

from tracker.storage.uow import SqlUnitOfWork

logger = logging.getLogger(__name__)

#: How long a mark waits for others before they are written (seconds).
FLUSH_DELAY = 0.05
#: Written at once when this many wait.
FLUSH_SIZE = 200


class SentMarks:
    """Outbox keys of replies Telegram accepted, waiting to be marked sent together."""

    def __init__(self, make_uow: Callable[[], SqlUnitOfWork], now: Callable[[], datetime]) -> None:
        self._make_uow = make_uow
        self._now = now
        self._waiting: list[tuple[str, int]] = []
        self._timer: asyncio.TimerHandle | None = None

    def __len__(self) -> int:
        return len(self._waiting)

    def add(self, key: str, telegram_message_id: int) -> None:
        """Note that the reply ``key`` went out as ``telegram_message_id``; written shortly."""
        self._waiting.append((key, telegram_message_id))
        if len(self._waiting) >= FLUSH_SIZE:
            self.flush()
        elif self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(FLUSH_DELAY, self.flush)

    def flush(self) -> int:
        """Write every waiting mark in one short transaction; how many were written."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        waiting, self._waiting = self._waiting, []
        if not waiting:
            return 0
        try:
            with self._make_uow() as uow:
                uow.outbox.mark_many_sent_unclaimed(waiting, at=self._now())
                uow.commit()
        except SQLAlchemyError:  # the sender job sends them once more: at least once
            logger.warning("%d sent replies could not be marked sent", len(waiting))
            return 0
        return len(waiting)
