"""The inbox: Telegram updates as received, kept until handled, and the ids already handled."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import Select, bindparam, delete, exists, or_
from sqlalchemy import select as sa_select
from sqlalchemy.sql.dml import ReturningInsert
from sqlmodel import col, select

from tracker.storage.models import InboxUpdate, ProcessedUpdate
from tracker.storage.repositories.base import Repository, chunks, table_of, upsert_insert

_PROCESSED = table_of(ProcessedUpdate)


@cache
def _mark_processed_statement(dialect: str) -> ReturningInsert[Any]:
    return (
        upsert_insert(dialect, _PROCESSED)
        .on_conflict_do_nothing(index_elements=["update_id"])
        .returning(_PROCESSED.c.update_id)
    )


class ProcessedUpdateRepository(Repository):
    """Telegram update ids already handled."""

    def mark_processed(self, update_id: int, at: datetime) -> bool:
        """Record the update; False if it was recorded before (a redelivery)."""
        values = {"update_id": update_id, "processed_at": at}
        result = self._core().execute(_mark_processed_statement(self._dialect), values)
        return result.first() is not None

    def is_processed(self, update_id: int) -> bool:
        """Whether the update was handled already."""
        return self._session.get(ProcessedUpdate, update_id) is not None

    def prune(self, before: datetime) -> int:
        """Forget updates processed before ``before`` (Telegram redelivers within a day)."""
        statement = delete(ProcessedUpdate).where(col(ProcessedUpdate.processed_at) < before)
        return int(self._session.exec(statement).rowcount)


#: Telegram may start update ids again after a week without updates, so an id is "the same
#: update" only within this window (the Bot API docs, getUpdates: "update identifiers start from a
#: certain positive number … If there are no new updates for at least a week, then identifier of
#: the next update will be chosen randomly").
UPDATE_ID_REUSE = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class StoredUpdate:
    """An update from the inbox: its id and the JSON Telegram sent."""

    update_id: int
    payload: str


_INBOX = table_of(InboxUpdate)


@dataclass(frozen=True, slots=True)
class NewUpdate:
    """An update to keep in the inbox (see ``InboxRepository.store_many``)."""

    update_id: int
    #: The update's JSON, as Telegram sent it.
    payload: str
    #: Who sent it (None for updates without a user).
    telegram_user_id: int | None = None


# Built once per dialect like the outbox's statements: every update runs one of them.
@cache
def _store_one_statement(dialect: str) -> ReturningInsert[Any]:
    # The usual case in one statement: a new id, never handled.
    update_id = bindparam("update_id", type_=_INBOX.c.update_id.type)
    unseen = ~exists().where(_PROCESSED.c.update_id == update_id)
    values = select(
        update_id,
        bindparam("payload", type_=_INBOX.c.payload.type),
        bindparam("received_at", type_=_INBOX.c.received_at.type),
        bindparam("telegram_user_id", type_=_INBOX.c.telegram_user_id.type),
    ).where(unseen)
    return (
        upsert_insert(dialect, _INBOX)
        .from_select(["update_id", "payload", "received_at", "telegram_user_id"], values)
        .on_conflict_do_nothing(index_elements=["update_id"])
        .returning(_INBOX.c.update_id)
    )


@cache
def _handled_among_statement() -> Select[int]:
    return sa_select(_PROCESSED.c.update_id).where(
        _PROCESSED.c.update_id.in_(bindparam("ids", expanding=True))
    )


@cache
def _store_many_statement(dialect: str) -> ReturningInsert[Any]:
    # Run with a list of rows: SQLAlchemy sends them as one multi-row INSERT (insertmanyvalues).
    return (
        upsert_insert(dialect, _INBOX)
        .on_conflict_do_nothing(index_elements=["update_id"])
        .returning(_INBOX.c.update_id)
    )


def _values(row: NewUpdate, at: datetime) -> dict[str, Any]:
    """The inbox row's columns for ``row``, received ``at``."""
    return {
        "update_id": row.update_id,
        "payload": row.payload,
        "received_at": at,
        "telegram_user_id": row.telegram_user_id,
    }


