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
