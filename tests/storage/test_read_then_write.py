"""``reading()`` then ``writing()``: read without SQLite's write lock, then take it to write."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import select

from tests.databases import Database
from tests.storage.factories import make_user
from tracker.storage.models import User
from tracker.storage.uow import SqlUnitOfWork

MakeUow = Callable[[], SqlUnitOfWork]


def stored_user(make_uow: MakeUow, **overrides: object) -> User:
    """A user committed by a unit of work of its own."""
    with make_uow() as uow:
        user = uow.users.add(make_user(**overrides))
        uow.commit()
        return user


def telegram_ids(make_uow: MakeUow) -> set[int]:
    with make_uow() as uow:
        return {u.telegram_user_id for u in uow.session.exec(select(User)).all()}


@pytest.fixture
def sqlite_file(database: Database, engine: Engine) -> Path:
    """The SQLite file under test (SQLite only)."""
    if database.backend != "sqlite":
        pytest.skip("SQLite's write lock")
    assert engine.url.database is not None
    return Path(engine.url.database)


@pytest.fixture
def other_writer(sqlite_file: Path) -> Iterator[Callable[[], bool]]:
    """Another connection's write that does not wait: True if it got the write lock and wrote."""
    connection = sqlite3.connect(sqlite_file, timeout=0, isolation_level=None)

    def write() -> bool:
        try:
            connection.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as error:
            if "locked" not in str(error):
                raise
            return False
        connection.execute("UPDATE users SET updated_at = updated_at")  # a real write
        connection.execute("COMMIT")
        return True

    yield write
    connection.close()


def test_another_unit_of_work_writes_while_one_is_reading(make_uow: MakeUow) -> None:
    stored_user(make_uow, telegram_user_id=101)
    with make_uow() as reader:
        reader.reading()
        assert reader.users.get_by_telegram_id(101) is not None
        assert reader.session.in_transaction()
        stored_user(make_uow, telegram_user_id=102)  # would wait out the busy timeout, and fail
        reader.writing()
        reader.users.add(make_user(telegram_user_id=103))
        reader.commit()
    assert telegram_ids(make_uow) == {101, 102, 103}


def test_reading_takes_no_write_lock_and_writing_takes_it(
    make_uow: MakeUow, other_writer: Callable[[], bool]
) -> None:
    stored_user(make_uow, telegram_user_id=111)
    with make_uow() as uow:
        uow.reading()
        user = uow.users.get_by_telegram_id(111)
        assert user is not None
        assert other_writer()  # the read holds no write lock
        uow.writing()
        assert not uow.session.in_transaction()  # the read is over
        assert other_writer()  # and nothing holds the lock until the next statement
        uow.users.add(make_user(telegram_user_id=112))
        assert not other_writer()  # the write transaction holds it, up to the commit
        uow.commit()
        assert other_writer()


def test_without_reading_even_a_read_holds_the_write_lock(
    make_uow: MakeUow, other_writer: Callable[[], bool]
) -> None:
    """What ``reading()`` is for: a plain transaction begins IMMEDIATE, reads and all."""
    stored_user(make_uow, telegram_user_id=121)
    with make_uow() as uow:
        assert uow.users.get_by_telegram_id(121) is not None
        assert not other_writer()
    assert other_writer()


def test_writing_refuses_a_read_that_flushed_a_write(make_uow: MakeUow, sqlite_file: Path) -> None:
    with make_uow() as uow:
        uow.reading()
        uow.users.add(make_user(telegram_user_id=131))  # flushed inside the read transaction
        with pytest.raises(RuntimeError, match="read transaction wrote"):
            uow.writing()
        assert uow.session.in_transaction()  # nothing committed or discarded behind its back
    assert telegram_ids(make_uow) == set()


def test_writing_refuses_a_read_with_unflushed_changes(
    make_uow: MakeUow, sqlite_file: Path
) -> None:
    stored_user(make_uow, telegram_user_id=141)
    with make_uow() as uow:
        uow.reading()
        user = uow.users.get_by_telegram_id(141)
        assert user is not None
        user.chat_id = 42  # dirty, not flushed
        with pytest.raises(RuntimeError, match="read transaction wrote"):
            uow.writing()


def test_objects_read_stay_readable_and_writable_after_writing(make_uow: MakeUow) -> None:
    stored = stored_user(make_uow, telegram_user_id=151, chat_id=151)
    with make_uow() as uow:
        uow.reading()
        user = uow.users.get_by_telegram_id(151)
        assert user is not None
        uow.writing()
        assert (user.id, user.telegram_user_id, user.chat_id) == (stored.id, 151, 151)
        user.chat_id = 152
        uow.commit()
    with make_uow() as uow:
        again = uow.users.get_by_telegram_id(151)
        assert again is not None
        assert again.chat_id == 152


def test_reading_then_writing_then_a_write_is_stored(make_uow: MakeUow) -> None:
    """On every backend (a no-op pair on PostgreSQL): the write after them is committed."""
    with make_uow() as uow:
        uow.reading()
        assert uow.users.get_by_telegram_id(161) is None
        uow.writing()
        uow.users.add(make_user(telegram_user_id=161))
        uow.commit()
    assert telegram_ids(make_uow) == {161}


def test_reading_and_writing_leave_an_open_write_transaction_alone(make_uow: MakeUow) -> None:
    """Inside a transaction that wrote, neither ends it: its writes stay the caller's."""
    with make_uow() as uow:
        uow.users.add(make_user(telegram_user_id=171))
        uow.reading()
        uow.writing()  # no RuntimeError: this transaction was not begun as a read
        assert uow.session.in_transaction()
        uow.rollback()
    assert telegram_ids(make_uow) == set()


def test_writing_without_reading_is_a_no_op(make_uow: MakeUow) -> None:
    with make_uow() as uow:
        uow.writing()
        uow.users.add(make_user(telegram_user_id=181))
        uow.writing()  # a write transaction is open: kept, not committed
    assert telegram_ids(make_uow) == set()


def test_a_rollback_ends_the_read(make_uow: MakeUow) -> None:
    """After a rollback the next transaction is a plain one: ``writing()`` has nothing to end."""
    with make_uow() as uow:
        uow.reading()
        uow.users.get_by_telegram_id(191)
        uow.rollback()
        uow.users.add(make_user(telegram_user_id=191))
        uow.writing()  # must neither raise nor commit the write
        uow.rollback()
    assert telegram_ids(make_uow) == set()
