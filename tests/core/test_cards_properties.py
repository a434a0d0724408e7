"""Invariants every card keeps, whatever its terms and payments, checked with Hypothesis."""

from __future__ import annotations

import calendar
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.cards import (
    CardTerms,
    InterestOn,
    MinimumRule,
    Statement,
    close_cycle,
    due_date_after,
    minimum_only_projection,
    next_statement_date,
    open_statement,
    statement_date_in,
    statement_installments,
)
from tracker.ledger import Payment
from tracker.money import from_minor, minor_digits, quantize
from tracker.schedule import build_schedule

D = Decimal
FAST = settings(deadline=None, max_examples=80)
SLOW = settings(deadline=None, max_examples=25)


def valid_days() -> st.SearchStrategy[tuple[int, int]]:
    """(statement_day, due_day) pairs a card can have: not a later due day after the 27th."""
    pairs = st.tuples(st.integers(1, 31), st.integers(1, 31))
    return pairs.filter(lambda p: not p[1] > p[0] > 27)


def fraction(low: int, high: int, scale: int) -> st.SearchStrategy[Decimal]:
    """Decimals ``low/10^scale .. high/10^scale`` in steps of ``10^-scale``."""
    return st.integers(low, high).map(lambda n: D(n).scaleb(-scale))


@st.composite
def card_terms(
    draw: st.DrawFn,
    rules: tuple[MinimumRule, ...] = tuple(MinimumRule),
    minimum_rate: st.SearchStrategy[Decimal] | None = None,
) -> CardTerms:
    """Any valid card: CNY or JPY, rates from 0 to 0.1 %/day, minimums from 0.01 % to 100 %."""
    currency = draw(st.sampled_from(["CNY", "JPY"]))
    statement_day, due_day = draw(valid_days())
    floor_minor = draw(st.integers(0, 5000))
    return CardTerms(
        currency,
        statement_day,
        due_day,
        minimum_rate=draw(fraction(1, 10000, 4) if minimum_rate is None else minimum_rate),
        minimum_rule=draw(st.sampled_from(rules)),
        minimum_floor=from_minor(floor_minor, currency),
        daily_rate=draw(fraction(0, 100, 5)),
        interest_on=draw(st.sampled_from(list(InterestOn))),
        late_fee_rate=draw(fraction(0, 1000, 4)),
    )


@st.composite
def opening(
    draw: st.DrawFn, terms: CardTerms, max_minor: int = 10**10, fees: bool = True
) -> Statement:
    """A statement as printed: a balance, perhaps with interest and a fee on it, any month."""
    cur = terms.currency
    when = statement_date_in(terms, draw(st.integers(2000, 2090)), draw(st.integers(1, 12)))
    balance = draw(st.integers(0, max_minor))
    interest = draw(st.integers(0, balance))
    fee = draw(st.integers(0, balance - interest)) if fees else 0
    first_day = when - timedelta(days=draw(st.integers(0, 27)))
    return open_statement(
        terms,
        when,
        from_minor(balance, cur),
        interest=from_minor(interest, cur),
        late_fee=from_minor(fee, cur),
        interest_from=first_day,
    )


@st.composite
def cycle_payments(draw: st.DrawFn, terms: CardTerms, statement: Statement) -> list[Payment]:
    """Up to four payments anywhere in the statement's cycle, up to a little over the balance."""
    end = next_statement_date(terms, statement.statement_date)
    days = (end - statement.statement_date).days
    ceiling = int(statement.balance.scaleb(minor_digits(terms.currency))) + 500
    count = draw(st.integers(0, 4))
    return [
        Payment(
            paid_on=statement.statement_date + timedelta(days=draw(st.integers(1, days))),
            amount=from_minor(draw(st.integers(1, ceiling)), terms.currency),
        )
        for _ in range(count)
    ]


def in_minor_units(terms: CardTerms, *amounts: Decimal) -> bool:
    return all(a == quantize(a, terms.currency) for a in amounts)


def check_statement(terms: CardTerms, s: Statement) -> None:
    """What every statement satisfies: nothing negative, the minimum within the balance."""
    assert s.balance >= 0
    assert s.credit >= 0
    assert s.balance == 0 or s.credit == 0
    assert 0 <= s.minimum_due <= s.balance
    assert (s.minimum_due > 0) == (s.balance > 0)
    assert 0 <= s.fees_unpaid <= s.balance
    assert 0 <= s.overdue_minimum <= s.balance
    assert in_minor_units(terms, s.balance, s.minimum_due, s.interest, s.late_fee, s.credit)
    assert s.statement_date < s.due_date <= next_statement_date(terms, s.statement_date)


