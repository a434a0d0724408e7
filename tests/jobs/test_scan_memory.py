"""The scan at scale: bounded memory (a bounded memo, users streamed in batches, freed memory
given back to the system) and no write lock held while it reads or plans (issue 16)."""

from __future__ import annotations

import os
import sys
import threading
import tracemalloc
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import Engine

import jobs.scan
import jobs.sender
from jobs.housekeeping import release_memory
from jobs.scan import ScanMemo, _Stream, scan
from tests.jobs.conftest import START, World, at
from tracker.storage.models import Debt, Installment, User

SH = "Asia/Shanghai"
DUE = date(2026, 12, 15)
REMIND_AT = at(DUE - timedelta(days=3), time(9), SH)  # the 3-day reminders


def test_the_memo_forgets_the_least_recently_seen_users_beyond_its_size() -> None:
    memo = ScanMemo(size=3)
    today = (date(2026, 12, 1),)
    for user_id in (1, 2, 3):
        memo.remember(user_id, today, frozenset({f"risk:{user_id}"}))
    assert memo.unchanged(1, today, frozenset({"risk:1"}))  # 1 is now the most recently seen
    memo.remember(4, today, frozenset({"risk:4"}))
    memo.remember(5, today, frozenset({"risk:5"}))
    assert len(memo) == 3
    # 2 and 3 were seen longest ago: forgotten (planned again next time, which is only slower).
    assert not memo.unchanged(2, today, frozenset({"risk:2"}))
    assert not memo.unchanged(3, today, frozenset({"risk:3"}))
    assert [memo.unchanged(u, today, frozenset({f"risk:{u}"})) for u in (1, 4, 5)] == [True] * 3


def test_the_memo_tells_a_changed_fingerprint_or_missing_set_apart() -> None:
    memo = ScanMemo()
    day = date(2026, 12, 1)
    memo.remember(7, (day, "paid 1"), frozenset({"risk:9", "due:9:0"}))
    assert memo.unchanged(7, (day, "paid 1"), frozenset({"due:9:0", "risk:9"}))
    assert not memo.unchanged(7, (day, "paid 2"), frozenset({"risk:9", "due:9:0"}))
    assert not memo.unchanged(7, (day + timedelta(days=1), "paid 1"), frozenset({"risk:9"}))
    assert not memo.unchanged(7, (day, "paid 1"), frozenset({"risk:9"}))
    assert not memo.unchanged(8, (day, "paid 1"), frozenset({"risk:9", "due:9:0"}))


def test_a_full_memo_stays_a_few_megabytes() -> None:
    """50,000 users with a realistic fingerprint: well under 300 bytes each (15 MB in all)."""
    memo = ScanMemo(size=50_000)
    fingerprint = (
        date(2026, 12, 1),
        ("Asia/Shanghai", (3, 1, 0), time(9)),
        datetime(2026, 11, 3, 8, 15),
        tuple((d, datetime(2026, 11, 1), "active") for d in range(2)),
        tuple((i, i, date(2026, 12, 15), 20_500) for i in range(4)),
    )
    tracemalloc.start()
    try:
        before, _ = tracemalloc.get_traced_memory()
        for user_id in range(1, 100_001):  # twice the size: the oldest half is forgotten
            memo.remember(user_id, fingerprint, frozenset({f"risk:{user_id}"}))
        after, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(memo) == 50_000
    assert (after - before) / 50_000 < 300


def _rows(users: int, per_user: int, seen: list[int]) -> Iterator[tuple[Installment, Debt, User]]:
    for user_id in range(1, users + 1):
        user = User(id=user_id, telegram_user_id=user_id, chat_id=user_id, timezone=SH)
        # Only what the grouping reads: the rows stand in for the query's.
        debt = Debt.model_construct(
            id=user_id, user_id=user_id, name="金条", currency="CNY", term_months=12, first_due=DUE
        )
        for seq in range(1, per_user + 1):
            seen.append(user_id)
            yield (
                Installment.model_construct(
                    id=user_id * 100 + seq,
                    plan_version_id=user_id,
                    user_id=user_id,
                    debt_id=user_id,
                    seq=seq,
                    due_date=DUE,
                    principal_minor=20_000,
                    interest_minor=500,
                    total_minor=20_500,
                ),
                debt,
                user,
            )


def test_the_scan_reads_users_a_batch_at_a_time() -> None:
    """The query's rows are consumed lazily: a batch is handed on before the next is read."""
    seen: list[int] = []
    stream = _Stream()
    batches = stream.batches(_rows(7, 3, seen), START, 3)
    first = next(batches)
    assert [g.user_id for g in first] == [1, 2, 3]
    assert [len(g.installments) for g in first] == [3, 3, 3]
    # Only the first row of the fourth user was read, to know the third was complete.
    assert seen == [1, 1, 1, 2, 2, 2, 3, 3, 3, 4]
    rest = [[g.user_id for g in batch] for batch in batches]
    assert rest == [[4, 5, 6], [7]]
    assert (stream.users, stream.rows) == (7, 21)


