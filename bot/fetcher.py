"""Long polling on a thread of its own: each getUpdates answer stored in one transaction.

python-telegram-bot's ``Updater`` polls on the bot's event loop: it asks for the next updates
only once the loop has stored the last ones and given it a turn, so under a storm a press sat at
Telegram for up to half a second before the bot even saw it. ``UpdateFetcher`` polls from a
thread with its own event loop and connection instead:

1. getUpdates (long polling) with the offset after the last batch stored;
2. the presses in the batch are handed to the watchdog at once (``bot.answers``): the answer
   no longer waits for the store or the bot's loop (a press answered and then not stored is
   delivered again by Telegram; its second answer is refused, and nothing else happens);
3. the whole batch is stored in one transaction (``inbox_updates``); only then does the next
   getUpdates confirm it to Telegram, so a crash at any moment loses nothing;
4. the new updates go to the application's queue on the bot's loop; a redelivered one (stored
   before) is not queued again.

It serves the real bot and the sandbox, which talk to a Bot API over the network; the tests'
in-process emulator keeps the ``Updater`` (``start_polling``), with the same inbox semantics
(``DurableQueue.put``).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal
import threading
from collections.abc import AsyncIterator, Callable, Sequence
from datetime import datetime
from typing import Any

from telegram import Bot, Update
from telegram.error import Conflict, InvalidToken, NetworkError, TelegramError
from telegram.request import BaseRequest, HTTPXRequest, RequestData
from telegram.request._requestparameter import RequestParameter

from bot.answers import CallbackAnswers
from bot.inbox import DurableQueue, raw_payload, raw_sender
from bot.offloop import copy_bot, over_network
from bot.runtime import Deps
from bot.types import App
from bot.workers import WorkerPool, worker_pool
from tracker.storage.repositories import NewUpdate
from tracker.storage.uow import SqlUnitOfWork

logger = logging.getLogger(__name__)

#: Seconds Telegram may hold a getUpdates open when there is nothing to send.
POLL_TIMEOUT = 10
#: Pauses after a failed poll or store: the first, and the longest it grows to (doubling).
FIRST_PAUSE = 1.0
LAST_PAUSE = 30.0
#: Seconds to wait for the thread to stop.
STOP_TIMEOUT = 15.0


class UpdateFetcher:
    """getUpdates, store, queue: the durable inbox's intake on a thread of its own."""

    def __init__(
        self,
        application: App,
        *,
        make_uow: Callable[[], SqlUnitOfWork],
        now: Callable[[], datetime],
        answers: CallbackAnswers,
        poll_timeout: int = POLL_TIMEOUT,
        allowed_updates: Sequence[str] = Update.ALL_TYPES,
        on_stopped: Callable[[], None] | None = None,
        workers: WorkerPool | None = None,
    ) -> None:
        queue = application.update_queue
        if not isinstance(queue, DurableQueue):
            raise TypeError("the application's update queue must be the durable inbox")
        self._application = application
        self._queue = queue
        self._make_uow = make_uow
        self._now = now
        self._answers = answers
        self._poll_timeout = poll_timeout
        self._allowed = list(allowed_updates)
        #: Called on the bot's loop if polling ends by itself (a revoked token, a bug).
        self._on_stopped = on_stopped
        #: The other processes that handle updates, each for its users (None: this one only).
        self._workers = workers
        self._cancelled = False
        self._owner: asyncio.AbstractEventLoop | None = None
        self._loop = asyncio.new_event_loop()
        self._task: asyncio.Task[None] | None = None
        self._thread = threading.Thread(target=self._run, name="update-fetcher", daemon=True)
        #: Updates stored and queued so far (the tests read it).
        self.queued = 0

    @staticmethod
    def usable(application: App) -> bool:
        """True if the application's bot talks to a Bot API over the network."""
        return over_network(application.bot)

    def start(self) -> None:
        """Start polling (call on the bot's event loop, after ``application.start()``)."""
        self._owner = asyncio.get_running_loop()
        self._thread.start()

    def stop(self) -> None:
        """Stop polling: the poll in flight is cancelled, what was stored stays queued or in the
        inbox (blocking: call it in a worker thread from the bot's loop)."""
        if not self._thread.is_alive():
            return
        with contextlib.suppress(RuntimeError):  # the loop closed already
            self._loop.call_soon_threadsafe(self._cancel)
        self._thread.join(STOP_TIMEOUT)

    def _cancel(self) -> None:
        self._cancelled = True
        if self._task is not None:
            self._task.cancel()

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        try:
            self._task = self._loop.create_task(self._main())
            with contextlib.suppress(asyncio.CancelledError):
                self._loop.run_until_complete(self._task)
        except Exception:
            logger.exception("the update fetcher stopped")
        finally:
            self._loop.close()
            if not self._cancelled and self._on_stopped is not None and self._owner is not None:
                with contextlib.suppress(RuntimeError):  # the bot's loop is gone already
                    self._owner.call_soon_threadsafe(self._on_stopped)

    async def _main(self) -> None:
        app_bot = self._application.bot
        # Telegram holds the poll open up to poll_timeout seconds: read a little longer.
        request = HTTPXRequest(connection_pool_size=2, read_timeout=self._poll_timeout + 10.0)
        bot = copy_bot(app_bot, request)
        await request.initialize()
        try:
            await self._poll(bot, request)
        finally:
            await request.shutdown()

    async def _poll(self, bot: Bot, request: BaseRequest) -> None:
        with contextlib.suppress(TelegramError):  # polling and a webhook exclude each other
            await bot.delete_webhook()
        # The presses of the first batch go to the answering thread (bot.answers), which the
        # application started in post_init: a moment to take its first breath.
        if not await asyncio.to_thread(self._answers.wait_ready, 5.0):
            logger.warning("presses are answered by their handlers only (no answering thread)")
        offset: int | None = None
        pause = FIRST_PAUSE
        conflict_logged = False
        while self._owner is not None and self._owner.is_running():
            try:
                updates = await self._get_updates(bot, request, offset)
            except Conflict as error:
                if not conflict_logged:  # once, not every few seconds
                    logger.warning(
                        "another process is polling this bot token (409 Conflict): only one may "
                        "poll; stop the other one (%s)",
                        error,
                    )
                    conflict_logged = True
                await asyncio.sleep(pause)
                pause = min(pause * 2, LAST_PAUSE)
                continue
            except InvalidToken:
                logger.error("Telegram refused the bot token: polling stopped")
                raise
            except (NetworkError, TelegramError) as error:
                logger.warning("getUpdates failed (%s); again in %.0f s", error, pause)
                await asyncio.sleep(pause)
                pause = min(pause * 2, LAST_PAUSE)
                continue
            pause, conflict_logged = FIRST_PAUSE, False
            if not updates:
                continue
            if self._workers is None:  # a worker's press is watched there (bot.worker_main)
                for update in updates:
                    press = update.get("callback_query")
                    if press is not None:
                        self._answers.watch_query(press["id"])
            offset = await self._store_and_queue(updates)

    async def _get_updates(
        self, bot: Bot, request: BaseRequest, offset: int | None
    ) -> list[dict[str, Any]]:
        """getUpdates, as Telegram sent it (decoded JSON): ``Bot.get_updates`` would build an
        ``Update`` of each that only the application needs, and only when it handles them here.

        ``Bot.do_api_request`` would do the same, but warns (``get_updates`` exists) and, once
        the bot is initialized, reports a refused token as an unknown method; so the request is
        posted as ``Bot`` posts it (``RequestParameter`` is not exported, but ``Bot`` has used it
        since version 20).
        """
        parameters: dict[str, object] = {
            "timeout": self._poll_timeout,
            "allowed_updates": self._allowed,
        }
        if offset is not None:
            parameters["offset"] = offset
        data = RequestData([RequestParameter.from_input(k, v) for k, v in parameters.items()])
        # Telegram holds the poll open up to poll_timeout seconds: read a little longer.
        result = await request.post(
            f"{bot.base_url}/getUpdates", data, read_timeout=self._poll_timeout + 10.0
        )
        if not isinstance(result, list):
            raise TelegramError(f"getUpdates answered {type(result).__name__}, not a list")
        return result

    async def _store_and_queue(self, updates: Sequence[dict[str, Any]]) -> int:
        """Store the batch (retrying until the database takes it); the next offset."""
        # Outside the retries: an update that cannot be read is no database error to wait out.
        rows = [
            NewUpdate(int(update["update_id"]), raw_payload(update), raw_sender(update))
            for update in updates
        ]
        pause = FIRST_PAUSE
        while True:
            try:
                fresh = self._store(rows, updates)
                break
            except Exception:
                logger.exception(
                    "could not store %d update(s); again in %.0f s", len(updates), pause
                )
                await asyncio.sleep(pause)
                pause = min(pause * 2, LAST_PAUSE)
        if fresh:
            owner = self._owner
            assert owner is not None  # start() set it
            with contextlib.suppress(RuntimeError):  # the bot's loop closed: the inbox has them
                owner.call_soon_threadsafe(self._queue_all, fresh)
        return max(row.update_id for row in rows) + 1

    def _store(self, rows: list[NewUpdate], updates: Sequence[dict[str, Any]]) -> list[Update]:
        """One transaction for the batch (``rows``, written out before it: on SQLite it holds
        the write lock); then the new updates go to the workers, if any, else they are
        returned, for the application."""
        at = self._now()
        with self._make_uow() as uow:
            stored = uow.inbox.store_many(rows, at)
            uow.commit()
        fresh: list[Update] = []
        for row, raw in zip(rows, updates, strict=True):
            if row.update_id not in stored:
                logger.info("update %s was received before: not queued again", row.update_id)
                continue
            stored.discard(row.update_id)  # twice in the batch: queued once
            if self._workers is not None:
                # Stored first: a worker that dies now replays it.
                self._workers.hand_over(row.update_id, row.payload, row.telegram_user_id)
                continue
            try:
                # Read with the application's bot: replies go through its connection and rate
                # limiter, on its loop.
                fresh.append(Update.de_json(raw, self._application.bot))
            except (ValueError, TypeError, KeyError):
                # Not queued (it stays in the inbox); the batch stays stored and confirmed.
                logger.exception("update %s cannot be read: not queued", row.update_id)
        return fresh

    def _queue_all(self, updates: list[Update]) -> None:
        for update in updates:
            self._queue.queue_stored(update)
        self.queued += len(updates)


