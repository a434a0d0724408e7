"""One send rate for all replicas (issue 12): two limiters on one database share the bucket.

The limiters run on a fake wall clock: time jumps to the earliest sleeper once every sender is
asleep, so the tests see the timeline real replicas would, without waiting for it. Each limiter
stands for a replica; they share only the database. SQLite always, PostgreSQL with
TEST_DATABASE_URL.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from telegram.error import RetryAfter
from telegram.ext import AIORateLimiter

from bot import runtime
from bot.app import rate_limiter
from bot.clock import Clock
from bot.rate_limit import BUCKET, SharedRateLimiter, slots
from bot.runtime import Deps
from bot.settings import BotSettings
from bot.shards import Shard
from tests.databases import Database
from tracker.storage.db import make_session_factory
from tracker.storage.uow import SqlUnitOfWork

MakeUow = Callable[[], SqlUnitOfWork]

START_US = 1_000_000_000  # the fake wall clock starts 1,000 s after its epoch
SECOND_US = 1_000_000


@pytest.fixture
def make_shared_uow(engine: Engine) -> MakeUow:
    """Units of work on the migrated test database of each backend (emptied after the test)."""
    factory = make_session_factory(engine)
    return lambda: SqlUnitOfWork(factory)


class Timeline:
    """A fake wall clock in µs for a known number of actors (tasks that send).

    An actor that sleeps waits until every live actor sleeps; then the earliest sleeper wakes and
    time jumps to its moment. An actor waiting on anything else (the database, in a thread) holds
    time still, as real time would barely move meanwhile.
    """

    def __init__(self, actors: int) -> None:
        self.us = START_US
        self._actors = actors
        self._sleepers: list[tuple[int, int, asyncio.Future[None]]] = []
        self._seq = itertools.count()

    def clock(self) -> float:
        return self.us / SECOND_US

    async def sleep(self, seconds: float) -> None:
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(
            self._sleepers, (self.us + round(seconds * SECOND_US), next(self._seq), future)
        )
        self._advance()
        await future

    async def actor(self, work: Coroutine[Any, Any, None]) -> None:
        """Run one actor's work; when it ends, the others no longer wait for it to sleep."""
        try:
            await work
        finally:
            self._actors -= 1
            self._advance()

    def _advance(self) -> None:
        if self._sleepers and len(self._sleepers) >= self._actors:
            moment, _, future = heapq.heappop(self._sleepers)
            self.us = max(self.us, moment)
            future.set_result(None)


class Replica:
    """A limiter standing for one replica, and the calls it let through: (endpoint, µs)."""

    def __init__(
        self, name: str, make_uow: MakeUow, timeline: Timeline, *, rate: int, burst: int
    ) -> None:
        self.name = name
        self.timeline = timeline
        self.limiter = SharedRateLimiter(
            make_uow,
            rate=rate,
            burst=burst,
            max_retries=3,
            clock=timeline.clock,
            sleep=timeline.sleep,
        )
        self.calls: list[tuple[str, int]] = []

    async def send(self, endpoint: str = "sendMessage", **data: Any) -> None:
        async def call() -> bool:
            self.calls.append((endpoint, self.timeline.us))
            return True

        await self.limiter.process_request(call, (), {}, endpoint, {"chat_id": 1, **data}, None)

    def sent(self) -> list[int]:
        return [at for endpoint, at in self.calls if endpoint == "sendMessage"]


def most_in_one_second(moments: list[int]) -> int:
    """The most moments inside any one-second window (t - 1 s, t]."""
    ordered = sorted(moments)
    most, first = 0, 0
    for last, moment in enumerate(ordered):
        while ordered[first] <= moment - SECOND_US:
            first += 1
        most = max(most, last - first + 1)
    return most


async def run(timeline: Timeline, *works: Coroutine[Any, Any, None]) -> None:
    # A real-time bound only so that a bug fails the test instead of hanging it.
    await asyncio.wait_for(asyncio.gather(*(timeline.actor(w) for w in works)), timeout=120)


