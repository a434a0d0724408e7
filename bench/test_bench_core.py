"""The arithmetic on a hot path: schedules, the annualised rate, the ledger."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from tracker.apr import schedule_apr
from tracker.ledger import Ledger, LedgerPolicy, Payment
from tracker.rates import Rate, RateUnit
from tracker.schedule import build_schedule
from tracker.schedule_types import LoanTerms, Method

MORTGAGE = LoanTerms(
    principal=Decimal(1_000_000),
    rate=Rate(Decimal("0.049"), RateUnit.YEAR),
    term=360,
    method=Method.ANNUITY,
    first_due=date(2027, 1, 15),
)
JINTIAO = LoanTerms(
    principal=Decimal(12_000),
    rate=Rate(Decimal("0.0005"), RateUnit.DAY),
    term=12,
    method=Method.DAILY_ACCRUAL,
    first_due=date(2027, 1, 15),
    start_date=date(2026, 12, 15),
)


def test_annuity_360_rows(benchmark: Any) -> None:
    rows = benchmark(build_schedule, MORTGAGE)
    assert len(rows) == 360


def test_daily_accrual_12_rows(benchmark: Any) -> None:
    rows = benchmark(build_schedule, JINTIAO)
    assert len(rows) == 12


def test_annualised_rate_360_rows(benchmark: Any) -> None:
    rows = build_schedule(MORTGAGE)
    apr = benchmark(schedule_apr, MORTGAGE, rows)
    assert apr.simple > 0


def test_ledger_with_a_payment_a_month_for_ten_years(benchmark: Any) -> None:
    rows = build_schedule(MORTGAGE)
    policy = LedgerPolicy("CNY", Decimal("0.049") / 365, date(2026, 12, 15), grace_days=3)
    # Paid a few days late every month for 120 months: penalties, allocations, partials.
    payments = [Payment(r.due_date + timedelta(days=5), r.payment) for r in rows[:120]]
    state = benchmark(Ledger(rows, policy).state, payments, date(2037, 1, 1))
    assert state.total_paid > 0
