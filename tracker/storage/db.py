"""Engines and session factories, built at start-up from a database URL."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.orm import sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry, StaticPool
from sqlmodel import Session

from tracker.storage import sqlite_gate

#: How long a SQLite writer waits for another writer before "database is locked".
SQLITE_BUSY_TIMEOUT_MS = 5000

#: Execution option for a transaction that only reads: on SQLite it begins DEFERRED, so it takes
#: no write lock (under WAL it reads a snapshot while writers commit); elsewhere it is ignored.
READ_ONLY = "repaybot_read_only"

_POSTGRES_SCHEMES = {"postgres": "postgresql+psycopg", "postgresql": "postgresql+psycopg"}


def normalise_url(url: str) -> str:
    """Point ``postgres://`` and ``postgresql://`` URLs at psycopg 3; leave others alone."""
    scheme, sep, rest = url.partition("://")
    if sep and scheme in _POSTGRES_SCHEMES:
        return f"{_POSTGRES_SCHEMES[scheme]}://{rest}"
    return url


def _is_memory(parsed: URL) -> bool:
    database = parsed.database or ""
    return database in ("", ":memory:") or "mode=memory" in database


def make_engine(
    url: str,
    *,
    connect_args: Mapping[str, Any] | None = None,
    echo: bool = False,
    sqlite_foreign_keys: bool = True,
) -> Engine:
    """Create an engine for SQLite or PostgreSQL (psycopg 3) with repaybot's settings."""
    # sqlite_foreign_keys=False is for migrations only: SQLite batch migrations copy and drop
    # tables, and with foreign keys on, dropping a parent would cascade-delete its children.
    parsed = make_url(normalise_url(url))
    args: dict[str, Any] = dict(connect_args or {})
    if parsed.get_backend_name() != "sqlite":
        return create_engine(parsed, connect_args=args, echo=echo, pool_pre_ping=True)

    kwargs: dict[str, Any] = {}
    gate: Path | None = None
    if _is_memory(parsed):
        # Every new connection to :memory: would be a new, empty database.
        kwargs["poolclass"] = StaticPool
    elif parsed.database and not parsed.database.startswith("file:"):
        path = Path(parsed.database).expanduser()
        path.parent.mkdir(parents=True, exist_ok=True)
        gate = path.with_name(f"{path.name}-gate")
    # The bot calls the database from worker threads; the pool keeps one thread per connection.
    args.setdefault("check_same_thread", False)
    engine = create_engine(parsed, connect_args=args, echo=echo, **kwargs)
    _configure_sqlite(engine, foreign_keys=sqlite_foreign_keys)
    if gate is not None:
        # Writers of several processes (bot.workers) hand the write lock over without sleeping.
        sqlite_gate.install(engine, str(gate))
    return engine


def _configure_sqlite(engine: Engine, *, foreign_keys: bool) -> None:
    foreign_keys_pragma = "PRAGMA foreign_keys=ON" if foreign_keys else "PRAGMA foreign_keys=OFF"

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
        # Take BEGIN away from the sqlite3 module, which skips it before SELECT and SAVEPOINT;
        # SQLAlchemy emits it in _on_begin, so transactions and savepoints are real.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(foreign_keys_pragma)
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS:d}")
            # WAL lets readers proceed while one writer commits; NORMAL is durable under WAL.
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        # IMMEDIATE takes the write lock up front: a deferred transaction that reads and then
        # writes fails at once with SQLITE_BUSY when another writer got in between, whereas
        # IMMEDIATE waits out busy_timeout. It serialises units of work, which SQLite does anyway.
        # A unit of work that only reads (READ_ONLY) needs no lock: a long scan read must not
        # keep the sender from marking what Telegram accepted.
        # Straight to the driver: SQLAlchemy's statement machinery costs more than BEGIN itself.
        driver = connection.connection.driver_connection
        assert driver is not None  # a connection being begun is checked out
        if connection.get_execution_options().get(READ_ONLY):
            driver.execute("BEGIN")
        else:
            sqlite_gate.take(connection, SQLITE_BUSY_TIMEOUT_MS / 1000)
            driver.execute("BEGIN IMMEDIATE")


def read_only(session: Session) -> None:
    """Begin ``session``'s transaction as a read (no SQLite write lock); call before any query."""
    session.connection(execution_options={READ_ONLY: True})


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions for units of work; objects stay readable after commit for replying."""
    return sessionmaker(bind=engine, class_=Session, expire_on_commit=False)
