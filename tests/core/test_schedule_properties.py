"""Invariants every schedule keeps, whatever the terms, checked with Hypothesis."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from itertools import pairwise

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from tracker.errors import InvalidTerms
from tracker.money import from_minor, minor_digits, quantize
from tracker.rates import Rate, RateUnit
from tracker.schedule import build_schedule, reschedule_after_prepayment
from tracker.schedule_types import (
    CustomInstallment,
    LoanTerms,
    Method,
    PrepaymentMode,
    ScheduleRow,
)

D = Decimal
FAST = settings(deadline=None, max_examples=60)
REGULAR = [m for m in Method if m is not Method.CUSTOM]


def rates(method: Method) -> st.SearchStrategy[Rate]:
    if method is Method.FLAT_FEE:
        return st.just(Rate(D(0), RateUnit.YEAR))
    yearly = st.integers(0, 3600).map(lambda bp: Rate(D(bp).scaleb(-4), RateUnit.YEAR))
    monthly = st.integers(0, 300).map(lambda bp: Rate(D(bp).scaleb(-4), RateUnit.MONTH))
    daily = st.integers(0, 100).map(lambda x: Rate(D(x).scaleb(-5), RateUnit.DAY))
    return st.one_of(yearly, monthly, daily)


@st.composite
def loan_terms(
    draw: st.DrawFn,
    methods: list[Method] = REGULAR,
    min_units: int = 1,
    currencies: tuple[str, ...] = ("CNY", "JPY"),
) -> LoanTerms:
    """Terms for a regular method; at least ``min_units`` major units of principal a period."""
    method = draw(st.sampled_from(methods))
    currency = draw(st.sampled_from(currencies))
    term = draw(st.integers(1, 360))
    scale = 10 ** minor_digits(currency)
    minor = draw(st.integers(min_units * term * scale, 10**10))
    first_due = draw(st.dates(date(2000, 1, 1), date(2090, 12, 31)))
    start_gap = draw(st.none() | st.integers(1, 62))
    return LoanTerms(
        principal=from_minor(minor, currency),
        rate=draw(rates(method)),
        term=term,
        method=method,
        first_due=first_due,
        currency=currency,
        day_count=draw(st.sampled_from([365, 360])),
        due_day=draw(st.none() | st.integers(1, 31)),
        start_date=None if start_gap is None else first_due - timedelta(days=start_gap),
        fee_rate=D(draw(st.integers(0, 200))).scaleb(-4) if method is Method.FLAT_FEE else D(0),
    )


def regular_first_month(terms: LoanTerms) -> LoanTerms:
    """``terms`` started a month before the first due date, for methods that charge odd days.

    An odd first period changes only installment 1's interest and payment for annuity, equal
    principal and interest-only (test_schedule_first_period.py pins that against this), so
    the shape of the rows is checked on the regular first month.
    """
    if terms.method in (Method.ANNUITY, Method.EQUAL_PRINCIPAL, Method.INTEREST_ONLY):
        return replace(terms, start_date=None)
    return terms


def assert_well_formed(terms: LoanTerms, rows: list[ScheduleRow]) -> None:
    """What holds for every schedule: exact principal, sane balances, whole minor units."""
    assert sum((r.principal for r in rows), D(0)) == terms.principal
    balance = terms.principal
    for number, row in enumerate(rows, 1):
        assert row.number == number
        for amount in (row.payment, row.interest, row.fee, row.principal, row.balance):
            assert amount == quantize(amount, terms.currency)
            assert amount >= 0
        assert row.payment == row.interest + row.fee + row.principal
        assert row.balance == balance - row.principal <= balance
        balance = row.balance
    assert balance == 0
    assert all(a.due_date < b.due_date for a, b in pairwise(rows))


def level_payment_holds(row: ScheduleRow, opening: Decimal, payment: Decimal) -> bool:
    """A non-last row of a level-payment plan pays the level amount, save three edge cases."""
    if opening == 0:
        return row.payment == row.interest  # already repaid: nothing left to owe but interest
    if row.balance == 0:
        return row.payment <= max(payment, row.interest)  # this row clears the loan early
    return row.payment == max(payment, row.interest)  # interest above the payment: none repaid


@FAST
@given(terms=loan_terms())
def test_every_method_repays_exactly_the_principal(terms: LoanTerms) -> None:
    rows = build_schedule(terms)
    assert len(rows) == terms.term
    assert_well_formed(terms, rows)


@FAST
@given(terms=loan_terms([Method.ANNUITY, Method.DAILY_ACCRUAL]))
def test_level_payments_are_equal_except_the_last(terms: LoanTerms) -> None:
    rows = build_schedule(regular_first_month(terms))
    # Rows that repay some principal without clearing the loan pay exactly the level amount.
    regular = {r.payment for r in rows[:-1] if r.principal > 0 and r.balance > 0}
    assert len(regular) <= 1
    payment = regular.pop() if regular else D(0)
    opening = terms.principal
    for row in rows[:-1]:
        assert level_payment_holds(row, opening, payment)
        opening = row.balance


@FAST
@given(terms=loan_terms([Method.ANNUITY], min_units=1000, currencies=("CNY",)))
def test_annuity_payments_of_a_real_sized_loan_are_all_equal_but_the_last(terms: LoanTerms) -> None:
    # Rounding A by up to half a cent drifts the balance by at most 0.005·(1+i)^n / i, which
    # for i ≤ 2 % a month and n ≤ 360 is about ¥312: far below a payment of over ¥1,000, so
    # no row before the last can clear the loan early (see the tiny-loan test for when it can).
    assume(terms.rate.monthly(terms.day_count) <= D("0.02"))
    rows = build_schedule(regular_first_month(terms))
    assert len({r.payment for r in rows[:-1]}) <= 1


@FAST
@given(terms=loan_terms([Method.EQUAL_PRINCIPAL]))
def test_equal_principal_payments_never_rise(terms: LoanTerms) -> None:
    rows = build_schedule(regular_first_month(terms))
    step = rows[0].principal
    for a, b in pairwise(rows[:-1]):
        assert b.payment <= a.payment
    if len(rows) > 1:
        # The last row absorbs the rounding remainder of P/n and may exceed by exactly that.
        remainder = max(rows[-1].principal - step, D(0))
        assert rows[-1].payment <= rows[-2].payment + remainder
        # …and that remainder is at most half a minor unit per row.
        minor_unit = D(1).scaleb(-minor_digits(terms.currency))
        assert abs(terms.principal - step * terms.term) <= terms.term * minor_unit / 2


@FAST
@given(terms=loan_terms([Method.INTEREST_ONLY, Method.FLAT_FEE]))
def test_interest_only_and_flat_fee_rows(terms: LoanTerms) -> None:
    rows = build_schedule(regular_first_month(terms))
    if terms.method is Method.INTEREST_ONLY:
        assert {r.principal for r in rows[:-1]} <= {D(0)}
        assert rows[-1].principal == terms.principal
        assert len({r.interest for r in rows}) == 1
    else:
        assert {r.interest for r in rows} == {D(0)}
        assert {r.fee for r in rows} == {quantize(terms.principal * terms.fee_rate, terms.currency)}


@FAST
@given(
    principal=st.integers(1, 10**6),
    amounts=st.lists(st.integers(1, 10**5), min_size=1, max_size=24),
    rate_bp=st.sampled_from([0, 0, 50, 100]),
)
def test_custom_plans_repay_exactly_or_report_the_shortfall(
    principal: int, amounts: list[int], rate_bp: int
) -> None:
    start = date(2024, 1, 1)
    custom = tuple(
        CustomInstallment(start + timedelta(days=30 * k), D(a)) for k, a in enumerate(amounts, 1)
    )
    terms = LoanTerms(
        principal=D(principal),
        rate=Rate(D(rate_bp).scaleb(-4), RateUnit.MONTH),
        term=len(custom),
        method=Method.CUSTOM,
        first_due=custom[0].due_date,
        custom=custom,
    )
    rate = D(rate_bp).scaleb(-4)
    # Interest is at most round(P·i) a row, so it can eat at most that much of the plan.
    most_interest = quantize(principal * rate, "CNY") * len(amounts)
    outcome = schedule_or_error(terms)
    if isinstance(outcome, InvalidTerms):
        assert outcome.code == "custom_short"
        shortfall = outcome.params["shortfall"]
        assert principal - sum(amounts) <= shortfall <= principal - sum(amounts) + most_interest
        assert shortfall > 0
        if rate == 0:
            assert shortfall == principal - sum(amounts)
        return
    assert sum(amounts) >= principal
    assert_well_formed(terms, outcome)
    assert [r.payment for r in outcome] == [D(a) for a in amounts]
    if rate == 0:
        assert sum(r.fee for r in outcome) == sum(amounts) - principal


def schedule_or_error(terms: LoanTerms) -> list[ScheduleRow] | InvalidTerms:
    try:
        return build_schedule(terms)
    except InvalidTerms as err:
        return err


@st.composite
def prepayments(
    draw: st.DrawFn,
) -> tuple[LoanTerms, list[ScheduleRow], int, Decimal, PrepaymentMode]:
    terms = draw(loan_terms())
    assume(terms.term >= 2)
    mode = draw(st.sampled_from(list(PrepaymentMode)))
    assume(not (terms.method is Method.INTEREST_ONLY and mode is PrepaymentMode.KEEP_PAYMENT))
    rows = build_schedule(terms)
    paid_through = draw(st.integers(1, terms.term - 1))
    balance_minor = int(rows[paid_through - 1].balance.scaleb(minor_digits(terms.currency)))
    assume(balance_minor > 0)
    minor = draw(st.integers(1, balance_minor) | st.just(balance_minor))
    return terms, rows, paid_through, from_minor(minor, terms.currency), mode


@settings(deadline=None, max_examples=150)
@given(case=prepayments())
def test_prepayment_keeps_the_schedule_sound(
    case: tuple[LoanTerms, list[ScheduleRow], int, Decimal, PrepaymentMode],
) -> None:
    terms, old, k, amount, mode = case
    new = reschedule_after_prepayment(terms, old, k, amount, mode)
    assert_well_formed(terms, new)
    assert new[: k - 1] == old[: k - 1]
    paid = new[k - 1]
    assert (paid.due_date, paid.interest, paid.fee) == (
        old[k - 1].due_date,
        old[k - 1].interest,
        old[k - 1].fee,
    )
    assert paid.principal == old[k - 1].principal + amount
    assert [r.due_date for r in new] == [r.due_date for r in old[: len(new)]]
    assert len(new) <= len(old)
    if paid.balance == 0:
        assert len(new) == k
        return
    rest_new, rest_old = new[k:], old[k:]
    if mode is PrepaymentMode.KEEP_TERM:
        assert len(new) == len(old)
        # Compared with the payment that was due next: position by position would also compare
        # with rows an old schedule with rounding drift had already cleared early. A level
        # payment may be topped up by a long month's interest alone, which is owed regardless.
        level = terms.method in (Method.ANNUITY, Method.DAILY_ACCRUAL)
        for r in rest_new[:-1]:
            assert r.payment <= (
                max(rest_old[0].payment, r.interest) if level else rest_old[0].payment
            )
    elif terms.method in (Method.ANNUITY, Method.DAILY_ACCRUAL):
        opening = paid.balance
        for row in rest_new[:-1]:
            assert level_payment_holds(row, opening, rest_old[0].payment)
            opening = row.balance
    else:
        assert {r.principal for r in rest_new[:-1]} <= {rest_old[0].principal}


@pytest.mark.parametrize("mode", list(PrepaymentMode))
@FAST
@given(terms=loan_terms([Method.ANNUITY, Method.EQUAL_PRINCIPAL, Method.FLAT_FEE], min_units=100))
def test_prepayment_never_costs_more_interest(terms: LoanTerms, mode: PrepaymentMode) -> None:
    assume(terms.term >= 2)
    old = build_schedule(terms)
    half = quantize(old[0].balance / 2, terms.currency)
    assume(half > 0)
    new = reschedule_after_prepayment(terms, old, 1, half, mode)
    assert sum(r.interest for r in new) <= sum(r.interest for r in old)
    if mode is PrepaymentMode.KEEP_PAYMENT:
        assert sum(r.fee for r in new) <= sum(r.fee for r in old)
