"""A worker process (``bot.workers``): the Application for one shard of the users, fed by a pipe."""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import gc
import json
import logging
import os
import signal
import sys
import threading
from multiprocessing.connection import Connection

from telegram import Update

from bot.app import configure
from bot.clock import Clock
from bot.inbox import DurableQueue
from bot.runtime import Deps
from bot.settings import BotSettings
from bot.shards import Shard
from bot.types import App
from bot.workers import READY
from tracker.storage.db import make_engine, make_session_factory

logger = logging.getLogger(__name__)

#: prctl(2) option: the signal this process gets when its parent dies.
PR_SET_PDEATHSIG = 1


def work(shard: Shard, pipe: Connection, settings: BotSettings, clock: Clock, parent: int) -> None:
    """The worker's main function (in a process of its own, started by ``WorkerPool``)."""
    _die_with_parent(parent)
    # Ctrl-C reaches the whole process group, and systemd signals the whole unit: the polling
    # process stops the workers itself, after its own last updates (and they die with it).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    logging.basicConfig(
        level=settings.log_level,
        format=f"%(asctime)s %(levelname)s worker-{shard.index} %(name)s %(message)s",
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)
    from bot.main import polling_builder

    engine = make_engine(settings.database_url)
    deps = Deps(settings, make_session_factory(engine), clock, shard=shard)
    try:
        asyncio.run(_serve(configure(polling_builder(settings), deps, with_jobs=False), deps, pipe))
    finally:
        engine.dispose()


def _die_with_parent(parent: int) -> None:
    """Ask Linux to kill this process when the polling process (``parent``) dies, even by
    kill -9; exit at once if it died while this one was starting."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # it died before the request took effect
        os._exit(1)


async def _serve(application: App, deps: Deps, pipe: Connection) -> None:
    """Handle what the pipe brings until it says stop or closes; then stop cleanly."""
    loop = asyncio.get_running_loop()
    stopped = asyncio.Event()
    async with application:
        if application.post_init is not None:
            await application.post_init(application)  # replays this shard's stored updates
        await application.start()
        gc.freeze()  # what start-up made lives as long as the process: collections skip it
        reader = threading.Thread(
            target=_read, args=(pipe, application, deps, loop, stopped), daemon=True
        )
        reader.start()
        with contextlib.suppress(OSError):  # the polling process is gone: the reader stops us
            pipe.send(READY)
        try:
            await stopped.wait()
        finally:
            await application.stop()
            if application.post_stop is not None:
                await application.post_stop(application)


def _read(
    pipe: Connection,
    application: App,
    deps: Deps,
    loop: asyncio.AbstractEventLoop,
    stopped: asyncio.Event,
) -> None:
    """Queue each update from the pipe on the bot's loop (presses: their watchdog starts now)."""
    queue = application.update_queue
    assert isinstance(queue, DurableQueue)  # configure() installs the durable inbox
    try:
        while (item := pipe.recv()) is not None:
            update_id, payload = item
            if update_id in deps.replayed:
                continue  # queued from the inbox at start-up already
            update = Update.de_json(json.loads(payload), application.bot)
            if update.callback_query is not None:
                deps.answers.watch_query(update.callback_query.id)
            loop.call_soon_threadsafe(queue.queue_stored, update)
    except (EOFError, OSError):
        # The polling process died (its pipe closed before PR_SET_PDEATHSIG's kill lands, or
        # where there is none): end at once, as if killed with it. Handling what is queued
        # here could run beside its restart, which replays the same updates from the inbox.
        logger.warning("the polling process is gone: this worker ends with it")
        os._exit(1)
    # The polling process said stop: finish what is queued, then end.
    with contextlib.suppress(RuntimeError):  # the loop closed already
        loop.call_soon_threadsafe(stopped.set)