async def test_two_replicas_together_never_exceed_the_rate(make_shared_uow: MakeUow) -> None:
    rate, burst, each = 10, 3, 40
    timeline = Timeline(actors=2 * each + 10)
    a = Replica("a", make_shared_uow, timeline, rate=rate, burst=burst)
    b = Replica("b", make_shared_uow, timeline, rate=rate, burst=burst)
    await run(
        timeline,
        *(replica.send() for replica in (a, b) for _ in range(each)),
        # Button answers do not count: they go at once, whatever the queue.
        *(a.send("answerCallbackQuery") for _ in range(10)),
    )
    sent = a.sent() + b.sent()
    assert len(sent) == 2 * each
    assert a.sent()
    assert b.sent()
    # A GCRA with a burst of b lets messages k apart be (k - b) intervals apart at the least, so
    # a second holds at most rate + b - 1 of them, whoever sent them.
    assert most_in_one_second(sent) == rate + burst - 1
    # And the rate is used, not split in two: the last message goes (n - b) intervals after the
    # first, as if one process had sent them all.
    interval = SECOND_US // rate
    assert max(sent) - min(sent) == (2 * each - burst) * interval
    answers = [at for endpoint, at in a.calls if endpoint == "answerCallbackQuery"]
    assert answers == [START_US] * 10


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")  # PTB's own
class Counted:
    """Units of work that count how many were opened (one per reservation)."""

    def __init__(self, make_uow: MakeUow) -> None:
        self.opened = 0
        self._make_uow = make_uow

    def __call__(self) -> SqlUnitOfWork:
        self.opened += 1
        return self._make_uow()


async def test_at_a_high_rate_one_reservation_serves_many_messages(
    make_shared_uow: MakeUow,
) -> None:
    # 1,000 a second (paid broadcasts; the throughput bench): a lease of 20 ms is 20 slots.
    rate, burst, each = 1000, 2, 200
    counted = Counted(make_shared_uow)
    timeline = Timeline(actors=2)
    a = Replica("a", counted, timeline, rate=rate, burst=burst)
    b = Replica("b", counted, timeline, rate=rate, burst=burst)
    assert a.limiter.free.lease == 20

    async def one_by_one(replica: Replica) -> None:
        for _ in range(each):
            await replica.send()

    await run(timeline, one_by_one(a), one_by_one(b))
    sent = a.sent() + b.sent()
    assert len(sent) == 2 * each
    assert counted.opened == 2 * each // 20
    # Leased or not, the two replicas together keep to the rate, and use all of it.
    assert most_in_one_second(sent) <= rate + burst - 1
    interval = SECOND_US // rate
    assert max(sent) - min(sent) <= (2 * each - burst) * interval + 20 * interval


async def test_leased_slots_whose_moment_passed_are_not_sent_in_a_bunch(
    make_shared_uow: MakeUow,
) -> None:
    rate, burst = 1000, 2
    timeline = Timeline(actors=1)
    replica = Replica("a", make_shared_uow, timeline, rate=rate, burst=burst)

    async def send_pause_send() -> None:
        await replica.send()  # leases 20 slots, uses one
        await timeline.sleep(1.0)  # the other 19 slots' moments pass
        for _ in range(40):
            await replica.send()

    await run(timeline, send_pause_send())
    after_pause = replica.sent()[1:]
    # Kept, the 19 stale slots would all go at once; fresh slots go one interval apart after
    # the burst.
    assert max(after_pause.count(at) for at in after_pause) <= burst
    assert most_in_one_second(after_pause) <= rate + burst - 1


async def test_a_429_seen_by_one_replica_holds_the_other_back(make_shared_uow: MakeUow) -> None:
    rate, retry_after = 10, 2
    timeline = Timeline(actors=5)
    a = Replica("a", make_shared_uow, timeline, rate=rate, burst=1)
    b = Replica("b", make_shared_uow, timeline, rate=rate, burst=1)
    sending = asyncio.Event()
    flood: list[int] = []  # when Telegram answered 429

    async def first_refused() -> bool:
        a.calls.append(("sendMessage", timeline.us))
        if not flood:
            sending.set()
            await timeline.sleep(0.15)  # Telegram takes its time to say no
            flood.append(timeline.us)
            raise RetryAfter(timedelta(seconds=retry_after))
        return True

    async def a_sends() -> None:
        await a.limiter.process_request(first_refused, (), {}, "sendMessage", {"chat_id": 1}, None)

    async def b_sends() -> None:
        await sending.wait()  # b queues behind a's message, then sleeps towards its slots
        await b.send()

    await run(timeline, a_sends(), *(b_sends() for _ in range(4)))
    pause_end = flood[0] + retry_after * SECOND_US
    before = [at for at in b.sent() if at < flood[0]]
    after = [at for at in b.sent() + a.sent()[1:] if at >= flood[0]]
    # b's first slot came before the 429 (nothing to hold back then); every message after it,
    # b's that were already waiting for their slots included, waits out the pause.
    assert len(before) == 1
    assert len(after) == 4
    assert min(after) >= pause_end
    assert most_in_one_second(a.sent() + b.sent()) <= rate


