"""What every repository shares: the session and dialect-specific INSERT … ON CONFLICT."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session


class Repository:
    """A repository works inside its unit of work's session: it may flush, never commit."""

    def __init__(self, session: Session) -> None:
        self._session = session

    @property
    def _dialect(self) -> str:
        return self._session.get_bind().dialect.name

    def _upsert_insert(self, entity: Any) -> postgresql.Insert | sqlite.Insert:
        """An INSERT that supports ON CONFLICT on both backends."""
        if self._dialect == "postgresql":
            return postgresql.insert(entity)
        if self._dialect == "sqlite":
            return sqlite.insert(entity)
        raise NotImplementedError(f"unsupported database: {self._dialect}")
