"""The sender: claim due outbox rows, render them, send them at Telegram's pace (README.md).

One short transaction claims a batch (``claim_due``: SKIP LOCKED on PostgreSQL, so instances never
share a row) and commits before anything is sent; each outcome is then written in its own short
transaction, right after Telegram answered. No transaction is held across an ``await``.

Outcomes: sent → ``mark_sent`` (only by the claimer); 429 → back in the queue after
``retry_after`` without counting the attempt, and every sender of the process pauses; 5xx, timeout
or network error → retried with exponential backoff until the message expires (then dropped);
403 → the user is marked inactive (until they write again) and the row fails; 400 → the row fails
and the error is logged. Rows of one chat go out in order, one at a time; chats go out side by
side, up to the pacer's concurrency.

Urgency: a batch holds one level only (``claim_due`` claims the most urgent due level), and the
next batch is claimed once this one is done, so nothing less urgent goes out while more urgent
rows are due. With a ``paid`` pacer (TELEGRAM_PAID_BROADCAST), the most urgent reminders
(overdue alerts, due-today reminders) go with ``allow_paid_broadcast`` at the paid pace (up to
1,000 a second, charged in Stars); everything else (replies included) keeps the free pace.

At least once, and almost always exactly once: a key is enqueued once and a row is sent only by
the worker holding its claim, so a reminder is never planned or claimed twice. A duplicate can
come from two windows only, as with any Telegram sender: a crash after Telegram accepted a message
but before ``mark_sent`` committed (the restarted process releases the dead one's claims at its
first send run, ``jobs.claims``; another host's wait for their lease; then the row goes again),
and a timeout on a request Telegram did process (the retry sends it again; the bot's read timeout
for sends is generous, so this is rare).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import Enum

from sqlalchemy.exc import OperationalError
from telegram import Bot, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from jobs.current import Drop, current
from jobs.housekeeping import release_memory
from jobs.pacing import Pacer, retry_seconds
from jobs.types import Render, Rendered
from tracker.reminders import IntentKind
from tracker.storage.db import read_only
from tracker.storage.models import Outbox, User
from tracker.storage.uow import SqlUnitOfWork, UnitOfWork

logger = logging.getLogger(__name__)

MakeUow = Callable[[], UnitOfWork]

#: Rows claimed per batch: a few seconds of sending at 30/s, well inside the claim's lease.
DEFAULT_LIMIT = 100
#: Seconds between tries to record a send Telegram accepted (the database was busy).
MARK_RETRY_PAUSES = (0.5, 1.0, 2.0, 4.0)
#: Backoff after a 5xx, timeout or network error: 30 s, 1 min, 2 min, … at most an hour.
BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_CAP = timedelta(hours=1)
#: A message without an expiry is given up after this many failed attempts.
MAX_ATTEMPTS = 10
#: The urgency levels sent as a paid broadcast when it is on: overdue alerts and due today.
PAID_PRIORITY = 0
#: The kinds sent as a paid broadcast: reminders, not replies or "remind me later" re-sends,
#: which share the most urgent level but are few and need no broadcast (Stars cost money).
PAID_KINDS = frozenset({IntentKind.OVERDUE, IntentKind.DUE})
_NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


class Outcome(Enum):
    """What happened to one claimed row."""

    SENT = "sent"
    RETRIED = "retried"
    FAILED = "failed"
    DROPPED = "dropped"
    BLOCKED = "blocked"


@dataclass(slots=True)
class SendReport:
    """What one send run did: ``failed`` is 400s and inactive users, ``blocked`` is 403s."""

    claimed: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0
    dropped: int = 0  # expired, obsolete (paid, plan replaced, moot), or nothing to render
    blocked: int = 0

    def add(self, other: SendReport) -> None:
        """Add another run's counts to these."""
        for name in self.__slots__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def count(self, outcome: Outcome) -> None:
        """Count one row's outcome."""
        name = outcome.value
        setattr(self, name, getattr(self, name) + 1)


