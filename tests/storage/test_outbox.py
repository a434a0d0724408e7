"""The outbox: one row per key, and no row is ever claimed by two workers at once."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from tests.databases import Database
from tests.storage.factories import make_user
from tracker.storage.enums import OutboxStatus
from tracker.storage.models import Outbox, User
from tracker.storage.uow import SqlUnitOfWork

MakeUow = Callable[[], SqlUnitOfWork]
NOW = datetime(2025, 1, 14, 1, 0, tzinfo=UTC)


def _user(make_uow: MakeUow) -> User:
    with make_uow() as uow:
        user = uow.users.add(make_user())
        uow.commit()
    return user


def _enqueue(
    uow: SqlUnitOfWork, user: User, key: str, due_at: datetime = NOW, **kw: Any
) -> tuple[Outbox, bool]:
    assert user.id is not None
    return uow.outbox.enqueue_once(
        key, user_id=user.id, chat_id=user.chat_id, kind="due_soon", due_at=due_at, **kw
    )


def test_enqueue_once_keeps_the_first(make_uow: MakeUow) -> None:
    user = _user(make_uow)
    with make_uow() as uow:
        first, created = _enqueue(uow, user, "rem:1:due_soon:2025-01-14", payload={"n": "¥1"})
        assert created
        assert first.status is OutboxStatus.PENDING
        assert first.next_attempt_at == NOW
        assert first.attempts == 0
        assert json.loads(first.payload) == {"n": "¥1"}
        uow.commit()
    with make_uow() as uow:
        again, created = _enqueue(uow, user, "rem:1:due_soon:2025-01-14", payload={"n": "x"})
        assert not created
        assert again.id == first.id
        assert json.loads(again.payload) == {"n": "¥1"}
        uow.commit()


def test_claim_due_takes_due_pending_messages_in_order(make_uow: MakeUow) -> None:
    user = _user(make_uow)
    with make_uow() as uow:
        _enqueue(uow, user, "later", due_at=NOW + timedelta(minutes=1))
        _enqueue(uow, user, "second", due_at=NOW - timedelta(minutes=1))
        _enqueue(uow, user, "first", due_at=NOW - timedelta(minutes=2))
        _enqueue(uow, user, "expired", expires_at=NOW - timedelta(seconds=1))
        uow.commit()
    # "now" in another zone is the same instant.
    now_beijing = NOW.astimezone(timezone(timedelta(hours=8)))
    with make_uow() as uow:
        claimed = uow.outbox.claim_due(now_beijing, 10, "worker-1")
        assert [m.key for m in claimed] == ["first", "second"]
        assert all(m.status is OutboxStatus.SENDING and m.attempts == 1 for m in claimed)
        assert all(m.locked_by == "worker-1" for m in claimed)
        assert uow.outbox.drop_expired(NOW) == 1
        uow.commit()
    with make_uow() as uow:
        assert uow.outbox.claim_due(NOW, 10, "worker-2") == []  # still leased to worker-1
        expired = uow.outbox.get_by_key("expired")
        assert expired is not None
        assert expired.status is OutboxStatus.DROPPED


def test_finishing_requires_holding_the_claim(make_uow: MakeUow) -> None:
    user = _user(make_uow)
    with make_uow() as uow:
        for key in ("a", "b", "c"):
            _enqueue(uow, user, key)
        uow.commit()
    with make_uow() as uow:
        a, b, c = uow.outbox.claim_due(NOW, 3, "w1", lease=timedelta(minutes=1))
        assert a.id
        assert b.id
        assert c.id
        assert not uow.outbox.mark_sent(a.id, worker_id="w2", at=NOW)
        assert uow.outbox.mark_sent(a.id, worker_id="w1", at=NOW, telegram_message_id=42)
        assert uow.outbox.mark_failed(b.id, worker_id="w1", error="Forbidden: bot was blocked")
        retry_at = NOW + timedelta(seconds=30)
        assert uow.outbox.reschedule(c.id, worker_id="w1", next_attempt_at=retry_at, error="429")
        uow.commit()
    with make_uow() as uow:
        sent, failed = uow.outbox.get_by_key("a"), uow.outbox.get_by_key("b")
        assert sent is not None
        assert sent.status is OutboxStatus.SENT
        assert sent.telegram_message_id == 42
        assert sent.sent_at == NOW
        assert sent.locked_by is None
        assert failed is not None
        assert failed.status is OutboxStatus.FAILED
        assert uow.outbox.claim_due(NOW, 10, "w1") == []
        retried = uow.outbox.claim_due(retry_at, 10, "w1")
        assert [m.key for m in retried] == ["c"]
        assert retried[0].attempts == 2
        uow.commit()


def test_an_expired_lease_is_taken_over(make_uow: MakeUow) -> None:
    user = _user(make_uow)
    with make_uow() as uow:
        message, _ = _enqueue(uow, user, "k")
        uow.outbox.claim_due(NOW, 1, "dead-worker", lease=timedelta(minutes=5))
        uow.commit()
    with make_uow() as uow:
        assert uow.outbox.claim_due(NOW + timedelta(minutes=4), 1, "w2") == []
        taken = uow.outbox.claim_due(NOW + timedelta(minutes=6), 1, "w2")
        assert [m.id for m in taken] == [message.id]
        assert not uow.outbox.mark_sent(message.id or 0, worker_id="dead-worker", at=NOW)
        uow.commit()


def test_drop_pending_by_user_and_prefix(make_uow: MakeUow) -> None:
    user = _user(make_uow)
    with make_uow() as uow:
        for key in ("rem:1:a", "rem:1:b", "rem:10:a", "rem:2:a"):
            _enqueue(uow, user, key)
        assert uow.outbox.drop_pending(key_prefix="rem:1:") == 2
        assert uow.outbox.drop_pending(user_id=user.id) == 2
        uow.commit()


def test_concurrent_workers_never_share_a_row(make_uow: MakeUow, database: Database) -> None:
    user = _user(make_uow)
    with make_uow() as uow:
        for n in range(10):
            _enqueue(uow, user, f"m{n}", due_at=NOW - timedelta(seconds=n))
        uow.commit()

    claimed_b: list[int] = []

    def worker_b() -> None:
        with make_uow() as uow:
            claimed_b.extend(m.id or 0 for m in uow.outbox.claim_due(NOW, 10, "b"))
            uow.commit()

    with make_uow() as first:
        claimed_a = [m.id or 0 for m in first.outbox.claim_due(NOW, 4, "a")]
        thread = threading.Thread(target=worker_b)
        thread.start()
        # PostgreSQL: B skips A's locked rows and finishes at once. SQLite: B waits for the
        # write lock until A commits, then sees A's rows as claimed.
        thread.join(timeout=1.0)
        if database.backend == "postgresql":
            assert not thread.is_alive(), "SKIP LOCKED should not wait for worker A"
        first.commit()
    thread.join(timeout=10)
    assert not thread.is_alive()
    assert len(claimed_a) == 4
    assert len(claimed_b) == 6
    assert not set(claimed_a) & set(claimed_b)


# ---- urgency: the most urgent due level first (issue 12) -------------------------------------


def _keys(claimed: list[Outbox]) -> list[str]:
    return [m.key for m in claimed]


def test_claim_due_takes_only_the_most_urgent_level_that_is_due(make_uow: MakeUow) -> None:
    user = _user(make_uow)
    minute = timedelta(minutes=1)
    with make_uow() as uow:
        _enqueue(uow, user, "in-3-days", due_at=NOW - 10 * minute, priority=2)
        _enqueue(uow, user, "tomorrow", due_at=NOW - 5 * minute, priority=1)
        _enqueue(uow, user, "today-b", due_at=NOW - minute, priority=0)
        _enqueue(uow, user, "today-a", due_at=NOW - 2 * minute, priority=0)
        _enqueue(uow, user, "today-not-yet", due_at=NOW + minute, priority=0)
        _enqueue(uow, user, "today-stale", due_at=NOW - minute, expires_at=NOW, priority=0)
        _enqueue(uow, user, "reply")  # a handler's reply: the default, most urgent
        uow.commit()
    with make_uow() as uow:
        # Level 0, oldest first; the one not due yet and the expired one do not hold it open.
        assert _keys(uow.outbox.claim_due(NOW, 10, "w")) == ["today-a", "today-b", "reply"]
        uow.commit()
    with make_uow() as uow:
        assert uow.outbox.claim_due(NOW, 10, "w", max_priority=0) == []
        assert _keys(uow.outbox.claim_due(NOW, 10, "w")) == ["tomorrow"]
        assert _keys(uow.outbox.claim_due(NOW, 10, "w")) == ["in-3-days"]
        assert uow.outbox.claim_due(NOW, 10, "w") == []
        # A minute on, the urgent one is due: it comes before anything less urgent would.
        assert _keys(uow.outbox.claim_due(NOW + minute, 10, "w")) == ["today-not-yet"]
        uow.commit()


def test_a_batch_limit_leaves_the_rest_of_the_level_for_the_next_claim(
    make_uow: MakeUow,
) -> None:
    user = _user(make_uow)
    with make_uow() as uow:
        for n in range(3):
            _enqueue(uow, user, f"u{n}", due_at=NOW - timedelta(seconds=10 - n), priority=0)
        _enqueue(uow, user, "digest", due_at=NOW - timedelta(hours=1), priority=2)
        uow.commit()
    with make_uow() as uow:
        assert _keys(uow.outbox.claim_due(NOW, 2, "w")) == ["u0", "u1"]
        assert _keys(uow.outbox.claim_due(NOW, 2, "w")) == ["u2"]
        assert _keys(uow.outbox.claim_due(NOW, 2, "w")) == ["digest"]
        uow.commit()


def test_a_lapsed_claim_is_taken_over_at_its_own_level(make_uow: MakeUow) -> None:
    user = _user(make_uow)
    with make_uow() as uow:
        _enqueue(uow, user, "tomorrow", due_at=NOW - timedelta(minutes=1), priority=1)
        uow.outbox.claim_due(NOW, 1, "dead-worker", lease=timedelta(minutes=5))
        _enqueue(uow, user, "in-3-days", due_at=NOW, priority=2)
        uow.commit()
    later = NOW + timedelta(minutes=6)
    with make_uow() as uow:
        _enqueue(uow, user, "overdue", due_at=later, priority=0)
        uow.commit()
    with make_uow() as uow:
        assert _keys(uow.outbox.claim_due(later, 10, "w2")) == ["overdue"]
        taken = uow.outbox.claim_due(later, 10, "w2")
        assert [(m.key, m.locked_by, m.attempts) for m in taken] == [("tomorrow", "w2", 2)]
        assert _keys(uow.outbox.claim_due(later, 10, "w2")) == ["in-3-days"]
        uow.commit()


def test_concurrent_workers_claim_the_urgent_level_before_the_rest(
    make_uow: MakeUow, database: Database
) -> None:
    user = _user(make_uow)
    with make_uow() as uow:
        for n in range(6):
            _enqueue(uow, user, f"urgent{n}", due_at=NOW - timedelta(seconds=n), priority=0)
        for n in range(3):
            _enqueue(uow, user, f"digest{n}", due_at=NOW - timedelta(hours=1), priority=2)
        uow.commit()

    claimed_b: list[str] = []

    def worker_b() -> None:
        with make_uow() as uow:
            claimed_b.extend(_keys(uow.outbox.claim_due(NOW, 10, "b")))
            uow.commit()

    with make_uow() as first:
        claimed_a = _keys(first.outbox.claim_due(NOW, 4, "a"))
        thread = threading.Thread(target=worker_b)
        thread.start()
        # PostgreSQL: B skips A's four locked rows and takes the other two urgent ones, not the
        # digests (A's rows still count for the level). SQLite: B waits for the write lock,
        # then sees A's rows claimed: the same two.
        thread.join(timeout=1.0)
        if database.backend == "postgresql":
            assert not thread.is_alive(), "SKIP LOCKED should not wait for worker A"
        first.commit()
    thread.join(timeout=10)
    assert not thread.is_alive()
    # Oldest first: urgent5 is the one due earliest.
    assert claimed_a == ["urgent5", "urgent4", "urgent3", "urgent2"]
    assert claimed_b == ["urgent1", "urgent0"]
