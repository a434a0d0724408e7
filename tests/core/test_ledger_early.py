"""Paying early, paying off and compound penalty: the figures a borrower acts on (issue 8).

"To settle today" (``owed_today``) must be a number the borrower can pay and be done: paying it
on any day settles the debt, and an early partial payment lowers it by exactly what was paid.
Expected figures are derived here by hand (or with ``Fraction``), never read from the ledger.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from tests.core.factories_schedule import daily, make_terms, monthly, yearly
from tracker.ledger import (
    Component,
    Ledger,
    LedgerPolicy,
    Payment,
    PenaltyPolicy,
    Status,
)
from tracker.schedule import build_schedule
from tracker.schedule_types import LoanTerms, Method, ScheduleRow

D = Decimal
CENT = D("0.01")


def cents(value: Fraction) -> Decimal:
    """A Fraction rounded half up to the cent, for hand-derived expectations."""
    return (D(value.numerator) / D(value.denominator)).quantize(CENT, rounding=ROUND_HALF_UP)


def jintiao(**overrides: object) -> LoanTerms:
    """The issue's 金条: 20,000 at 0.05 % a day, 12-month annuity, first due 2027-01-15."""
    fields: dict[str, object] = {
        "principal": D(20000),
        "rate": daily("0.0005"),
        "term": 12,
        "method": Method.ANNUITY,
        "first_due": date(2027, 1, 15),
    }
    fields.update(overrides)
    return make_terms(**fields)


def ledger_for(terms: LoanTerms, **policy: object) -> Ledger:
    """The ledger of a schedule with the default policy (loan start one month before)."""
    rows = build_schedule(terms)
    fields: dict[str, object] = {
        "currency": terms.currency,
        "contract_daily_rate": terms.rate.daily(terms.day_count),
        "start_date": terms.start_date or date(2026, 12, 15),
    }
    fields.update(policy)
    return Ledger(rows, LedgerPolicy(**fields))  # type: ignore[arg-type]


def pay(day: date, amount: Decimal, ref: int = 1) -> Payment:
    return Payment(paid_on=day, amount=amount, ref=ref)


# ---- item 1: paying early is never charged interest for periods that have not run -------------


def test_paying_what_settle_today_says_early_settles_the_debt() -> None:
    ledger = ledger_for(jintiao())
    day = date(2026, 12, 25)
    # Ten days since the loan began: 20,000 × 0.05 % × 10 = 100.00 of interest, nothing else.
    expected = D(20000) + cents(Fraction(20000) * Fraction(5, 10000) * 10)
    assert expected == D("20100.00")
    owed = ledger.state([], day).owed_today
    assert (owed.principal, owed.interest, owed.penalty, owed.fees) == (
        D(20000),
        D("100.00"),
        0,
        0,
    )
    after = ledger.state([pay(day, owed.total)], day)
    assert after.owed_today.total == 0
    assert after.is_settled
    assert after.paid_off_on == day
    assert after.unapplied == 0
    # Nothing is left scheduled to turn overdue later.
    later = ledger.state([pay(day, owed.total)], date(2027, 6, 1))
    assert later.is_settled
    assert later.overdue_amount == 0
    assert later.owed_today.total == 0


def test_early_partial_payment_lowers_settle_today_by_exactly_its_amount() -> None:
    ledger = ledger_for(jintiao())
    day = date(2026, 12, 26)  # twenty days before the first due date
    before = ledger.state([], day).owed_today.total
    # 20,000 + 20,000 × 0.05 % × 11 days = 20,110.00
    assert before == D(20000) + cents(Fraction(20000) * Fraction(5, 10000) * 11)
    after = ledger.state([pay(day, D(500))], day)
    assert after.owed_today.total == before - 500
    assert after.advance == 500
    # The 500 is counted towards installment 1, which is partly paid ahead.
    first = after.installments[0]
    assert first.status is Status.PARTIAL
    assert first.remaining == first.scheduled - 500


def test_money_held_in_advance_pays_the_installment_on_its_due_date() -> None:
    rows = build_schedule(jintiao())
    ledger = ledger_for(jintiao())
    early = date(2027, 1, 1)
    # 陈先生 pays a little more than the installment two weeks early.
    amount = rows[0].payment + 200
    on_due = ledger.state([pay(early, amount)], rows[0].due_date)
    first, second = on_due.installments[0], on_due.installments[1]
    assert first.status is Status.PAID
    assert first.settled_on == rows[0].due_date
    assert on_due.on_time_streak == 1
    assert second.remaining == rows[1].payment - 200
    assert on_due.advance == 200
    assert on_due.overdue_amount == 0