# --- cycle dates -------------------------------------------------------------------------


@FAST
@given(valid_days(), st.integers(1900, 2200), st.integers(1, 12))
def test_every_due_date_falls_between_its_statement_and_the_next(
    days: tuple[int, int], year: int, month: int
) -> None:
    terms = CardTerms("CNY", *days)
    statement = statement_date_in(terms, year, month)
    due = due_date_after(terms, statement)
    following = next_statement_date(terms, statement)
    assert statement < due <= following
    assert (due - statement).days <= 31
    # Each lands on its day, clamped to its month's end.
    for when, day in ((statement, terms.statement_day), (due, terms.due_day)):
        assert when.day == min(day, calendar.monthrange(when.year, when.month)[1])
    # The next statement's due date is a calendar month on: due dates never skip or repeat.
    after = due_date_after(terms, following)
    assert after.year * 12 + after.month == due.year * 12 + due.month + 1


# --- one cycle ----------------------------------------------------------------------------


@FAST
@given(st.data())
def test_a_cycle_conserves_money_and_keeps_every_amount_in_range(data: st.DataObject) -> None:
    terms = data.draw(card_terms())
    statement = data.draw(opening(terms))
    payments = data.draw(cycle_payments(terms, statement))
    after = close_cycle(terms, statement, payments)
    check_statement(terms, statement)
    check_statement(terms, after)
    paid = sum((p.amount for p in payments), D(0))
    # Nothing appears or vanishes: what was owed, less what was paid, plus what was charged.
    assert after.balance - after.credit == (
        statement.balance - statement.credit - paid + after.interest + after.late_fee
    )
    assert after.interest >= 0
    assert after.late_fee >= 0
    assert after.statement_date == next_statement_date(terms, statement.statement_date)
    assert after.interest_from == after.statement_date + timedelta(days=1)
    by_due = sum((p.amount for p in payments if p.paid_on <= statement.due_date), D(0))
    if by_due >= statement.balance:
        assert after.interest == 0  # the interest-free period
    if by_due >= statement.minimum_due:
        assert after.late_fee == 0
    else:
        shortfall = statement.minimum_due - by_due
        assert after.late_fee == quantize(terms.late_fee_rate * shortfall, terms.currency)


@FAST
@given(st.data())
def test_the_unpaid_part_rule_never_costs_more_than_the_whole_statement(
    data: st.DataObject,
) -> None:
    terms = data.draw(card_terms())
    statement = data.draw(opening(terms))
    payments = data.draw(cycle_payments(terms, statement))
    full = close_cycle(replace(terms, interest_on=InterestOn.FULL_STATEMENT), statement, payments)
    unpaid = close_cycle(replace(terms, interest_on=InterestOn.UNPAID_ONLY), statement, payments)
    assert unpaid.interest <= full.interest
    assert unpaid.late_fee == full.late_fee


@FAST
@given(st.data())
def test_paying_more_never_costs_more(data: st.DataObject) -> None:
    terms = data.draw(card_terms())
    statement = data.draw(opening(terms))
    payments = data.draw(cycle_payments(terms, statement))
    extra = data.draw(cycle_payments(terms, statement).filter(bool))
    fewer = close_cycle(terms, statement, payments)
    more = close_cycle(terms, statement, payments + extra[:1])
    assert more.interest <= fewer.interest
    assert more.late_fee <= fewer.late_fee
    assert more.balance <= fewer.balance


@SLOW
@given(st.data())
def test_statements_stay_in_range_over_a_year_of_any_payments(data: st.DataObject) -> None:
    terms = data.draw(card_terms())
    statement = data.draw(opening(terms, max_minor=10**8))
    paid = charged = D(0)
    first = statement
    for _ in range(12):
        payments = data.draw(cycle_payments(terms, statement))
        statement = close_cycle(terms, statement, payments)
        check_statement(terms, statement)
        paid += sum((p.amount for p in payments), D(0))
        charged += statement.interest + statement.late_fee
    assert statement.balance - statement.credit == first.balance - paid + charged


# --- minimum-only projection ----------------------------------------------------------------


