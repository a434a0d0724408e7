"""Updates of different users side by side, each user's one at a time and in order.

python-telegram-bot runs each update in its own task when the update processor allows more
than one at a time; this processor adds a lock per user (or chat), so a user's updates keep
their order — which the guided flows (ConversationHandler) rely on — while other users' updates
go ahead whenever one waits on Telegram or the database.

With several replicas on one PostgreSQL database, ``replicas`` (``bot.replicas.attach`` sets it)
extends the order across them: inside the user's lock here, it takes the user's lock in the
database, handles the user's earlier updates that another replica stored, and skips an update
some replica handled already.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any, Protocol

from telegram import Update
from telegram.ext import BaseUpdateProcessor

#: Updates in progress at once (across users); a user's further updates wait on their lock.
MAX_CONCURRENT_UPDATES = 16


class Replicas(Protocol):
    """Order and once-only handling across processes (``bot.replicas.ReplicaCoordinator``)."""

    async def start(self) -> None:
        """Set up (called when the application initializes)."""

    async def stop(self) -> None:
        """Free what ``start`` took (called when the application shuts down)."""

    async def run(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Run the update's ``coroutine`` in its turn across replicas, or close it if done."""


class PerUserProcessor(BaseUpdateProcessor):
    """Concurrent across users, sequential and in arrival order for each user."""

    def __init__(self, max_concurrent_updates: int = MAX_CONCURRENT_UPDATES) -> None:
        super().__init__(max_concurrent_updates)
        # A lock and how many updates hold or wait for it; dropped when none do.
        self._locks: dict[int, tuple[asyncio.Lock, int]] = {}
        #: The other replicas' say, when there are any (None: this process is alone).
        self.replicas: Replicas | None = None

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Run ``coroutine`` once the user's earlier updates are done."""
        key = _key(update)
        if key is None:
            await coroutine
            return
        if self.replicas is not None:
            coroutine = self.replicas.run(update, coroutine)
        lock, users = self._locks.get(key, (asyncio.Lock(), 0))
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                await coroutine
        finally:
            lock, users = self._locks[key]
            if users <= 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)

    async def initialize(self) -> None:
        """Start the replicas' coordination, if any."""
        if self.replicas is not None:
            await self.replicas.start()

    async def shutdown(self) -> None:
        """Stop the replicas' coordination, if any."""
        if self.replicas is not None:
            await self.replicas.stop()


def _key(update: object) -> int | None:
    """Whose update it is: the user, else the chat (None: no order to keep)."""
    if not isinstance(update, Update):
        return None
    if update.effective_user is not None:
        return update.effective_user.id
    return update.effective_chat.id if update.effective_chat is not None else None
