"""The scan at scale: bounded memory (a bounded memo, users streamed in batches) and no write
lock held while it reads or plans (issue 16)."""

from __future__ import annotations

import threading
import time as clock
import tracemalloc
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import Engine

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

    def writer() -> None:
        with world.make_uow() as uow:
            uow.session.connection()  # BEGIN IMMEDIATE: the write lock, until released
            held.set()
            release.wait(30)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert held.wait(5)
        began = clock.monotonic()
        again = scan(world.make_uow, REMIND_AT + timedelta(minutes=1), batch_users=2)
        seconds = clock.monotonic() - began
    finally:
        release.set()
        thread.join()
    assert (again.users, again.enqueued, again.errors) == (5, 0, 0)
    assert seconds < 2  # the busy timeout is 5 s: it did not wait for the lock