def check_projection(terms: CardTerms, first: Statement, max_months: int = 600) -> None:
    """Conservation and shape of any projection; the last statement is 0 when it clears."""
    projection = minimum_only_projection(terms, first, max_months=max_months)
    assert projection.total_paid == (
        first.balance + projection.total_interest + projection.total_fees - projection.balance_left
    )
    assert projection.total_fees == 0  # the minimum is always paid on time
    assert projection.total_paid == sum((s.minimum_due for s in projection.statements[:-1]), D(0))
    for s in projection.statements:
        check_statement(terms, s)
    if projection.clears:
        assert projection.balance_left == 0 == projection.statements[-1].balance
        assert projection.months == len(projection.statements) - 1
    else:
        assert projection.months is None
        assert len(projection.statements) == max_months + 1


@SLOW
@given(st.data())
def test_a_projection_conserves_money(data: st.DataObject) -> None:
    terms = data.draw(card_terms())
    check_projection(terms, data.draw(opening(terms, max_minor=10**8)), max_months=120)


@SLOW
@given(st.data())
def test_minimums_of_at_least_5_percent_of_principal_clear_within_fifty_years(
    data: st.DataObject,
) -> None:
    # Each minimum pays all interest and a twentieth of the principal or more (at least a
    # minor unit), so the principal falls by 5 % a month: 10^8 minor units are below 10 in
    # about ln(10^7) / 0.05 ≈ 320 months and gone a few months later.
    terms = data.draw(
        card_terms(
            rules=(MinimumRule.PRINCIPAL_PLUS_CHARGES,), minimum_rate=fraction(500, 10000, 4)
        )
    )
    first = data.draw(opening(terms, max_minor=10**8))
    projection = minimum_only_projection(terms, first)
    assert projection.clears
    principals = [s.principal for s in projection.statements]
    assert all(b < a for a, b in pairwise(principals) if a > 0)
    check_projection(terms, first)


@SLOW
@given(st.data())
def test_a_share_of_the_balance_above_a_months_interest_clears(data: st.DataObject) -> None:
    # Minimum r of the balance, interest at most 31 days × d of it: with r ≥ 31·d + 5 % and a
    # floor of 100 minor units (so rounding cannot stall a small balance), a balance above the
    # floor falls by 4 % or more a month: 2 × 10^8 units in under ln(2·10^6) / 0.04 ≈ 363.
    terms = data.draw(card_terms(rules=(MinimumRule.SHARE_OF_BALANCE,)))
    least = terms.daily_rate * 31 + D("0.05")
    rate = data.draw(fraction(int(least.scaleb(4)) + 1, 10000, 4))
    cur = terms.currency
    terms = replace(
        terms, minimum_rate=rate, minimum_floor=max(from_minor(100, cur), terms.minimum_floor)
    )
    first = data.draw(opening(terms, max_minor=10**8))
    assert minimum_only_projection(terms, first).clears


@SLOW
@given(st.data())
def test_a_share_of_the_balance_below_a_months_interest_never_clears(data: st.DataObject) -> None:
    # Interest on the unpaid part for at least 28 days grows the balance by 28·d·(1 − r), more
    # than the minimum's r when r < 20·d (d ≥ 0.05 %, so r < 2 %): the balance only grows.
    terms = data.draw(card_terms(rules=(MinimumRule.SHARE_OF_BALANCE,)))
    daily = data.draw(fraction(50, 100, 5))
    rate = data.draw(fraction(1, int((daily * 20).scaleb(4)) - 1, 4))
    terms = replace(terms, daily_rate=daily, minimum_rate=rate, minimum_floor=D(0))
    cur = terms.currency
    # No fee on it: fees bear no interest, so a statement of fees would shrink.
    big = opening(terms, max_minor=10**8, fees=False).filter(lambda s: s.balance >= 1000)
    first = data.draw(big)
    projection = minimum_only_projection(terms, first, max_months=120)
    assert not projection.clears
    balances = [s.balance for s in projection.statements]
    assert all(b > a for a, b in pairwise(balances))
    assert projection.balance_left == quantize(projection.balance_left, cur)


# --- 账单分期 -------------------------------------------------------------------------------


@FAST
@given(st.data())
def test_installments_fall_on_the_cards_own_due_dates(data: st.DataObject) -> None:
    terms = data.draw(card_terms())
    statement = data.draw(opening(terms).filter(lambda s: s.balance >= 100))
    periods = data.draw(st.integers(1, 36))
    loan = statement_installments(terms, statement, periods, data.draw(fraction(0, 200, 4)))
    rows = build_schedule(loan)
    expected, when = [], statement.statement_date
    for _ in range(periods):
        when = next_statement_date(terms, when)
        expected.append(due_date_after(terms, when))
    assert [r.due_date for r in rows] == expected
    assert sum((r.principal for r in rows), D(0)) == statement.balance
