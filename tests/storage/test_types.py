"""Money, rates and timestamps survive the database exactly."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text
from sqlalchemy.exc import StatementError
from sqlmodel import col, select

from tests.storage.factories import make_budget, make_debt, make_payment, make_user
from tracker.money import MAX_AMOUNT, from_minor, to_minor
from tracker.storage.models import User
from tracker.storage.uow import SqlUnitOfWork

MakeUow = Callable[[], SqlUnitOfWork]


@pytest.mark.parametrize(
    ("currency", "amount", "minor"),
    [
        ("CNY", MAX_AMOUNT, 10**14),
        ("CNY", MAX_AMOUNT - Decimal("0.01"), 10**14 - 1),
        ("CNY", Decimal("0.01"), 1),
        ("JPY", MAX_AMOUNT, 10**12),
        ("JPY", Decimal(1), 1),
    ],
)
def test_minor_units_round_trip(
    make_uow: MakeUow, currency: str, amount: Decimal, minor: int
) -> None:
    assert to_minor(amount, currency) == minor
    with make_uow() as uow:
        user = uow.users.add(make_user(currency=currency))
        debt = uow.debts.add(make_debt(user, principal_minor=to_minor(amount, currency)))
        uow.payments.add_once(make_payment(debt, amount_minor=minor, idempotency_key="k"))
        uow.budgets.add(make_budget(user, monthly_income_minor=minor))
        uow.commit()
        user_id, debt_id = user.id, debt.id
    assert user_id is not None
    assert debt_id is not None
    with make_uow() as uow:
        stored = uow.debts.get_for_user(user_id, debt_id)
        assert stored is not None
        assert stored.principal_minor == minor
        assert from_minor(stored.principal_minor, currency) == amount
        payment = uow.payments.get_by_key("k")
        assert payment is not None
        assert payment.amount_minor == minor
        budget = uow.budgets.latest_for_user(user_id)
        assert budget is not None
        assert budget.monthly_income_minor == minor


RATES = [
    Decimal("0.0005"),
    Decimal("0.000547945205479452054794520547945"),  # 0.2 / 365, beyond any float
    Decimal("0.1800"),  # trailing zeros are kept as written
    Decimal("12.5E-5"),
]


def test_decimal_rates_are_exact(make_uow: MakeUow) -> None:
    with make_uow() as uow:
        user = uow.users.add(make_user())
        ids = []
        for rate in RATES:
            debt = uow.debts.add(
                make_debt(
                    user,
                    rate_value=rate,
                    fee_rate=rate,
                    penalty_daily_rate=rate,
                    penalty_multiplier=Decimal("1.5"),
                )
            )
            ids.append(debt.id)
        uow.commit()
        user_id = user.id
    assert user_id is not None
    with make_uow() as uow:
        for debt_id, rate in zip(ids, RATES, strict=True):
            assert debt_id is not None
            stored = uow.debts.get_for_user(user_id, debt_id)
            assert stored is not None
            for value in (stored.rate_value, stored.fee_rate, stored.penalty_daily_rate):
                assert isinstance(value, Decimal)
                assert value == rate
                assert value.as_tuple().exponent == rate.as_tuple().exponent
            assert stored.penalty_multiplier == Decimal("1.5")
        raw = (
            uow.session.connection()
            .execute(text("SELECT rate_value FROM debts WHERE id = :id"), {"id": ids[1]})
            .scalar()
        )
        assert raw == "0.000547945205479452054794520547945"


def test_float_rates_are_refused(uow: SqlUnitOfWork) -> None:
    with uow:
        user = uow.users.add(make_user())
        with pytest.raises(StatementError) as caught:
            uow.debts.add(make_debt(user, rate_value=0.0005))
        assert isinstance(caught.value.orig, TypeError)


def test_aware_timestamps_come_back_as_utc(make_uow: MakeUow) -> None:
    shanghai = datetime(2025, 3, 1, 9, 30, 15, 123456, tzinfo=ZoneInfo("Asia/Shanghai"))
    with make_uow() as uow:
        user = uow.users.add(make_user(created_at=shanghai, blocked_at=shanghai))
        uow.commit()
        user_id = user.id
    assert user_id is not None
    with make_uow() as uow:
        stored = uow.users.get(user_id)
        assert stored is not None
        for value in (stored.created_at, stored.blocked_at):
            assert value == shanghai
            assert value.tzinfo is UTC
            assert value == datetime(2025, 3, 1, 1, 30, 15, 123456, tzinfo=UTC)
        # The database compares instants, whatever zone the bound value is in.
        plus_eight = timezone(timedelta(hours=8))
        after = datetime(2025, 3, 1, 9, 31, tzinfo=plus_eight)
        before = datetime(2025, 3, 1, 9, 30, tzinfo=plus_eight)
        newer = select(User).where(col(User.id) == user_id, col(User.created_at) < after)
        older = select(User).where(col(User.id) == user_id, col(User.created_at) < before)
        assert uow.session.exec(newer).first() is not None
        assert uow.session.exec(older).first() is None


def test_naive_timestamps_are_refused(uow: SqlUnitOfWork) -> None:
    with uow:
        with pytest.raises(StatementError) as caught:
            uow.users.add(make_user(created_at=datetime(2025, 3, 1, 9, 30)))
        assert isinstance(caught.value.orig, ValueError)
        assert "naive" in str(caught.value.orig)