def test_an_exact_installment_paid_early_shows_as_paid_and_no_reminder_is_owed() -> None:
    rows = build_schedule(jintiao())
    state = ledger_for(jintiao()).state([pay(date(2027, 1, 1), rows[0].payment)], date(2027, 1, 2))
    assert state.installments[0].status is Status.PAID
    assert state.next_due is not None
    assert state.next_due.number == 2
    ahead = [a for a in state.allocations if a.ahead]
    assert {a.installment for a in ahead} == {1}
    assert sum((a.amount for a in ahead), D(0)) == rows[0].payment


def test_settling_after_an_early_partial_payment_takes_the_rest() -> None:
    ledger = ledger_for(jintiao())
    first, second = date(2026, 12, 20), date(2027, 1, 5)
    owed = ledger.state([pay(first, D(3000))], second).owed_today.total
    # 21 days of interest on 20,000 (the opening balance): 210.00; minus the 3,000 held.
    assert owed == D(20000) + cents(Fraction(20000) * Fraction(5, 10000) * 21) - 3000
    done = ledger.state([pay(first, D(3000), ref=1), pay(second, owed, ref=2)], second)
    assert done.is_settled
    assert done.owed_today.total == 0
    assert done.unapplied == 0


def test_paying_off_after_some_installments_charges_the_current_period_to_date() -> None:
    terms = jintiao()
    rows = build_schedule(terms)
    ledger = ledger_for(terms)
    on_time = [pay(r.due_date, r.payment, ref=k) for k, r in enumerate(rows[:3], start=1)]
    day = rows[2].due_date + timedelta(days=12)
    balance = rows[2].balance
    expected = balance + cents(Fraction(balance) * Fraction(5, 10000) * 12)
    assert ledger.state(on_time, day).owed_today.total == expected
    done = ledger.state([*on_time, pay(day, expected, ref=9)], day)
    assert done.is_settled
    assert [i.settled_on for i in done.installments[3:]] == [day] * 9


def test_overpaying_the_payoff_leaves_a_credit() -> None:
    ledger = ledger_for(jintiao())
    day = date(2026, 12, 25)
    state = ledger.state([pay(day, D(25000))], day)
    assert state.unapplied == D(25000) - D("20100.00")
    assert state.is_settled


# ---- fees on an early payoff (item 8's assumption) ------------------------------------------


def baitiao() -> LoanTerms:
    """白条: 3,000 in 12 installments of 250 + a 0.5 % fee (15.00) a month."""
    return make_terms(
        principal=D(3000),
        rate=monthly("0"),
        term=12,
        method=Method.FLAT_FEE,
        fee_rate=D("0.005"),
        first_due=date(2027, 1, 15),
    )


def test_payoff_owes_the_remaining_fees_when_the_lender_charges_them() -> None:
    ledger = ledger_for(baitiao(), fees_on_payoff=True)
    owed = ledger.state([], date(2026, 12, 20)).owed_today
    assert (owed.principal, owed.fees, owed.interest) == (D(3000), 12 * D(15), 0)


def test_payoff_owes_only_the_current_fee_when_the_lender_waives_the_rest() -> None:
    ledger = ledger_for(baitiao(), fees_on_payoff=False)
    day = date(2026, 12, 20)
    owed = ledger.state([], day).owed_today
    assert (owed.principal, owed.fees) == (D(3000), D(15))
    done = ledger.state([pay(day, owed.total)], day)
    assert done.is_settled
    assert done.unapplied == 0


# ---- item 9: penalty on unpaid interest ----------------------------------------------------


def hand_rows() -> list[ScheduleRow]:
    due = date(2027, 1, 15)
    return [ScheduleRow(1, due, D(1045), D(45), D(0), D(1000), D(0))]


def test_compound_penalty_runs_on_overdue_interest_too_when_the_contract_says_so() -> None:
    policy = {
        "currency": "CNY",
        "contract_daily_rate": D("0.18") / 365,
        "start_date": date(2026, 12, 15),
    }
    today = date(2027, 1, 25)
    plain = Ledger(hand_rows(), LedgerPolicy(**policy))  # type: ignore[arg-type]
    compound = Ledger(
        hand_rows(),
        LedgerPolicy(**policy, penalty=PenaltyPolicy(on_interest=True)),  # type: ignore[arg-type]
    )
    rate = Fraction(18, 100) * Fraction(3, 2) / 365
    # Off (the default): 1,000 × 27 % / 365 × 10 = 7.397… → 7.40.
    assert plain.state([], today).installments[0].penalty_accrued == cents(1000 * rate * 10)
    # On: (1,000 + 45) × 27 % / 365 × 10 = 7.730… → 7.73.
    assert compound.state([], today).installments[0].penalty_accrued == cents(1045 * rate * 10)
    assert compound.state([], today).penalty_per_day == cents(1045 * rate)


