"""Rows with sensible defaults; pass keyword arguments to override any field."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal
from typing import Any

from tracker.rates import RateUnit
from tracker.schedule_types import Method, ScheduleRow
from tracker.storage.enums import HardshipKind, Language, PlanOrigin, PlanStatus
from tracker.storage.models import Budget, Debt, HardshipReport, Payment, PlanVersion, User

_sequence = itertools.count(1)


def _next() -> int:
    return next(_sequence)


def make_user(**overrides: Any) -> User:
    """A Chinese-speaking user in Shanghai paying in CNY."""
    n = _next()
    fields: dict[str, Any] = {
        "telegram_user_id": 7_000_000_000 + n,  # Telegram ids exceed 32 bits
        "chat_id": 7_000_000_000 + n,
        "language": Language.ZH,
        "timezone": "Asia/Shanghai",
        "currency": "CNY",
    }
    return User(**(fields | overrides))


def make_debt(user: User, **overrides: Any) -> Debt:
    """A 12-month 金条 annuity loan of ¥12,000 at 0.05 % a day."""
    assert user.id is not None, "flush the user first"
    fields: dict[str, Any] = {
        "user_id": user.id,
        "name": "金条",
        "currency": user.currency,
        "principal_minor": 1_200_000,
        "rate_value": Decimal("0.0005"),
        "rate_unit": RateUnit.DAY,
        "method": Method.ANNUITY,
        "term_months": 12,
        "first_due": date(2025, 1, 15),
    }
    return Debt(**(fields | overrides))


def make_plan(debt: Debt, **overrides: Any) -> PlanVersion:
    """A plan version copying the debt's contract terms."""
    assert debt.id is not None, "flush the debt first"
    fields: dict[str, Any] = {
        "debt_id": debt.id,
        "status": PlanStatus.PROPOSED,
        "origin": PlanOrigin.ORIGINAL,
        "method": debt.method,
        "rate_value": debt.rate_value,
        "rate_unit": debt.rate_unit,
        "term_months": debt.term_months,
        "principal_minor": debt.principal_minor,
        "first_due": debt.first_due,
    }
    return PlanVersion(**(fields | overrides))


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (days up to 28 only, which is all tests need)."""
    index = day.month - 1 + months
    return day.replace(year=day.year + index // 12, month=index % 12 + 1)


def make_schedule(
    term: int = 12,
    first_due: date = date(2025, 1, 15),
    principal: Decimal = Decimal("1000.00"),
    interest: Decimal = Decimal("55.55"),
    fee: Decimal = Decimal(0),
) -> list[ScheduleRow]:
    """A flat schedule: the same split every month."""
    payment = principal + interest + fee
    return [
        ScheduleRow(
            number=n,
            due_date=add_months(first_due, n - 1),
            payment=payment,
            interest=interest,
            fee=fee,
            principal=principal,
            balance=principal * (term - n),
        )
        for n in range(1, term + 1)
    ]


def make_payment(debt: Debt, **overrides: Any) -> Payment:
    """A ¥1,055.55 payment with a fresh idempotency key."""
    assert debt.id is not None, "flush the debt first"
    fields: dict[str, Any] = {
        "debt_id": debt.id,
        "user_id": debt.user_id,
        "amount_minor": 105_555,
        "currency": debt.currency,
        "paid_on": date(2025, 1, 15),
        "idempotency_key": f"tg:update:{_next()}",
    }
    return Payment(**(fields | overrides))


def make_budget(user: User, **overrides: Any) -> Budget:
    """A monthly budget of ¥8,000 income and ¥4,000 fixed expenses."""
    assert user.id is not None, "flush the user first"
    fields: dict[str, Any] = {
        "user_id": user.id,
        "currency": user.currency,
        "monthly_income_minor": 800_000,
        "fixed_expenses_minor": 400_000,
        "valid_from": date(2025, 1, 1),
    }
    return Budget(**(fields | overrides))


def make_hardship(user: User, **overrides: Any) -> HardshipReport:
    """An income drop to ¥5,000 a month for six months."""
    assert user.id is not None, "flush the user first"
    fields: dict[str, Any] = {
        "user_id": user.id,
        "kind": HardshipKind.INCOME_DROP,
        "currency": user.currency,
        "income_after_minor": 500_000,
        "duration_months": 6,
    }
    return HardshipReport(**(fields | overrides))
