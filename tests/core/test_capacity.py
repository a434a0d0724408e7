"""Capacity: what the budget leaves for the tracked debts."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracker.capacity import Budget, DebtLoad, assess
from tracker.errors import InvalidAmount

D = Decimal


def make_budget(**overrides: Any) -> Budget:
    """A borrower earning 8,000 a month with 4,000 of fixed costs, unless told otherwise."""
    fields: dict[str, Any] = {
        "currency": "CNY",
        "monthly_income": D(8000),
        "fixed_expenses": D(4000),
        "other_debt_payments": D(0),
        "savings": D(6000),
        "living_reserve": None,
    }
    fields.update(overrides)
    return Budget(**fields)


def test_disposable_reserve_and_surplus() -> None:
    capacity = assess(make_budget(other_debt_payments=D(500)), planned=D(2000))
    assert capacity.disposable == D(3500)
    assert capacity.reserve == D(800)  # a tenth of income by default
    assert capacity.affordable == D(2700)
    assert capacity.surplus == D(700)
    assert capacity.fits
    assert capacity.debt_to_income == D("0.3125")
    assert capacity.load is DebtLoad.COMFORTABLE


def test_shortfall_eats_savings() -> None:
    capacity = assess(make_budget(living_reserve=D(1000)), planned=D(4000))
    assert capacity.affordable == D(3000)
    assert capacity.surplus == D(-1000)
    assert not capacity.fits
    assert capacity.months_until_savings_run_out == D("6.0")
    # With no income, 6,000 covers 4,000 fixed + 4,000 debt for 0.75 → 0.7 months (rounded down).
    assert capacity.runway_months == D("0.7")
    assert capacity.load is DebtLoad.OVERLOADED  # 50 % of income


@pytest.mark.parametrize(
    ("planned", "load"),
    [
        (D(2880), DebtLoad.COMFORTABLE),
        (D(2881), DebtLoad.STRETCHED),
        (D(3441), DebtLoad.OVERLOADED),
    ],
)
def test_debt_load_thresholds_36_and_43_percent(planned: Decimal, load: DebtLoad) -> None:
    assert assess(make_budget(fixed_expenses=D(0)), planned).load is load


def test_no_income_with_debts_is_overloaded() -> None:
    capacity = assess(make_budget(monthly_income=D(0)), planned=D(100))
    assert capacity.debt_to_income is None
    assert capacity.load is DebtLoad.OVERLOADED
    assert capacity.affordable == 0


def test_negative_inputs_are_refused() -> None:
    with pytest.raises(InvalidAmount) as info:
        make_budget(fixed_expenses=D(-1))
    assert info.value.params["field"] == "fixed_expenses"
    with pytest.raises(InvalidAmount):
        assess(make_budget(), planned=D(-5))


money = st.decimals(min_value=0, max_value=10**7, places=2)


@given(income=money, fixed=money, other=money, planned=money, savings=money)
def test_affordable_never_negative_and_never_eats_the_reserve(
    income: Decimal, fixed: Decimal, other: Decimal, planned: Decimal, savings: Decimal
) -> None:
    budget = make_budget(
        monthly_income=income, fixed_expenses=fixed, other_debt_payments=other, savings=savings
    )
    capacity = assess(budget, planned)
    assert capacity.affordable >= 0
    assert capacity.affordable <= max(D(0), capacity.disposable - capacity.reserve)
    assert capacity.fits == (planned <= capacity.affordable)
