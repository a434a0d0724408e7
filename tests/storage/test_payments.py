"""Payments are recorded once per idempotency key, even when two deliveries race."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import Engine, func, text
from sqlmodel import select

from tests.databases import Database
from tests.storage.factories import make_debt, make_payment, make_user
from tracker.errors import Conflict
from tracker.storage.models import Debt, Payment, User
from tracker.storage.repositories import PaymentRepository
from tracker.storage.uow import SqlUnitOfWork

MakeUow = Callable[[], SqlUnitOfWork]
NOW = datetime(2025, 1, 15, 12, 0, tzinfo=UTC)


def _seed(make_uow: MakeUow) -> tuple[User, Debt]:
    with make_uow() as uow:
        user = uow.users.add(make_user())
        debt = uow.debts.add(make_debt(user))
        uow.commit()
    return user, debt


def _count(make_uow: MakeUow) -> int:
    with make_uow() as uow:
        return uow.session.exec(select(func.count()).select_from(Payment)).one()


def test_same_key_twice_records_one_payment(make_uow: MakeUow) -> None:
    _, debt = _seed(make_uow)
    with make_uow() as uow:
        first, created = uow.payments.add_once(make_payment(debt, idempotency_key="tg:update:1"))
        assert created
        uow.commit()
    with make_uow() as uow:
        again, created = uow.payments.add_once(make_payment(debt, idempotency_key="tg:update:1"))
        assert not created
        assert again.id == first.id
        uow.commit()
    assert _count(make_uow) == 1


def test_duplicate_found_by_the_constraint_leaves_the_unit_usable(
    make_uow: MakeUow, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No look before the insert: the unique constraint finds a duplicate, and the SAVEPOINT
    absorbs the violation, so what the unit of work did before it is kept."""
    _, debt = _seed(make_uow)
    with make_uow() as uow:
        stored, _ = uow.payments.add_once(make_payment(debt, idempotency_key="dup"))
        uow.commit()

    real_get = PaymentRepository.get_by_key
    looked_up: list[str] = []

    def spy(self: PaymentRepository, key: str) -> Payment | None:
        looked_up.append(key)
        return real_get(self, key)

    monkeypatch.setattr(PaymentRepository, "get_by_key", spy)
    with make_uow() as uow:
        other, created = uow.payments.add_once(make_payment(debt, idempotency_key="other"))
        assert looked_up == []  # a new key: one insert, nothing read first
        duplicate, created_dup = uow.payments.add_once(make_payment(debt, idempotency_key="dup"))
        assert looked_up == ["dup"]  # read once, after the constraint refused the insert
        assert created
        assert other.id is not None
        assert created_dup is False
        assert duplicate.id == stored.id
        uow.commit()  # the payment before the duplicate survives the savepoint rollback
    assert _count(make_uow) == 2


def test_two_sessions_racing_end_with_one_row(
    make_uow: MakeUow, engine: Engine, database: Database
) -> None:
    if database.backend != "postgresql":
        pytest.skip("a real race needs PostgreSQL (SQLite serialises writers)")
    _, debt = _seed(make_uow)
    outcome: dict[str, tuple[int | None, bool]] = {}
    started = threading.Event()
    backend_pid: list[int] = []

    def second_delivery() -> None:
        with make_uow() as uow:
            backend_pid.append(
                uow.session.connection().exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
            )
            started.set()
            payment, created = uow.payments.add_once(make_payment(debt, idempotency_key="race"))
            uow.commit()
            outcome["b"] = (payment.id, created)

    with make_uow() as first:
        payment_a, created_a = first.payments.add_once(make_payment(debt, idempotency_key="race"))
        thread = threading.Thread(target=second_delivery)
        thread.start()
        assert started.wait(10)
        _wait_until_blocked(engine, backend_pid[0])  # B's INSERT waits on A's uncommitted row
        first.commit()
    thread.join(timeout=10)
    assert not thread.is_alive()
    assert created_a
    assert outcome["b"] == (payment_a.id, False)
    assert _count(make_uow) == 1


def _wait_until_blocked(engine: Engine, pid: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with engine.connect() as connection:
            wait = connection.execute(
                text("SELECT wait_event_type FROM pg_stat_activity WHERE pid = :pid"),
                {"pid": pid},
            ).scalar()
        if wait == "Lock":
            return
        time.sleep(0.02)
    raise AssertionError("the second session never blocked")


def test_last_for_user_undo_and_listing(make_uow: MakeUow) -> None:
    user, debt = _seed(make_uow)
    assert user.id is not None
    assert debt.id is not None
    with make_uow() as uow:
        early = uow.payments.add_once(
            make_payment(debt, paid_on=date(2025, 1, 15), recorded_at=NOW)
        )[0]
        late = uow.payments.add_once(
            make_payment(debt, paid_on=date(2025, 2, 15), recorded_at=NOW + timedelta(hours=1))
        )[0]
        assert uow.payments.last_for_user(user.id) == late
        uow.payments.undo(late, NOW)
        with pytest.raises(Conflict):
            uow.payments.undo(late, NOW)
        uow.commit()
    with make_uow() as uow:
        assert uow.payments.last_for_user(user.id) == early
        assert uow.payments.list_for_debt(user.id, debt.id) == [early]
        listed = uow.payments.list_for_debt(user.id, debt.id, include_undone=True)
        assert [p.id for p in listed] == [early.id, late.id]
        stored_late = uow.payments.get_for_user(user.id, late.id or 0)
        assert stored_late is not None
        assert stored_late.undone_at == NOW
