"""Reminder fan-out and the reminder scan at scale.

``test_fanout_*``: BENCH_FANOUT users (default 1,000) each have a reminder due now; one scan
enqueues them, then the production send loop (``jobs.Jobs.send``: claim → render → pace → send →
mark) delivers them through the local Bot API over real HTTP with Telegram's flood control on
(30 messages/s overall, 1/s per chat). Reported: messages per second against the 30/s ceiling,
429s received, duplicates (chats that got more than one message), total time. Two bots: a
plain ``telegram.Bot`` and the application's kind (``ExtBot`` with ``AIORateLimiter``).

``test_scan_*``: the scan over 100,000 × BENCH_SCALE installments (BENCH_SCALE=10: a million),
on a Monday at 09:00 in Shanghai, when every user's weekly digest is due: the cold scan (empty
outbox: everything planned) and the steady scan a minute later (nothing new), with the process's
memo (as the scan job runs) and without (a scan in a new process).

``test_morning_peak``: BENCH_PEAK_USERS (default 100,000) users due the same morning, overdue
alerts, due-today, due-tomorrow and 3-days-ahead reminders and digests mixed, sent on simulated
time (at 30/s the real thing takes an hour): when the last urgency-0 message went out, and that
nothing less urgent went out before it; free, and with paid broadcast (issue 12).

SQLite by default; BENCH_DATABASE_URL=postgresql+psycopg://… runs on a throwaway schema there.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import heapq
import itertools
import os
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, insert
from sqlmodel import col, select
from telegram import Bot
from telegram.ext import AIORateLimiter, ExtBot
from telegram.request import HTTPXRequest

from bot.clock import Clock
from bot.localapi import EmulatorState, FakeClock, LocalBotApiServer
from bot.localapi.limits import FloodConfig
from bot.localapi.ptb import in_process_bot
from bot.runtime import Deps
from bot.settings import BotSettings
from jobs import PAID_CONCURRENCY, PAID_RATE, Jobs
from jobs.pacing import Pacer
from jobs.scan import ScanMemo, ScanReport, scan
from jobs.sender import SendReport
from tracker.rates import RateUnit
from tracker.schedule_types import Method
from tracker.storage.db import make_engine, make_session_factory
from tracker.storage.enums import OutboxStatus
from tracker.storage.migrate import upgrade
from tracker.storage.models import Budget, Debt, Installment, Outbox, Payment, PlanVersion, User
from tracker.storage.uow import SqlUnitOfWork

CEILING = 30.0  # Telegram's overall limit, messages a second
NOW = datetime(2027, 3, 1, 1, 0, tzinfo=UTC)  # Monday 09:00 in Shanghai
TODAY = date(2027, 3, 1)
TELEGRAM_IDS = 500_000_000


@dataclass
class Db:
    url: str
    engine: Engine

    def uow(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(make_session_factory(self.engine))


@contextlib.contextmanager
def _database(tmp: Path, url: str | None = None) -> Iterator[Db]:
    """A migrated, empty database: a new SQLite file, or a new PostgreSQL schema (dropped after)
    on ``url`` (default: BENCH_DATABASE_URL), so nobody else's data on the server is touched."""
    url = url or os.environ.get("BENCH_DATABASE_URL")
    if not url or url.startswith("sqlite"):
        url = f"sqlite:///{tmp / 'bench.sqlite3'}"
        upgrade(url)
        engine = make_engine(url)
        try:
            yield Db(url, engine)
        finally:
            engine.dispose()
        return
    schema = f"repaybot_bench_{secrets.token_hex(4)}"
    admin = make_engine(url)
    with admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    args = {"options": f"-csearch_path={schema}"}
    try:
        upgrade(url, connect_args=args)
        engine = make_engine(url, connect_args=args)
        try:
            yield Db(url, engine)
        finally:
            engine.dispose()
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


