"""Factories for schedule tests: sensible defaults, override only what a test is about."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from tracker.rates import Rate, RateUnit
from tracker.schedule_types import CustomInstallment, LoanTerms, Method

D = Decimal


def yearly(value: str) -> Rate:
    """A nominal annual rate from a string fraction ("0.049" is 4.9 % a year)."""
    return Rate(D(value), RateUnit.YEAR)


def monthly(value: str) -> Rate:
    """A monthly rate from a string fraction."""
    return Rate(D(value), RateUnit.MONTH)


def daily(value: str) -> Rate:
    """A daily rate from a string fraction ("0.0007" is 0.07 % a day)."""
    return Rate(D(value), RateUnit.DAY)


def make_terms(**overrides: Any) -> LoanTerms:
    """A 12-month CNY 12,000 annuity at 12 % a year unless overridden."""
    fields: dict[str, Any] = {
        "principal": D("12000.00"),
        "rate": yearly("0.12"),
        "term": 12,
        "method": Method.ANNUITY,
        "first_due": date(2024, 2, 15),
    }
    fields.update(overrides)
    return LoanTerms(**fields)


def make_custom(principal: str, plan: list[tuple[date, str]], **overrides: Any) -> LoanTerms:
    """A custom plan from (date, amount) pairs; term and first_due follow the plan."""
    custom = tuple(CustomInstallment(d, D(a)) for d, a in plan)
    fields: dict[str, Any] = {
        "principal": D(principal),
        "rate": yearly("0"),
        "term": len(custom),
        "method": Method.CUSTOM,
        "first_due": custom[0].due_date,
        "custom": custom,
    }
    fields.update(overrides)
    return make_terms(**fields)
