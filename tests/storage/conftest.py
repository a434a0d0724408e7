"""Databases for storage tests: a migrated SQLite file, and PostgreSQL in a throwaway schema."""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import Engine

from tracker.storage.db import make_engine, make_session_factory
from tracker.storage.migrate import upgrade
from tracker.storage.models import metadata
from tracker.storage.uow import SqlUnitOfWork

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


@pytest.fixture(scope="session", params=BACKENDS)
def database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Database]:
    """A database migrated to head, shared by the test run of one backend."""
    with fresh_database(request.param, tmp_path_factory) as db:
        upgrade(db.url, connect_args=db.connect_args)
        yield db


@pytest.fixture(scope="session")
def _shared_engine(database: Database) -> Iterator[Engine]:
    engine = database.engine()
    yield engine
    engine.dispose()


@pytest.fixture
def engine(_shared_engine: Engine, database: Database) -> Iterator[Engine]:
    """The engine of the migrated database; every table is emptied after the test."""
    yield _shared_engine
    tables = list(reversed(metadata.sorted_tables))
    with _shared_engine.begin() as connection:
        if database.backend == "postgresql":
            names = ", ".join(f'"{table.name}"' for table in tables)
            connection.exec_driver_sql(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
        else:
            for table in tables:
                connection.execute(table.delete())


@pytest.fixture
def make_uow(engine: Engine) -> Callable[[], SqlUnitOfWork]:
    """Make units of work on the test database (one per concurrent actor)."""
    factory = make_session_factory(engine)
    return lambda: SqlUnitOfWork(factory)


@pytest.fixture
def uow(make_uow: Callable[[], SqlUnitOfWork]) -> SqlUnitOfWork:
    """A unit of work on the test database."""
    return make_uow()
