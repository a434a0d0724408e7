"""Jobs on a real database (SQLite, and PostgreSQL with TEST_DATABASE_URL) and the local Bot API.

Time is injected everywhere: ``now`` for the scan and the outbox, a virtual monotonic clock shared
by the pacer and the emulator's flood control, so pacing takes no real time (bar a few
milliseconds per step for database threads to finish).
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select
from telegram import Bot

from bot.localapi import EmulatorState, FakeClock, SimUser
from bot.localapi.limits import FloodConfig
from bot.localapi.ptb import in_process_bot
from jobs.pacing import Pacer
from jobs.scan import ScanReport, scan
from jobs.sender import SendReport, send_due
from jobs.types import Rendered
from tracker.rates import Rate, RateUnit
from tracker.schedule_types import LoanTerms, Method
from tracker.services.debts import DebtSpec, add_debt
from tracker.storage.models import Debt, Outbox, User
from tracker.storage.uow import SqlUnitOfWork

MakeUow = Callable[[], SqlUnitOfWork]

#: 09:00 in Shanghai on the first day of the tests' month.
START = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)


class FakeTime:
    """Virtual monotonic time: a sleeper wakes when it is the earliest one, time jumping to it.

    Tasks that are not sleeping run first (a few loop turns), so several paced senders see the
    same timeline they would in real time, without waiting for it.
    """

    def __init__(self, start: float = 1000.0, settle: float = 0.02) -> None:
        self.t = start
        self.settle = settle
        self._sleepers: list[tuple[float, int]] = []
        self._seq = itertools.count()

    def monotonic(self) -> float:
        return self.t

    async def sleep(self, seconds: float) -> None:
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        entry = (self.t + seconds, next(self._seq))
        heapq.heappush(self._sleepers, entry)
        try:
            while True:
                # Let the others run first, also database work in threads, which takes real
                # (if little) time: otherwise time would jump while they are busy. 20 ms of real
                # time per step leaves room for a slow disk or a loaded machine.
                for _ in range(5):
                    await asyncio.sleep(0)
                await asyncio.sleep(self.settle)
                if self._sleepers[0] == entry:
                    heapq.heappop(self._sleepers)
                    self.t = max(self.t, entry[0])
                    return
        finally:
            if entry in self._sleepers:  # cancelled while asleep
                self._sleepers.remove(entry)
                heapq.heapify(self._sleepers)


def render(row: Outbox, user: User, now: datetime) -> Rendered | None:
    """The tests' renderer: the kind and the key, so a transcript says what was sent."""
    return Rendered(f"{row.kind} {row.key}")


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


@pytest.fixture
def state(fake_time: FakeTime) -> EmulatorState:
    """The local Bot API: flood control off unless a test turns it on, on the fake clock."""
    return EmulatorState(
        now=FakeClock(START.timestamp()),
        monotonic=fake_time.monotonic,
        flood=FloodConfig(enabled=False),
    )


@pytest.fixture
async def bot(state: EmulatorState) -> AsyncIterator[Bot]:
    async with in_process_bot(state) as ptb_bot:
        yield ptb_bot


@pytest.fixture
def pacer(fake_time: FakeTime) -> Pacer:
    return Pacer(clock=fake_time.monotonic, sleep=fake_time.sleep)


