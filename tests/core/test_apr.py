"""Annualised rate by IRR (PBOC announcement 〔2021〕No. 3)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from tests.core.factories_schedule import make_custom, make_terms, yearly
from tracker.apr import annualised_rate, periodic_irr, schedule_apr
from tracker.dates import add_months
from tracker.errors import InvalidTerms
from tracker.schedule import build_schedule
from tracker.schedule_types import Method

D = Decimal


def pct(x: Decimal, places: str = "0.01") -> Decimal:
    return (x * 100).quantize(D(places), rounding=ROUND_HALF_UP)


def present_value(payments: list[Decimal], rate: Fraction) -> Fraction:
    """Σ p_k / (1+r)^k in exact rationals, independent of the code under test."""
    return sum((Fraction(p) / (1 + rate) ** k for k, p in enumerate(payments, 1)), Fraction(0))


def test_published_example_100k_with_1k_fee() -> None:
    apr = annualised_rate(D("99000"), [D("8833.30")] * 12)
    assert pct(apr.simple) == D("12.80")
    assert pct(apr.compound) == D("13.58")
    assert apr.simple == apr.periodic * 12


def test_published_example_as_an_agreed_plan() -> None:
    start = date(2024, 1, 10)
    plan = [(add_months(start, k), "8833.30") for k in range(1, 13)]
    terms = make_custom("100000", plan, upfront_fee=D("1000"), start_date=start)
    apr = schedule_apr(terms, build_schedule(terms))
    assert (pct(apr.simple), pct(apr.compound)) == (D("12.80"), D("13.58"))


def test_schedule_apr_takes_the_upfront_fee_off_the_money_received() -> None:
    terms = make_terms(principal=D("100000"), upfront_fee=D("1000"))
    rows = build_schedule(terms)
    assert schedule_apr(terms, rows) == annualised_rate(D("99000"), [r.payment for r in rows])
    without_fee = schedule_apr(replace(terms, upfront_fee=D("0")), rows)
    assert pct(without_fee.simple) == D("12.00")
    assert schedule_apr(terms, rows).simple > without_fee.simple


def test_flat_fee_of_half_a_percent_is_about_10_9_percent() -> None:
    terms = make_terms(rate=yearly("0"), method=Method.FLAT_FEE, fee_rate=D("0.005"))
    apr = schedule_apr(terms, build_schedule(terms))
    assert pct(apr.simple, "0.1") == D("10.9")
    assert apr.simple > D("0.06")  # far above the 12 × 0.5 % the fee looks like


def test_annuity_apr_matches_its_nominal_rate() -> None:
    terms = make_terms(principal=D("1000000"), rate=yearly("0.049"), term=240)
    apr = schedule_apr(terms, build_schedule(terms))
    assert pct(apr.simple) == D("4.90")
    # (1 + 0.049/12)^12 − 1 = 5.0115 %
    assert pct(apr.compound) == D("5.01")


def test_zero_interest_is_exactly_zero() -> None:
    assert periodic_irr(D("1200"), [D("100")] * 12) == 0
    terms = make_terms(rate=yearly("0"))
    apr = schedule_apr(terms, build_schedule(terms))
    assert (apr.periodic, apr.simple, apr.compound) == (0, 0, 0)


@pytest.mark.parametrize(
    ("net", "payments", "rate"),
    [
        (D("100"), [D("110")], D("0.1")),
        (D("100"), [D("0"), D("121")], D("0.1")),
        (D("100"), [D("50")], D("-0.5")),
        (D("1"), [D("1"), D("1")], D("0.618033988749895")),  # (√5 − 1)/2: r² + r − 1 = 0
    ],
)
def test_irr_by_hand(net: Decimal, payments: list[Decimal], rate: Decimal) -> None:
    assert abs(periodic_irr(net, payments) - rate) < D("1e-12")


def test_weekly_periods() -> None:
    apr = annualised_rate(D("100"), [D("101")], periods_per_year=52)
    assert apr.simple == D("0.52")
    assert abs(apr.compound - (D("1.01") ** 52 - 1)) < D("1e-12")


@pytest.mark.parametrize(
    ("net", "payments"),
    [
        (D("0"), [D("1")]),
        (D("-5"), [D("1")]),
        (D("100"), []),
        (D("100"), [D("0"), D("0")]),
        (D("100"), [D("120"), D("-10")]),
        (D("100"), [D("NaN")]),
    ],
)
def test_no_solution(net: Decimal, payments: list[Decimal]) -> None:
    with pytest.raises(InvalidTerms) as err:
        periodic_irr(net, payments)
    assert err.value.code == "irr_no_solution"


def test_bad_periods_per_year() -> None:
    with pytest.raises(InvalidTerms) as err:
        annualised_rate(D("100"), [D("110")], periods_per_year=0)
    assert err.value.code == "periods_per_year"


def test_float_is_refused() -> None:
    with pytest.raises(TypeError):
        periodic_irr(100.0, [D("110")])  # type: ignore[arg-type]


@settings(deadline=None, max_examples=60)
@given(
    net=st.integers(min_value=100, max_value=10**8),
    flows=st.lists(st.integers(min_value=0, max_value=10**7), min_size=1, max_size=60),
)
def test_irr_brackets_the_root_to_1e_12(net: int, flows: list[int]) -> None:
    payments = [D(f).scaleb(-2) for f in flows]
    net_amount = D(net).scaleb(-2)
    # Repaying under 1 % of the loan puts the rate near −100 %: covered by hand above.
    assume(sum(payments) >= net_amount / 100)
    r = Fraction(periodic_irr(net_amount, payments))
    step = Fraction(1, 10**12)
    # Present value falls as the rate rises: the true root lies within 1e-12 of r.
    assert present_value(payments, r - step) >= Fraction(net_amount)
    assert present_value(payments, r + step) <= Fraction(net_amount)