@dataclass(frozen=True, slots=True)
class _Batch:
    rows: list[Outbox]
    users: dict[int, User]
    expired: int
    #: Each row as it should read now, by row id: a Drop, or None if that could not be worked out.
    fresh: dict[int, Outbox | Drop | None]


async def send_due(
    make_uow: MakeUow,
    bot: Bot,
    render: Render,
    now: datetime,
    *,
    worker_id: str,
    limit: int = DEFAULT_LIMIT,
    pacer: Pacer | None = None,
    paid: Pacer | None = None,
    max_priority: int | None = None,
) -> SendReport:
    """Claim up to ``limit`` rows due at ``now`` and deliver them; returns what happened.

    Pass the process's shared ``pacer``: a new one per call would not remember the last
    batch's pace. Time moves on from ``now`` by the pacer's clock while the batch is sent.
    ``paid`` (paid broadcast on): the pacer for the most urgent rows, sent with
    ``allow_paid_broadcast``. ``max_priority``: leave less urgent rows in the queue.
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be an aware datetime")
    pacer = pacer or Pacer()
    started = pacer.now()

    def clock() -> datetime:
        return now.astimezone(UTC) + timedelta(seconds=max(0.0, pacer.now() - started))

    batch = await asyncio.to_thread(_claim, make_uow, now, limit, worker_id, max_priority)
    batch.fresh.update(await asyncio.to_thread(_current, make_uow, batch, now))
    report = SendReport(claimed=len(batch.rows), dropped=batch.expired)
    by_chat: dict[int, list[Outbox]] = {}
    for row in batch.rows:
        by_chat.setdefault(row.chat_id, []).append(row)
    delivery = _Delivery(make_uow, bot, render, pacer, paid, worker_id, batch, clock)
    # As many in flight as the batch's pace needs: the paid pace hides a round trip only
    # with many more requests in flight than the free one.
    gate = asyncio.Semaphore(
        max((delivery.pacer_for(row).concurrency for row in batch.rows), default=1)
    )

    async def send_chat(rows: list[Outbox]) -> None:
        async with gate:
            for row in rows:
                report.count(await delivery.deliver(row))

    async with asyncio.TaskGroup() as group:
        for rows in by_chat.values():
            group.create_task(send_chat(rows))
    return report


def _claim(
    make_uow: MakeUow, now: datetime, limit: int, worker_id: str, max_priority: int | None = None
) -> _Batch:
    release_memory()  # what the last batch (and the handlers) freed, back to the system
    with make_uow() as uow:
        expired = uow.outbox.drop_expired(now)
        rows = uow.outbox.claim_due(now, limit, worker_id, max_priority=max_priority)
        users = uow.users.get_many({row.user_id for row in rows})
        uow.commit()
    return _Batch(rows, users, expired, {})


@dataclass(slots=True)
class _Delivery:
    make_uow: MakeUow
    bot: Bot
    render: Render
    pacer: Pacer
    paid: Pacer | None
    worker_id: str
    batch: _Batch
    clock: Callable[[], datetime]

    def is_paid(self, row: Outbox) -> bool:
        """Whether the row goes as a paid broadcast: paid broadcast on, and most urgent."""
        return self.paid is not None and row.priority <= PAID_PRIORITY and row.kind in PAID_KINDS

    def pacer_for(self, row: Outbox) -> Pacer:
        """The pace the row goes at."""
        return self.paid if self.paid is not None and self.is_paid(row) else self.pacer

    async def deliver(self, row: Outbox) -> Outcome:
        """Send one claimed row and record the outcome; never raises for one row's trouble."""
        try:
            return await self._deliver(row)
        except asyncio.CancelledError:
            raise  # shutting down: the claim's lease returns the row to the queue
        except Exception:
            # A database error while recording: the row stays claimed until its lease runs out.
            logger.exception("outbox %s (%s): delivery failed", row.id, row.key)
            return Outcome.RETRIED

    async def _deliver(self, row: Outbox) -> Outcome:
        user = self.batch.users.get(row.user_id)
        if self._expired(row):
            return await self._finish(row, Outcome.DROPPED, "expired")
        if user is None or not user.active:
            return await self._finish(row, Outcome.FAILED, "user inactive")
        # What is true now, not when the row was planned: the ledger as of the claim (seconds
        # ago), the words counted from the clock at this moment.
        fresh = self.batch.fresh.get(_id(row))
        if fresh is None:
            return await self._finish(row, Outcome.FAILED, "could not be brought up to date")
        if isinstance(fresh, Drop):
            logger.info("outbox %s (%s): not sent: %s", row.id, row.key, fresh.reason)
            return await self._finish(row, Outcome.DROPPED, fresh.reason)
        try:
            rendered = await asyncio.to_thread(self.render, fresh, user, self.clock())
        except Exception:
            logger.exception("outbox %s (%s): render failed", row.id, row.key)
            return await self._finish(row, Outcome.FAILED, "render failed")
        if rendered is None:
            return await self._finish(row, Outcome.DROPPED, "nothing to send")
        await self.pacer_for(row).acquire(row.chat_id)
        if self._expired(row):  # the wait for our turn can outlast a message
            return await self._finish(row, Outcome.DROPPED, "expired")
        return await self._send(row, user, rendered)

    async def _send(self, row: Outbox, user: User, rendered: Rendered) -> Outcome:
        try:
            message = await self.bot.send_message(
                chat_id=row.chat_id,
                text=rendered.text,
                parse_mode=ParseMode.HTML,
                reply_markup=rendered.keyboard,
                link_preview_options=_NO_PREVIEW,
                # None is left out of the request: without paid broadcast it stays as it was.
                allow_paid_broadcast=self.is_paid(row) or None,
            )
        except RetryAfter as exc:
            wait = retry_seconds(exc)
            self.pacer_for(row).pause(wait)
            logger.info("outbox %s: flood control, again in %.0f s", row.id, wait)
            at = self.clock() + timedelta(seconds=wait)
            await self._db(_defer, row, self.worker_id, at, str(exc))
            return Outcome.RETRIED
        except Forbidden as exc:
            logger.info("outbox %s: user %s blocked the bot (%s)", row.id, row.user_id, exc)
            user.active = False  # later rows of this batch for them fail without a send
            await self._db(_blocked, row, self.worker_id, self.clock(), str(exc))
            return Outcome.BLOCKED
        except BadRequest as exc:
            logger.error("outbox %s (%s): Telegram refused it: %s", row.id, row.key, exc)
            return await self._finish(row, Outcome.FAILED, f"bad request: {exc}")
        except NetworkError as exc:  # TimedOut and 5xx answers included
            return await self._retry(row, exc)
        except TelegramError as exc:  # InvalidToken, Conflict, ChatMigrated: not the message's
            logger.error("outbox %s (%s): %r", row.id, row.key, exc)
            return await self._retry(row, exc)
        sent = await self._mark_sent(row, message.message_id)
        if not sent:
            logger.warning("outbox %s: sent after its claim was taken over", row.id)
        return Outcome.SENT

    async def _mark_sent(self, row: Outbox, message_id: int) -> bool:
        """Record that Telegram took the message, trying again if the database is busy: a row
        left unmarked would be sent a second time when its claim runs out."""
        at = self.clock()
        for pause in (*MARK_RETRY_PAUSES, None):
            try:
                return await self._db(_sent, row, self.worker_id, at, message_id)
            except OperationalError as exc:  # "database is locked", a dropped connection
                if pause is None:
                    raise
                logger.warning("outbox %s: sent, marking it failed (%s); again", row.id, exc)
                await asyncio.sleep(pause)
        raise AssertionError("unreachable")  # the last pause is None: returned or raised

    async def _retry(self, row: Outbox, exc: Exception) -> Outcome:
        at = self.clock()
        delay = min(BACKOFF_CAP, BACKOFF_BASE * 2 ** max(0, row.attempts - 1))
        if (row.expires_at is not None and at + delay >= row.expires_at) or (
            row.expires_at is None and row.attempts >= MAX_ATTEMPTS
        ):
            return await self._finish(row, Outcome.DROPPED, f"gave up: {exc}")
        logger.info("outbox %s: %s, again in %s", row.id, exc, delay)
        await self._db(_reschedule, row, self.worker_id, at + delay, str(exc))
        return Outcome.RETRIED

    async def _finish(self, row: Outbox, outcome: Outcome, reason: str) -> Outcome:
        finish = _drop if outcome is Outcome.DROPPED else _fail
        await self._db(finish, row, self.worker_id, reason)
        return outcome

    def _expired(self, row: Outbox) -> bool:
        return row.expires_at is not None and row.expires_at <= self.clock()

    async def _db(self, work: Callable[..., bool], row: Outbox, *args: object) -> bool:
        done = await asyncio.to_thread(work, self.make_uow, row, *args)
        if not done:
            logger.warning("outbox %s: claim lost before recording the outcome", row.id)
        return done


