"""The initial migration builds exactly the schema the models describe."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import inspect

from tests.databases import BACKENDS, Database, fresh_database
from tracker.storage import migrate
from tracker.storage.models import metadata


@pytest.fixture(params=BACKENDS)
def empty_database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Database]:
    with fresh_database(request.param, tmp_path_factory) as db:
        yield db


def _tables(db: Database) -> set[str]:
    engine = db.engine()
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_upgrade_from_empty_matches_models_and_round_trips(empty_database: Database) -> None:
    db = empty_database
    assert migrate.current(db.url, connect_args=db.connect_args) is None

    migrate.upgrade(db.url, connect_args=db.connect_args)
    assert migrate.current(db.url, connect_args=db.connect_args) == "0001"
    assert _tables(db) == set(metadata.tables) | {"alembic_version"}
    assert migrate.pending_changes(db.url, connect_args=db.connect_args) == []

    migrate.downgrade(db.url, "base", connect_args=db.connect_args)
    assert _tables(db) == {"alembic_version"}
    migrate.upgrade(db.url, connect_args=db.connect_args)
    assert migrate.pending_changes(db.url, connect_args=db.connect_args) == []


def test_the_comparison_does_notice_a_difference(empty_database: Database) -> None:
    db = empty_database
    migrate.upgrade(db.url, connect_args=db.connect_args)
    engine = db.engine()
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql("DROP INDEX ix_installments_active_due")
    finally:
        engine.dispose()
    changes = migrate.pending_changes(db.url, connect_args=db.connect_args)
    assert [change[0] for change in changes] == ["add_index"]
    assert changes[0][1].name == "ix_installments_active_due"


def test_alembic_version_lives_in_the_test_schema(database: Database) -> None:
    if database.schema is None:
        pytest.skip("PostgreSQL only")
    engine = database.engine()
    try:
        with engine.connect() as connection:
            schemas = (
                connection.exec_driver_sql(
                    "SELECT table_schema FROM information_schema.tables"
                    " WHERE table_name = 'alembic_version'"
                )
                .scalars()
                .all()
            )
            search_path = connection.exec_driver_sql("SHOW search_path").scalar()
    finally:
        engine.dispose()
    assert database.schema in schemas
    assert search_path == database.schema