def _load(
    engine: Engine,
    users: int,
    *,
    debts_per_user: int,
    term: int,
    first_due: Any,
    active: Any,
    digest: bool,
    paid_until: date | None = None,
    new_york_every: int = 0,
) -> int:
    """Users, debts, plans, installments (30 days apart) and payments, in bulk; returns rows."""
    user_rows, debt_rows, plan_rows, inst_rows, pay_rows, budget_rows = [], [], [], [], [], []
    for u in range(1, users + 1):
        user_rows.append(
            {
                "id": u,
                "telegram_user_id": TELEGRAM_IDS + u,
                "chat_id": TELEGRAM_IDS + u,
                "timezone": (
                    "America/New_York"
                    if new_york_every and u % new_york_every == 0
                    else "Asia/Shanghai"
                ),
                "digest_enabled": digest,
            }
        )
        if u % 3 == 0:  # a third have a budget; a tight one for every ninth
            income = 300_000 if u % 9 == 0 else 2_000_000
            budget_rows.append(
                {
                    "user_id": u,
                    "currency": "CNY",
                    "monthly_income_minor": income,
                    "living_reserve_minor": income // 10,
                    "valid_from": date(2026, 1, 1),
                }
            )
        for k in range(debts_per_user):
            debt_id = (u - 1) * debts_per_user + k + 1
            first = first_due(debt_id)
            on = active(debt_id)
            terms = {
                "principal_minor": 20_000 * term,
                "rate_value": Decimal("0.0005"),
                "rate_unit": RateUnit.DAY.value,
                "method": Method.ANNUITY.value,
                "term_months": term,
                "first_due": first,
                "start_date": first - timedelta(days=30),
            }
            debt_rows.append(
                {"id": debt_id, "user_id": u, "name": f"debt {k}", "currency": "CNY", **terms}
            )
            plan_rows.append(
                {
                    "id": debt_id,
                    "debt_id": debt_id,
                    "version": 1,
                    "status": "active" if on else "superseded",
                    "origin": "original",
                    **terms,
                }
            )
            for s in range(term):
                due = first + timedelta(days=30 * s)
                inst_rows.append(
                    {
                        "plan_version_id": debt_id,
                        "debt_id": debt_id,
                        "user_id": u,
                        "seq": s + 1,
                        "due_date": due,
                        "principal_minor": 20_000,
                        "interest_minor": 500,
                        "fee_minor": 0,
                        "total_minor": 20_500,
                        "is_active": on,
                    }
                )
                # Paid on time, except every seventh debt's latest and every fifth's by halves.
                if on and paid_until is not None and due <= paid_until and debt_id % 7:
                    halves = debt_id % 5 == 0
                    for part in (0, 1) if halves else (0,):
                        pay_rows.append(
                            {
                                "debt_id": debt_id,
                                "user_id": u,
                                "amount_minor": 10_250 if halves else 20_500,
                                "currency": "CNY",
                                "paid_on": due - timedelta(days=1 - part),
                                "idempotency_key": f"b:{debt_id}:{s}:{part}",
                            }
                        )
    with engine.begin() as conn:
        for table, rows in (
            (User, user_rows),
            (Debt, debt_rows),
            (PlanVersion, plan_rows),
            (Installment, inst_rows),
            (Payment, pay_rows),
            (Budget, budget_rows),
        ):
            for i in range(0, len(rows), 20_000):
                conn.execute(insert(table), rows[i : i + 20_000])
        if engine.dialect.name == "postgresql":
            for table in ("users", "debts", "plan_versions"):
                conn.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table}))"
                )
        conn.exec_driver_sql("ANALYZE")
    return len(inst_rows)


# ---- fan-out ------------------------------------------------------------------------------


def _bot(variant: str, server: LocalBotApiServer) -> Bot:
    request = HTTPXRequest(connection_pool_size=64)
    common: dict[str, Any] = {
        "base_url": server.base_url,
        "base_file_url": server.base_file_url,
        "request": request,
    }
    if variant == "plain":
        return Bot(server.state.token, **common)
    # As bot.app configures the application's bot.
    return ExtBot(server.state.token, rate_limiter=AIORateLimiter(max_retries=3), **common)


