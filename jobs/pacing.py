"""Sending at Telegram's pace: about 30 messages a second overall and one a second per chat.

``Pacer.acquire(chat_id)`` returns when a message to that chat may go out. Both limits are token
buckets kept as "the next free moment" (a virtual schedule, GCRA): each caller reserves its own
slot before it sleeps, so waiters are served in order and never wake together to fight over a
token. The overall rate keeps a small safety margin under Telegram's 30/s, because requests in
flight arrive with some jitter; with at most ``concurrency`` requests in flight the arrivals stay
inside Telegram's burst allowance, so a correctly paced sender never sees a 429. If one comes
anyway (another process sending with the same token), ``pause`` holds every sender back for the
``retry_after`` Telegram asked for.

Both limits are this process's own. All replicas together are held to ``TELEGRAM_RATE_PER_SECOND``
by the bot's rate limiter (``bot.rate_limit``: one bucket in PostgreSQL), which every send passes
as well; the overall rate here stays as a per-process ceiling that keeps the fan-out smooth, and
the per-chat limit is kept only here.

The clock and the sleep are injected: tests run the pacer on a fake clock without waiting.
"""

from __future__ import annotations

import asyncio
import time
import warnings
from collections.abc import Awaitable, Callable
from datetime import timedelta

from telegram.error import RetryAfter
from telegram.warnings import PTBDeprecationWarning

#: Telegram's limits for a bot (https://core.telegram.org/bots/faq#broadcasting-to-users).
TELEGRAM_MESSAGES_PER_SECOND = 30.0
TELEGRAM_SECONDS_PER_CHAT = 1.0
#: The share of the overall limit we use: the rest absorbs network jitter.
SAFETY = 0.97
#: Requests in flight at once: enough to hide a round trip of ~0.5 s at 30/s, few enough that
#: their jitter stays inside Telegram's burst allowance.
DEFAULT_CONCURRENCY = 16
#: Forget per-chat slots once this many chats are remembered (only finished ones are dropped).
_PRUNE_AT = 10_000

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]


class Pacer:
    """Async rate limiter: ``rate`` messages a second overall, one per ``per_chat`` seconds a chat.

    Shared by every send of a process, so consecutive batches keep the pace. ``acquire`` assumes
    one sender per chat at a time (the sender sends a chat's messages in order); it is safe, if
    not perfectly fair, otherwise.
    """

    def __init__(
        self,
        rate: float = TELEGRAM_MESSAGES_PER_SECOND * SAFETY,
        per_chat: float = TELEGRAM_SECONDS_PER_CHAT,
        *,
        burst: int = 1,
        concurrency: int = DEFAULT_CONCURRENCY,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        if rate <= 0 or per_chat < 0 or burst < 1 or concurrency < 1:
            raise ValueError("rate and concurrency must be positive, per_chat and burst sane")
        self.rate = rate
        self.per_chat = per_chat
        self.burst = burst
        self.concurrency = concurrency
        self._interval = 1.0 / rate
        self._clock = clock
        self._sleep = sleep
        # GCRA: the theoretical arrival time of the next message; a message may go out once
        # now >= tat - (burst - 1) * interval.
        self._tat = float("-inf")
        self._chat_free: dict[int, float] = {}
        self._paused_until = float("-inf")
        self._pauses = 0

    def now(self) -> float:
        """The pacer's clock (seconds, monotonic)."""
        return self._clock()

    async def acquire(self, chat_id: int) -> float:
        """Wait until a message to ``chat_id`` may be sent; returns the slot it was given."""
        while True:
            # The chat's turn first, without holding an overall slot while waiting for it.
            await self._wait_until(self._chat_free.get(chat_id, float("-inf")))
            # Reserve the next overall slot (no await between reading and writing it).
            now = self._clock()
            start = max(now, self._paused_until, self._tat - (self.burst - 1) * self._interval)
            self._tat = max(self._tat, start) + self._interval
            pauses = self._pauses
            await self._wait_until(start)
            if self._pauses != pauses:
                continue  # a 429 arrived while we waited: queue again behind the pause
            moment = self._clock()  # at or after ``start``: a busy loop wakes late
            self._chat_free[chat_id] = moment + self.per_chat
            if len(self._chat_free) > _PRUNE_AT:
                self._prune(moment)
            return start

    def pause(self, seconds: float) -> None:
        """Telegram said to wait (429 retry_after): nobody sends for ``seconds``."""
        until = self._clock() + max(0.0, seconds)
        self._paused_until = max(self._paused_until, until)
        self._tat = max(self._tat, self._paused_until)
        self._pauses += 1

    async def _wait_until(self, moment: float) -> None:
        # Re-read the clock after each sleep: a (fake or real) sleep may return early.
        while (delay := max(moment, self._paused_until) - self._clock()) > 0:
            await self._sleep(delay)

    def _prune(self, now: float) -> None:
        self._chat_free = {chat: t for chat, t in self._chat_free.items() if t > now}


def retry_seconds(error: RetryAfter) -> float:
    """How long Telegram asked to wait, in seconds (PTB 22 gives an int or a timedelta, and
    warns that it will be a timedelta: both are accepted here, without the warning)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        retry_after = error.retry_after
    if isinstance(retry_after, timedelta):
        return retry_after.total_seconds()
    return float(retry_after)
