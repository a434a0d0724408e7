"""What a borrower can afford: disposable income, debt-to-income and runway from savings."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from enum import StrEnum

from tracker.errors import InvalidAmount
from tracker.money import ZERO, quantize

#: Without a figure from the user we keep a tenth of income for food, transport and surprises.
DEFAULT_RESERVE_SHARE = Decimal("0.10")

#: Common affordability rule of thumb: debt payments up to 36 % of income, 43 % at the most.
DTI_COMFORTABLE = Decimal("0.36")
DTI_LIMIT = Decimal("0.43")


class DebtLoad(StrEnum):
    """How heavy debt payments are against income."""

    COMFORTABLE = "comfortable"  # ≤ 36 %
    STRETCHED = "stretched"  # 36–43 %
    OVERLOADED = "overloaded"  # > 43 %, or no income at all


@dataclass(frozen=True, slots=True)
class Budget:
    """A borrower's monthly picture in one currency; ``living_reserve`` None means the default."""

    currency: str
    monthly_income: Decimal
    fixed_expenses: Decimal = ZERO
    other_debt_payments: Decimal = ZERO  # debts the bot does not track
    savings: Decimal = ZERO
    living_reserve: Decimal | None = None

    def __post_init__(self) -> None:
        for name in ("monthly_income", "fixed_expenses", "other_debt_payments", "savings"):
            if getattr(self, name) < 0:
                raise InvalidAmount(f"{name} is negative", code="amount_negative", field=name)
        if self.living_reserve is not None and self.living_reserve < 0:
            raise InvalidAmount("living_reserve is negative", code="amount_negative")

    @property
    def reserve(self) -> Decimal:
        """The monthly amount a plan must leave untouched."""
        if self.living_reserve is not None:
            return self.living_reserve
        return quantize(self.monthly_income * DEFAULT_RESERVE_SHARE, self.currency)


@dataclass(frozen=True, slots=True)
class Capacity:
    """What the budget leaves for the debts the bot tracks."""

    disposable: Decimal  # income − fixed expenses − other debts' payments
    reserve: Decimal
    affordable: Decimal  # disposable − reserve, never below zero: the most a plan may ask
    planned: Decimal  # the tracked debts' regular monthly payments (arrears apart)
    surplus: Decimal  # affordable − planned; negative is a monthly shortfall
    debt_to_income: Decimal | None  # (planned + other debts) / income; None without income
    load: DebtLoad
    runway_months: Decimal | None  # months savings cover all outgoings if income stopped
    months_until_savings_run_out: Decimal | None  # at today's shortfall; None if no shortfall

    @property
    def fits(self) -> bool:
        """True when the tracked debts fit without touching the reserve."""
        return self.surplus >= 0


def assess(budget: Budget, planned: Decimal) -> Capacity:
    """Compare a month's planned debt payments with what the budget can carry."""
    if planned < 0:
        raise InvalidAmount("planned payments are negative", code="amount_negative")
    currency = budget.currency
    disposable = budget.monthly_income - budget.fixed_expenses - budget.other_debt_payments
    reserve = budget.reserve
    affordable = max(ZERO, disposable - reserve)
    surplus = affordable - planned
    debt_payments = planned + budget.other_debt_payments
    dti: Decimal | None = None
    if budget.monthly_income > 0:
        dti = (debt_payments / budget.monthly_income).quantize(Decimal("0.0001"))
    outgoings = budget.fixed_expenses + debt_payments
    runway = _months(budget.savings, outgoings)
    shortfall = -surplus if surplus < 0 else ZERO
    return Capacity(
        disposable=quantize(disposable, currency),
        reserve=quantize(reserve, currency),
        affordable=quantize(affordable, currency),
        planned=quantize(planned, currency),
        surplus=quantize(surplus, currency),
        debt_to_income=dti,
        load=_load(dti, debt_payments),
        runway_months=runway,
        months_until_savings_run_out=_months(budget.savings, shortfall) if shortfall else None,
    )


def _months(savings: Decimal, per_month: Decimal) -> Decimal | None:
    """Whole tenths of a month that ``savings`` last at ``per_month``; None if nothing is spent."""
    if per_month <= 0:
        return None
    # Rounded down: a runway must never look longer than it is.
    return (savings / per_month).quantize(Decimal("0.1"), rounding=ROUND_DOWN)


def _load(dti: Decimal | None, debt_payments: Decimal) -> DebtLoad:
    if dti is None:
        return DebtLoad.OVERLOADED if debt_payments > 0 else DebtLoad.COMFORTABLE
    if dti <= DTI_COMFORTABLE:
        return DebtLoad.COMFORTABLE
    if dti <= DTI_LIMIT:
        return DebtLoad.STRETCHED
    return DebtLoad.OVERLOADED
