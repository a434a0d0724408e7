"""Worker processes: updates handled on several cores, each worker for its shard of the users.

One Python process runs one thing at a time (the GIL): a bot that stores, computes and replies
for every update is bound to one core. With ``BOT_WORKERS=N`` (N > 1, long polling), the process
that polls (``bot.fetcher``) stores the updates and runs the jobs, and starts N worker processes
(``bot.worker_main``), each the same Application without jobs or polling, for the users whose
Telegram id modulo N is its index (``bot.shards``), so reminders at the morning peak and updates
do not wait for each other:

1. the fetcher stores a ``getUpdates`` batch (the durable inbox, as with one process), then hands
   each new update of shard k to worker k over a pipe (from a thread per worker, so a worker that
   is slow to start never holds up the intake);
2. a worker, when it starts or restarts, first queues its shard's stored updates that are not
   handled yet, then what its pipe brings (skipping those it has queued already);
3. a worker that dies is started again (and replays, step 2); the workers die with the polling
   process (Linux: ``PR_SET_PDEATHSIG``; and a worker whose pipe closes ends at once), so a
   kill -9 leaves no process that could handle an update twice after the restart.

A user's updates stay in one process, in order: conversation states, button answers and edit
memory need no sharing. On SQLite the processes share the write lock (short transactions); on
PostgreSQL the send rate is shared through the database (``bot.rate_limit``), on SQLite each
process paces its share of ``TELEGRAM_RATE_PER_SECOND`` (``bot.app.rate_limiter``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
import queue
import threading
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess

from bot.clock import Clock
from bot.settings import BotSettings
from bot.shards import Shard, shard_of

logger = logging.getLogger(__name__)

#: Seconds to wait for the workers to be ready at start, and to stop at the end.
READY_TIMEOUT = 60.0
STOP_TIMEOUT = 15.0
#: A worker that dies sooner than this after its start is started again only after a pause.
QUICK_DEATH = 5.0
RESTART_PAUSE = 5.0

#: What the pipe carries to a worker: an update's id and its JSON, or None to stop.
Item = tuple[int, str] | None
#: What a worker says back once it handles updates.
READY = "ready"


@dataclass(slots=True)
class _Worker:
    """One worker process, its pipe, and the updates waiting to go down the pipe."""

    shard: Shard
    process: BaseProcess
    pipe: Connection
    started: float
    outbox: queue.SimpleQueue[Item] = field(default_factory=queue.SimpleQueue)


class WorkerPool:
    """The worker processes of shards 0..N-1, seen from the polling process."""

    def __init__(self, settings: BotSettings, clock: Clock) -> None:
        self.count = settings.bot_workers
        self._settings = settings
        self._clock = clock
        self._context = multiprocessing.get_context("spawn")  # fork and threads do not mix
        self._lock = threading.Lock()
        self._workers: dict[int, _Worker] = {}
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []
        self._watcher: threading.Thread | None = None

    def start(self) -> None:
        """Start the workers and wait until each is ready (or ``READY_TIMEOUT`` passes)."""
        for index in range(self.count):
            self._workers[index] = self._spawn(index)
            sender = threading.Thread(
                target=self._send_loop, args=(index,), name=f"worker-{index}-pipe", daemon=True
            )
            sender.start()
            self._threads.append(sender)
        deadline = time.monotonic() + READY_TIMEOUT
        for index in range(self.count):
            worker = self._workers[index]
            if not self._wait_ready(worker, deadline):
                logger.error("worker %d is not ready after %.0f s", index, READY_TIMEOUT)
        self._watcher = threading.Thread(target=self._watch, name="worker-watch", daemon=True)
        self._watcher.start()
        logger.info("%d worker process(es) handle their users' updates", self.count)

    def hand_over(self, update_id: int, payload: str, telegram_user_id: int | None) -> None:
        """Send a stored update to its worker (from any thread; never blocks)."""
        index = shard_of(telegram_user_id, self.count)
        with self._lock:
            worker = self._workers[index]
        worker.outbox.put((update_id, payload))

    def stop(self) -> None:
        """Let each worker finish what it has queued, then end it (blocking)."""
        self._stopping.set()
        if self._watcher is not None:
            # Only this thread may look at the workers now: two threads reaping one child race,
            # and the loser takes it for alive.
            self._watcher.join(STOP_TIMEOUT)
        with self._lock:
            workers = list(self._workers.values())
        for worker in workers:
            worker.outbox.put(None)
        deadline = time.monotonic() + STOP_TIMEOUT
        for worker in workers:
            worker.process.join(max(0.0, deadline - time.monotonic()))
            if worker.process.is_alive():
                logger.warning("worker %d did not stop in time: terminated", worker.shard.index)
                worker.process.terminate()
                worker.process.join(5.0)
        for thread in self._threads:
            thread.join(1.0)

    def _spawn(self, index: int) -> _Worker:
        from bot.worker_main import work

        shard = Shard(index, self.count)
        ours, theirs = self._context.Pipe()
        process = self._context.Process(
            target=work,
            args=(shard, theirs, self._settings, self._clock, os.getpid()),
            name=f"repaybot-worker-{index}",
            daemon=True,
        )
        process.start()
        theirs.close()  # the worker's end: its closing tells us it is gone
        return _Worker(shard, process, ours, time.monotonic())

    @staticmethod
    def _wait_ready(worker: _Worker, deadline: float) -> bool:
        while (left := deadline - time.monotonic()) > 0:
            try:
                if worker.pipe.poll(min(left, 1.0)):
                    return bool(worker.pipe.recv() == READY)
            except (EOFError, OSError):
                return False
            if not worker.process.is_alive():
                return False
        return False

    def _send_loop(self, index: int) -> None:
        """Feed worker ``index``'s pipe; an update lost with a dead worker is in the inbox."""
        while True:
            with self._lock:
                worker = self._workers[index]
            try:
                item = worker.outbox.get(timeout=0.5)  # then a look: a restart replaces it
            except queue.Empty:
                continue  # until stop() sends None: the worker must get it
            # A worker that died takes what it was sent along: its replacement replays the inbox.
            with contextlib.suppress(BrokenPipeError, EOFError, OSError):
                worker.pipe.send(item)
            if item is None:
                return

    def _watch(self) -> None:
        """Start a worker again when it dies (its updates wait in the inbox meanwhile)."""
        while not self._stopping.is_set():
            with self._lock:
                workers = list(self._workers.values())
            wait([w.process.sentinel for w in workers], timeout=1.0)
            for worker in workers:
                if self._stopping.is_set():
                    return  # stop() takes it from here
                if worker.process.is_alive():
                    continue
                index = worker.shard.index
                logger.warning(
                    "worker %d stopped (exit code %s): starting it again",
                    index,
                    worker.process.exitcode,
                )
                if time.monotonic() - worker.started < QUICK_DEATH:
                    self._stopping.wait(RESTART_PAUSE)  # a worker that cannot start: no storm
                    if self._stopping.is_set():
                        return
                replacement = self._spawn(index)
                with self._lock:
                    self._workers[index] = replacement
                    # What waited for the dead one goes to its replacement (after its replay).
                    while True:
                        try:
                            replacement.outbox.put(worker.outbox.get_nowait())
                        except queue.Empty:
                            break
                worker.pipe.close()


@contextlib.asynccontextmanager
async def worker_pool(
    settings: BotSettings, clock: Clock, *, handled_here: bool
) -> AsyncIterator[WorkerPool | None]:
    """The workers ``BOT_WORKERS`` asks for, running while inside; None when this process
    handles the updates itself (``handled_here``)."""
    if handled_here:
        yield None
        return
    if settings.bot_workers < 2:
        raise ValueError("no process would handle the updates: BOT_WORKERS is 1")
    pool = WorkerPool(settings, clock)
    await asyncio.to_thread(pool.start)
    try:
        yield pool
    finally:
        await asyncio.to_thread(pool.stop)