def test_the_scan_reads_and_plans_while_another_writer_holds_the_sqlite_lock(
    world: World, engine: Engine
) -> None:
    """Before issue 16 every unit of work took the write lock: the scan waited out the busy
    timeout behind a writer, then failed with "database is locked"."""
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite's write lock")
    users = [world.user(f"u{n}", digest_enabled=False) for n in range(5)]
    for user_id in users:
        world.debt(user_id, DUE)
    assert scan(world.make_uow, REMIND_AT, batch_users=2).enqueued > 0
    held, release = threading.Event(), threading.Event()

    order: list[str] = []

    def writer() -> None:
        with world.make_uow() as uow:
            uow.session.connection()  # BEGIN IMMEDIATE: the write lock, until released
            held.set()
            # Held until the call under test returned (30 s only so nothing can hang forever).
            order.append("writer released the lock" if release.wait(30) else "writer gave up")

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert held.wait(5)
        again = scan(world.make_uow, REMIND_AT + timedelta(minutes=1), batch_users=2)
        order.append("scan done")
    finally:
        release.set()
        thread.join()
    assert (again.users, again.enqueued, again.errors) == (5, 0, 0)
    # It returned, without a "database is locked" error, while the writer still held the lock
    # (SQLite's busy timeout is 5 s): it never needed the lock.
    assert order == ["scan done", "writer released the lock"]


def test_the_sender_brings_a_batch_up_to_date_while_another_writer_holds_the_sqlite_lock(
    world: World, engine: Engine
) -> None:
    """The refresh only reads: before, it began with BEGIN IMMEDIATE and held the write lock for
    the whole batch (seconds on a busy machine), so a scan's write failed with "database is
    locked"; and it waited out the busy timeout behind any writer."""
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite's write lock")
    for n in range(3):
        world.debt(world.user(f"u{n}", digest_enabled=False), DUE)
    assert scan(world.make_uow, REMIND_AT).enqueued == 3
    batch = jobs.sender._claim(world.make_uow, REMIND_AT, 10, world.worker)
    assert len(batch.rows) == 3
    held, release = threading.Event(), threading.Event()

    order: list[str] = []

    def writer() -> None:
        with world.make_uow() as uow:
            uow.session.connection()  # BEGIN IMMEDIATE: the write lock, until released
            held.set()
            # Held until the call under test returned (30 s only so nothing can hang forever).
            order.append("writer released the lock" if release.wait(30) else "writer gave up")

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert held.wait(5)
        fresh = jobs.sender._current(world.make_uow, batch, REMIND_AT)
        order.append("refresh done")
    finally:
        release.set()
        thread.join()
    assert sorted(fresh) == sorted(row.id for row in batch.rows)
    assert all(f is not None and not isinstance(f, jobs.sender.Drop) for f in fresh.values())
    # It returned, without a "database is locked" error, while the writer still held the lock
    # (SQLite's busy timeout is 5 s): it never needed the lock.
    assert order == ["refresh done", "writer released the lock"]


def _rss_kb() -> int:
    with open(f"/proc/{os.getpid()}/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))


def test_release_memory_returns_what_a_worker_thread_freed_to_the_system() -> None:
    """Blocks freed in a worker thread's arena, between blocks still in use, stay resident
    until they are trimmed: ``release_memory`` gives them back."""
    if not release_memory():
        pytest.skip("no malloc_trim (not glibc)")
    kept: list[bytes] = []
    ready = threading.Event()

    def fragment() -> None:
        # 8 KB blocks come from malloc (not Python's small-object allocator); every eighth is
        # kept, so the freed ones are holes the allocator cannot shrink its heap past.
        blocks = [os.urandom(8192) for _ in range(16_000)]  # 128 MB
        kept.extend(blocks[::8])
        ready.set()

    thread = threading.Thread(target=fragment)
    thread.start()
    thread.join()
    assert ready.is_set()
    before = _rss_kb()
    release_memory()
    given_back = before - _rss_kb()
    assert len(kept) == 2000
    assert given_back > 128 * 1024 * 7 / 8 / 2  # at least half of the 112 MB freed


async def test_the_scan_and_each_send_batch_give_freed_memory_back(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    monkeypatch.setattr(jobs.scan, "release_memory", lambda: calls.append("scan") or True)
    monkeypatch.setattr(jobs.sender, "release_memory", lambda: calls.append("send") or True)
    user_id = world.user(digest_enabled=False)
    world.debt(user_id, DUE)
    assert world.scan(REMIND_AT).enqueued == 1
    assert calls == ["scan"]
    report = await world.send(REMIND_AT)
    assert report.sent == 1
    assert calls == ["scan", "send"]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc_trim")
def test_release_memory_trims_where_glibc_can() -> None:
    # How cheap it is is a benchmark's question (bench/), not a test's.
    assert release_memory() is True
