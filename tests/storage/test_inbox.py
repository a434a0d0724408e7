"""The update inbox: stored once, pending until handled, a reused id after a week is new."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from tracker.storage.repositories import UPDATE_ID_REUSE
from tracker.storage.uow import SqlUnitOfWork

MakeUow = Callable[[], SqlUnitOfWork]
NOW = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)


def _ids(n: int) -> list[int]:
    """Update ids no other test uses (the database is shared by a backend's tests)."""
    base = 10**12 + secrets.randbelow(10**11) * 10
    return [base + i for i in range(n)]


def test_an_update_is_stored_once_and_pending_until_handled(make_uow: MakeUow) -> None:
    first, second = _ids(2)
    with make_uow() as uow:
        assert uow.inbox.store(first, '{"update_id": 1}', NOW)
        assert not uow.inbox.store(first, '{"update_id": 1}', NOW + timedelta(minutes=1))
        assert uow.inbox.store(second, '{"update_id": 2}', NOW)
        uow.commit()
    with make_uow() as uow:
        pending = {row.update_id: row.payload for row in uow.inbox.pending()}
        assert pending[first] == '{"update_id": 1}'
        assert second in pending
        uow.processed_updates.mark_processed(first, NOW)  # handled, with its effects
        uow.commit()
    with make_uow() as uow:
        pending_ids = {row.update_id for row in uow.inbox.pending()}
        assert first not in pending_ids
        assert second in pending_ids


def test_an_id_seen_more_than_a_week_ago_is_a_new_update(make_uow: MakeUow) -> None:
    (update_id,) = _ids(1)
    with make_uow() as uow:
        assert uow.inbox.store(update_id, '{"old": true}', NOW)
        uow.processed_updates.mark_processed(update_id, NOW)
        uow.commit()
    later = NOW + UPDATE_ID_REUSE + timedelta(minutes=1)
    with make_uow() as uow:
        assert not uow.inbox.store(update_id, "{}", NOW + UPDATE_ID_REUSE)  # within the week
        assert uow.inbox.store(update_id, '{"new": true}', later)
        uow.commit()
    with make_uow() as uow:
        assert not uow.processed_updates.is_processed(update_id)
        pending = {row.update_id: row.payload for row in uow.inbox.pending()}
        assert pending[update_id] == '{"new": true}'


def test_prune_forgets_only_what_is_older_than_the_cut(make_uow: MakeUow) -> None:
    old, new = _ids(2)
    with make_uow() as uow:
        uow.inbox.store(old, "{}", NOW - timedelta(days=8))
        uow.inbox.store(new, "{}", NOW)
        uow.commit()
    with make_uow() as uow:
        assert uow.inbox.prune(NOW - UPDATE_ID_REUSE) >= 1
        uow.commit()
    with make_uow() as uow:
        pending_ids = {row.update_id for row in uow.inbox.pending()}
        assert old not in pending_ids
        assert new in pending_ids
