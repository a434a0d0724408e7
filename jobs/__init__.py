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
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from telegram import Bot
from telegram.constants import FloodLimit
from telegram.ext import Application, CallbackContext

from jobs.claims import release_orphaned, worker_id
from jobs.housekeeping import prune
from jobs.pacing import Pacer
from jobs.scan import ScanMemo, ScanReport
from jobs.scan import scan as scan_once  # "jobs.scan" stays the module
from jobs.sender import DEFAULT_LIMIT, SendReport, send_due
from jobs.types import JobDeps, Render
from tracker.reminders import URGENT

logger = logging.getLogger(__name__)

JOBS_KEY = "jobs"
SEND_INTERVAL = timedelta(seconds=5)
#: How often handled updates older than a week are forgotten.
PRUNE_INTERVAL = timedelta(hours=1)
FIRST_SCAN = timedelta(seconds=3)
#: One send run stops claiming new batches after this long, so runs do not pile up.
SEND_RUN_BUDGET = timedelta(minutes=2)
#: Paid broadcast (TELEGRAM_PAID_BROADCAST): the pace of the most urgent messages, with the same
#: 3 % margin as the free pace, and enough requests in flight to hide a 0.25 s round trip.
PAID_RATE = FloodLimit.PAID_MESSAGES_PER_SECOND * 0.97
PAID_CONCURRENCY = 256
#: Rows per batch with paid broadcast on: at 1,000 a second a batch of 100 would be mostly
#: claiming and refreshing (a batch of less urgent rows is 17 s at the free pace).
PAID_LIMIT = 500


@dataclass
class Jobs:
    """The state the two jobs share in one process: one pacer, one worker id, one send loop."""

    deps: JobDeps
    render: Render
    bot: Bot
    pacer: Pacer
    worker: str = field(default_factory=worker_id)
    memo: ScanMemo = field(default_factory=ScanMemo, repr=False)
    #: The paid broadcast's pacer (None: paid broadcast off, everything at ``pacer``'s pace).
    paid: Pacer | None = None
    #: False once the application is stopping: a send run ends after its current batch, so a
    #: shutdown waits seconds, not the run's whole budget.
    running: Callable[[], bool] = field(default=lambda: True, repr=False)
    _scanning: asyncio.Lock = field(default_factory=asyncio.Lock, init=False, repr=False)
    _sending: asyncio.Lock = field(default_factory=asyncio.Lock, init=False, repr=False)
    #: Whether the claims of this host's stopped processes were released (``jobs.claims``).
    _released: bool = field(default=False, init=False, repr=False)

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
        limit = DEFAULT_LIMIT if self.paid is None else PAID_LIMIT
        async with self._sending:
            if not self._released:  # once, at the first run
                self._released = True
                try:
                    await asyncio.to_thread(release_orphaned, self.deps.uow, self.deps.clock.now())
                except Exception:  # their lease frees them, as without this
                    logger.warning("could not release stopped processes' claims", exc_info=True)
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
                    limit=limit,
                    pacer=self.pacer,
                    paid=self.paid,
                    # While this process's scan is still enqueueing (a morning peak), a less
                    # urgent row waiting now could go out before a more urgent one the scan
                    # has yet to write: only the most urgent go until the scan is done.
                    max_priority=URGENT if self._scanning.locked() else None,
                )
                total.add(report)
                # A batch is one urgency level: a short one may leave a less urgent level
                # waiting, so the run ends when a claim finds nothing.
                if not report.claimed or self.pacer.now() >= deadline or not self.running():
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

    Messages go through ``application.bot`` unless ``bot`` is given: its rate limiter also
    paces the handlers' replies, so replies and reminders together stay under the overall
    limit (on PostgreSQL one limit for all replicas: ``bot.rate_limit``); the pacer, at the
    same rate, adds the per-chat limit and keeps the fan-out smooth.
    """
    queue = application.job_queue
    if queue is None:
        raise RuntimeError('the JobQueue is missing: install "python-telegram-bot[job-queue]"')
    jobs = Jobs(
        deps,
        render,
        bot or application.bot,
        pacer or Pacer(rate=deps.settings.telegram_rate_per_second),
        running=lambda: application.running,
        # A pacer of its own: paid sends do not use up the free 30 a second, nor wait for it.
        paid=(
            Pacer(rate=PAID_RATE, concurrency=PAID_CONCURRENCY)
            if deps.settings.telegram_paid_broadcast
            else None
        ),
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
