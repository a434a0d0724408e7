"""Test databases: a new SQLite file, or a throwaway PostgreSQL schema (TEST_DATABASE_URL)."""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import pytest
from sqlalchemy import Engine

from tracker.storage.db import make_engine

PG_URL = os.environ.get("TEST_DATABASE_URL")

BACKENDS = [
    "sqlite",
    pytest.param(
        "postgresql",
        marks=[
            pytest.mark.postgres,
            pytest.mark.skipif(not PG_URL, reason="TEST_DATABASE_URL is not set"),
        ],
    ),
]


@dataclass
class Database:
    """Where a test database lives and how to connect to it."""

    backend: str
    url: str
    connect_args: dict[str, Any] = field(default_factory=dict)
    schema: str | None = None

    def engine(self) -> Engine:
        """A new engine on this database (the caller disposes of it)."""
        return make_engine(self.url, connect_args=self.connect_args)

    @property
    def process_url(self) -> str:
        """The URL alone, for another process (PostgreSQL: the test's schema in the URL)."""
        if self.schema is None:
            return self.url
        path = quote(f"-csearch_path={self.schema}")
        return f"{self.url}{'&' if '?' in self.url else '?'}options={path}"


@contextlib.contextmanager
def fresh_database(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    """An empty database: a new SQLite file, or a new PostgreSQL schema dropped afterwards."""
    if backend == "sqlite":
        path = tmp_path_factory.mktemp("db") / "nested" / "repaybot.sqlite3"
        yield Database("sqlite", f"sqlite:///{path}")
        return
    assert PG_URL is not None
    schema = f"repaybot_test_{secrets.token_hex(6)}"
    admin = make_engine(PG_URL)
    with admin.begin() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    try:
        # search_path holds only this schema, so tables and alembic_version are created there.
        yield Database("postgresql", PG_URL, {"options": f"-csearch_path={schema}"}, schema)
    finally:
        with admin.begin() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()
