"""Coordination between replicas on one PostgreSQL database: per-user locks and the inbox
queries that keep one user's updates in order wherever they arrived.

The locks are PostgreSQL *session-level* advisory locks, all held on one dedicated connection in
autocommit mode: no transaction stays open while an update is handled (the handler still talks to
Telegram with its lock held), and when a replica dies its connection closes and PostgreSQL frees
its locks at once — no lease to expire. One session may hold many locks, so one connection serves
every user a replica handles at a time; the caller must not take the same key twice at once
(session locks are re-entrant), which the replica's in-process per-user lock already ensures.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from datetime import datetime

import psycopg
from sqlalchemy.engine import make_url
from sqlmodel import Session, col, select

from tracker.storage.db import normalise_url
from tracker.storage.models import InboxUpdate, ProcessedUpdate
from tracker.storage.repositories.inbox import StoredUpdate

logger = logging.getLogger(__name__)

#: Pauses between tries while another replica holds a user's lock (seconds).
FIRST_PAUSE = 0.005
LAST_PAUSE = 0.05
#: TCP keepalive on the locks' connection, both ends (seconds, seconds, probes): PostgreSQL's
#: default leaves a vanished replica's locks held for about two hours.
KEEPALIVE_IDLE = 10
KEEPALIVE_INTERVAL = 5
KEEPALIVE_COUNT = 3


def user_key(user_id: int) -> int:
    """The advisory lock key for a user or chat: a signed 64-bit hash, namespaced to repaybot."""
    digest = hashlib.blake2b(f"repaybot:user:{user_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def is_postgres(url: str) -> bool:
    """Whether a database URL points at PostgreSQL (replicas need it; SQLite is one process)."""
    return make_url(normalise_url(url)).get_backend_name() == "postgresql"


def libpq_url(url: str) -> str:
    """A SQLAlchemy PostgreSQL URL as psycopg's own connection string."""
    parsed = make_url(normalise_url(url)).set(drivername="postgresql")
    return parsed.render_as_string(hide_password=False)


class AdvisoryLocks:
    """Session-level advisory locks on a connection of their own (asyncio, psycopg 3)."""

    def __init__(self, url: str) -> None:
        self._conninfo = libpq_url(url)
        self._conn: psycopg.AsyncConnection[tuple[object, ...]] | None = None
        self._connecting = asyncio.Lock()

    async def _connection(self) -> psycopg.AsyncConnection[tuple[object, ...]]:
        async with self._connecting:
            if self._conn is None or self._conn.closed:
                conn = await psycopg.AsyncConnection.connect(
                    self._conninfo,
                    autocommit=True,
                    application_name="repaybot-locks",
                    # This side notices a server that is gone within about half a minute ...
                    keepalives=1,
                    keepalives_idle=KEEPALIVE_IDLE,
                    keepalives_interval=KEEPALIVE_INTERVAL,
                    keepalives_count=KEEPALIVE_COUNT,
                )
                # ... and the server a replica whose machine vanished (not only one that was
                # killed: its socket closes at once), freeing that replica's locks.
                for setting, value in (
                    ("tcp_keepalives_idle", KEEPALIVE_IDLE),
                    ("tcp_keepalives_interval", KEEPALIVE_INTERVAL),
                    ("tcp_keepalives_count", KEEPALIVE_COUNT),
                ):
                    await conn.execute("SELECT set_config(%s, %s, false)", (setting, str(value)))
                self._conn = conn
            return self._conn

    async def _try(self, key: int) -> bool:
        conn = await self._connection()
        try:
            cursor = await conn.execute("SELECT pg_try_advisory_lock(%s)", (key,))
        except psycopg.OperationalError:
            # The connection broke (and with it any lock it held): one new connection, one retry.
            logger.warning("advisory locks: the connection broke; reconnecting")
            await conn.close()
            conn = await self._connection()
            cursor = await conn.execute("SELECT pg_try_advisory_lock(%s)", (key,))
        row = await cursor.fetchone()
        return bool(row and row[0])

    async def acquire(self, key: int) -> None:
        """Wait until this replica holds ``key`` (polling: the connection is shared, so it never
        blocks on one key while other users' locks are taken and freed on it)."""
        pause = FIRST_PAUSE
        while not await self._try(key):
            await asyncio.sleep(pause)
            pause = min(pause * 2, LAST_PAUSE)

    async def release(self, key: int) -> None:
        """Free ``key`` (nothing to do if the connection broke: PostgreSQL freed it then)."""
        conn = self._conn
        if conn is None or conn.closed:
            return
        try:
            await conn.execute("SELECT pg_advisory_unlock(%s)", (key,))
        except psycopg.OperationalError:
            logger.warning("advisory locks: the connection broke while unlocking")

    async def close(self) -> None:
        """Close the connection (freeing every lock still held)."""
        if self._conn is not None:
            await self._conn.close()
            self._conn = None


def _unhandled() -> object:
    handled = select(ProcessedUpdate.update_id).where(
        col(ProcessedUpdate.update_id) == col(InboxUpdate.update_id)
    )
    return ~handled.exists()


def earlier_pending(
    session: Session, telegram_user_id: int, update_id: int, since: datetime
) -> list[StoredUpdate]:
    """The user's stored updates before ``update_id`` not handled yet, oldest first (received
    since ``since``: ids are reused after a week without updates)."""
    statement = (
        select(InboxUpdate.update_id, InboxUpdate.payload)
        .where(col(InboxUpdate.telegram_user_id) == telegram_user_id)
        .where(col(InboxUpdate.update_id) < update_id)
        .where(col(InboxUpdate.received_at) >= since)
        .where(_unhandled())  # type: ignore[arg-type]
        .order_by(col(InboxUpdate.update_id))
    )
    return [StoredUpdate(uid, payload) for uid, payload in session.exec(statement)]


def stale_pending(
    session: Session, received_after: datetime, received_before: datetime, limit: int
) -> list[StoredUpdate]:
    """Stored updates received in the window and still not handled (their replica stopped
    before handling them), oldest first. The window keeps the scan to recent rows: the inbox
    keeps handled updates for days."""
    statement = (
        select(InboxUpdate.update_id, InboxUpdate.payload)
        .where(col(InboxUpdate.received_at) >= received_after)
        .where(col(InboxUpdate.received_at) < received_before)
        .where(_unhandled())  # type: ignore[arg-type]
        .order_by(col(InboxUpdate.update_id))
        .limit(limit)
    )
    return [StoredUpdate(uid, payload) for uid, payload in session.exec(statement)]
