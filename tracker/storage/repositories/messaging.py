"""The reminder outbox, bot persistence state, the update inbox and processed Telegram updates."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import and_, bindparam, case, delete, func, or_, update
from sqlalchemy.sql.dml import ReturningInsert
from sqlmodel import col, select

from tracker.storage.enums import OutboxStatus, StateNamespace
from tracker.storage.models import BotState, Outbox, utcnow
from tracker.storage.repositories.base import IN_CHUNK, Repository, chunks, table_of, upsert_insert

#: How long a claimed message stays with its worker before another may take it over.
DEFAULT_LEASE = timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class NewMessage:
    """A message to enqueue (see ``OutboxRepository.enqueue_many``)."""

    key: str
    user_id: int
    chat_id: int
    kind: str
    due_at: datetime
    payload: Mapping[str, Any] = field(default_factory=dict)
    expires_at: datetime | None = None
    #: 0 is the most urgent (``tracker.reminders.urgency``): claimed before anything less urgent.
    priority: int = 0


_OUTBOX = table_of(Outbox)


# Built once per dialect (every reply and every update runs them): building an INSERT and
# computing its cache key cost more than running it.
@cache
def _enqueue_statement(dialect: str) -> ReturningInsert[Any]:
    # ON CONFLICT DO NOTHING: a concurrent enqueue of the same key waits, then skips.
    return (
        upsert_insert(dialect, _OUTBOX)
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(_OUTBOX.c.id)
    )


class OutboxRepository(Repository):
    """Outgoing messages: enqueued once per key, claimed by one worker at a time."""

    def enqueue_once(
        self,
        key: str,
        *,
        user_id: int,
        chat_id: int,
        kind: str,
        due_at: datetime,
        payload: Mapping[str, Any] | str = "{}",
        expires_at: datetime | None = None,
        priority: int = 0,
    ) -> tuple[Outbox, bool]:
        """Insert the message unless ``key`` exists: (the stored message, created?)."""
        created = self.enqueue(
            key,
            user_id=user_id,
            chat_id=chat_id,
            kind=kind,
            due_at=due_at,
            payload=payload,
            expires_at=expires_at,
            priority=priority,
        )
        message = self.get_by_key(key)
        if message is None:  # pragma: no cover - the row was inserted or already there
            raise RuntimeError(f"outbox row {key!r} vanished")
        return message, created

    def enqueue(
        self,
        key: str,
        *,
        user_id: int,
        chat_id: int,
        kind: str,
        due_at: datetime,
        payload: Mapping[str, Any] | str = "{}",
        expires_at: datetime | None = None,
        priority: int = 0,
    ) -> bool:
        """Insert the message unless ``key`` exists; whether it was inserted (one statement)."""
        text = payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False)
        values = {
            "key": key,
            "user_id": user_id,
            "chat_id": chat_id,
            "kind": kind,
            "payload": text,
            "due_at": due_at,
            "expires_at": expires_at,
            "priority": priority,
            "status": OutboxStatus.PENDING,
            "attempts": 0,
            "next_attempt_at": due_at,
            "created_at": utcnow(),
        }
        result = self._core().execute(_enqueue_statement(self._dialect), values)
        return result.first() is not None

    def enqueue_many(self, messages: Iterable[NewMessage]) -> set[str]:
        """``enqueue_once`` for many messages, a few hundred per statement: the keys created.

        The same INSERT … ON CONFLICT DO NOTHING, in key order, so concurrent callers wait for
        each other's keys in the same order instead of deadlocking.
        """
        rows = [
            {
                "key": m.key,
                "user_id": m.user_id,
                "chat_id": m.chat_id,
                "kind": m.kind,
                "payload": json.dumps(m.payload, ensure_ascii=False),
                "due_at": m.due_at,
                "expires_at": m.expires_at,
                "priority": m.priority,
                "status": OutboxStatus.PENDING,
                "attempts": 0,
                "next_attempt_at": m.due_at,
                "created_at": utcnow(),
            }
            for m in sorted({m.key: m for m in messages}.values(), key=lambda m: m.key)
        ]
        created: set[str] = set()
        for start in range(0, len(rows), IN_CHUNK):
            statement = (
                self._upsert_insert(Outbox)
                .values(rows[start : start + IN_CHUNK])
                .on_conflict_do_nothing(index_elements=["key"])
                .returning(col(Outbox.key))
            )
            created.update(self._session.exec(statement).scalars().all())
        return created

    def get_by_key(self, key: str) -> Outbox | None:
        """The message enqueued under this key."""
        return self._session.exec(select(Outbox).where(col(Outbox.key) == key)).first()

    def get_for_user(self, user_id: int, outbox_id: int) -> Outbox | None:
        """The user's message with this id, else None (ids may come from buttons)."""
        row = self._session.get(Outbox, outbox_id)
        return row if row is not None and row.user_id == user_id else None

    def claim_due(
        self,
        now: datetime,
        limit: int,
        worker_id: str,
        *,
        lease: timedelta = DEFAULT_LEASE,
        max_priority: int | None = None,
    ) -> list[Outbox]:
        """Claim up to ``limit`` due messages for ``worker_id``; no row goes to two workers.

        Only the most urgent level (lowest ``priority``) that has a due message is claimed, in
        ``next_attempt_at``, id order: a sender that finishes a batch before claiming the next
        sends nothing less urgent while more urgent messages are due. ``max_priority`` leaves
        less urgent levels alone altogether (None: every level).
        """
        # One UPDATE … WHERE id IN (SELECT … WHERE priority = (SELECT min(priority) …) FOR
        # UPDATE SKIP LOCKED) … RETURNING: on PostgreSQL concurrent workers skip each other's
        # rows (the level is read without locks: rows another worker is claiming can make this
        # claim smaller or empty, never less urgent); on SQLite the UPDATE holds the only write
        # lock, so its condition is re-checked atomically. Claims whose lease ran out (a worker
        # died mid-send) are taken over; expired messages are left for drop_expired.
        if limit <= 0:
            return []
        claimable = [
            or_(
                and_(
                    col(Outbox.status) == OutboxStatus.PENDING,
                    col(Outbox.next_attempt_at) <= now,
                ),
                and_(
                    col(Outbox.status) == OutboxStatus.SENDING,
                    col(Outbox.locked_until) < now,
                ),
            ),
            or_(col(Outbox.expires_at).is_(None), col(Outbox.expires_at) > now),
        ]
        if max_priority is not None:
            claimable.append(col(Outbox.priority) <= max_priority)
        level = select(func.min(col(Outbox.priority))).where(*claimable).scalar_subquery()
        due = (
            select(col(Outbox.id))
            .where(*claimable, col(Outbox.priority) == level)
            .order_by(col(Outbox.next_attempt_at), col(Outbox.id))
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        statement = (
            update(Outbox)
            .where(col(Outbox.id).in_(due.scalar_subquery()))
            .values(
                status=OutboxStatus.SENDING,
                locked_by=worker_id,
                locked_until=now + lease,
                attempts=col(Outbox.attempts) + 1,
            )
            .returning(Outbox)
            .execution_options(synchronize_session=False, populate_existing=True)
        )
        claimed: list[Outbox] = list(self._session.exec(statement).scalars().all())
        return sorted(claimed, key=lambda m: (m.next_attempt_at, m.id or 0))

    def mark_sent_unclaimed(self, key: str, *, at: datetime, telegram_message_id: int) -> bool:
        """Record that the message ``key`` went out by another path (a handler's own reply),
        while no sender holds it; False if a sender claimed it meanwhile or it is gone."""
        statement = (
            update(Outbox)
            .where(col(Outbox.key) == key, col(Outbox.status) == OutboxStatus.PENDING)
            .values(status=OutboxStatus.SENT, sent_at=at, telegram_message_id=telegram_message_id)
        )
        return int(self._session.exec(statement).rowcount) > 0

    def mark_many_sent_unclaimed(self, sent: Sequence[tuple[str, int]], *, at: datetime) -> int:
        """``mark_sent_unclaimed`` for many (key, Telegram message id) pairs in one statement
        run; how many were marked."""
        if not sent:
            return 0
        table = Outbox.__table__  # type: ignore[attr-defined]
        statement = (
            update(table)
            .where(table.c.key == bindparam("mark_key"), table.c.status == OutboxStatus.PENDING)
            .values(status=OutboxStatus.SENT, sent_at=at, telegram_message_id=bindparam("mark_id"))
        )
        result = self._session.connection().execute(
            statement, [{"mark_key": key, "mark_id": message_id} for key, message_id in sent]
        )
        return int(result.rowcount)

    def mark_sent(
        self,
        outbox_id: int,
        *,
        worker_id: str,
        at: datetime,
        telegram_message_id: int | None = None,
    ) -> bool:
        """Record delivery; False if the claim was lost (lease ran out and another took it)."""
        return self._finish(
            outbox_id,
            worker_id,
            status=OutboxStatus.SENT,
            sent_at=at,
            telegram_message_id=telegram_message_id,
            last_error=None,
        )

    def mark_failed(self, outbox_id: int, *, worker_id: str, error: str) -> bool:
        """Give up on the message for good (e.g. the user blocked the bot)."""
        return self._finish(outbox_id, worker_id, status=OutboxStatus.FAILED, last_error=error)

    def reschedule(
        self,
        outbox_id: int,
        *,
        worker_id: str,
        next_attempt_at: datetime,
        error: str | None = None,
    ) -> bool:
        """Put the message back in the queue for another attempt (flood control, network)."""
        return self._finish(
            outbox_id,
            worker_id,
            status=OutboxStatus.PENDING,
            next_attempt_at=next_attempt_at,
            last_error=error,
        )

    def defer(
        self,
        outbox_id: int,
        *,
        worker_id: str,
        next_attempt_at: datetime,
        error: str | None = None,
    ) -> bool:
        """Like ``reschedule``, but the claim does not count as an attempt (flood control)."""
        return self._finish(
            outbox_id,
            worker_id,
            status=OutboxStatus.PENDING,
            next_attempt_at=next_attempt_at,
            last_error=error,
            attempts=case((col(Outbox.attempts) > 0, col(Outbox.attempts) - 1), else_=0),
        )

    def mark_dropped(self, outbox_id: int, *, worker_id: str, reason: str) -> bool:
        """Give up on a claimed message that is no longer worth sending (expired, obsolete)."""
        return self._finish(outbox_id, worker_id, status=OutboxStatus.DROPPED, last_error=reason)

    def claimants(self) -> list[str]:
        """The worker ids holding claims now (rows being sent), each once."""
        statement = (
            select(col(Outbox.locked_by))
            .where(col(Outbox.status) == OutboxStatus.SENDING, col(Outbox.locked_by).is_not(None))
            .distinct()
        )
        return sorted(worker for worker in self._session.exec(statement).all() if worker)

    def release_claims(self, worker_ids: Iterable[str]) -> int:
        """Put the rows that ``worker_ids`` claimed back in the queue at once, not at the end of
        their lease (their processes are gone); how many. The claim stays counted as an attempt:
        the process may have sent the message before it died."""
        released = 0
        for chunk in chunks(worker_ids):
            statement = (
                update(Outbox)
                .where(
                    col(Outbox.status) == OutboxStatus.SENDING,
                    col(Outbox.locked_by).in_(chunk),
                )
                .values(status=OutboxStatus.PENDING, locked_by=None, locked_until=None)
            )
            released += int(self._session.exec(statement).rowcount)
        return released

    def existing_keys(self, keys: Iterable[str]) -> set[str]:
        """Which of ``keys`` are in the outbox already, whatever their status."""
        found: set[str] = set()
        for chunk in chunks(keys):
            statement = select(col(Outbox.key)).where(col(Outbox.key).in_(chunk))
            found.update(self._session.exec(statement).all())
        return found

    def drop_pending_keys(self, keys: Iterable[str], *, reason: str) -> int:
        """Drop the pending messages among ``keys`` (e.g. older occasions a newer one replaces).

        Messages being sent, sent or finished are left alone. The keys are looked up through
        the unique index, in sorted order (concurrent callers lock rows in the same order).
        """
        dropped = 0
        for chunk in chunks(keys):
            statement = (
                update(Outbox)
                .where(
                    col(Outbox.key).in_(chunk),
                    col(Outbox.status) == OutboxStatus.PENDING,
                )
                .values(status=OutboxStatus.DROPPED, last_error=reason)
            )
            dropped += int(self._session.exec(statement).rowcount)
        return dropped

    def drop_expired(self, now: datetime) -> int:
        """Drop pending messages whose moment has passed; return how many."""
        statement = (
            update(Outbox)
            .where(
                col(Outbox.status) == OutboxStatus.PENDING,
                col(Outbox.expires_at).is_not(None),
                col(Outbox.expires_at) <= now,
            )
            .values(status=OutboxStatus.DROPPED)
        )
        return int(self._session.exec(statement).rowcount)

    def drop_pending(self, *, user_id: int | None = None, key_prefix: str | None = None) -> int:
        """Cancel pending messages of a user and/or whose key starts with ``key_prefix``."""
        if user_id is None and key_prefix is None:
            raise ValueError("give user_id or key_prefix")
        statement = update(Outbox).where(col(Outbox.status) == OutboxStatus.PENDING)
        if user_id is not None:
            statement = statement.where(col(Outbox.user_id) == user_id)
        if key_prefix is not None:
            statement = statement.where(col(Outbox.key).startswith(key_prefix, autoescape=True))
        statement = statement.values(status=OutboxStatus.DROPPED)
        return int(self._session.exec(statement).rowcount)

    def _finish(self, outbox_id: int, worker_id: str, **values: Any) -> bool:
        statement = (
            update(Outbox)
            .where(
                col(Outbox.id) == outbox_id,
                col(Outbox.status) == OutboxStatus.SENDING,
                col(Outbox.locked_by) == worker_id,
            )
            .values(locked_by=None, locked_until=None, **values)
        )
        return int(self._session.exec(statement).rowcount) == 1


class BotStateRepository(Repository):
    """python-telegram-bot persistence: JSON text per (namespace, key)."""

    def get(self, namespace: StateNamespace, key: str) -> str | None:
        """The stored JSON, or None."""
        statement = select(col(BotState.data)).where(
            col(BotState.namespace) == namespace, col(BotState.key) == key
        )
        return self._session.exec(statement).first()

    def all_in(self, namespace: StateNamespace) -> dict[str, str]:
        """Every key of a namespace with its JSON (PTB loads a store at once)."""
        statement = select(col(BotState.key), col(BotState.data)).where(
            col(BotState.namespace) == namespace
        )
        return {key: data for key, data in self._session.exec(statement).all()}

    def put(self, namespace: StateNamespace, key: str, data: str, at: datetime) -> None:
        """Insert or replace the JSON under (namespace, key)."""
        insert = self._upsert_insert(BotState).values(
            namespace=StateNamespace(namespace), key=key, data=data, updated_at=at
        )
        statement = insert.on_conflict_do_update(
            index_elements=["namespace", "key"],
            set_={"data": insert.excluded.data, "updated_at": insert.excluded.updated_at},
        )
        self._session.exec(statement)

    def delete(self, namespace: StateNamespace, key: str) -> bool:
        """Remove the entry; False if there was none."""
        statement = delete(BotState).where(
            col(BotState.namespace) == namespace, col(BotState.key) == key
        )
        return int(self._session.exec(statement).rowcount) > 0
