"""Budget snapshots and what the tracked debts ask this month (SQLite, and PostgreSQL if set)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from tracker.capacity import Budget, DebtLoad
from tracker.rates import Rate, RateUnit
from tracker.schedule_types import LoanTerms, Method
from tracker.services.budget import (
    assessment,
    current_budget,
    due_in_month,
    save_and_assess,
    save_budget,
)
from tracker.services.debts import DebtSpec, add_debt, position
from tracker.storage.enums import BudgetSource, DebtStatus
from tracker.storage.models import User
from tracker.storage.uow import SqlUnitOfWork

D = Decimal
NOW = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
TODAY = date(2026, 12, 1)


def spec(name: str = "金条", **overrides: Any) -> DebtSpec:
    """¥12,000 at 0.05 % a day over 12 months, first due 2026-12-15."""
    fields: dict[str, Any] = {
        "principal": D(12000),
        "rate": Rate(D("0.0005"), RateUnit.DAY),
        "term": 12,
        "method": Method.ANNUITY,
        "first_due": date(2026, 12, 15),
        "start_date": date(2026, 11, 15),
    }
    fields.update(overrides)
    return DebtSpec(name=name, terms=LoanTerms(**fields))


@pytest.fixture
def user_id(make_uow: Callable[[], SqlUnitOfWork]) -> int:
    with make_uow() as uow:
        user = uow.users.add(User(telegram_user_id=5001, chat_id=5001))
        uow.commit()
        assert user.id is not None
        return user.id


def add(make_uow: Callable[[], SqlUnitOfWork], user_id: int, debt_spec: DebtSpec) -> int:
    with make_uow() as uow:
        debt, _ = add_debt(uow, user_id=user_id, spec=debt_spec, now=NOW)
        uow.commit()
        assert debt.id is not None
        return debt.id


def test_a_budget_is_stored_with_the_default_reserve_resolved_and_history_kept(
    make_uow: Callable[[], SqlUnitOfWork], user_id: int
) -> None:
    with make_uow() as uow:
        save_budget(
            uow,
            user_id=user_id,
            budget=Budget("CNY", D(8000), D(4000), D(0), D(6000)),
            today=TODAY,
            now=NOW,
        )
        uow.commit()
    later = date(2026, 12, 20)
    with make_uow() as uow:
        save_budget(
            uow,
            user_id=user_id,
            budget=Budget("CNY", D("7500.50"), D(4000), D(300), D(0), D(500)),
            today=later,
            now=NOW,
        )
        uow.commit()
    with make_uow() as uow:
        history = uow.budgets.history_for_user(user_id)
        assert [b.valid_from for b in history] == [TODAY, later]
        assert history[0].living_reserve_minor == 80000  # 10 % of ¥8,000
        assert history[0].source is BudgetSource.BUDGET
        assert history[0].currency == "CNY"
        found = current_budget(uow, user_id=user_id, today=TODAY)
        assert found is not None
        budget, valid_from = found
        assert valid_from == TODAY
        assert budget == Budget("CNY", D("8000.00"), D("4000.00"), D(0), D("6000.00"), D(800))
        found = current_budget(uow, user_id=user_id, today=later)
        assert found is not None
        assert found[0].monthly_income == D("7500.50")
        assert found[0].reserve == D(500)


def test_no_budget_means_no_assessment(make_uow: Callable[[], SqlUnitOfWork], user_id: int) -> None:
    with make_uow() as uow:
        assert current_budget(uow, user_id=user_id, today=TODAY) is None
        assert assessment(uow, user_id=user_id, today=TODAY) is None


def test_this_month_sums_installments_due_in_the_calendar_month(
    make_uow: Callable[[], SqlUnitOfWork], user_id: int
) -> None:
    jintiao = add(make_uow, user_id, spec())
    baitiao = add(make_uow, user_id, spec("白条", principal=D(3000), term=3))
    add(make_uow, user_id, spec("next month", first_due=date(2027, 1, 5)))
    add(make_uow, user_id, spec("HSBC", currency="HKD"))
    closed = add(make_uow, user_id, spec("repaid"))
    with make_uow() as uow:
        uow.debts.require_for_user(user_id, closed).status = DebtStatus.CLOSED
        uow.commit()
    with make_uow() as uow:
        first = {
            debt_id: position(uow, user_id=user_id, debt_id=debt_id, today=TODAY).rows[0].payment
            for debt_id in (jintiao, baitiao)
        }
        due = due_in_month(uow, user_id=user_id, today=TODAY, currency="CNY")
    assert (due.year, due.month, due.currency) == (2026, 12, "CNY")
    assert [(d.name, d.amount) for d in due.debts] == [
        ("金条", first[jintiao]),
        ("白条", first[baitiao]),
    ]
    assert due.total == first[jintiao] + first[baitiao]
    assert [(d.name, d.currency) for d in due.other_currency] == [("HSBC", "HKD")]
    with make_uow() as uow:
        january = due_in_month(uow, user_id=user_id, today=date(2027, 1, 31), currency="CNY")
    assert [d.name for d in january.debts] == ["金条", "白条", "next month"]


def test_assessment_shows_a_shortfall_against_the_tracked_debts(
    make_uow: Callable[[], SqlUnitOfWork], user_id: int
) -> None:
    debt_id = add(make_uow, user_id, spec())
    with make_uow() as uow:
        planned = position(uow, user_id=user_id, debt_id=debt_id, today=TODAY).rows[0].payment
        result = save_and_assess(
            uow,
            user_id=user_id,
            budget=Budget("CNY", D(8000), D(6500), D(0), D(2000)),
            today=TODAY,
            now=NOW,
        )
        uow.commit()
    capacity = result.capacity
    assert capacity.disposable == D(1500)
    assert capacity.reserve == D(800)
    assert capacity.affordable == D(700)
    assert capacity.planned == planned
    assert capacity.surplus == D(700) - planned < 0
    assert not capacity.fits
    assert capacity.debt_to_income == (planned / D(8000)).quantize(D("0.0001"))
    assert capacity.load is DebtLoad.COMFORTABLE
    assert capacity.months_until_savings_run_out is not None
    assert result.valid_from == TODAY


def test_a_budget_with_more_digits_than_the_currency_is_a_bug(
    make_uow: Callable[[], SqlUnitOfWork], user_id: int
) -> None:
    with make_uow() as uow, pytest.raises(ValueError, match="digits"):
        save_budget(uow, user_id=user_id, budget=Budget("CNY", D("8000.001")), today=TODAY, now=NOW)