# ---- the short transactions, run in a worker thread --------------------------------------------


def _current(make_uow: MakeUow, batch: _Batch, now: datetime) -> dict[int, Outbox | Drop | None]:
    """Each claimed row as the ledger has it at ``now``: one short read for the whole batch."""
    fresh: dict[int, Outbox | Drop | None] = {}
    with make_uow() as uow:
        if isinstance(uow, SqlUnitOfWork):
            # Reads only: on SQLite no write lock, which a batch's refresh held for seconds on a
            # busy machine, past a scan's busy timeout ("database is locked", issue 16).
            read_only(uow.session)
        for row in batch.rows:
            user = batch.users.get(row.user_id)
            if user is None:
                continue  # failed as inactive without a look
            try:
                fresh[_id(row)] = current(uow, row, user, now)
            except Exception:  # one row's broken data must not hold back the others
                logger.exception("outbox %s (%s): could not be brought up to date", row.id, row.key)
                fresh[_id(row)] = None
        uow.commit()  # nothing written: ends the read
    return fresh


def _sent(make_uow: MakeUow, row: Outbox, worker: str, at: datetime, message_id: int) -> bool:
    with make_uow() as uow:
        done = uow.outbox.mark_sent(
            _id(row), worker_id=worker, at=at, telegram_message_id=message_id
        )
        uow.commit()
    return done