async def _fan_out(jobs: Jobs) -> tuple[SendReport, float]:
    total = SendReport()
    async with jobs.bot:
        started = time.perf_counter()
        while True:
            report = await jobs.send(wait=True)
            total.add(report)
            if not report.claimed:
                break
        return total, time.perf_counter() - started


@pytest.mark.parametrize("variant", ["plain", "aiolimiter"])
def test_fanout(benchmark: Any, tmp_path: Path, variant: str) -> None:
    users = int(os.environ.get("BENCH_FANOUT", "1000"))
    with _database(tmp_path) as db:
        # One 12-month loan each, first due in 3 days: the 3-day reminder is due now.
        _load(
            db.engine,
            users,
            debts_per_user=1,
            term=12,
            digest=False,
            first_due=lambda _: TODAY + timedelta(days=3),
            active=lambda _: True,
        )
        began = time.perf_counter()
        scanned: ScanReport = scan(db.uow, NOW)
        scan_seconds = time.perf_counter() - began
        assert scanned.enqueued == users

        state = EmulatorState(flood=FloodConfig())  # Telegram's limits, enforced
        state.api_calls = collections.deque()  # keep every call, not the last 2,000
        for u in range(1, users + 1):
            state.create_user(f"u{u}", user_id=TELEGRAM_IDS + u)
        with LocalBotApiServer(state) as server:
            settings = BotSettings(database_url=db.url, _env_file=None)  # type: ignore[call-arg]
            deps = Deps(settings, make_session_factory(db.engine), Clock(frozen=NOW))
            from bot.reminder_render import render

            jobs = Jobs(deps, render, _bot(variant, server), Pacer())

            def run() -> tuple[SendReport, float]:
                return asyncio.run(_fan_out(jobs))

            report, seconds = benchmark.pedantic(run, rounds=1, iterations=1)
        sends = [c for c in state.api_calls if c["method"].lower() == "sendmessage"]
        delivered = collections.Counter(c["result"]["chat"]["id"] for c in sends if "result" in c)
        refused = sum(1 for c in sends if c.get("error", {}).get("error_code") == 429)
        duplicates = sum(1 for n in delivered.values() if n > 1)
        rate = report.sent / seconds
        info = {
            "variant": variant,
            "users": users,
            "sent": report.sent,
            "seconds": round(seconds, 2),
            "msgs_per_s": round(rate, 2),
            "share_of_ceiling": round(rate / CEILING, 3),
            "http_429": refused,
            "duplicates": duplicates,
            "retried": report.retried,
            "scan_seconds": round(scan_seconds, 2),
        }
        benchmark.extra_info.update(info)
        print(f"\nfan-out {info}")
        assert report.sent == users == len(delivered)
        assert duplicates == 0


# ---- the scan at scale --------------------------------------------------------------------


@pytest.fixture
def big(tmp_path: Path, scale: int) -> Iterator[tuple[Db, int]]:
    """2 debts × 50 installments for 1,000 × BENCH_SCALE users; half the debts active."""
    with _database(tmp_path) as db:
        rows = _load(
            db.engine,
            1000 * scale,
            debts_per_user=2,
            term=50,
            digest=True,
            first_due=lambda debt_id: date(2026, 1, 1) + timedelta(days=(debt_id * 7) % 365),
            active=lambda debt_id: debt_id % 2 == 0,
            paid_until=TODAY - timedelta(days=5),
            new_york_every=10,
        )
        yield db, rows


def test_scan_cold(benchmark: Any, big: tuple[Db, int]) -> None:
    db, rows = big
    report = benchmark.pedantic(lambda: scan(db.uow, NOW), rounds=1, iterations=1)
    benchmark.extra_info.update({"installments_in_table": rows, **_fields(report)})
    print(f"\ncold scan over {rows} installments: {_fields(report)}")
    assert report.enqueued > 0


