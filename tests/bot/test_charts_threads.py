"""Charts drawn at once in worker threads render every Chinese label (as /progress does)."""

from __future__ import annotations

import warnings
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from decimal import Decimal

from bot.charts import ChartWords, progress_png
from tracker.ledger import Ledger, LedgerPolicy, Payment
from tracker.progress import DebtProgress, Span, debt_progress
from tracker.rates import Rate, RateUnit
from tracker.schedule import build_schedule
from tracker.schedule_types import LoanTerms, Method

TODAY = date(2027, 6, 1)
WORDS = ChartWords(total="合计", planned="计划余额", paid="实际还款", change="协商新方案")


def a_debt(name: str) -> DebtProgress:
    terms = LoanTerms(
        principal=Decimal(12_000),
        rate=Rate(Decimal("0.0005"), RateUnit.DAY),
        term=12,
        method=Method.ANNUITY,
        first_due=date(2026, 12, 15),
    )
    rows = build_schedule(terms)
    paid = [Payment(r.due_date, r.payment, n) for n, r in enumerate(rows) if r.due_date <= TODAY]
    policy = LedgerPolicy("CNY", terms.rate.daily(365), date(2026, 11, 15))
    state = Ledger(rows, policy).state(paid, TODAY)
    return debt_progress(name, "CNY", [Span(policy.start_date, rows, paid)], state, TODAY)


def test_eight_charts_at_once_draw_every_chinese_label() -> None:
    debts = [a_debt(f"京东金条{n}") for n in range(8)]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with ThreadPoolExecutor(max_workers=8) as pool:
            pngs = list(pool.map(lambda d: progress_png(d, [d], WORDS, {}, TODAY), debts))
    missing = [str(w.message) for w in caught if "missing from font" in str(w.message)]
    assert missing == []
    assert all(png.startswith(b"\x89PNG") for png in pngs)
