"""Budgets: store a snapshot of what the user can afford and weigh it against this month's debts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from tracker.capacity import Budget, Capacity, assess
from tracker.money import ZERO, check_amount, from_minor, quantize, to_minor
from tracker.services.debts import positions
from tracker.storage.enums import BudgetSource
from tracker.storage.models import Budget as BudgetRow
from tracker.storage.uow import UnitOfWork


@dataclass(frozen=True, slots=True)
class DebtDue:
    """What one tracked debt asks in a month."""

    debt_id: int
    name: str
    currency: str
    amount: Decimal


@dataclass(frozen=True, slots=True)
class MonthDue:
    """What the active tracked debts ask in one calendar month, in one currency."""

    year: int
    month: int
    currency: str
    total: Decimal
    debts: tuple[DebtDue, ...]  # in ``currency``, only those with something due
    other_currency: tuple[DebtDue, ...]  # due in the month but in another currency: not counted

    @property
    def first_day(self) -> date:
        """The first day of the month."""
        return date(self.year, self.month, 1)


@dataclass(frozen=True, slots=True)
class Assessment:
    """A stored budget, what the debts ask this month and what that means."""

    budget: Budget
    valid_from: date
    due: MonthDue
    capacity: Capacity


def save_budget(
    uow: UnitOfWork, *, user_id: int, budget: Budget, today: date, now: datetime
) -> BudgetRow:
    """Store a new snapshot (earlier ones are kept as history); the default reserve is resolved."""
    for value in (
        budget.monthly_income,
        budget.fixed_expenses,
        budget.other_debt_payments,
        budget.savings,
        budget.reserve,
    ):
        check_amount(value, allow_zero=True)
        if quantize(value, budget.currency) != value:
            # Callers parse amounts for this currency; more digits would be silently rounded.
            raise ValueError(f"{value} has more digits than {budget.currency} allows")
    return uow.budgets.add(
        budget_row(
            budget, user_id=user_id, valid_from=today, source=BudgetSource.BUDGET, created_at=now
        )
    )


def budget_row(
    budget: Budget, *, user_id: int, valid_from: date, source: BudgetSource, created_at: datetime
) -> BudgetRow:
    """The stored form of ``budget`` (the default reserve resolved), not yet added."""
    cur = budget.currency
    return BudgetRow(
        user_id=user_id,
        currency=cur,
        monthly_income_minor=to_minor(budget.monthly_income, cur),
        fixed_expenses_minor=to_minor(budget.fixed_expenses, cur),
        other_debt_payments_minor=to_minor(budget.other_debt_payments, cur),
        savings_minor=to_minor(budget.savings, cur),
        living_reserve_minor=to_minor(budget.reserve, cur),
        valid_from=valid_from,
        source=source,
        created_at=created_at,
    )


def budget_of(row: BudgetRow) -> Budget:
    """The budget a stored snapshot holds."""
    cur = row.currency
    return Budget(
        currency=cur,
        monthly_income=from_minor(row.monthly_income_minor, cur),
        fixed_expenses=from_minor(row.fixed_expenses_minor, cur),
        other_debt_payments=from_minor(row.other_debt_payments_minor, cur),
        savings=from_minor(row.savings_minor, cur),
        living_reserve=from_minor(row.living_reserve_minor, cur),
    )


def current_budget(uow: UnitOfWork, *, user_id: int, today: date) -> tuple[Budget, date] | None:
    """The budget in force on ``today`` and the day it took effect, if the user gave one."""
    row = uow.budgets.latest_for_user(user_id, on=today)
    if row is None:
        return None
    return budget_of(row), row.valid_from


def due_in_month(uow: UnitOfWork, *, user_id: int, today: date, currency: str) -> MonthDue:
    """The installments of the active debts' plans due in ``today``'s calendar month, summed."""
    counted: list[DebtDue] = []
    other: list[DebtDue] = []
    for pos in positions(uow, user_id=user_id, today=today):
        amount = sum(
            (
                row.payment
                for row in pos.rows
                if (row.due_date.year, row.due_date.month) == (today.year, today.month)
            ),
            ZERO,
        )
        if amount <= 0:
            continue
        debt = pos.debt
        assert debt.id is not None  # loaded from the database
        item = DebtDue(debt.id, debt.name, debt.currency, quantize(amount, debt.currency))
        (counted if debt.currency == currency else other).append(item)
    total = quantize(sum((item.amount for item in counted), ZERO), currency)
    return MonthDue(today.year, today.month, currency, total, tuple(counted), tuple(other))


def assessment(uow: UnitOfWork, *, user_id: int, today: date) -> Assessment | None:
    """The current budget against what the tracked debts ask this month; None without one."""
    found = current_budget(uow, user_id=user_id, today=today)
    if found is None:
        return None
    budget, valid_from = found
    due = due_in_month(uow, user_id=user_id, today=today, currency=budget.currency)
    return Assessment(budget, valid_from, due, assess(budget, due.total))


def save_and_assess(
    uow: UnitOfWork, *, user_id: int, budget: Budget, today: date, now: datetime
) -> Assessment:
    """Store the budget as the current one and return its assessment."""
    save_budget(uow, user_id=user_id, budget=budget, today=today, now=now)
    result = assessment(uow, user_id=user_id, today=today)
    assert result is not None  # just stored, valid from today
    return result
