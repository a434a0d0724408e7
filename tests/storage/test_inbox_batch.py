"""A batch of updates (a getUpdates answer) is stored by the same rules as one update at a time."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import event

from tracker.storage.repositories import UPDATE_ID_REUSE, NewUpdate
from tracker.storage.uow import SqlUnitOfWork

MakeUow = Callable[[], SqlUnitOfWork]
NOW = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)


def _ids(n: int) -> list[int]:
    """Update ids no other test uses (the database is shared by a backend's tests)."""
    base = 2 * 10**12 + secrets.randbelow(10**11) * 10
    return [base + i for i in range(n)]


def _pending(make_uow: MakeUow) -> dict[int, str]:
    with make_uow() as uow:
        return {row.update_id: row.payload for row in uow.inbox.pending()}


def test_new_updates_are_stored_with_their_sender_and_returned(make_uow: MakeUow) -> None:
    ids = _ids(3)
    rows = [NewUpdate(i, f'{{"update_id":{i}}}', telegram_user_id=7 + n) for n, i in enumerate(ids)]
    with make_uow() as uow:
        assert uow.inbox.store_many(rows, NOW) == set(ids)
        uow.commit()
    pending = _pending(make_uow)
    assert {i: pending[i] for i in ids} == {row.update_id: row.payload for row in rows}
    with make_uow() as uow:  # the sender is kept: /deletedata forgets their updates
        assert uow.inbox.forget_user(8) == 1
        uow.commit()
    assert ids[1] not in _pending(make_uow)


def test_only_updates_never_seen_are_returned(make_uow: MakeUow) -> None:
    """A handled update, pruned or not, and one stored a moment ago are redeliveries."""
    handled, handled_pruned, stored, new = _ids(4)
    with make_uow() as uow:
        assert uow.inbox.store(handled, "{}", NOW - timedelta(hours=1))
        assert uow.inbox.store(stored, '{"first": true}', NOW - timedelta(hours=1))
        uow.processed_updates.mark_processed(handled, NOW - timedelta(hours=1))
        uow.processed_updates.mark_processed(handled_pruned, NOW - timedelta(hours=1))
        uow.commit()
    rows = [NewUpdate(i, '{"again": true}') for i in (handled, handled_pruned, stored, new)]
    with make_uow() as uow:
        assert uow.inbox.store_many(rows, NOW) == {new}
        uow.commit()
    pending = _pending(make_uow)
    assert handled not in pending
    assert handled_pruned not in pending
    assert pending[stored] == '{"first": true}'  # kept as first received
    assert new in pending


def test_an_id_seen_more_than_a_week_ago_is_a_new_update(make_uow: MakeUow) -> None:
    old_handled, old_pending, recent, new = _ids(4)
    with make_uow() as uow:
        assert uow.inbox.store(old_handled, '{"old": true}', NOW)
        assert uow.inbox.store(old_pending, '{"old": true}', NOW)
        uow.processed_updates.mark_processed(old_handled, NOW)
        uow.commit()
    later = NOW + UPDATE_ID_REUSE + timedelta(minutes=1)
    with make_uow() as uow:
        assert uow.inbox.store(recent, "{}", later - timedelta(days=1))
        uow.commit()
    rows = [NewUpdate(i, '{"new": true}') for i in (old_handled, old_pending, recent, new)]
    with make_uow() as uow:
        assert uow.inbox.store_many(rows, later) == {old_handled, old_pending, new}
        uow.commit()
    with make_uow() as uow:
        assert not uow.processed_updates.is_processed(old_handled)
    pending = _pending(make_uow)
    assert pending[old_handled] == pending[old_pending] == '{"new": true}'
    assert pending[recent] == "{}"


def test_an_id_twice_in_a_batch_is_stored_once_as_first_sent(make_uow: MakeUow) -> None:
    first, second = _ids(2)
    rows = [NewUpdate(first, '{"n": 1}'), NewUpdate(second, "{}"), NewUpdate(first, '{"n": 2}')]
    with make_uow() as uow:
        assert uow.inbox.store_many(rows, NOW) == {first, second}
        uow.commit()
    assert _pending(make_uow)[first] == '{"n": 1}'


def test_a_batch_of_one_follows_the_same_rules(make_uow: MakeUow) -> None:
    (update_id,) = _ids(1)
    with make_uow() as uow:
        assert uow.inbox.store_many([NewUpdate(update_id, "{}")], NOW) == {update_id}
        assert uow.inbox.store_many([NewUpdate(update_id, "{}")], NOW) == set()
        assert uow.inbox.store_many([], NOW) == set()
        uow.processed_updates.mark_processed(update_id, NOW)
        uow.commit()
    later = NOW + UPDATE_ID_REUSE + timedelta(minutes=1)
    with make_uow() as uow:
        assert uow.inbox.store_many([NewUpdate(update_id, '{"new": true}')], later) == {update_id}
        uow.commit()
    assert _pending(make_uow)[update_id] == '{"new": true}'


def test_a_batch_of_new_updates_takes_two_statements(make_uow: MakeUow) -> None:
    """Which of the ids were handled, then one INSERT for the rest: not a round trip each."""
    rows = [NewUpdate(i, "{}", telegram_user_id=i % 5) for i in _ids(100)]
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    with make_uow() as uow:
        engine = uow.session.get_bind()
        event.listen(engine, "before_cursor_execute", count)
        try:
            assert len(uow.inbox.store_many(rows, NOW)) == 100
        finally:
            event.remove(engine, "before_cursor_execute", count)
        uow.commit()
    assert len([s for s in statements if "inbox_updates" in s or "processed" in s]) == 2
