"""Several replicas on one PostgreSQL database: each user's updates one at a time, in order, once.

A load balancer may hand a user's first update to one replica and the second to another, and
Telegram may deliver an update twice. Each replica already stores every update in the inbox
before answering 200 (a second copy of an update is not stored, so not queued) and handles a
user's updates in order among its own (``PerUserProcessor``). Across replicas,
``ReplicaCoordinator.run`` wraps the handling of each update:

1. take the user's PostgreSQL advisory lock (``tracker.storage.locks``: session-level, on a
   connection of its own, so no transaction is held while handlers talk to Telegram, and a
   replica that dies frees its locks with its connection);
2. handle first the user's earlier stored updates that no replica handled (another replica has
   them queued, or stopped before handling them): order follows update ids, as Telegram numbers
   them;
3. skip the update if a replica handled it already (it was one of the earlier ones there, or a
   replay), else handle it: with the user's conversation states read back from the database
   first, when the persistence can (``SharedState``: another replica may have moved the user's
   guided flow on), and every change written before the lock is freed;
4. free the lock.

A replica that stops for good leaves its queued updates in the inbox: the user's next update
brings them in (step 2), and every replica sweeps the inbox for updates still unhandled after
``ORPHAN_AGE`` and queues them (step 3 makes that harmless if their replica was only slow).

On SQLite there is one process and ``attach`` does nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import json
import logging
import time
from collections.abc import Awaitable
from datetime import datetime, timedelta
from typing import Any, Protocol, runtime_checkable

from telegram import Update
from telegram.ext import Application, BaseHandler, ConversationHandler

from bot.inbox import DurableQueue
from bot.processing import PerUserProcessor
from bot.runtime import DEPS_KEY, Deps
from tracker.storage.locks import (
    AdvisoryLocks,
    earlier_pending,
    is_postgres,
    stale_pending,
    user_key,
)
from tracker.storage.repositories import UPDATE_ID_REUSE, StoredUpdate

logger = logging.getLogger(__name__)

App = Application[Any, Any, Any, Any, Any, Any]

#: A stored update still unhandled this long after it arrived is taken up by any replica.
ORPHAN_AGE = timedelta(seconds=10)
#: How often each replica looks for such updates (seconds), and how many it takes at once.
SWEEP_INTERVAL = 5.0
SWEEP_LIMIT = 500
#: How far back the sweep looks (older ones: a replica's start-up replays every stored update).
SWEEP_WINDOW = timedelta(minutes=10)
#: An update this replica queued from the sweep is not queued again for this long (seconds).
REQUEUE_AFTER = 60.0


ConversationKey = tuple[int | str, ...]


@runtime_checkable
class SharedState(Protocol):
    """A persistence that can read back what another replica stored (bot.persistence)."""

    shared: bool

    async def stored_conversations(
        self, wanted: list[tuple[str, ConversationKey]]
    ) -> dict[tuple[str, ConversationKey], object]:
        """The stored states of these (conversation name, key) pairs that have one."""


class ReplicaCoordinator:
    """Per-user order and once-only handling across the replicas sharing a PostgreSQL database."""

    def __init__(
        self,
        application: App,
        deps: Deps,
        *,
        orphan_age: timedelta = ORPHAN_AGE,
        sweep_interval: float = SWEEP_INTERVAL,
    ) -> None:
        self._application = application
        self._deps = deps
        self._locks = AdvisoryLocks(deps.settings.database_url)
        self._orphan_age = orphan_age
        self._sweep_interval = sweep_interval
        self._swept: dict[int, float] = {}  # update id -> when the sweep queued it (monotonic)
        self._sweeper: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Begin sweeping for updates a stopped replica left."""
        if self._sweeper is None:
            self._sweeper = asyncio.create_task(self._sweep_forever(), name="replica-sweep")

    async def stop(self) -> None:
        """Stop sweeping and free the locks' connection."""
        if self._sweeper is not None:
            self._sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sweeper
            self._sweeper = None
        await self._locks.close()

    async def run(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Handle ``update`` (``coroutine``) under its user's lock, after their earlier updates."""
        if not isinstance(update, Update) or update.effective_user is None:
            await coroutine  # no user, no order to keep (the app only marks these handled)
            return
        user_id = update.effective_user.id
        key = user_key(user_id)
        try:
            await self._locks.acquire(key)
        except BaseException:
            _discard(coroutine)  # not handled here: it stays in the inbox for the sweep
            raise
        try:
            # One look at the database: nobody else handles this user's updates while we hold
            # the lock, so handling the earlier ones cannot change whether this one was handled.
            earlier, handled = await asyncio.to_thread(self._look, user_id, update.update_id)
            for stored in earlier:
                previous = self._decode(stored)
                if previous is not None:
                    logger.info(
                        "update %s: handling earlier update %s first",
                        update.update_id,
                        stored.update_id,
                    )
                    await self._application.process_update(previous)
            if handled:
                logger.info("update %s was handled by another replica: skipped", update.update_id)
                _discard(coroutine)
                return
            await self._refresh_conversations(update)
            await coroutine
            # Written now, not within the persistence interval: the next holder reads it.
            await self._application.update_persistence()
        finally:
            await self._locks.release(key)

    async def _refresh_conversations(self, update: Update) -> None:
        """Load the user's conversation states as stored (another replica may have moved them)."""
        persistence = self._application.persistence
        if not isinstance(persistence, SharedState):
            return
        handlers: dict[tuple[str, ConversationKey], ConversationHandler[Any]] = {}
        for handler in _conversation_handlers(self._application):
            try:
                handlers[handler.name or "", handler._get_key(update)] = handler
            except RuntimeError:  # not this conversation's kind of update
                continue
        stored = await persistence.stored_conversations(list(handlers))
        for (name, key), handler in handlers.items():
            states = handler._conversations  # PTB keeps them in memory only (private)
            if (name, key) in stored:
                states.update_no_track({key: stored[name, key]})
            else:
                states.data.pop(key, None)  # ended on another replica

    def _look(self, user_id: int, update_id: int) -> tuple[list[StoredUpdate], bool]:
        """The user's earlier updates nobody handled, and whether this one was handled."""
        since = self._deps.clock.now() - UPDATE_ID_REUSE
        with self._deps.uow() as uow:
            earlier = earlier_pending(uow.session, user_id, update_id, since)
            return earlier, uow.processed_updates.is_processed(update_id)

    def _stale(self, before: datetime) -> list[StoredUpdate]:
        with self._deps.uow() as uow:
            return stale_pending(uow.session, before - SWEEP_WINDOW, before, SWEEP_LIMIT)

    def _decode(self, stored: StoredUpdate) -> Update | None:
        try:
            return Update.de_json(json.loads(stored.payload), self._application.bot)
        except (ValueError, TypeError, KeyError):
            logger.exception("update %s in the inbox cannot be read: skipped", stored.update_id)
            return None

    async def sweep(self) -> int:
        """Queue the stored updates left unhandled past ``ORPHAN_AGE``; how many."""
        queue = self._application.update_queue
        if not isinstance(queue, DurableQueue):
            return 0
        rows = await asyncio.to_thread(self._stale, self._deps.clock.now() - self._orphan_age)
        now = time.monotonic()
        self._swept = {k: at for k, at in self._swept.items() if now - at < REQUEUE_AFTER}
        queued = 0
        for stored in rows:
            if stored.update_id in self._swept:
                continue  # queued here already and not done yet (or unreadable)
            self._swept[stored.update_id] = now
            update = self._decode(stored)
            if update is None:
                continue
            queue.queue_stored(update)
            queued += 1
        if queued:
            logger.info("queued %d stored update(s) no replica handled in time", queued)
        return queued

    async def _sweep_forever(self) -> None:
        while True:
            await asyncio.sleep(self._sweep_interval)
            try:
                await self.sweep()
            except Exception:  # the next sweep tries again; the database may be back then
                logger.exception("sweeping the inbox failed")


def _conversation_handlers(application: App) -> list[ConversationHandler[Any]]:
    """The persistent conversation handlers, nested ones included."""
    found: list[ConversationHandler[Any]] = []
    todo: list[BaseHandler[Any, Any, Any]] = [h for hs in application.handlers.values() for h in hs]
    while todo:
        handler = todo.pop()
        if isinstance(handler, ConversationHandler):
            if handler.persistent and handler.name:
                found.append(handler)
            todo.extend(handler._child_conversations)
    return found


def _discard(coroutine: Awaitable[Any]) -> None:
    """Close an update's coroutine that will not run (no "never awaited" warning)."""
    if inspect.iscoroutine(coroutine):
        coroutine.close()


def attach(application: App, **options: Any) -> ReplicaCoordinator | None:
    """Coordinate the application with the other replicas when its database is PostgreSQL.

    Call before the application is initialized (the processor starts the coordinator then).
    """
    deps: Deps = application.bot_data[DEPS_KEY]
    processor = application.update_processor
    if not is_postgres(deps.settings.database_url) or not isinstance(processor, PerUserProcessor):
        return None
    coordinator = ReplicaCoordinator(application, deps, **options)
    processor.replicas = coordinator
    if isinstance(application.persistence, SharedState):
        application.persistence.shared = True  # read user_data back before each update
    return coordinator