@dataclass
class World:
    """Users, debts and the two jobs, on one database and one emulated Telegram."""

    make_uow: MakeUow
    state: EmulatorState
    bot: Bot
    fake_time: FakeTime
    pacer: Pacer
    worker: str = "worker-1"
    sims: dict[int, SimUser] = field(default_factory=dict)  # by stored user id
    last_now: datetime | None = None

    def user(self, name: str = "小明", **settings: Any) -> int:
        """A stored user with a private chat in the emulator; returns the stored id."""
        sim = self.state.create_user(name)
        # These tests place reminders at any hour; quiet hours (22:00–08:00 for new users by
        # default) are tested on their own, so they are off here unless a test sets them.
        quiet = {"quiet_start": None, "quiet_end": None}
        quiet.update({k: settings.pop(k) for k in list(settings) if k in quiet})
        with self.make_uow() as uow:
            user = uow.users.add(User(telegram_user_id=sim.id, chat_id=sim.chat_id, **settings))
            # Set after the insert: an INSERT of None takes the column's default instead.
            user.quiet_start, user.quiet_end = quiet["quiet_start"], quiet["quiet_end"]
            user_id = user.id
            uow.commit()
        assert user_id is not None
        self.sims[user_id] = sim
        return user_id

    def debt(self, user_id: int, first_due: date, *, name: str = "金条", **spec: Any) -> int:
        """A 12-month ¥12,000 annuity loan at 0.05 % a day; returns the debt id."""
        term_fields = {k: spec.pop(k) for k in list(spec) if k in LoanTerms.__dataclass_fields__}
        terms = LoanTerms(
            **{
                "principal": Decimal(12000),
                "rate": Rate(Decimal("0.0005"), RateUnit.DAY),
                "term": 12,
                "method": Method.ANNUITY,
                "first_due": first_due,
                **term_fields,
            }
        )
        with self.make_uow() as uow:
            debt, _ = add_debt(
                uow, user_id=user_id, spec=DebtSpec(name=name, terms=terms, **spec), now=START
            )
            debt_id = debt.id
            uow.commit()
        assert debt_id is not None
        return debt_id

    def first_installment(self, debt_id: int) -> int:
        with self.make_uow() as uow:
            debt = uow.session.get_one(Debt, debt_id)
            first, *_ = uow.installments.for_debt(debt.user_id, debt_id)
            assert first.id is not None
            return first.id

    def scan(self, now: datetime) -> ScanReport:
        return scan(self.make_uow, now)

    async def send(self, now: datetime, *, worker: str | None = None, **kw: Any) -> SendReport:
        # The monotonic clock moves on with the wall clock between runs, as it really does.
        if self.last_now is not None and now > self.last_now:
            self.fake_time.t += (now - self.last_now).total_seconds()
        self.last_now = max(now, self.last_now or now)
        kw.setdefault("pacer", self.pacer)
        return await send_due(
            self.make_uow,
            kw.pop("bot", self.bot),
            kw.pop("render", render),
            now,
            worker_id=worker or self.worker,
            **kw,
        )

    async def run(self, now: datetime, **kw: Any) -> tuple[ScanReport, SendReport]:
        scanned = await asyncio.to_thread(self.scan, now)
        return scanned, await self.send(now, **kw)

    def sent(self, chat_id: int | None = None) -> list[str]:
        """Texts of the sendMessage calls Telegram accepted, in order (optionally one chat's)."""
        return [
            call["result"]["text"]
            for call in list(self.state.api_calls)
            if call["method"].lower() == "sendmessage"
            and "result" in call
            and (chat_id is None or call["result"]["chat"]["id"] == chat_id)
        ]

    def refused(self, code: int) -> int:
        """How many sendMessage calls Telegram answered with ``code``."""
        return sum(
            1
            for call in list(self.state.api_calls)
            if call["method"].lower() == "sendmessage"
            and call.get("error", {}).get("error_code") == code
        )

    def rows(self) -> dict[str, Outbox]:
        with self.make_uow() as uow:
            rows = {row.key: row for row in uow.session.exec(select(Outbox)).all()}
            uow.commit()  # keeps them readable after the unit of work
        return rows

    def chat(self, user_id: int) -> int:
        return self.sims[user_id].chat_id


@pytest.fixture
def world(
    make_uow: MakeUow, state: EmulatorState, bot: Bot, fake_time: FakeTime, pacer: Pacer
) -> World:
    return World(make_uow, state, bot, fake_time, pacer)


def at(day: date, clock: time, tz: str) -> datetime:
    """A local wall time as aware UTC."""
    return datetime.combine(day, clock, tzinfo=ZoneInfo(tz)).astimezone(UTC)
