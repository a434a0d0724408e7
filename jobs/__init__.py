"""Scheduled work: scan the database for what is due, send it at least once (see README.md).

``register(application, deps, render=…)`` adds three repeating jobs to the application's JobQueue:
"scan" (every ``SCAN_INTERVAL_SECONDS``: scan, then send), "send" (every few seconds) and
"prune" (hourly: forget handled updates older than a week). All read the time from
``deps.clock``; ``run_now(application)`` runs one scan and send at once (the
sandbox's ``:skip``, tests). Nothing happens at import time.

``jobs`` never imports ``bot``: the composition root (``bot.app``) passes in the dependencies
(``jobs.types.JobDeps``) and the renderer (``jobs.types.Render``).
"""

from __future__ import annotations

import asyncio
import functools
import logging
import os
import secrets
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from telegram import Bot
from telegram.ext import Application, CallbackContext

from jobs.housekeeping import prune
from jobs.pacing import Pacer
from jobs.scan import ScanMemo, ScanReport
from jobs.scan import scan as scan_once  # "jobs.scan" stays the module
from jobs.sender import DEFAULT_LIMIT, SendReport, send_due
from jobs.types import JobDeps, Render

logger = logging.getLogger(__name__)

JOBS_KEY = "jobs"
SEND_INTERVAL = timedelta(seconds=5)
#: How often handled updates older than a week are forgotten.
PRUNE_INTERVAL = timedelta(hours=1)
FIRST_SCAN = timedelta(seconds=3)
#: One send run stops claiming new batches after this long, so runs do not pile up.
SEND_RUN_BUDGET = timedelta(minutes=2)


def worker_id() -> str:
    """A name unique to this process: host, pid and a random part (a restart gets a new one)."""
    return f"{socket.gethostname()[:40]}-{os.getpid()}-{secrets.token_hex(4)}"


@dataclass
class Jobs:
    """The state the two jobs share in one process: one pacer, one worker id, one send loop."""

    deps: JobDeps
    render: Render
    bot: Bot
    pacer: Pacer
    worker: str = field(default_factory=worker_id)
    memo: ScanMemo = field(default_factory=ScanMemo, repr=False)
    #: False once the application is stopping: a send run ends after its current batch, so a
    #: shutdown waits seconds, not the run's whole budget.
    running: Callable[[], bool] = field(default=lambda: True, repr=False)
    _scanning: asyncio.Lock = field(default_factory=asyncio.Lock, init=False, repr=False)
    _sending: asyncio.Lock = field(default_factory=asyncio.Lock, init=False, repr=False)

    async def scan(self) -> ScanReport:
        """One scan, in a worker thread (one at a time: they share the memo)."""
        async with self._scanning:
            report = await asyncio.to_thread(
                functools.partial(scan_once, memo=self.memo), self.deps.uow, self.deps.clock.now()
            )
        if report.enqueued or report.errors:
            logger.info("scan: %s", report)
        return report

    async def send(self, *, wait: bool = False) -> SendReport:
        """Send batches until nothing is due (or the run's time is up).

        Only one send loop runs per process: a tick that finds one running leaves the work to
        it, unless ``wait`` (then it runs after it).
        """
        total = SendReport()
        if self._sending.locked() and not wait:
            return total
        async with self._sending:
            # Replies this process sent are marked first, or they would look due (bot.sent_marks).
            self.deps.sent.flush()
            deadline = self.pacer.now() + SEND_RUN_BUDGET.total_seconds()
            while True:
                report = await send_due(
                    self.deps.uow,
                    self.bot,
                    self.render,
                    self.deps.clock.now(),
                    worker_id=self.worker,
                    limit=DEFAULT_LIMIT,
                    pacer=self.pacer,
                )
                total.add(report)
                # A full batch may mean more is waiting; anything else was the whole queue.
                if (
                    report.claimed < DEFAULT_LIMIT
                    or self.pacer.now() >= deadline
                    or not self.running()
                ):
                    break
        if total.claimed or total.dropped:
            logger.info("send: %s", total)
        return total

    async def scan_job(self, _: CallbackContext[Any, Any, Any, Any]) -> None:
        """The "scan" job: scan, then send what it found."""
        try:
            await self.scan()
            await self.send()
        except Exception:  # the job must run again next time, whatever happened
            logger.exception("the scan job failed")

    async def prune_job(self, _: CallbackContext[Any, Any, Any, Any]) -> None:
        """The "prune" job: forget updates Telegram can no longer resend."""
        try:
            report = await asyncio.to_thread(prune, self.deps.uow, self.deps.clock.now())
        except Exception:  # the job must run again next time, whatever happened
            logger.exception("the prune job failed")
            return
        if report.inbox or report.processed:
            logger.info("prune: %s", report)

    async def send_job(self, _: CallbackContext[Any, Any, Any, Any]) -> None:
        """The "send" job."""
        try:
            await self.send()
        except Exception:
            logger.exception("the send job failed")


def register(
    application: Application[Any, Any, Any, Any, Any, Any],
    deps: JobDeps,
    *,
    render: Render,
    bot: Bot | None = None,
    pacer: Pacer | None = None,
) -> Jobs:
    """Add the "scan" and "send" repeating jobs; returns their shared state.

    ``render`` turns an outbox row into a message (the bot's is ``bot.reminder_render.render``).

    Messages go through ``application.bot`` unless ``bot`` is given: its AIORateLimiter also
    paces the handlers' replies, so replies and reminders together stay under Telegram's
    overall limit; the pacer adds the per-chat limit and keeps the fan-out smooth.
    """
    queue = application.job_queue
    if queue is None:
        raise RuntimeError('the JobQueue is missing: install "python-telegram-bot[job-queue]"')
    jobs = Jobs(
        deps,
        render,
        bot or application.bot,
        pacer or Pacer(),
        running=lambda: application.running,
    )
    application.bot_data[JOBS_KEY] = jobs
    queue.run_repeating(
        jobs.scan_job,
        interval=deps.settings.scan_interval_seconds,
        first=FIRST_SCAN,
        name="scan",
        job_kwargs={"max_instances": 1, "coalesce": True},
    )
    queue.run_repeating(
        jobs.send_job,
        interval=SEND_INTERVAL,
        first=SEND_INTERVAL,
        name="send",
        job_kwargs={"max_instances": 1, "coalesce": True},
    )
    queue.run_repeating(
        jobs.prune_job,
        interval=PRUNE_INTERVAL,
        first=PRUNE_INTERVAL,
        name="prune",
        job_kwargs={"max_instances": 1, "coalesce": True},
    )
    logger.info("jobs registered as worker %s", jobs.worker)
    return jobs


async def run_now(
    application: Application[Any, Any, Any, Any, Any, Any],
) -> tuple[ScanReport, SendReport]:
    """Scan and send right away (after a send run already going, if any)."""
    jobs = application.bot_data.get(JOBS_KEY)
    if not isinstance(jobs, Jobs):
        raise RuntimeError("jobs.register(application, deps) was not called")
    scanned = await jobs.scan()
    sent = await jobs.send(wait=True)
    return scanned, sent