@pytest.mark.parametrize("memo", [True, False], ids=["memo", "no-memo"])
def test_scan_steady(benchmark: Any, big: tuple[Db, int], memo: bool) -> None:
    # As the scan job runs it: one memo per process (jobs.Jobs), scans a minute apart.
    kept = ScanMemo() if memo else None
    scan(db_uow := big[0].uow, NOW, memo=kept)
    later = NOW + timedelta(minutes=1)
    report = benchmark.pedantic(lambda: scan(db_uow, later, memo=kept), rounds=3, iterations=1)
    rows = big[1]
    benchmark.extra_info.update({"installments_in_table": rows, **_fields(report)})
    print(
        f"\nsteady scan ({'memo' if memo else 'no memo'}) over {rows} installments: "
        f"{_fields(report)}"
    )
    assert report.enqueued == 0


def _fields(report: ScanReport) -> dict[str, int]:
    return {name: getattr(report, name) for name in report.__slots__}


# ---- the morning peak (issue 12) ----------------------------------------------------------


class _VirtualTime:
    """Simulated seconds: a sleeper wakes when nothing else can run, time jumping to it.

    With the database work run inline (no threads) and the Bot API in-process, everything but
    the pacers' sleeps takes no simulated time, so the timeline is the pacing alone: what
    Telegram's limits allow, not how fast this machine is.
    """

    def __init__(self) -> None:
        self.t = 0.0
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._seq = itertools.count()

    def monotonic(self) -> float:
        return self.t

    async def sleep(self, seconds: float) -> None:
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        future = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self.t + seconds, next(self._seq), future))
        await future

    async def drive(self) -> None:
        """Run beside the work: when no other callback is ready, wake the earliest sleeper."""
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(0)
            if loop._ready or not self._sleepers:  # type: ignore[attr-defined]  # others run
                continue
            moment, _, future = heapq.heappop(self._sleepers)
            if not future.done():  # not cancelled
                self.t = max(self.t, moment)
                future.set_result(None)


@dataclass
class _SimClock:
    """The jobs' wall clock, moving with the simulated seconds."""

    start: datetime
    time: _VirtualTime

    def now(self) -> datetime:
        return self.start + timedelta(seconds=self.time.t)


async def _inline(func: Any, /, *args: Any, **kwargs: Any) -> Any:
    return func(*args, **kwargs)


#: The users' mix, by user id modulo 10: (first due date offset in days, what it plans).
PEAK_MIX = {
    0: (-1, "overdue alert"),
    1: (-1, "overdue alert"),
    2: (0, "due today"),
    3: (0, "due today"),
    4: (0, "due today"),
    5: (1, "due tomorrow"),
    6: (1, "due tomorrow"),
    7: (3, "due in 3 days"),
    8: (3, "due in 3 days"),
    9: (3, "due in 3 days"),
}