def _fail(make_uow: MakeUow, row: Outbox, worker: str, reason: str) -> bool:
    with make_uow() as uow:
        done = uow.outbox.mark_failed(_id(row), worker_id=worker, error=reason)
        uow.commit()
    return done


def _drop(make_uow: MakeUow, row: Outbox, worker: str, reason: str) -> bool:
    with make_uow() as uow:
        done = uow.outbox.mark_dropped(_id(row), worker_id=worker, reason=reason)
        uow.commit()
    return done


def _blocked(make_uow: MakeUow, row: Outbox, worker: str, at: datetime, error: str) -> bool:
    with make_uow() as uow:
        user = uow.users.get(row.user_id)
        if user is not None:
            uow.users.mark_blocked(user, at)
        done = uow.outbox.mark_failed(_id(row), worker_id=worker, error=error)
        uow.commit()
    return done


def _reschedule(make_uow: MakeUow, row: Outbox, worker: str, at: datetime, error: str) -> bool:
    with make_uow() as uow:
        done = uow.outbox.reschedule(_id(row), worker_id=worker, next_attempt_at=at, error=error)
        uow.commit()
    return done


def _defer(make_uow: MakeUow, row: Outbox, worker: str, at: datetime, error: str) -> bool:
    with make_uow() as uow:
        done = uow.outbox.defer(_id(row), worker_id=worker, next_attempt_at=at, error=error)
        uow.commit()
    return done


def _id(row: Outbox) -> int:
    assert row.id is not None  # claimed rows come from the database
    return row.id
