"""Daily accrual's level payment, solved on the actual days so the last row ends near it.

The rule (tracker/schedule.py): the level payment is the whole number of minor units that
brings the last row nearest to it, among payments that do not repay the loan before its last
row, the lower on a tie. It cannot always land within a cent: a cent more on each of n − 1
rows moves the last row by at least n − 1 cents, plus their interest.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from tests.core.factories_schedule import daily, make_terms, yearly
from tests.core.replay_schedule import assert_nearest_level, daily_last_payment
from tracker.dates import add_months
from tracker.money import from_minor, minor_digits, quantize
from tracker.planner.rows import reamortise
from tracker.planner.types import DebtSituation
from tracker.rates import Rate, RateUnit
from tracker.schedule import MAX_TERM, build_schedule, reschedule_after_prepayment
from tracker.schedule_types import LoanTerms, Method, PrepaymentMode, ScheduleRow
from tracker.storage.enums import DebtKind

D = Decimal
DAILY = Method.DAILY_ACCRUAL


def level_of(rows: list[ScheduleRow]) -> Decimal:
    """The level payment: what a row pays when it repays some principal, not the last."""
    levels = {r.payment for r in rows[:-1] if r.principal > 0 and r.balance > 0}
    assert len(levels) == 1
    return levels.pop()


def check_nearest(terms: LoanTerms, rows: list[ScheduleRow], start: date) -> None:
    """Replay the schedule independently and check its level is the nearest one."""
    assert_nearest_level(
        principal=Fraction(terms.principal),
        annual=Fraction(terms.rate.annual(terms.day_count)),
        basis=terms.day_count,
        start=start,
        dates=[r.due_date for r in rows],
        level=Fraction(level_of(rows)),
        last=Fraction(rows[-1].payment),
        digits=minor_digits(terms.currency),
    )


def test_daily_accrual_100000_at_4_9_over_360_ends_near_the_level_payment() -> None:
    # The monthly annuity formula gives 530.73 (i = 0.049/12, n = 360), which on actual days
    # leaves a last row of 676.86. On the actual days 530.91 leaves 529.86 (1.05 below); 530.90
    # leaves a last row more than 1.05 above and 530.92 more than 1.05 below (checked by the
    # replay): a cent a row moves the last row by about 8 (359 cents and their interest), so
    # about 4 is the most any payment can promise, and 1.05 is the nearest there is.
    terms = make_terms(principal=D("100000"), rate=yearly("0.049"), term=360, method=DAILY)
    rows = build_schedule(terms)
    assert level_of(rows) == D("530.91")
    assert rows[-1].payment == D("529.86")
    start = date(2024, 1, 15)  # a month before the first due date, Feb 15
    dates = [r.due_date for r in rows]

    def last_for(level: str) -> Fraction:
        return daily_last_payment(
            Fraction(100000), Fraction("0.049"), 365, start, dates, Fraction(level)
        )

    assert last_for("530.73") == Fraction("676.86")  # the formula's payment: 146.13 off
    assert last_for("530.91") == Fraction("529.86")
    assert last_for("530.90") - Fraction("530.90") > Fraction("1.05")
    assert Fraction("530.92") - last_for("530.92") > Fraction("1.05")
    check_nearest(terms, rows, start)
    assert sum(r.principal for r in rows) == terms.principal


@pytest.mark.parametrize("rate", ["0.18", "0.24", "0.36"])
@pytest.mark.parametrize("term", [180, 360, 600])
def test_daily_accrual_high_rate_long_term_never_repays_early(rate: str, term: int) -> None:
    # Before, 100,000 at 36 % over 360 months was "repaid" at row 181 and then showed 179 rows
    # of 0.00. Now every row pays something, the balance lasts to the last row, and the last
    # row is the nearest the cent allows.
    terms = make_terms(principal=D("100000"), rate=yearly(rate), term=term, method=DAILY)
    rows = build_schedule(terms)
    assert len(rows) == term
    assert all(r.payment > 0 for r in rows)
    assert all(r.balance > 0 for r in rows[:-1])
    assert sum(r.principal for r in rows) == terms.principal
    check_nearest(terms, rows, date(2024, 1, 15))


def test_daily_accrual_keep_term_prepayment_solves_the_new_level_on_actual_days() -> None:
    terms = make_terms(principal=D("100000"), rate=yearly("0.049"), term=360, method=DAILY)
    rows = build_schedule(terms)
    new = reschedule_after_prepayment(terms, rows, 12, D("20000"), PrepaymentMode.KEEP_TERM)
    rest = new[12:]
    assert len(new) == 360
    assert level_of(rest) <= level_of(rows)  # a prepayment never raises the payment
    assert_nearest_level(
        principal=Fraction(new[11].balance),
        annual=Fraction("0.049"),
        basis=365,
        start=new[11].due_date,  # interest runs from the prepayment
        dates=[r.due_date for r in rest],
        level=Fraction(level_of(rest)),
        last=Fraction(rest[-1].payment),
    )


def test_hardship_reamortisation_of_a_daily_debt_uses_the_solved_level() -> None:
    # 金条 at 0.05 %/day stretched to 360 months (a configurable maximum term): the re-plan
    # calls build_schedule, so it gets the solved level and no run of 0.00 rows.
    zero = D("0.00")
    current = build_schedule(
        make_terms(principal=D("50000"), rate=daily("0.0005"), method=DAILY, term=12)
    )
    debt = DebtSituation(
        debt_id=1,
        name="金条",
        kind=DebtKind.CONSUMER_LOAN,
        currency="CNY",
        principal=D("50000"),
        overdue=zero,
        interest=zero,
        penalty=zero,
        fees=zero,
        rate=daily("0.0005"),
        method=DAILY,
        remaining=tuple(current),
        monthly_payment=current[0].payment,
        day_count=365,
    )
    first = date(2024, 7, 1)
    rows = reamortise(debt, D("50000"), 360, first, zero, 1)
    assert all(r.payment > 0 for r in rows)
    assert all(r.balance > 0 for r in rows[:-1])
    assert_nearest_level(
        principal=Fraction(50000),
        annual=Fraction("0.0005") * 365,
        basis=365,
        start=date(2024, 6, 1),  # a month before the first due date
        dates=[r.due_date for r in rows],
        level=Fraction(level_of(rows)),
        last=Fraction(rows[-1].payment),
    )


@st.composite
def daily_terms(draw: st.DrawFn) -> LoanTerms:
    """Daily-accrual terms up to MAX_TERM rows, at least one major unit of principal a row."""
    currency = draw(st.sampled_from(["CNY", "JPY"]))
    term = draw(st.integers(2, MAX_TERM))
    scale = 10 ** minor_digits(currency)
    first_due = draw(st.dates(date(2000, 1, 1), date(2040, 12, 31)))
    unit = draw(st.sampled_from(list(RateUnit)))
    top = {RateUnit.YEAR: 3600, RateUnit.MONTH: 300, RateUnit.DAY: 10}[unit]
    start_gap = draw(st.none() | st.integers(1, 62))
    return LoanTerms(
        principal=from_minor(draw(st.integers(term * scale, 10**10)), currency),
        rate=Rate(D(draw(st.integers(0, top))).scaleb(-4), unit),
        term=term,
        method=DAILY,
        first_due=first_due,
        currency=currency,
        day_count=draw(st.sampled_from([365, 360])),
        due_day=draw(st.none() | st.integers(1, 31)),
        start_date=None if start_gap is None else first_due - timedelta(days=start_gap),
    )


@settings(deadline=None, max_examples=60)
@given(terms=daily_terms())
def test_daily_accrual_last_row_is_the_nearest_the_minor_unit_allows(terms: LoanTerms) -> None:
    rows = build_schedule(terms)
    assert len(rows) == terms.term
    assert sum((r.principal for r in rows), D(0)) == terms.principal
    for row in rows:
        assert row.payment > 0
        assert row.payment == row.interest + row.principal + row.fee
        assert min(row.interest, row.principal, row.balance) >= 0
        assert row.payment == quantize(row.payment, terms.currency)
    assert all(r.balance > 0 for r in rows[:-1])  # never repaid before the last row
    assume(any(r.principal > 0 for r in rows[:-1]))  # a level to read from the rows
    check_nearest(terms, rows, terms.start_date or add_months(terms.first_due, -1))