@pytest.mark.parametrize("paid", [False, True], ids=["free", "paid-broadcast"])
def test_morning_peak(benchmark: Any, tmp_path: Path, paid: bool) -> None:
    """BENCH_PEAK_USERS (default 100,000) users due the same Monday 09:00 in Shanghai: a fifth
    a day overdue, 30 % due today, 20 % tomorrow, 30 % in 3 days, and every fourth user's
    weekly digest. One scan, then the send loop (``jobs.Jobs.send``) on simulated time through
    the local Bot API with Telegram's flood control (30/s, 1/s a chat; 1,000/s paid).
    Reported in simulated seconds: when the last urgency-0 message went out, the first less
    urgent one, and how many less urgent ones went out before the last urgent one (must be 0).
    """
    users = int(os.environ.get("BENCH_PEAK_USERS", "100000"))
    with _database(tmp_path) as db:
        _load(
            db.engine,
            users,
            debts_per_user=1,
            term=12,
            digest=True,
            first_due=lambda debt_id: TODAY + timedelta(days=PEAK_MIX[debt_id % 10][0]),
            active=lambda _: True,
        )
        with db.engine.begin() as conn:
            conn.exec_driver_sql("UPDATE users SET digest_enabled = (id % 4 = 0)")
        began = time.perf_counter()
        scanned = scan(db.uow, NOW)
        scan_seconds = time.perf_counter() - began

        clock = _VirtualTime()
        state = EmulatorState(
            now=FakeClock(NOW.timestamp()), monotonic=clock.monotonic, flood=FloodConfig()
        )
        state.api_calls = collections.deque()  # keep every call
        for u in range(1, users + 1):
            state.create_user(f"u{u}", user_id=TELEGRAM_IDS + u)
        settings = BotSettings(database_url=db.url, _env_file=None)  # type: ignore[call-arg]
        deps = Deps(settings, make_session_factory(db.engine), _SimClock(NOW, clock))  # type: ignore[arg-type]
        from bot.reminder_render import render

        free = Pacer(clock=clock.monotonic, sleep=clock.sleep)
        fast = Pacer(
            rate=PAID_RATE, concurrency=PAID_CONCURRENCY, clock=clock.monotonic, sleep=clock.sleep
        )

        async def peak() -> SendReport:
            total = SendReport()
            driver = asyncio.create_task(clock.drive())
            try:
                async with in_process_bot(state) as bot:
                    jobs = Jobs(deps, render, bot, free, paid=fast if paid else None)
                    while (report := await jobs.send(wait=True)).claimed:
                        total.add(report)
            finally:
                driver.cancel()
            return total

        def run() -> tuple[SendReport, float]:
            started = time.perf_counter()
            with pytest.MonkeyPatch.context() as patch:
                patch.setattr(asyncio, "to_thread", _inline)
                report = asyncio.run(peak())
            return report, time.perf_counter() - started

        report, seconds = benchmark.pedantic(run, rounds=1, iterations=1)

        with db.uow() as uow:
            rows = uow.session.exec(
                select(
                    Outbox.chat_id, Outbox.telegram_message_id, Outbox.priority, Outbox.sent_at
                ).where(col(Outbox.status) == OutboxStatus.SENT)
            ).all()
            uow.commit()
    level = {(chat, message): priority for chat, message, priority, _ in rows}
    at = {(chat, message): sent_at for chat, message, _, sent_at in rows}
    order = [
        (c["result"]["chat"]["id"], c["result"]["message_id"])
        for c in state.api_calls
        if c["method"].lower() == "sendmessage" and "result" in c
    ]
    last_urgent = max(i for i, sent in enumerate(order) if level[sent] == 0)
    before = sum(1 for sent in order[:last_urgent] if level[sent] > 0)
    sends = [c for c in state.api_calls if c["method"].lower() == "sendmessage"]

    def simulated(key: tuple[int, int]) -> float:
        moment = at[key]
        assert moment is not None
        return round((moment.replace(tzinfo=UTC) - NOW).total_seconds(), 1)

    lower = [sent for sent in order if level[sent] > 0]
    info = {
        "paid_broadcast": paid,
        "users": users,
        "enqueued": scanned.enqueued,
        "sent_by_urgency": dict(sorted(collections.Counter(level.values()).items())),
        "last_urgent_s": simulated(order[last_urgent]),
        "first_less_urgent_s": simulated(lower[0]) if lower else None,
        "all_sent_s": max(simulated(sent) for sent in order),
        "less_urgent_before_last_urgent": before,
        "paid_messages": state.flood.paid_sent,
        "http_429": sum(1 for c in sends if c.get("error", {}).get("error_code") == 429),
        "dropped": report.dropped,
        "real_seconds": round(seconds, 1),
        "scan_seconds": round(scan_seconds, 1),
    }
    benchmark.extra_info.update(info)
    print(f"\nmorning peak {info}")
    assert report.sent == len(order) == len(rows)
    assert before == 0
