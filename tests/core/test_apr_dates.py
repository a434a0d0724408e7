"""The annualised rate on the rows' actual dates (an XIRR), reducing to PBOC's periodic IRR.

Time from the money received to a row is whole calendar months plus leftover days at 12/365
of a month; r per month solves net = Σ payment / (1 + r)^t; simple = 12·r, compound =
(1 + r)^12 − 1. Rows whole months after the start give t = 1, 2, … and PBOC's equation.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from tests.core.factories_schedule import make_custom, make_terms, yearly
from tracker.apr import annualised_rate, dated_irr, periodic_irr, schedule_apr
from tracker.dates import add_months
from tracker.errors import InvalidTerms
from tracker.schedule import build_schedule
from tracker.schedule_types import Method

D = Decimal
STEP = Fraction(1, 10**12)


def pct(x: Decimal, places: str = "0.01") -> Decimal:
    return (x * 100).quantize(D(places), rounding=ROUND_HALF_UP)


def whole_month_value(payments: list[Decimal], rate: Fraction) -> Fraction:
    """Σ p_k / (1+r)^k in exact rationals, independent of the code under test."""
    return sum((Fraction(p) / (1 + rate) ** k for k, p in enumerate(payments, 1)), Fraction(0))


def test_apr_uses_actual_dates_45_day_first_period() -> None:
    # 12,000 at 12 % a year, money on Jan 1 2024, first due Feb 15: every row falls k months
    # and 14 days after the start, t_k = k + 14·12/365 = k + 168/365 months, so
    # net = (1 + r)^(−168/365) · Σ p_k (1 + r)^(−k). Raising both sides to the 365th power
    # keeps it in exact rationals: V(r)^365 = net^365 · (1 + r)^168, V the whole-month value.
    terms = make_terms(start_date=date(2024, 1, 1), first_due=date(2024, 2, 15))
    rows = build_schedule(terms)
    payments = [r.payment for r in rows]
    apr = schedule_apr(terms, rows)
    r = Fraction(apr.periodic)

    def above(rate: Fraction) -> bool:
        return whole_month_value(payments, rate) ** 365 > Fraction(12000) ** 365 * (1 + rate) ** 168

    assert above(r - STEP)
    assert not above(r + STEP)
    assert apr.simple == apr.periodic * 12
    # The 14 extra days are charged at the contract's 12 %, so the true cost is about 12 %; a
    # shade under, because the stub days earn simple interest where the IRR compounds. It
    # rounds to 11.99 % as the root lies between 11.985 % / 12 and 11.995 % / 12 a month:
    assert above(Fraction(11985, 1200000))
    assert not above(Fraction(11995, 1200000))
    assert pct(apr.simple) == D("11.99")
    # Counting the 45 days as one month put it between 12.865 % and 12.875 %: 0.9 points high.
    assert whole_month_value(payments, Fraction(12865, 1200000)) > 12000
    assert whole_month_value(payments, Fraction(12875, 1200000)) < 12000
    assert pct(annualised_rate(D(12000), payments).simple) == D("12.87")


def test_a_single_repayment_a_month_and_14_days_later() -> None:
    # 1,000 received on Jan 1, 1,010 repaid on Feb 15: (1 + r)^(1 + 168/365) = 1.01, that is
    # (1 + r)^533 = 1.01^365 exactly; r = 1.01^(365/533) − 1 = 0.6837… % a month.
    terms = make_custom("1000", [(date(2024, 2, 15), "1010")], start_date=date(2024, 1, 1))
    apr = schedule_apr(terms, build_schedule(terms))
    r = Fraction(apr.periodic)
    target = Fraction(101, 100) ** 365
    assert (1 + r - STEP) ** 533 < target < (1 + r + STEP) ** 533
    assert pct(apr.simple, "0.001") == D("8.205")  # 12 × 0.6837… %
    # The compound figure is the effective annual rate, 1.01^(12 × 365/533) − 1 = 8.52 %.
    year = 1 + Fraction(apr.compound)
    assert (year - STEP) ** 533 < Fraction(101, 100) ** (12 * 365) < (year + STEP) ** 533
    assert pct(apr.compound) == D("8.52")


def test_published_example_with_a_month_end_start() -> None:
    # PBOC's 100,000 lent, 1,000 fee, 12 × 8,833.30 on month ends from Jan 31: Feb 28, Mar 31,
    # Apr 30 … are whole months after Jan 31, so the published 12.80 % / 13.58 % hold.
    start = date(2023, 1, 31)
    plan = [(add_months(start, k), "8833.30") for k in range(1, 13)]
    terms = make_custom("100000", plan, upfront_fee=D("1000"), start_date=start)
    apr = schedule_apr(terms, build_schedule(terms))
    assert (pct(apr.simple), pct(apr.compound)) == (D("12.80"), D("13.58"))
    assert apr == annualised_rate(D("99000"), [D("8833.30")] * 12)


@pytest.mark.parametrize("start", [None, date(2026, 12, 15)])
def test_card_installments_at_0_6_percent_a_period(start: date | None) -> None:
    # A card statement of 12,000 in 12 installments at 0.6 % a period: 1,000 + 72 = 1,072 a
    # month. Published: 13.03 % simple, 13.84 % compound (about 1.8 × 12 × 0.6 %).
    terms = make_terms(
        rate=yearly("0"),
        method=Method.FLAT_FEE,
        fee_rate=D("0.006"),
        first_due=date(2027, 1, 15),
        start_date=start,
    )
    rows = build_schedule(terms)
    assert {r.payment for r in rows} == {D("1072.00")}
    apr = schedule_apr(terms, rows)
    r = Fraction(apr.periodic)
    payments = [r.payment for r in rows]
    assert whole_month_value(payments, r - STEP) > 12000 > whole_month_value(payments, r + STEP)
    assert (pct(apr.simple), pct(apr.compound)) == (D("13.03"), D("13.84"))


def test_a_row_dated_before_the_money_is_refused() -> None:
    with pytest.raises(InvalidTerms) as err:
        dated_irr(D("100"), date(2024, 2, 1), [(date(2024, 1, 31), D("110"))])
    assert err.value.code == "irr_no_solution"


def test_later_dates_mean_a_lower_rate() -> None:
    start = date(2024, 1, 1)
    month = dated_irr(D("1000"), start, [(date(2024, 2, 1), D("1010"))])
    longer = dated_irr(D("1000"), start, [(date(2024, 2, 15), D("1010"))])
    assert month == D("0.01")
    assert 0 < longer < month


@settings(deadline=None, max_examples=60)
@given(
    start=st.dates(date(2000, 1, 1), date(2080, 12, 31)),
    net=st.integers(100, 10**8),
    flows=st.lists(st.integers(0, 10**7), min_size=1, max_size=36),
)
def test_whole_month_rows_give_the_periodic_irr_exactly(
    start: date, net: int, flows: list[int]
) -> None:
    payments = [D(f).scaleb(-2) for f in flows]
    assume(sum(payments) >= D(net).scaleb(-2) / 100)
    dated = [(add_months(start, k), p) for k, p in enumerate(payments, 1)]
    assert dated_irr(D(net).scaleb(-2), start, dated) == periodic_irr(D(net).scaleb(-2), payments)


@settings(deadline=None, max_examples=60)
@given(
    start=st.dates(date(2000, 1, 1), date(2080, 12, 31)),
    days=st.integers(1, 800),
    net=st.integers(100, 10**6),
    paid=st.integers(50, 300),
)
def test_a_single_flow_solves_exactly_on_its_months_and_days(
    start: date, days: int, net: int, paid: int
) -> None:
    # One payment p after m months and d days: (1 + r)^(m + 12d/365) = p / net, so
    # (1 + r)^(365m + 12d) = (p / net)^365 in exact rationals.
    due = start + timedelta(days=days)
    amount = D(net * paid // 100)
    assume(amount > 0)
    r = Fraction(dated_irr(D(net), start, [(due, amount)]))
    m = (due.year - start.year) * 12 + due.month - start.month
    while add_months(start, m) > due and add_months(due, -m) < start:
        m -= 1
    leftovers = []
    if add_months(start, m) <= due:
        leftovers.append((due - add_months(start, m)).days)
    if add_months(due, -m) >= start:
        leftovers.append((add_months(due, -m) - start).days)
    power = 365 * m + 12 * min(leftovers)
    target = (Fraction(amount) / net) ** 365
    # Within 1e-12 of the root: the power rises through the target between r − step, r + step.
    assert (1 + r - STEP) ** power <= target <= (1 + r + STEP) ** power