class InboxRepository(Repository):
    """Telegram updates as received, kept until handled (see ``InboxUpdate``)."""

    def store(
        self, update_id: int, payload: str, at: datetime, *, telegram_user_id: int | None = None
    ) -> bool:
        """Keep the update; False if it is here already or was handled (a redelivery): then it
        need not be queued.

        An id last seen more than ``UPDATE_ID_REUSE`` ago is a new update that reuses it: the old
        row and its "handled" mark are replaced.
        """
        row = NewUpdate(update_id, payload, telegram_user_id)
        result = self._core().execute(_store_one_statement(self._dialect), _values(row, at))
        return result.first() is not None or self._store_seen(row, at)

    def store_many(self, rows: Sequence[NewUpdate], at: datetime) -> set[int]:
        """``store`` for a batch (a ``getUpdates`` answer): the ids stored, to be queued.

        The usual case, ids new and never handled, takes two statements for the whole batch;
        the other ids go through ``store``'s rules one by one. An id twice in the batch counts
        once, as its first row.
        """
        first: dict[int, NewUpdate] = {}
        for row in rows:
            first.setdefault(row.update_id, row)
        unique = list(first.values())
        if not unique:
            return set()
        if len(unique) == 1:  # one statement instead of two (a quiet bot's batches)
            (row,) = unique
            new = self.store(row.update_id, row.payload, at, telegram_user_id=row.telegram_user_id)
            return {row.update_id} if new else set()
        core = self._core()
        handled: set[int] = set()
        for chunk in chunks(row.update_id for row in unique):
            handled.update(core.execute(_handled_among_statement(), {"ids": chunk}).scalars())
        # In id order, so that concurrent writers of the same ids lock them in the same order.
        fresh = [row for row in unique if row.update_id not in handled]
        fresh.sort(key=lambda row: row.update_id)
        stored: set[int] = set()
        if fresh:
            values = [_values(row, at) for row in fresh]
            result = core.execute(_store_many_statement(self._dialect), values)
            stored.update(result.scalars())
        for row in unique:
            if row.update_id not in stored and self._store_seen(row, at):
                stored.add(row.update_id)
        return stored

    def _store_seen(self, row: NewUpdate, at: datetime) -> bool:
        """``store`` for an id the inbox or ``processed_updates`` holds (or held a moment ago)."""
        update_id = row.update_id
        existing = self._session.get(InboxUpdate, update_id)
        if existing is None and self._session.get(ProcessedUpdate, update_id) is not None:
            return False  # handled, and its inbox row pruned (or stored before the inbox)
        if existing is not None:
            if existing.received_at >= at - UPDATE_ID_REUSE:
                return False
            self._session.delete(existing)
            self._session.exec(
                delete(ProcessedUpdate).where(col(ProcessedUpdate.update_id) == update_id)
            )
            self._session.flush()
        statement = (
            self._upsert_insert(InboxUpdate)
            .values(
                update_id=update_id,
                payload=row.payload,
                received_at=at,
                telegram_user_id=row.telegram_user_id,
            )
            .on_conflict_do_nothing(index_elements=["update_id"])
            .returning(col(InboxUpdate.update_id))
        )
        return self._session.exec(statement).first() is not None

    def pending(
        self, limit: int = 1000, *, shard_index: int = 0, shard_count: int = 1
    ) -> list[StoredUpdate]:
        """Stored updates not handled yet, oldest first (what a restart must still do); with
        several worker processes, those of one shard (Telegram user id modulo ``shard_count``;
        updates without a user belong to shard 0)."""
        handled = select(ProcessedUpdate.update_id).where(
            col(ProcessedUpdate.update_id) == col(InboxUpdate.update_id)
        )
        statement = (
            select(InboxUpdate.update_id, InboxUpdate.payload)
            .where(~handled.exists())
            .order_by(col(InboxUpdate.received_at), col(InboxUpdate.update_id))
            .limit(limit)
        )
        if shard_count > 1:
            sender = col(InboxUpdate.telegram_user_id)
            mine = sender % shard_count == shard_index
            statement = statement.where(or_(sender.is_(None), mine) if shard_index == 0 else mine)
        return [StoredUpdate(uid, payload) for uid, payload in self._session.exec(statement)]

    def forget_user(self, telegram_user_id: int) -> int:
        """Delete the stored updates a user sent (they hold what the user typed)."""
        statement = delete(InboxUpdate).where(col(InboxUpdate.telegram_user_id) == telegram_user_id)
        return int(self._session.exec(statement).rowcount)

    def prune(self, before: datetime) -> int:
        """Forget updates received before ``before``, handled or not (nothing replays them)."""
        statement = delete(InboxUpdate).where(col(InboxUpdate.received_at) < before)
        return int(self._session.exec(statement).rowcount)
