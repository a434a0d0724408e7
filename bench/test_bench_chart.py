"""Drawing one /progress chart: 5 debts of 72 installments each (360 in all), with payments."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from bot.charts import ChartWords, progress_png
from tracker.ledger import Ledger, LedgerPolicy, Payment
from tracker.progress import DebtProgress, Span, debt_progress, total
from tracker.rates import Rate, RateUnit
from tracker.schedule import build_schedule
from tracker.schedule_types import LoanTerms, Method

TODAY = date(2029, 1, 1)
WORDS = ChartWords(total="合计", planned="计划余额", paid="实际还款", change="协商新方案")


def _debts() -> list[DebtProgress]:
    out = []
    for index in range(5):
        terms = LoanTerms(
            principal=Decimal(20_000 + 5_000 * index),
            rate=Rate(Decimal("0.12"), RateUnit.YEAR),
            term=72,
            method=Method.ANNUITY,
            first_due=date(2027, 1, 15 + index),
        )
        rows = build_schedule(terms)
        paid = [
            Payment(r.due_date, r.payment, n) for n, r in enumerate(rows) if r.due_date <= TODAY
        ]
        policy = LedgerPolicy("CNY", terms.rate.daily(365), date(2026, 12, 15 + index))
        state = Ledger(rows, policy).state(paid, TODAY)
        span = Span(policy.start_date, rows, paid)
        out.append(debt_progress(f"债务{index + 1}", "CNY", [span], state, TODAY))
    return out


def test_one_chart_for_5_debts_and_360_installments(benchmark: Any) -> None:
    debts = _debts()
    everything = total(debts, TODAY)
    labels = {d.payoff: "还清" for d in (*debts, everything) if d.payoff is not None}
    png = benchmark(progress_png, everything, debts, WORDS, labels, TODAY)
    assert png.startswith(b"\x89PNG")
