"""One send rate for every replica: the bot's rate limiter, reserving each send from the database.

Telegram limits a bot to about 30 messages a second, whichever process sends them. With
replicas on PostgreSQL, ``SharedRateLimiter`` takes each message's slot from a token bucket in
the ``send_rate`` table (``tracker.storage.repositories.rate``), so all replicas together keep to
``TELEGRAM_RATE_PER_SECOND``. The bucket is a GCRA: the theoretical arrival time of the next
message moves on by one interval per message, and a message may go out ``burst - 1`` intervals
before its arrival time. Within any one second at most ``rate + burst - 1`` messages go out (30
at the defaults); a lone reply, or two at once, never waits.

- Which requests count: those that put or change a message in a chat (``COUNTED``); answering a
  button press, getUpdates, setWebhook, getMe and the like go straight through, with no database
  round trip. (python-telegram-bot's AIORateLimiter counts every request with a ``chat_id``.)
  Paid broadcasts (``allow_paid_broadcast``) are outside the free limit and take their slots
  from a bucket of their own at Telegram's 1,000 a second.
- A 429 (RetryAfter) pauses the bucket for everyone: the pause is stored, later reservations
  come after it at the steady rate (no burst), and a send that slept towards its slot checks
  the stored pause before going; the request is then tried again, up to ``max_retries``.
- At a high rate one round trip per message would cost more than the sending: a reservation
  takes the slots of ``LEASE_SECONDS`` at least (one slot at Telegram's 30 a second, so every
  message asks the database; 20 slots at the 1,000 a second of paid broadcasts), and this
  process hands the rest out to the next messages while their moments are still ahead. A slot
  whose moment passed unused, or that a pause overtook, is dropped: it is never sent late.
- The database work runs in a worker thread of the limiter's own, in a short unit of work of
  its own, never inside the handler's transaction (``release_turn`` ends that first if it only
  read). Requests waiting at once share one reservation statement. If the database does not
  answer, this process paces itself alone at the full rate, and says so in the log.
- The clock is the wall clock (µs since the epoch), the same on every replica only if their
  clocks are synchronised (NTP): a replica whose clock runs ahead takes its slots early.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Awaitable, Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from telegram._utils.types import JSONDict
from telegram.constants import FloodLimit
from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

from bot.runtime import release_turn
from jobs.pacing import retry_seconds
from tracker.storage.db import read_only
from tracker.storage.repositories import BucketState
from tracker.storage.uow import SqlUnitOfWork

logger = logging.getLogger(__name__)

#: The shared buckets' names in ``send_rate``.
BUCKET = "telegram"
PAID_BUCKET = "telegram_paid"
#: Messages that may go out at once: with the default 29 a second, no second holds more than 30.
DEFAULT_BURST = 2
#: Added to Telegram's retry_after, as python-telegram-bot's AIORateLimiter does.
RETRY_MARGIN = 0.1
#: A send that waited for its slot trusts a look at the stored pause this recent (µs): a 429
#: reaches the other replicas' sends at most this late.
FRESH_US = 50_000
#: A reservation takes at least the slots of this many seconds at the bucket's rate: at a high
#: rate (BENCH_SENDS_PER_SECOND, paid broadcasts) a round trip per message would cost more CPU
#: than the send; at Telegram's 30 a second it is one slot, as without leases.
LEASE_SECONDS = 0.02

#: Bot API methods that put or change a message in a chat: what Telegram's ~30 a second counts.
COUNTED = frozenset(
    {
        "sendMessage",
        "sendPhoto",
        "sendDocument",
        "sendAudio",
        "sendVideo",
        "sendAnimation",
        "sendVoice",
        "sendVideoNote",
        "sendPaidMedia",
        "sendMediaGroup",
        "sendLocation",
        "sendVenue",
        "sendContact",
        "sendPoll",
        "sendChecklist",
        "sendDice",
        "sendSticker",
        "sendInvoice",
        "sendGame",
        "copyMessage",
        "copyMessages",
        "forwardMessage",
        "forwardMessages",
        "editMessageText",
        "editMessageCaption",
        "editMessageMedia",
        "editMessageReplyMarkup",
        "editMessageLiveLocation",
        "editMessageChecklist",
        "stopMessageLiveLocation",
        "stopPoll",
    }
)
#: Methods that send one message per item of a list parameter.
_PER_ITEM = {
    "sendMediaGroup": "media",
    "copyMessages": "message_ids",
    "forwardMessages": "message_ids",
}

T = TypeVar("T")
Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]
MakeUow = Callable[[], SqlUnitOfWork]
Callback = Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]]


def slots(endpoint: str, data: dict[str, Any]) -> int:
    """How many messages a request sends, as Telegram counts them (0: it does not count)."""
    if endpoint not in COUNTED:
        return 0
    items = data.get(_PER_ITEM.get(endpoint, ""))
    return max(1, len(items)) if isinstance(items, list | tuple) else 1


def interval_us(rate: float) -> int:
    """The µs between two messages at ``rate`` a second, rounded up (never faster than asked)."""
    if rate <= 0:
        raise ValueError("the rate must be positive")
    return math.ceil(1_000_000 / rate)


class Threads:
    """The limiter's own worker threads: a reservation never queues behind the bot's other work
    in threads (a scan, a chart), which can keep the default executor busy for seconds."""

    def __init__(self, workers: int = 2) -> None:
        self._workers = workers
        self._pool: ThreadPoolExecutor | None = None

    async def run(self, function: Callable[..., T], *args: Any) -> T:
        """``function(*args)`` in one of the threads."""
        if self._pool is None:
            self._pool = ThreadPoolExecutor(self._workers, thread_name_prefix="send-rate")
        return await asyncio.get_running_loop().run_in_executor(self._pool, function, *args)

    def close(self) -> None:
        """Let the threads end (a later ``run`` starts new ones)."""
        if self._pool is not None:
            self._pool.shutdown(wait=False)
            self._pool = None


class SharedBucket:
    """One bucket of ``send_rate`` as this process uses it: ``acquire`` waits for a slot."""

    def __init__(
        self,
        make_uow: MakeUow,
        name: str,
        *,
        rate: float,
        burst: int = DEFAULT_BURST,
        clock: Clock = time.time,
        sleep: Sleep = asyncio.sleep,
        threads: Threads | None = None,
    ) -> None:
        if burst < 1:
            raise ValueError("the burst is at least one message")
        self.name = name
        self._threads = threads or Threads()
        self.interval_us = interval_us(rate)
        self.burst = burst
        self._make_uow = make_uow
        self._clock = clock
        self._sleep = sleep
        self._waiting: list[tuple[int, asyncio.Future[int]]] = []
        self._reserving: asyncio.Task[None] | None = None
        #: Pauses this process set (a send that slept through one asks for a new slot).
        self._pauses = 0
        #: This process's own bucket, used only while the database does not answer.
        self._local = BucketState(0, 0)
        self._offline = False
        #: The stored pause as the database last told it, and when (µs).
        self._seen_pause = 0
        self._seen_at = -FRESH_US - 1
        self._looking: asyncio.Task[None] | None = None
        #: Slots reserved per round trip at the least (``LEASE_SECONDS``).
        self.lease = max(1, math.floor(rate * LEASE_SECONDS))
        #: Reserved slots not handed out yet: the arrival time after the last one handed out,
        #: the bucket's arrival time after the reservation, its pause, and this process's
        #: pauses then (a newer pause voids them).
        self._leased: tuple[int, int, int, int] | None = None

    def now_us(self) -> int:
        """The wall clock in µs since the epoch."""
        return round(self._clock() * 1_000_000)

    async def acquire(self, count: int = 1) -> int:
        """Wait until ``count`` messages may go out; returns the moment granted (µs)."""
        while True:
            pauses = self._pauses
            start = await self._reserve(count)
            waited = False
            # Re-read the clock after each sleep: a (fake or real) sleep may return early.
            while (delay := start - self.now_us()) > 0:
                await self._sleep(delay / 1_000_000)
                waited = True
            if self._pauses != pauses:
                continue  # this process hit a 429 meanwhile: queue again, behind the pause
            if waited and await self._stored_pause() > start:
                continue  # another replica did, after this slot was reserved
            return start

    async def pause(self, seconds: float) -> None:
        """Telegram said to wait: no replica sends from this bucket for ``seconds``."""
        until = self.now_us() + math.ceil(max(0.0, seconds) * 1_000_000)
        # After the pause, the steady rate at once: a burst is what Telegram just refused.
        tat = until + (self.burst - 1) * self.interval_us
        self._pauses += 1
        self._local = BucketState(
            max(self._local.tat_us, tat), max(self._local.paused_until_us, until)
        )
        try:
            self._saw(await self._threads.run(self._store_pause, until, tat))
        except Exception:
            logger.warning("send rate %s: could not store the pause", self.name, exc_info=True)

    async def _reserve(self, count: int) -> int:
        """The moment this request may go: reserved with whatever else waits right now."""
        future: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self._waiting.append((count, future))
        if not _running_here(self._reserving):
            self._reserving = asyncio.create_task(self._reserve_waiting())
        return await future

    async def _reserve_waiting(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting, []
            try:
                await self._grant(batch)
            except BaseException:  # cancelled (shutting down): nobody waits forever
                for _, future in (*batch, *self._waiting):
                    future.cancel()
                self._waiting = []
                raise

    async def _grant(self, batch: list[tuple[int, asyncio.Future[int]]]) -> None:
        total = sum(count for count, _ in batch)
        now = self.now_us()
        leased = self._lease_for(now, total)
        if leased is None:
            reserved = max(total, self.lease)
            state = await self._take(now, reserved)
            # The batch's messages hold the first ``total`` of the ``reserved`` slots before the
            # new arrival time, in order; the rest wait for the next messages (_lease_for).
            taken, end = state.tat_us - reserved * self.interval_us, state.tat_us
            stored_pause, pauses = state.paused_until_us, self._pauses
        else:
            taken, end, stored_pause, pauses = leased
        for count, future in batch:
            taken += count * self.interval_us
            # A request may go once its last message conforms: ``burst`` intervals early. This
            # process's own pause counts at once, even before the database has it.
            paused = max(stored_pause, self._local.paused_until_us)
            start = max(now, paused, taken - self.burst * self.interval_us)
            if not future.done():  # its sender may have given up (cancelled)
                future.set_result(start)
        self._leased = (taken, end, stored_pause, pauses) if end > taken else None

    def _lease_for(self, now: int, total: int) -> tuple[int, int, int, int] | None:
        """The leased slots from which ``total`` messages can go, if there are enough."""
        leased, self._leased = self._leased, None
        if leased is None:
            return None
        taken, end, stored_pause, pauses = leased
        if pauses != self._pauses or self._seen_pause > stored_pause:
            return None  # a pause came after the reservation: its slots would go in a bunch
        # A slot whose moment passed unused is dropped: sent late, it would crowd the next.
        taken = max(taken, now - self.interval_us)
        if end - taken < total * self.interval_us:
            return None  # too few left: a fresh reservation serves the whole batch, in order
        return taken, end, stored_pause, pauses

    async def _take(self, now: int, total: int) -> BucketState:
        try:
            state = await self._threads.run(self._store_reservation, now, total)
        except Exception:
            if not self._offline:
                logger.warning(
                    "send rate %s: the database did not answer; this process paces itself alone",
                    self.name,
                    exc_info=True,
                )
            self._offline = True
            local = self._local
            tat = max(local.tat_us, now) + total * self.interval_us
            self._local = BucketState(tat, local.paused_until_us)
            return self._local
        if self._offline:
            logger.warning("send rate %s: the database answers again", self.name)
            self._offline = False
        self._saw(state)
        return state

    def _saw(self, state: BucketState) -> None:
        self._seen_pause = max(self._seen_pause, state.paused_until_us)
        self._seen_at = self.now_us()

    async def _stored_pause(self) -> int:
        """Until when the bucket is paused, as stored at most ``FRESH_US`` ago: under load the
        reservations tell it anyway; otherwise one look, shared by the sends waking together."""
        if self.now_us() - self._seen_at > FRESH_US:
            looking = self._looking
            if looking is None or not _running_here(looking):
                looking = self._looking = asyncio.create_task(self._look())
            await asyncio.shield(looking)  # a cancelled send leaves the look to the others
        return self._seen_pause

    async def _look(self) -> None:
        try:
            state = await self._threads.run(self._stored)
        except Exception:
            return  # the reservation stands; _take says when the database is gone
        self._saw(state or BucketState(0, 0))

    def _store_reservation(self, now: int, total: int) -> BucketState:
        with self._make_uow() as uow:
            state = uow.send_rate.reserve(
                self.name, now_us=now, slots=total, interval_us=self.interval_us
            )
            uow.commit()
        return state

    def _store_pause(self, until: int, tat: int) -> BucketState:
        with self._make_uow() as uow:
            state = uow.send_rate.pause(self.name, until_us=until, tat_us=tat)
            uow.commit()
        return state

    def _stored(self) -> BucketState | None:
        with self._make_uow() as uow:
            read_only(uow.session)  # on SQLite, no write lock for a look
            return uow.send_rate.get(self.name)


def _running_here(task: asyncio.Task[None] | None) -> bool:
    """Whether ``task`` is still running on this event loop (a stopped loop's never ends)."""
    return task is not None and not task.done() and task.get_loop() is asyncio.get_running_loop()


class SharedRateLimiter(BaseRateLimiter[int]):
    """The bot's rate limiter when replicas share a PostgreSQL database (see the module).

    ``rate_limit_args`` (an int) overrides ``max_retries`` for one call, as in AIORateLimiter.
    """

    def __init__(
        self,
        make_uow: MakeUow,
        *,
        rate: float,
        burst: int = DEFAULT_BURST,
        max_retries: int = 0,
        paid_rate: float = FloodLimit.PAID_MESSAGES_PER_SECOND,
        clock: Clock = time.time,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        if max_retries < 0:
            raise ValueError("max_retries cannot be negative")
        self._threads = Threads()
        self.free = SharedBucket(
            make_uow,
            BUCKET,
            rate=rate,
            burst=burst,
            clock=clock,
            sleep=sleep,
            threads=self._threads,
        )
        self.paid = SharedBucket(
            make_uow,
            PAID_BUCKET,
            rate=paid_rate,
            burst=burst,
            clock=clock,
            sleep=sleep,
            threads=self._threads,
        )
        self._max_retries = max_retries
        self._sleep = sleep

    async def initialize(self) -> None:
        """Nothing to set up: the bucket's row is created by the first reservation."""

    async def shutdown(self) -> None:
        """Let the worker threads end (each reservation's unit of work is closed already)."""
        self._threads.close()

    async def process_request(
        self,
        callback: Callback,
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | JSONDict | list[JSONDict]:
        """Wait for the request's slots (if it counts), call it, and wait out a 429."""
        release_turn(endpoint)
        max_retries = rate_limit_args or self._max_retries
        count = slots(endpoint, data)
        bucket = self.paid if data.get("allow_paid_broadcast") else self.free
        attempt = 0
        while True:
            if count:
                await bucket.acquire(count)
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as error:
                seconds = retry_seconds(error) + RETRY_MARGIN
                if count:
                    await bucket.pause(seconds)  # every replica holds back, also on the last try
                if attempt >= max_retries:
                    logger.warning("%s: flood control after %d retries", endpoint, attempt)
                    raise
                attempt += 1
                logger.info("%s: flood control, again in %.1f s", endpoint, seconds)
                if not count:
                    await self._sleep(seconds)  # counted requests wait in acquire()
