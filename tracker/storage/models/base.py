"""The declarative base: its own metadata with a naming convention Alembic can rely on."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import MetaData
from sqlalchemy.orm import registry
from sqlmodel import SQLModel

#: Deterministic constraint names: SQLite batch migrations can only drop constraints by name.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

#: Every repaybot table, and nothing else imported into the process.
metadata = MetaData(naming_convention=NAMING_CONVENTION)

#: SQLite otherwise reuses the id of a deleted last row; ids appear in callback data and keys.
TABLE_OPTIONS: dict[str, Any] = {"sqlite_autoincrement": True}


def utcnow() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(UTC)


class Base(SQLModel, registry=registry(metadata=metadata)):
    """Base of all repaybot tables."""