async def test_without_the_database_a_replica_paces_itself() -> None:
    def broken() -> SqlUnitOfWork:
        raise OperationalError("SELECT 1", {}, Exception("the database is gone"))

    rate, burst, count = 10, 2, 15
    timeline = Timeline(actors=count)
    alone = Replica("alone", broken, timeline, rate=rate, burst=burst)
    await run(timeline, *(alone.send() for _ in range(count)))
    assert len(alone.sent()) == count
    assert most_in_one_second(alone.sent()) == rate + burst - 1


async def test_uncounted_requests_never_touch_the_database(make_shared_uow: MakeUow) -> None:
    timeline = Timeline(actors=3)
    replica = Replica("a", make_shared_uow, timeline, rate=1, burst=1)
    await run(
        timeline,
        replica.send("answerCallbackQuery"),
        replica.send("getMe"),
        replica.send("setWebhook"),
    )
    assert [at for _, at in replica.calls] == [START_US] * 3
    with make_shared_uow() as uow:
        assert uow.send_rate.get(BUCKET) is None


def test_what_counts_as_messages() -> None:
    assert slots("sendMessage", {"chat_id": 1}) == 1
    assert slots("editMessageText", {"chat_id": 1, "message_id": 2}) == 1
    assert slots("sendMediaGroup", {"chat_id": 1, "media": ["a", "b", "c"]}) == 3
    assert slots("forwardMessages", {"chat_id": 1, "message_ids": [1, 2]}) == 2
    assert slots("answerCallbackQuery", {"callback_query_id": "1"}) == 0
    assert slots("sendChatAction", {"chat_id": 1}) == 0
    assert slots("getUpdates", {}) == 0


def test_the_limiter_is_shared_only_on_postgresql(
    database: Database, engine: Engine, clock: Clock
) -> None:
    settings = BotSettings(database_url=database.url, _env_file=None)  # type: ignore[call-arg]
    limiter = rate_limiter(Deps(settings, make_session_factory(engine), clock))
    if database.backend == "postgresql":
        assert isinstance(limiter, SharedRateLimiter)
    else:
        # One process on SQLite: python-telegram-bot's own limiter, no database round trip.
        assert isinstance(limiter, AIORateLimiter)


@pytest.mark.parametrize(
    ("workers", "shard", "share"),
    [
        (1, Shard(), 29),  # one process: the whole rate
        (2, Shard(), 29),  # BOT_WORKERS set, but this process handles everything (the sandbox)
        (2, None, 9),  # the polling process of 2 workers: its jobs' share, 29 // 3
        (2, Shard(1, 2), 9),  # a worker's share
    ],
)
def test_processes_on_sqlite_share_the_rate_out(
    engine: Engine, clock: Clock, workers: int, shard: Shard | None, share: int
) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("on PostgreSQL every process takes its slots from the shared bucket")
    settings = BotSettings(
        database_url="sqlite://",
        bot_workers=workers,
        _env_file=None,  # type: ignore[call-arg]
    )
    limiter = rate_limiter(Deps(settings, make_session_factory(engine), clock, shard=shard))
    assert isinstance(limiter, AIORateLimiter)
    assert limiter._base_limiter.max_rate == share  # python-telegram-bot keeps it there


async def test_a_turns_read_transaction_ends_before_the_reservation_and_the_call(
    make_shared_uow: MakeUow,
) -> None:
    timeline = Timeline(actors=1)
    replica = Replica("a", make_shared_uow, timeline, rate=10, burst=1)
    open_during_call: list[bool] = []
    with make_shared_uow() as turn_uow:
        turn_uow.send_rate.get(BUCKET)  # the handler read something: its transaction is open
        assert turn_uow.session.in_transaction()

        async def call() -> bool:
            open_during_call.append(turn_uow.session.in_transaction())
            return True

        token = runtime._CURRENT.set(turn_uow)  # what turn() does for a handler
        try:
            await run(
                timeline,
                replica.limiter.process_request(call, (), {}, "sendMessage", {"chat_id": 1}, None),
            )
        finally:
            runtime._CURRENT.reset(token)
    # On SQLite an open transaction is the write lock: the reservation's own would wait on it.
    assert open_during_call == [False]
