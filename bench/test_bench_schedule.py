"""Schedules whose level payment is solved on actual days, and the rate on actual dates."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from tracker.apr import schedule_apr
from tracker.rates import Rate, RateUnit
from tracker.schedule import build_schedule, reschedule_after_prepayment
from tracker.schedule_types import LoanTerms, Method, PrepaymentMode


def daily_loan(term: int, rate: str = "0.049") -> LoanTerms:
    """100,000 at ``rate`` a year, accrued daily, first due a month after the money."""
    return LoanTerms(
        principal=Decimal(100_000),
        rate=Rate(Decimal(rate), RateUnit.YEAR),
        term=term,
        method=Method.DAILY_ACCRUAL,
        first_due=date(2027, 1, 15),
    )


ODD_MORTGAGE = LoanTerms(
    principal=Decimal(1_000_000),
    rate=Rate(Decimal("0.049"), RateUnit.YEAR),
    term=360,
    method=Method.ANNUITY,
    first_due=date(2027, 1, 15),
    start_date=date(2026, 12, 1),  # a 45-day first period
)


@pytest.mark.parametrize(("term", "rate"), [(360, "0.049"), (360, "0.36"), (600, "0.36")])
def test_daily_accrual_schedule(benchmark: Any, term: int, rate: str) -> None:
    rows = benchmark(build_schedule, daily_loan(term, rate))
    assert len(rows) == term


def test_daily_accrual_schedule_keep_term_prepayment_360_rows(benchmark: Any) -> None:
    terms = daily_loan(360)
    rows = build_schedule(terms)
    new = benchmark(
        reschedule_after_prepayment, terms, rows, 12, Decimal(20_000), PrepaymentMode.KEEP_TERM
    )
    assert len(new) == 360


def test_annuity_schedule_odd_first_period_360_rows(benchmark: Any) -> None:
    rows = benchmark(build_schedule, ODD_MORTGAGE)
    assert len(rows) == 360


def test_annualised_rate_on_actual_dates_schedule_360_rows(benchmark: Any) -> None:
    rows = build_schedule(ODD_MORTGAGE)
    apr = benchmark(schedule_apr, ODD_MORTGAGE, rows)
    assert apr.simple > 0
