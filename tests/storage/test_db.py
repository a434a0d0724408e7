"""Engines: URL normalisation and SQLite settings."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from tracker.storage.db import make_engine, make_session_factory, normalise_url


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgres://u:p@h:5432/db", "postgresql+psycopg://u:p@h:5432/db"),
        ("postgresql://u@h/db?sslmode=require", "postgresql+psycopg://u@h/db?sslmode=require"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql+asyncpg://u@h/db", "postgresql+asyncpg://u@h/db"),
        ("sqlite:///data/repaybot.db", "sqlite:///data/repaybot.db"),
    ],
)
def test_normalise_url(url: str, expected: str) -> None:
    assert normalise_url(url) == expected


def test_postgres_url_uses_psycopg_without_connecting() -> None:
    engine = make_engine("postgres://user@localhost:1/db")
    assert engine.dialect.driver == "psycopg"
    engine.dispose()


def test_sqlite_file_engine_creates_the_directory_and_sets_pragmas(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path}/a/b/repaybot.db")
    try:
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
    finally:
        engine.dispose()
    assert (tmp_path / "a" / "b" / "repaybot.db").exists()


def test_sqlite_savepoints_are_part_of_the_transaction(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path}/t.db")
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql("CREATE TABLE t (x INTEGER)")
        session = make_session_factory(engine)()
        with session.begin_nested():
            session.connection().execute(text("INSERT INTO t VALUES (1)"))
        session.rollback()  # must undo the released savepoint too
        assert session.connection().execute(text("SELECT count(*) FROM t")).scalar() == 0
        session.close()
    finally:
        engine.dispose()


def test_in_memory_sqlite_keeps_one_database(tmp_path: Path) -> None:
    engine = make_engine("sqlite://")
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql("CREATE TABLE t (x INTEGER)")
        with engine.connect() as connection:
            assert connection.exec_driver_sql("SELECT count(*) FROM t").scalar() == 0
    finally:
        engine.dispose()
