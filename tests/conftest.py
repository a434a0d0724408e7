"""Shared fixtures: a migrated database per backend, emptied after each test, and units of work."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import Engine

from tests.databases import BACKENDS, Database, fresh_database
from tracker.storage.db import make_session_factory
from tracker.storage.migrate import upgrade
from tracker.storage.models import metadata
from tracker.storage.uow import SqlUnitOfWork


@pytest.fixture(scope="session", params=BACKENDS)
def database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Database]:
    """A database migrated to head, shared by the test run of one backend."""
    with fresh_database(request.param, tmp_path_factory) as db:
        upgrade(db.url, connect_args=db.connect_args)
        yield db


@pytest.fixture(params=BACKENDS)
def own_database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Database]:
    """A database migrated to head for this test alone (its bot runs as a process of its own)."""
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