@contextlib.asynccontextmanager
async def polling(
    application: App,
    deps: Deps,
    *,
    poll_timeout: int = POLL_TIMEOUT,
    on_stopped: Callable[[], None] | None = None,
) -> AsyncIterator[UpdateFetcher | None]:
    """Poll while inside (the application started): with ``UpdateFetcher`` over the network
    (and the worker processes ``deps.shard`` asks for), with python-telegram-bot's ``Updater``
    in-process (tests); yields the fetcher, if any."""
    if not UpdateFetcher.usable(application):
        if deps.shard is None:
            raise ValueError("worker processes need a Bot API over the network")
        updater = application.updater
        assert updater is not None  # configure() keeps the builder's Updater
        await updater.start_polling(
            poll_interval=0, timeout=poll_timeout, allowed_updates=Update.ALL_TYPES
        )
        try:
            yield None
        finally:
            await updater.stop()
        return
    gc.freeze()  # what start-up made lives as long as the process: collections skip it
    here = deps.shard is not None  # else the workers handle the updates (bot.workers)
    async with worker_pool(deps.settings, deps.clock, handled_here=here) as workers:
        fetcher = UpdateFetcher(
            application,
            make_uow=deps.uow,
            now=deps.clock.now,
            answers=deps.answers,
            poll_timeout=poll_timeout,
            on_stopped=on_stopped,
            workers=workers,
        )
        fetcher.start()
        try:
            yield fetcher
        finally:
            await asyncio.to_thread(fetcher.stop)


async def serve_polling(application: App, deps: Deps) -> None:
    """``repaybot run`` with long polling: until SIGINT or SIGTERM (or polling ends by itself,
    e.g. the token was revoked), then stop cleanly."""
    stopped = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stopped.set)
    async with application:  # initialize() … shutdown()
        if application.post_init is not None:
            await application.post_init(application)  # replays the inbox, starts answering
        await application.start()
        try:
            async with polling(application, deps, on_stopped=stopped.set):
                await stopped.wait()
        finally:
            await application.stop()
            if application.post_stop is not None:
                await application.post_stop(application)