# ---- properties over random loans and payments ---------------------------------------------

METHODS = [
    Method.ANNUITY,
    Method.EQUAL_PRINCIPAL,
    Method.INTEREST_ONLY,
    Method.DAILY_ACCRUAL,
    Method.FLAT_FEE,
]


@st.composite
def loans(draw: st.DrawFn) -> LoanTerms:
    method = draw(st.sampled_from(METHODS))
    principal = D(draw(st.integers(min_value=100, max_value=200_000)))
    term = draw(st.integers(min_value=1, max_value=24))
    if method is Method.FLAT_FEE:
        return make_terms(
            principal=principal,
            rate=monthly("0"),
            term=term,
            method=method,
            fee_rate=D(draw(st.integers(min_value=0, max_value=150))) / 10000,
            first_due=date(2027, 1, 15),
        )
    rate = draw(
        st.sampled_from([daily("0.0005"), daily("0.0002"), yearly("0.049"), yearly("0.24")])
    )
    return make_terms(
        principal=principal, rate=rate, term=term, method=method, first_due=date(2027, 1, 15)
    )


@st.composite
def histories(draw: st.DrawFn) -> list[Payment]:
    count = draw(st.integers(min_value=0, max_value=5))
    return [
        Payment(
            paid_on=date(2026, 12, 15) + timedelta(days=draw(st.integers(0, 400))),
            amount=D(draw(st.integers(min_value=1, max_value=500_000))) / 100,
            ref=k,
        )
        for k in range(count)
    ]


@settings(max_examples=200, deadline=None)
@given(
    terms=loans(),
    earlier=histories(),
    offset=st.integers(0, 800),
    fees_on_payoff=st.booleans(),
    before=st.integers(0, 4),
)
def test_paying_settle_today_on_any_day_settles_the_debt(
    terms: LoanTerms, earlier: list[Payment], offset: int, fees_on_payoff: bool, before: int
) -> None:
    # ``before``: a loan already running, its first installments paid before tracking began.
    ledger = ledger_for(terms, fees_on_payoff=fees_on_payoff, paid_before_tracking=before)
    day = max([date(2026, 12, 15), *(p.paid_on for p in earlier)]) + timedelta(days=offset)
    owed = ledger.state(earlier, day).owed_today.total
    assume(owed > 0)
    done = ledger.state([*earlier, Payment(day, owed, ref="settle")], day)
    assert done.owed_today.total == 0
    assert done.is_settled
    assert all(i.remaining == 0 and i.penalty_unpaid == 0 for i in done.installments)
    assert done.unapplied == 0
    later = ledger.state([*earlier, Payment(day, owed, ref="settle")], day + timedelta(days=90))
    assert later.owed_today.total == 0
    assert later.overdue_amount == 0


@settings(max_examples=200, deadline=None)
@given(
    terms=loans(),
    earlier=histories(),
    offset=st.integers(0, 800),
    share=st.fractions(min_value=Fraction(1, 1000), max_value=Fraction(999, 1000)),
)
def test_an_early_partial_payment_lowers_settle_today_by_exactly_its_amount(
    terms: LoanTerms, earlier: list[Payment], offset: int, share: Fraction
) -> None:
    ledger = ledger_for(terms)
    day = max([date(2026, 12, 15), *(p.paid_on for p in earlier)]) + timedelta(days=offset)
    before = ledger.state(earlier, day)
    assume(before.due_now == 0 and before.owed_today.total > CENT)
    amount = max(CENT, cents(Fraction(before.owed_today.total) * share))
    assume(amount < before.owed_today.total)
    after = ledger.state([*earlier, Payment(day, amount, ref="early")], day)
    assert after.owed_today.total == before.owed_today.total - amount


@settings(max_examples=200, deadline=None)
@given(terms=loans(), payments=histories(), offset=st.integers(0, 800))
def test_every_payment_is_accounted_for_and_nothing_is_negative(
    terms: LoanTerms, payments: list[Payment], offset: int
) -> None:
    state = ledger_for(terms).state(payments, date(2026, 12, 15) + timedelta(days=offset))
    paid = sum((p.amount for p in payments), D(0))
    taken = sum((a.amount for a in state.allocations if not a.ahead), D(0))
    projected = sum((a.amount for a in state.allocations if a.ahead), D(0))
    assert taken + state.advance + state.unapplied == paid
    assert projected == state.advance
    owed = state.owed_today
    assert min(owed.principal, owed.interest, owed.penalty, owed.fees) >= 0
    for inst in state.installments:
        assert inst.remaining >= 0
        assert inst.paid_by_component[Component.PRINCIPAL] >= 0
    for value in (owed.principal, owed.interest, owed.penalty, owed.fees, state.advance):
        assert isinstance(value, Decimal)
