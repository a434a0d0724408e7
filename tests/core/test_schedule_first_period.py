"""The first period, from the money received to the first due date, as each method charges it.

Annuity, equal principal and interest-only charge installment 1 a regular month's interest
B·i plus the extra days at the daily rate, B × annual × extra / basis, rounded once, where
extra = days(start, first_due) − days(a month before first_due, first_due).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.core.factories_schedule import daily, make_terms, monthly, yearly
from tests.core.replay_schedule import as_decimal, half_up
from tracker.dates import add_months
from tracker.money import from_minor, minor_digits
from tracker.rates import Rate, RateUnit
from tracker.schedule import build_schedule, reschedule_after_prepayment
from tracker.schedule_types import LoanTerms, Method, PrepaymentMode

D = Decimal
ADJUSTED = [Method.ANNUITY, Method.EQUAL_PRINCIPAL, Method.INTEREST_ONLY]


def test_annuity_45_day_first_period_charges_the_extra_days() -> None:
    # 12,000 at 12 % a year, money on Jan 1, first due Feb 15: 45 days, against 31 from Jan 15
    # (a month before) to Feb 15, so 14 extra days.
    # Interest: 12,000 × 0.12 / 12 + 12,000 × 0.12 × 14 / 365 = 120 + 55.2328… = 175.23.
    # Level payment, as for a regular month: A = 12,000 × 0.01 × 1.01¹² / (1.01¹² − 1)
    # = 1,066.185… → 1,066.19; principal 1,066.19 − 120.00 = 946.19, so the payment is
    # 946.19 + 175.23 = 1,121.42, and every later row is the regular schedule's.
    terms = make_terms(start_date=date(2024, 1, 1), first_due=date(2024, 2, 15))
    rows = build_schedule(terms)
    i = Fraction(1, 100)
    level = half_up(12000 * i * (1 + i) ** 12 / ((1 + i) ** 12 - 1))
    interest = half_up(Fraction(12000) * Fraction("0.12") * (Fraction(1, 12) + Fraction(14, 365)))
    assert (level, interest) == (Fraction("1066.19"), Fraction("175.23"))
    first = rows[0]
    assert first.interest == as_decimal(interest)
    assert first.principal == as_decimal(level - 120) == D("946.19")
    assert first.payment == D("1121.42")
    assert first.balance == D("11053.81")
    assert rows[1:] == build_schedule(replace(terms, start_date=None))[1:]
    assert {r.payment for r in rows[1:-1]} == {as_decimal(level)}


def test_annuity_at_a_daily_rate_on_360_days_charges_the_extra_days_at_that_rate() -> None:
    # 0.05 %/day on 360 days is 18 % a year: a month is 10,000 × 0.18 / 12 = 150.00 and each of
    # the 14 extra days 10,000 × 0.0005 = 5.00, so installment 1 carries 150 + 70 = 220.00.
    terms = make_terms(
        principal=D("10000"),
        rate=daily("0.0005"),
        day_count=360,
        start_date=date(2024, 1, 1),
        first_due=date(2024, 2, 15),
    )
    rows = build_schedule(terms)
    assert rows[0].interest == D("220.00")
    regular = build_schedule(replace(terms, start_date=None))
    assert regular[0].interest == D("150.00")
    assert rows[0].payment == regular[0].payment + 70


def test_equal_principal_short_first_period_charges_less() -> None:
    # 1,200 at 1 % a month over 12, money on Feb 1, first due Feb 15: 14 days against the 31
    # from Jan 15, so −17 days. Interest: 1,200 × 0.12 × (1/12 − 17/365) = 12 − 6.7068… = 5.29;
    # the payment is the step 100 plus 5.29, and the later rows fall as usual from 111.
    terms = make_terms(
        principal=D("1200"),
        rate=monthly("0.01"),
        method=Method.EQUAL_PRINCIPAL,
        start_date=date(2024, 2, 1),
        first_due=date(2024, 2, 15),
    )
    rows = build_schedule(terms)
    interest = half_up(Fraction(1200) * Fraction("0.12") * (Fraction(1, 12) - Fraction(17, 365)))
    assert as_decimal(interest) == rows[0].interest == D("5.29")
    assert (rows[0].principal, rows[0].payment) == (D("100"), D("105.29"))
    assert [r.payment for r in rows[1:]] == [D(100 + 12 - k) for k in range(1, 12)]


def test_interest_only_first_period_of_two_months_and_three_days() -> None:
    # 100,000 at 6 % a year, money on Jan 12 2024, first due Mar 15: 63 days; a month before
    # Mar 15 is Feb 15, 29 days (leap year), so 34 extra days.
    # Interest: 100,000 × 0.06 / 12 + 100,000 × 0.06 × 34 / 365 = 500 + 558.904… = 1,058.90.
    terms = make_terms(
        principal=D("100000"),
        rate=yearly("0.06"),
        method=Method.INTEREST_ONLY,
        start_date=date(2024, 1, 12),
        first_due=date(2024, 3, 15),
    )
    rows = build_schedule(terms)
    interest = half_up(Fraction(100000) * Fraction("0.06") * (Fraction(1, 12) + Fraction(34, 365)))
    assert as_decimal(interest) == rows[0].interest == D("1058.90")
    assert [r.payment for r in rows] == [D("1058.90")] + [D("500.00")] * 10 + [D("100500.00")]


def test_interest_only_over_a_single_installment_charges_the_whole_period() -> None:
    # One row is both the first and the last: 45 days on 1,000 at 12 % = 10 + 4.6027… = 14.60.
    terms = make_terms(
        principal=D("1000"),
        term=1,
        method=Method.INTEREST_ONLY,
        start_date=date(2024, 1, 1),
        first_due=date(2024, 2, 15),
    )
    (row,) = build_schedule(terms)
    assert (row.interest, row.principal, row.payment) == (D("14.60"), D("1000"), D("1014.60"))


@pytest.mark.parametrize("method", ADJUSTED)
@pytest.mark.parametrize(
    "first_due", [date(2024, 2, 15), date(2023, 3, 31), date(2024, 3, 31), date(2024, 5, 31)]
)
def test_a_start_exactly_a_month_before_changes_nothing(method: Method, first_due: date) -> None:
    # Mar 31 ← Feb 28 (or 29) and May 31 ← Apr 30 are whole months: no extra days.
    terms = make_terms(method=method, first_due=first_due)
    explicit = replace(terms, start_date=add_months(first_due, -1))
    assert build_schedule(explicit) == build_schedule(terms)


def test_a_31st_start_before_a_short_month_counts_its_actual_days() -> None:
    # The month before Feb 28 is Jan 28 → Feb 28, 31 days; money received on Jan 31 was held
    # 28 of them, so installment 1 is charged 3 days less: 120 − 12,000 × 0.12 × 3/365 = 108.16.
    terms = make_terms(start_date=date(2023, 1, 31), first_due=date(2023, 2, 28))
    assert build_schedule(terms)[0].interest == D("108.16")


def test_flat_fee_charges_the_same_fee_whatever_the_first_period() -> None:
    terms = make_terms(
        rate=yearly("0"),
        method=Method.FLAT_FEE,
        fee_rate=D("0.005"),
        start_date=date(2024, 1, 1),
    )
    assert build_schedule(terms) == build_schedule(replace(terms, start_date=None))


def test_prepayment_after_an_odd_first_period_keeps_installment_1() -> None:
    terms = make_terms(start_date=date(2024, 1, 1), first_due=date(2024, 2, 15))
    rows = build_schedule(terms)
    for mode in PrepaymentMode:
        new = reschedule_after_prepayment(terms, rows, 1, D("2000"), mode)
        assert new[0].interest == rows[0].interest == D("175.23")
        # Later rows are regular months on the balance after the prepayment.
        assert new[1].interest == as_decimal(half_up(Fraction(new[0].balance) / 100))


@st.composite
def odd_first_periods(draw: st.DrawFn) -> LoanTerms:
    """Terms for an adjusted method with a start from 1 to 100 days before the first due date."""
    method = draw(st.sampled_from(ADJUSTED))
    currency = draw(st.sampled_from(["CNY", "JPY"]))
    term = draw(st.integers(1, 120))
    scale = 10 ** minor_digits(currency)
    first_due = draw(st.dates(date(2000, 1, 1), date(2090, 12, 31)))
    unit = draw(st.sampled_from(list(RateUnit)))
    top = {RateUnit.YEAR: 3600, RateUnit.MONTH: 300, RateUnit.DAY: 10}[unit]
    rate = Rate(D(draw(st.integers(0, top))).scaleb(-4), unit)
    return LoanTerms(
        principal=from_minor(draw(st.integers(term * scale, 10**10)), currency),
        rate=rate,
        term=term,
        method=method,
        first_due=first_due,
        currency=currency,
        day_count=draw(st.sampled_from([365, 360])),
        due_day=draw(st.none() | st.integers(1, 31)),
        start_date=first_due - timedelta(days=draw(st.integers(1, 100))),
    )


@settings(deadline=None, max_examples=150)
@given(terms=odd_first_periods())
def test_installment_1_interest_is_the_formula_and_nothing_else_changes(terms: LoanTerms) -> None:
    assert terms.start_date is not None
    rows = build_schedule(terms)
    regular = build_schedule(replace(terms, start_date=None))
    # The formula, in exact rationals: a month of interest plus the extra days at the daily rate.
    annual = Fraction(terms.rate.annual(terms.day_count))
    month_before = add_months(terms.first_due, -1)
    extra = (terms.first_due - terms.start_date).days - (terms.first_due - month_before).days
    owed = Fraction(terms.principal) * annual * (Fraction(1, 12) + Fraction(extra, terms.day_count))
    digits = minor_digits(terms.currency)
    assert rows[0].interest == as_decimal(half_up(owed, digits), digits)
    # Only installment 1's interest (and so its payment) differs from a regular first month.
    first, usual = rows[0], regular[0]
    assert (first.due_date, first.principal, first.fee, first.balance) == (
        usual.due_date,
        usual.principal,
        usual.fee,
        usual.balance,
    )
    assert first.payment == first.principal + first.interest + first.fee
    assert rows[1:] == regular[1:]
    if extra < 0:
        assert first.interest <= usual.interest  # a short first period never costs more
    elif extra > 0:
        assert first.interest >= usual.interest
