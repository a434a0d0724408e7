"""What every repository shares: the session and dialect-specific INSERT … ON CONFLICT."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, TypeVar

from sqlalchemy import Connection, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

#: Session.info key: the current transaction wrote something (``SqlUnitOfWork.has_writes``).
WROTE = "wrote"
#: Values per ``IN (…)`` list: well inside SQLite's and PostgreSQL's limits on parameters.
IN_CHUNK = 500

Key = TypeVar("Key", int, str)


def chunks(keys: Iterable[Key]) -> Iterator[list[Key]]:
    """``keys`` without repeats, sorted (concurrent writers lock rows in the same order), in
    lists of at most ``IN_CHUNK``."""
    wanted = sorted(set(keys))
    for start in range(0, len(wanted), IN_CHUNK):
        yield wanted[start : start + IN_CHUNK]


def upsert_insert(dialect: str, entity: Any) -> postgresql.Insert | sqlite.Insert:
    """An INSERT that supports ON CONFLICT on ``dialect`` (a dialect name)."""
    if dialect == "postgresql":
        return postgresql.insert(entity)
    if dialect == "sqlite":
        return sqlite.insert(entity)
    raise NotImplementedError(f"unsupported database: {dialect}")


def table_of(model: Any) -> Table:
    """The table a model is mapped to, for Core statements."""
    table: Table = model.__table__
    return table


class Repository:
    """A repository works inside its unit of work's session: it may flush, never commit."""

    def __init__(self, session: Session) -> None:
        self._session = session

    @property
    def _dialect(self) -> str:
        return self._session.get_bind().dialect.name

    def _upsert_insert(self, entity: Any) -> postgresql.Insert | sqlite.Insert:
        """An INSERT that supports ON CONFLICT on both backends."""
        return upsert_insert(self._dialect, entity)

    def _core(self) -> Connection:
        """The session's connection, for a Core statement built once (no ORM machinery: it costs
        more than the statement); pending changes are flushed first, as an ORM statement would."""
        session = self._session
        if session.autoflush:
            session.flush()
        return session.connection()

    def _wrote(self) -> None:
        """Tell the unit of work that a Core statement wrote (a flush would have told it)."""
        self._session.info[WROTE] = True
