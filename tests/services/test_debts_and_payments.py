"""Services: a debt stored with its plan, payments recorded exactly once, undo, the position."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from tracker.errors import InvalidDate, InvalidTerms, NotFound
from tracker.ledger import Status
from tracker.rates import Rate, RateUnit
from tracker.schedule_types import LoanTerms, Method
from tracker.services.debts import DebtSpec, add_debt, position, positions
from tracker.services.payments import record_payment, undo_last_payment
from tracker.storage.enums import PlanOrigin, PlanStatus
from tracker.storage.models import User
from tracker.storage.uow import SqlUnitOfWork

D = Decimal
NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
FIRST_DUE = date(2027, 1, 15)


def make_spec(**overrides: Any) -> DebtSpec:
    """金条: ¥12,000 at 0.05 % a day, 12 monthly annuity installments from 2027-01-15."""
    terms = LoanTerms(
        principal=D(12000),
        rate=Rate(D("0.0005"), RateUnit.DAY),
        term=12,
        method=Method.ANNUITY,
        first_due=FIRST_DUE,
        start_date=date(2026, 12, 15),
    )
    fields: dict[str, Any] = {"name": "金条", "terms": terms}
    fields.update(overrides)
    return DebtSpec(**fields)


def new_user(uow: SqlUnitOfWork, telegram_id: int = 1001) -> int:
    user = uow.users.add(User(telegram_user_id=telegram_id, chat_id=telegram_id))
    assert user.id is not None
    return user.id


@pytest.fixture
def debt_of(make_uow: Callable[[], SqlUnitOfWork]) -> tuple[int, int]:
    """A user with the default debt, committed: (user id, debt id)."""
    with make_uow() as uow:
        user_id = new_user(uow)
        debt, _ = add_debt(uow, user_id=user_id, spec=make_spec(), now=NOW)
        uow.commit()
        assert debt.id is not None
        return user_id, debt.id


def pay(uow: SqlUnitOfWork, ids: tuple[int, int], amount: str, **overrides: Any) -> Any:
    user_id, debt_id = ids
    fields: dict[str, Any] = {
        "user_id": user_id,
        "debt_id": debt_id,
        "amount": D(amount),
        "paid_on": FIRST_DUE,
        "today": FIRST_DUE,
        "idempotency_key": "tg:update:1",
        "now": NOW,
    }
    fields.update(overrides)
    return record_payment(uow, **fields)


def test_a_new_debt_has_an_active_original_plan_with_its_schedule(
    make_uow: Callable[[], SqlUnitOfWork], debt_of: tuple[int, int]
) -> None:
    user_id, debt_id = debt_of
    with make_uow() as uow:
        pos = position(uow, user_id=user_id, debt_id=debt_id, today=date(2026, 12, 20))
        assert pos.plan.status is PlanStatus.ACTIVE
        assert pos.plan.origin is PlanOrigin.ORIGINAL
        assert len(pos.rows) == 12
        assert sum((r.principal for r in pos.rows), D(0)) == D(12000)
        assert pos.state.owed_today.principal == D(12000)
        assert pos.state.next_due is not None
        assert pos.state.next_due.due_date == FIRST_DUE


def test_bad_terms_write_nothing(make_uow: Callable[[], SqlUnitOfWork]) -> None:
    with make_uow() as uow:
        user_id = new_user(uow)
        uow.commit()
    bad = make_spec(
        terms=LoanTerms(D(1000), Rate(D(0), RateUnit.YEAR), 0, Method.ANNUITY, FIRST_DUE)
    )
    with make_uow() as uow, pytest.raises(InvalidTerms):
        add_debt(uow, user_id=user_id, spec=bad, now=NOW)
    with pytest.raises(InvalidTerms) as info, make_uow() as uow:
        add_debt(uow, user_id=user_id, spec=make_spec(name="   "), now=NOW)
    assert info.value.code == "name_empty"
    with make_uow() as uow:
        assert uow.debts.list_for_user(user_id) == []


def test_a_payment_is_recorded_once_per_key(
    make_uow: Callable[[], SqlUnitOfWork], debt_of: tuple[int, int]
) -> None:
    with make_uow() as uow:
        first_row = position(uow, user_id=debt_of[0], debt_id=debt_of[1], today=FIRST_DUE).rows[0]
        outcome = pay(uow, debt_of, str(first_row.payment))
        uow.commit()
    assert outcome.created
    assert sum((a.amount for a in outcome.allocations), D(0)) == first_row.payment
    assert outcome.position.state.installments[0].status is Status.PAID
    with make_uow() as uow:
        again = pay(uow, debt_of, str(first_row.payment))  # Telegram redelivered the update
        uow.commit()
    assert not again.created
    assert again.payment.id == outcome.payment.id
    with make_uow() as uow:
        assert len(uow.payments.list_for_debt(*debt_of)) == 1


def test_partial_and_over_payments(
    make_uow: Callable[[], SqlUnitOfWork], debt_of: tuple[int, int]
) -> None:
    with make_uow() as uow:
        rows = position(uow, user_id=debt_of[0], debt_id=debt_of[1], today=FIRST_DUE).rows
        partial = pay(uow, debt_of, "100", idempotency_key="k1")
        assert partial.position.state.installments[0].remaining == rows[0].payment - D(100)
        over = pay(uow, debt_of, str(rows[0].payment + rows[1].payment), idempotency_key="k2")
        states = over.position.state.installments
        assert [states[0].status, states[1].status] == [Status.PAID, Status.PAID]
        assert states[2].paid == D(100)  # the extra 100 pays ahead


def test_future_dates_and_other_peoples_debts_are_refused(
    make_uow: Callable[[], SqlUnitOfWork], debt_of: tuple[int, int]
) -> None:
    _, debt_id = debt_of
    with make_uow() as uow, pytest.raises(InvalidDate) as info:
        pay(uow, debt_of, "100", paid_on=date(2027, 1, 16))
    assert info.value.code == "date_in_future"
    with make_uow() as uow:
        stranger = new_user(uow, telegram_id=2002)
        uow.commit()
    with make_uow() as uow, pytest.raises(NotFound):
        pay(uow, (stranger, debt_id), "100")
    with make_uow() as uow, pytest.raises(NotFound):
        position(uow, user_id=stranger, debt_id=debt_id, today=FIRST_DUE)


def test_undo_takes_back_the_last_payment_only(
    make_uow: Callable[[], SqlUnitOfWork], debt_of: tuple[int, int]
) -> None:
    user_id, debt_id = debt_of
    with make_uow() as uow:
        pay(uow, debt_of, "100", idempotency_key="a")
        pay(uow, debt_of, "200", idempotency_key="b", now=NOW.replace(hour=9))
        uow.commit()
    with make_uow() as uow:
        undone = undo_last_payment(uow, user_id=user_id, now=NOW.replace(hour=10))
        uow.commit()
    assert undone.amount_minor == 20000
    with make_uow() as uow:
        assert position(
            uow, user_id=user_id, debt_id=debt_id, today=FIRST_DUE
        ).state.total_paid == D(100)
        undo_last_payment(uow, user_id=user_id, now=NOW.replace(hour=11))
        uow.commit()
    with make_uow() as uow, pytest.raises(NotFound) as info:
        undo_last_payment(uow, user_id=user_id, now=NOW.replace(hour=12))
    assert info.value.code == "no_payment_to_undo"


def test_positions_lists_every_active_debt(make_uow: Callable[[], SqlUnitOfWork]) -> None:
    with make_uow() as uow:
        user_id = new_user(uow)
        add_debt(uow, user_id=user_id, spec=make_spec(name="金条"), now=NOW)
        add_debt(uow, user_id=user_id, spec=make_spec(name="信用卡"), now=NOW)
        uow.commit()
    with make_uow() as uow:
        assert [p.debt.name for p in positions(uow, user_id=user_id, today=FIRST_DUE)] == [
            "金条",
            "信用卡",
        ]
