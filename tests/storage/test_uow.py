"""A unit of work keeps nothing unless it commits."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.storage.factories import make_user
from tracker.storage.uow import SqlUnitOfWork

MakeUow = Callable[[], SqlUnitOfWork]


def _exists(make_uow: MakeUow, telegram_user_id: int) -> bool:
    with make_uow() as uow:
        return uow.users.get_by_telegram_id(telegram_user_id) is not None


def test_commit_keeps_the_work(make_uow: MakeUow) -> None:
    with make_uow() as uow:
        uow.users.add(make_user(telegram_user_id=1))
        uow.commit()
    assert _exists(make_uow, 1)


def test_leaving_without_commit_rolls_back(make_uow: MakeUow) -> None:
    with make_uow() as uow:
        user = uow.users.add(make_user(telegram_user_id=2))
        assert user.id is not None  # flushed, visible inside the unit of work
        assert uow.users.get_by_telegram_id(2) is user
    assert not _exists(make_uow, 2)


def test_an_exception_rolls_back_and_propagates(make_uow: MakeUow) -> None:
    def fail_midway() -> None:
        with make_uow() as uow:
            uow.users.add(make_user(telegram_user_id=3))
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        fail_midway()
    assert not _exists(make_uow, 3)


def test_explicit_rollback_discards_work_since_commit(make_uow: MakeUow) -> None:
    with make_uow() as uow:
        uow.users.add(make_user(telegram_user_id=4))
        uow.commit()
        uow.users.add(make_user(telegram_user_id=5))
        uow.rollback()
    assert _exists(make_uow, 4)
    assert not _exists(make_uow, 5)


def test_the_same_unit_of_work_opens_a_fresh_session_each_time(uow: SqlUnitOfWork) -> None:
    with uow:
        first = uow.session
        uow.users.add(make_user(telegram_user_id=6))
    with uow:
        assert uow.session is not first
        assert uow.users.get_by_telegram_id(6) is None
    with pytest.raises(RuntimeError, match="not open"):
        _ = uow.session


def test_nesting_is_refused(uow: SqlUnitOfWork) -> None:
    with uow, pytest.raises(RuntimeError, match="already open"), uow:
        pass


def test_release_ends_a_transaction_that_only_read(make_uow: MakeUow) -> None:
    with make_uow() as uow:
        user = uow.users.add(make_user(telegram_user_id=41))
        uow.commit()
    with make_uow() as uow:
        found = uow.users.get_by_telegram_id(41)
        assert uow.session.in_transaction()
        assert uow.release()
        assert not uow.session.in_transaction()
        assert found is not None
        assert found.id == user.id  # still readable


def test_release_keeps_a_transaction_that_wrote(make_uow: MakeUow) -> None:
    with make_uow() as uow:
        uow.users.add(make_user(telegram_user_id=42))  # flushed, not committed
        assert not uow.release()
        assert uow.session.in_transaction()
    assert not _exists(make_uow, 42)  # and left without commit: nothing kept
    with make_uow() as uow:
        uow.users.add(make_user(telegram_user_id=43))
        uow.commit()
        uow.users.get_by_telegram_id(43)
        assert uow.release()  # a commit clears the mark: the new transaction only read
