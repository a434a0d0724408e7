"""Credit cards: cycle dates, statements and minimum-only payments, reproduced by hand to the cent.

Every expected figure is derived here from the rule it checks: day counts are read off the
calendar and written out, amounts are exact fractions rounded half up by ``half_up``, which
shares no code with ``tracker.cards``. The default card is statement day 5, due day 23, 10 %
minimum, 0.05 % a day, late fee 5 % of the unpaid minimum, no floor.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest

from tracker.cards import (
    CardTerms,
    InterestOn,
    MinimumRule,
    Projection,
    Statement,
    close_cycle,
    due_date_after,
    latest_statement_date,
    minimum_only_projection,
    next_statement_date,
    open_statement,
    previous_statement_date,
    statement_date_in,
    statement_installments,
    this_month_minimum_cost,
)
from tracker.errors import InvalidAmount, InvalidTerms
from tracker.ledger import Payment
from tracker.schedule import build_schedule, totals
from tracker.schedule_types import Method

D = Decimal
F = Fraction
DAILY = F(5, 10000)  # 0.05 % a day
FULL = InterestOn.FULL_STATEMENT
UNPAID = InterestOn.UNPAID_ONLY
ZERO_F = F(0)
TEN_PERCENT = F(1, 10)


def half_up(x: Fraction) -> Decimal:
    """Exact rational rounded half up to the cent, independent of the code under test."""
    scaled = x * 100
    whole = scaled.numerator // scaled.denominator
    if scaled - whole >= F(1, 2):
        whole += 1
    return D(whole).scaleb(-2)


def card(**overrides: Any) -> CardTerms:
    """The default card, statement day 5 and due day 23, unless overridden."""
    fields: dict[str, Any] = {"currency": "CNY", "statement_day": 5, "due_day": 23}
    fields.update(overrides)
    return CardTerms(**fields)


def pay(on: date, amount: str) -> Payment:
    return Payment(paid_on=on, amount=D(amount))


# --- cycle dates -------------------------------------------------------------------------


def test_a_due_day_after_the_statement_day_falls_in_the_same_month() -> None:
    terms = card()
    assert due_date_after(terms, date(2026, 3, 5)) == date(2026, 3, 23)
    assert next_statement_date(terms, date(2026, 3, 5)) == date(2026, 4, 5)
    assert previous_statement_date(terms, date(2026, 3, 5)) == date(2026, 2, 5)


def test_a_due_day_before_the_statement_day_falls_in_the_next_month() -> None:
    terms = card(statement_day=25, due_day=15)
    assert due_date_after(terms, date(2026, 1, 25)) == date(2026, 2, 15)
    assert due_date_after(terms, date(2026, 12, 25)) == date(2027, 1, 15)


def test_due_day_31_clamps_to_the_end_of_february_and_of_short_months() -> None:
    terms = card(statement_day=10, due_day=31)
    assert due_date_after(terms, date(2026, 2, 10)) == date(2026, 2, 28)
    assert due_date_after(terms, date(2028, 2, 10)) == date(2028, 2, 29)  # leap year
    assert due_date_after(terms, date(2026, 3, 10)) == date(2026, 3, 31)
    assert due_date_after(terms, date(2026, 4, 10)) == date(2026, 4, 30)


def test_statement_day_31_clamps_each_month_without_drifting() -> None:
    terms = card(statement_day=31, due_day=20)
    assert statement_date_in(terms, 2026, 2) == date(2026, 2, 28)
    dates = [date(2026, 1, 31)]
    for _ in range(3):
        dates.append(next_statement_date(terms, dates[-1]))
    assert dates == [date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31), date(2026, 4, 30)]
    assert due_date_after(terms, date(2026, 1, 31)) == date(2026, 2, 20)


def test_a_due_date_can_coincide_with_the_next_statement_only_through_clamping() -> None:
    # Statement Jan 31, due day 30: February has no 30th, so both fall on Feb 28.
    terms = card(statement_day=31, due_day=30)
    assert due_date_after(terms, date(2026, 1, 31)) == date(2026, 2, 28)
    assert next_statement_date(terms, date(2026, 1, 31)) == date(2026, 2, 28)
    # Statement Feb 28: the "30th" of February is Feb 28 itself, not after it, so March 30.
    assert due_date_after(terms, date(2026, 2, 28)) == date(2026, 3, 30)


def test_the_latest_statement_is_the_last_one_on_or_before_today() -> None:
    terms = card()
    assert latest_statement_date(terms, date(2026, 3, 4)) == date(2026, 2, 5)
    assert latest_statement_date(terms, date(2026, 3, 5)) == date(2026, 3, 5)
    assert latest_statement_date(terms, date(2026, 1, 2)) == date(2025, 12, 5)


# --- the bank's worked example -------------------------------------------------------------


def test_revolving_interest_counts_the_posting_day_and_the_statement_day() -> None:
    # 1,000 posted Mar 30; statement Apr 5 (minimum 100); 100 paid on the due date Apr 23.
    # Full statement: 1,000 from Mar 30 to Apr 22 (2 days in March + 22 in April = 24 days),
    # then 900 from Apr 23 to May 5 (8 + 5 = 13 days): 12.00 + 5.85 = 17.85.
    terms = card()
    opened = open_statement(terms, date(2026, 4, 5), D("1000"), interest_from=date(2026, 3, 30))
    assert (opened.minimum_due, opened.due_date) == (D("100.00"), date(2026, 4, 23))
    after = close_cycle(terms, opened, [pay(date(2026, 4, 23), "100")])
    assert after.interest == half_up(DAILY * (1000 * 24 + 900 * 13)) == D("17.85")
    assert after.late_fee == 0
    assert after.balance == D("917.85")
    # Unpaid part only: the 100 paid by the due date never bore interest; 900 bears it for
    # all 37 days (24 + 13): 16.65.
    unpaid = close_cycle(card(interest_on=UNPAID), opened, [pay(date(2026, 4, 23), "100")])
    assert unpaid.interest == half_up(DAILY * 900 * 37) == D("16.65")


def test_a_payment_after_the_due_date_lowers_the_interest_from_its_own_day() -> None:
    # Same statement; 100 on Apr 23, the other 900 a week later on Apr 30.
    terms = card()
    opened = open_statement(terms, date(2026, 4, 5), D("1000"), interest_from=date(2026, 3, 30))
    payments = [pay(date(2026, 4, 23), "100"), pay(date(2026, 4, 30), "900")]
    # Full: 1,000 × 24 days (Mar 30–Apr 22) + 900 × 7 days (Apr 23–29) + 0 after.
    full = close_cycle(terms, opened, payments)
    assert full.interest == half_up(DAILY * (1000 * 24 + 900 * 7)) == D("15.15")
    # Unpaid only: 900 × 31 days (Mar 30–Apr 29).
    unpaid = close_cycle(card(interest_on=UNPAID), opened, payments)
    assert unpaid.interest == half_up(DAILY * 900 * 31) == D("13.95")
    # The statement was repaid; only the interest is left, and it is due in full.
    assert (full.balance, full.minimum_due) == (D("15.15"), D("15.15"))


# --- three statements of minimum-only payments ------------------------------------------


def three_statements(terms: CardTerms) -> list[Statement]:
    """10,000 on 2026-03-05, then exactly each minimum on each due date, three cycles."""
    statements = [open_statement(terms, date(2026, 3, 5), D("10000"))]
    for _ in range(3):
        current = statements[-1]
        statements.append(
            close_cycle(terms, current, [Payment(current.due_date, current.minimum_due)])
        )
    return statements


def test_minimum_only_over_three_statements_full_statement_interest() -> None:
    s1, s2, s3, s4 = three_statements(card(interest_on=FULL))
    # Statement 1, Mar 5: 10,000 of purchases taken as posted Feb 6, the day after the Feb 5
    # statement. Minimum 10 % of 10,000 = 1,000.00, paid Mar 23.
    assert (s1.balance, s1.minimum_due, s1.due_date) == (
        D("10000"),
        D("1000.00"),
        date(2026, 3, 23),
    )
    # Cycle 1: 10,000 from Feb 6 to Mar 22 (23 days in Feb + 22 in Mar = 45), 9,000 from Mar 23
    # to Apr 5 (9 + 5 = 14): (450,000 + 126,000) × 0.05 % = 288.00.
    i1 = half_up(DAILY * (10000 * 45 + 9000 * 14))
    assert i1 == D("288.00")
    b2 = 9000 + i1  # 9,288.00
    m2 = half_up(F(9000) / 10) + i1  # 10 % of the 9,000 principal + all interest: 1,188.00
    assert (s2.statement_date, s2.due_date) == (date(2026, 4, 5), date(2026, 4, 23))
    assert (s2.interest, s2.balance, s2.minimum_due) == (i1, b2, m2)
    assert (b2, m2) == (D("9288.00"), D("1188.00"))
    # Cycle 2: 9,288 from Apr 6 to Apr 22 (17 days), 8,100 from Apr 23 to May 5 (8 + 5 = 13):
    # 78.948 + 52.65 = 131.598 → 131.60.
    i2 = half_up(DAILY * (F(b2) * 17 + 8100 * 13))
    assert i2 == D("131.60")
    b3, m3 = 8100 + i2, half_up(F(8100) / 10) + i2
    assert (s3.interest, s3.balance, s3.minimum_due) == (i2, b3, m3)
    assert (b3, m3) == (D("8231.60"), D("941.60"))
    # Cycle 3: 8,231.60 from May 6 to May 22 (17 days), 7,290 from May 23 to Jun 5 (9 + 5 = 14):
    # 69.9686 + 51.03 = 120.9986 → 121.00.
    i3 = half_up(DAILY * (F(b3) * 17 + 7290 * 14))
    assert i3 == D("121.00")
    assert (s4.statement_date, s4.interest, s4.balance, s4.minimum_due) == (
        date(2026, 6, 5),
        i3,
        7290 + i3,
        half_up(F(729)) + i3,
    )
    assert all(s.late_fee == 0 and s.overdue_minimum == 0 for s in (s2, s3, s4))


def test_minimum_only_over_three_statements_unpaid_part_only() -> None:
    s1, s2, s3, s4 = three_statements(card(interest_on=UNPAID))
    assert s1.minimum_due == D("1000.00")
    # Cycle 1: the 1,000 paid by the due date bears nothing; 9,000 from Feb 6 to Apr 5
    # (23 + 31 + 5 = 59 days): 265.50.
    i1 = half_up(DAILY * 9000 * 59)
    assert i1 == D("265.50")
    assert (s2.interest, s2.balance, s2.minimum_due) == (i1, 9000 + i1, 900 + i1)
    assert (s2.balance, s2.minimum_due) == (D("9265.50"), D("1165.50"))
    # Cycle 2: 8,100 unpaid from Apr 6 to May 5 (25 + 5 = 30 days): 121.50.
    i2 = half_up(DAILY * 8100 * 30)
    assert i2 == D("121.50")
    assert (s3.interest, s3.balance, s3.minimum_due) == (i2, 8100 + i2, 810 + i2)
    assert (s3.balance, s3.minimum_due) == (D("8221.50"), D("931.50"))
    # Cycle 3: 7,290 from May 6 to Jun 5 (26 + 5 = 31 days): 112.995, an exact half cent → 113.00.
    i3 = half_up(DAILY * 7290 * 31)
    assert i3 == D("113.00")
    assert (s4.interest, s4.balance, s4.minimum_due) == (i3, 7290 + i3, 729 + i3)


def test_this_months_minimum_only_cost_is_the_next_statements_interest() -> None:
    # The figures of cycle 1 above: 288.00 on the whole statement, 265.50 on the unpaid part.
    for interest_on, expected in ((FULL, D("288.00")), (UNPAID, D("265.50"))):
        terms = card(interest_on=interest_on)
        assert (
            this_month_minimum_cost(terms, open_statement(terms, date(2026, 3, 5), D("10000")))
            == expected
        )
    # A balance the minimum covers entirely (below the floor) costs nothing.
    floored = card(minimum_floor=D("50"))
    assert this_month_minimum_cost(floored, open_statement(floored, date(2026, 3, 5), D("40"))) == 0


# --- paid in full, paid late, paid too little ----------------------------------------------


def test_paid_in_full_by_the_due_date_costs_no_interest() -> None:
    terms = card()
    opened = open_statement(terms, date(2026, 3, 5), D("10000"))
    # In two parts, the second on the due date itself.
    after = close_cycle(
        terms, opened, [pay(date(2026, 3, 10), "4000"), pay(date(2026, 3, 23), "6000")]
    )
    assert (after.balance, after.interest, after.late_fee, after.minimum_due) == (0, 0, 0, 0)
    assert after.credit == 0


def test_paid_in_full_a_day_late_costs_interest_and_the_late_fee() -> None:
    terms = card()
    opened = open_statement(terms, date(2026, 3, 5), D("10000"))
    after = close_cycle(terms, opened, [pay(date(2026, 3, 24), "10000")])
    # 10,000 from Feb 6 to Mar 23 (23 + 23 = 46 days): 230.00; nothing was paid by the due date,
    # so the whole 1,000 minimum was missed: 5 % = 50.00.
    interest = half_up(DAILY * 10000 * 46)
    fee = half_up(F(1000) * F(5, 100))
    assert (after.interest, after.late_fee) == (interest, fee) == (D("230.00"), D("50.00"))
    # The minimum was paid later in the cycle, so nothing is overdue; interest and fee are due
    # in full: 280.00.
    assert (after.balance, after.overdue_minimum, after.minimum_due) == (
        interest + fee,
        0,
        interest + fee,
    )


def test_paying_less_than_the_minimum_adds_five_percent_of_what_was_missing() -> None:
    terms = card()
    opened = open_statement(terms, date(2026, 3, 5), D("5000"))
    assert opened.minimum_due == D("500.00")
    s2 = close_cycle(terms, opened, [pay(date(2026, 3, 20), "200")])
    # Interest: 5,000 from Feb 6 to Mar 19 (23 + 19 = 42 days) + 4,800 from Mar 20 to Apr 5
    # (12 + 5 = 17 days) = 105.00 + 40.80 = 145.80. Late fee: 5 % × (500 − 200) = 15.00.
    i1 = half_up(DAILY * (5000 * 42 + 4800 * 17))
    fee1 = half_up(F(300) * F(5, 100))
    assert (s2.interest, s2.late_fee) == (i1, fee1) == (D("145.80"), D("15.00"))
    b2 = 4800 + i1 + fee1  # 4,960.80
    # The missing 300 is due in full; 10 % of the principal part, 4,960.80 − 145.80 − 15.00 − 300
    # = 4,500, plus interest, fee and the missing minimum: 450 + 145.80 + 15 + 300 = 910.80.
    m2 = half_up(F(4500) / 10) + i1 + fee1 + 300
    assert (s2.balance, s2.overdue_minimum, s2.minimum_due) == (b2, 300, m2)
    assert (b2, m2) == (D("4960.80"), D("910.80"))
    assert s2.fees_unpaid == D("15.00")

    # Nothing paid next cycle. The 15.00 fee bears no interest: 4,945.80 from Apr 6 to May 5
    # (30 days) = 74.187 → 74.19. Late fee 5 % × 910.80 = 45.54.
    s3 = close_cycle(terms, s2, [])
    i2 = half_up(DAILY * (F(b2) - 15) * 30)
    fee2 = half_up(F(m2) * F(5, 100))
    assert (s3.interest, s3.late_fee) == (i2, fee2) == (D("74.19"), D("45.54"))
    b3 = b2 + i2 + fee2  # 5,080.53
    # Principal part 5,080.53 − 74.19 − 45.54 − 910.80 = 4,050.00 (the 450 asked last time is in
    # the overdue minimum now, so it is not asked twice): 405.00 + 74.19 + 45.54 + 910.80.
    m3 = half_up(F(4050) / 10) + i2 + fee2 + m2
    assert (s3.balance, s3.overdue_minimum, s3.minimum_due) == (b3, m2, m3)
    assert (b3, m3) == (D("5080.53"), D("1435.53"))
    assert s3.fees_unpaid == fee1 + fee2


def test_a_payment_goes_to_fees_first_so_only_the_rest_lowers_the_interest() -> None:
    # A statement of 1,000 with a 20 late fee on it: the minimum is the fee and 10 % of the other
    # 980, 20 + 98 = 118. Paying 120 on the due date clears the fee, and 100 of the 980 that
    # bears interest.
    terms = card()
    opened = open_statement(terms, date(2026, 3, 5), D("1000"), late_fee=D("20"))
    assert opened.minimum_due == D("118.00")
    after = close_cycle(terms, opened, [pay(date(2026, 3, 23), "120")])
    # 980 from Feb 6 to Mar 22 (45 days), then 880 from Mar 23 to Apr 5 (14 days).
    assert after.interest == half_up(DAILY * (980 * 45 + 880 * 14)) == D("28.21")
    assert (after.fees_unpaid, after.late_fee) == (0, 0)


def test_paying_more_than_the_balance_leaves_a_credit() -> None:
    terms = card()
    opened = open_statement(terms, date(2026, 3, 5), D("1000"))
    after = close_cycle(terms, opened, [pay(date(2026, 3, 20), "1050")])
    assert (after.balance, after.credit, after.minimum_due) == (0, D("50"), 0)
    # The credit carries over and earns nothing.
    assert close_cycle(terms, after, []).credit == D("50")


def test_a_floor_raises_a_small_minimum_but_never_above_the_balance() -> None:
    terms = card(minimum_floor=D("10"))
    assert open_statement(terms, date(2026, 3, 5), D("60")).minimum_due == D("10.00")  # 6 < 10
    assert open_statement(terms, date(2026, 3, 5), D("7")).minimum_due == D("7.00")


def test_a_share_of_the_whole_balance_counts_interest_in_the_share() -> None:
    # 5 % of the whole balance: the statement after 1,000 of interest on 9,000 asks
    # 5 % × 10,000 = 500, not 5 % × 9,000 + 1,000.
    terms = card(minimum_rule=MinimumRule.SHARE_OF_BALANCE, minimum_rate=D("0.05"))
    opened = open_statement(terms, date(2026, 3, 5), D("10000"), interest=D("1000"))
    assert opened.minimum_due == D("500.00")
    default = open_statement(card(), date(2026, 3, 5), D("10000"), interest=D("1000"))
    assert default.minimum_due == D("1900.00")  # 10 % × 9,000 + 1,000


def test_the_banks_printed_minimum_overrides_the_computed_one() -> None:
    terms = card()
    opened = open_statement(terms, date(2026, 3, 5), D("10000"), minimum_due=D("1200"))
    assert opened.minimum_due == D("1200")
    # Paying 1,000 leaves 200 of that minimum missing: 5 % = 10.00.
    after = close_cycle(terms, opened, [pay(date(2026, 3, 23), "1000")])
    assert after.late_fee == D("10.00")


# --- minimum-only projection --------------------------------------------------------------


@dataclass(frozen=True)
class Replay:
    """What an independent replay of minimum-only payments found."""

    months: int | None  # None when 600 payments did not clear it
    last_due: date | None
    paid: Decimal
    interest: Decimal
    left: Decimal


def replay_minimum_only_unpaid(
    balance: Fraction,
    *,
    floor: Fraction = ZERO_F,
    share: Fraction = TEN_PERCENT,
    of_balance: bool = False,
) -> Replay:
    """An independent replay of the docstring example: card day 5 / 23, unpaid part only.

    Each minimum is paid on its due date, so the interest of a cycle is the unpaid part
    (balance − minimum) for the days from the statement's first interest day to the next
    statement date; the first statement's purchases count from the day after Feb 5. The
    minimum is ``share`` of the principal (or of the whole balance), at least a cent, plus the
    interest just charged (unless ``of_balance``), at least ``floor``, at most the balance.
    """
    statement, since = date(2026, 3, 5), date(2026, 2, 5)
    interest = paid = total_interest = F(0)
    for months in range(1, 601):
        base = balance if of_balance else balance - interest
        part = max(F(half_up(base * share)), F(1, 100))
        minimum = min(balance, max(part + (0 if of_balance else interest), floor))
        paid += minimum
        nxt = date(statement.year + statement.month // 12, statement.month % 12 + 1, 5)
        if minimum == balance:
            last_due = date(statement.year, statement.month, 23)
            return Replay(months, last_due, half_up(paid), half_up(total_interest), D(0))
        interest = F(half_up(DAILY * (balance - minimum) * (nxt - since).days))
        total_interest += interest
        balance = balance - minimum + interest
        statement, since = nxt, nxt
    return Replay(None, None, half_up(paid), half_up(total_interest), half_up(balance))


def matches(projection: Projection, replay: Replay) -> bool:
    return (
        projection.months,
        projection.payoff_date,
        projection.total_paid,
        projection.total_interest,
        projection.balance_left,
    ) == (replay.months, replay.last_due, replay.paid, replay.interest, replay.left)


def unpaid_only_projection(**overrides: Any) -> Projection:
    """The docstring example's projection: 10,000 on 2026-03-05, unpaid part only."""
    terms = card(interest_on=UNPAID, **overrides)
    return minimum_only_projection(terms, open_statement(terms, date(2026, 3, 5), D("10000")))


def test_the_docstring_example_minimum_only_takes_years() -> None:
    projection = unpaid_only_projection()
    replay = replay_minimum_only_unpaid(F(10000))
    assert (replay.months, replay.last_due) == (119, date(2036, 1, 23))
    assert (replay.paid, replay.interest) == (D("11499.21"), D("1499.21"))
    assert matches(projection, replay)
    assert projection.clears
    assert projection.total_fees == 0
    assert [s.minimum_due for s in projection.statements[:3]] == [
        D("1000.00"),
        D("1165.50"),
        D("931.50"),
    ]
    # The tail: below 100 after 44 statements, and the last 73 minimums under 10.
    balances = [s.balance for s in projection.statements]
    assert min(k for k, b in enumerate(balances) if b < 100) == 44
    assert sum(1 for s in projection.statements if 0 < s.minimum_due < 10) == 73


def test_a_floor_shortens_the_tail_of_small_minimums() -> None:
    replay = replay_minimum_only_unpaid(F(10000), floor=F(10))
    assert (replay.months, replay.last_due, replay.interest) == (
        55,
        date(2030, 9, 23),
        D("1493.05"),
    )
    assert matches(unpaid_only_projection(minimum_floor=D("10")), replay)


def test_the_docstring_figures_for_other_minimum_rules() -> None:
    # 5 % of the whole balance clears in 319 payments; 1.5 % never does; 1 % of the principal
    # plus interest still leaves a little after fifty years.
    five = replay_minimum_only_unpaid(F(10000), share=F(5, 100), of_balance=True)
    assert (five.months, five.interest) == (319, D("4261.14"))
    assert matches(
        unpaid_only_projection(minimum_rule=MinimumRule.SHARE_OF_BALANCE, minimum_rate=D("0.05")),
        five,
    )
    low = replay_minimum_only_unpaid(F(10000), share=F(15, 1000), of_balance=True)
    assert (low.months, low.paid, low.left) == (None, D("91023.61"), D("10082.06"))
    assert matches(
        unpaid_only_projection(minimum_rule=MinimumRule.SHARE_OF_BALANCE, minimum_rate=D("0.015")),
        low,
    )
    one = replay_minimum_only_unpaid(F(10000), share=F(1, 100))
    assert (one.months, one.left) == (None, D("24.37"))
    assert matches(unpaid_only_projection(minimum_rate=D("0.01")), one)


def test_the_docstring_full_statement_figures() -> None:
    # Pinned so the module docstring cannot drift; the first three cycles of this projection
    # are derived by hand in test_minimum_only_over_three_statements_full_statement_interest.
    terms = card(interest_on=FULL)
    projection = minimum_only_projection(terms, open_statement(terms, date(2026, 3, 5), D("10000")))
    assert projection.statements[:4] == tuple(three_statements(terms))
    assert (projection.months, projection.payoff_date) == (119, date(2036, 1, 23))
    assert (projection.total_paid, projection.total_interest) == (D("11611.92"), D("1611.92"))


def test_a_minimum_below_a_months_interest_never_clears() -> None:
    # 1.5 % of the balance against about 0.05 % × 30 = 1.5 %-1.55 % of interest a month.
    terms = card(
        interest_on=UNPAID, minimum_rule=MinimumRule.SHARE_OF_BALANCE, minimum_rate=D("0.015")
    )
    projection = minimum_only_projection(terms, open_statement(terms, date(2026, 3, 5), D("10000")))
    assert not projection.clears
    assert (projection.months, projection.payoff_date) == (None, None)
    assert len(projection.statements) == 601  # the first and one after each of 600 payments
    assert projection.balance_left > 10000
    assert projection.total_paid == 10000 + projection.total_interest - projection.balance_left


def test_the_projection_stops_at_max_months() -> None:
    terms = card()
    projection = minimum_only_projection(
        terms, open_statement(terms, date(2026, 3, 5), D("10000")), max_months=3
    )
    assert not projection.clears
    assert projection.statements == tuple(three_statements(terms))
    # 1,000 + 1,188 + 941.60 paid; 7,411.00 left (the hand figures of the full-statement test).
    assert projection.total_paid == D("3129.60")
    assert projection.balance_left == D("7411.00")


def test_a_balance_within_the_first_minimum_clears_in_one_payment_without_interest() -> None:
    terms = card(minimum_floor=D("100"))
    projection = minimum_only_projection(terms, open_statement(terms, date(2026, 3, 5), D("80")))
    assert (projection.months, projection.payoff_date) == (1, date(2026, 3, 23))
    assert (projection.total_paid, projection.total_interest) == (D("80"), 0)


# --- 账单分期 -------------------------------------------------------------------------------


def test_a_statement_becomes_a_flat_fee_installment_debt() -> None:
    terms = card()
    opened = open_statement(terms, date(2026, 3, 5), D("10000"))
    loan = statement_installments(terms, opened, 12, D("0.006"))
    assert (loan.method, loan.principal, loan.term, loan.fee_rate) == (
        Method.FLAT_FEE,
        D("10000"),
        12,
        D("0.006"),
    )
    # The first installment comes with the next statement (Apr 5) and is due Apr 23.
    assert (loan.first_due, loan.due_day) == (date(2026, 4, 23), 23)
    rows = build_schedule(loan)
    # 10,000 / 12 = 833.33 a month (the last takes the rest: 10,000 − 11 × 833.33 = 833.37)
    # plus 0.6 % × 10,000 = 60.00 each month.
    assert [r.principal for r in rows] == [D("833.33")] * 11 + [D("833.37")]
    assert {r.fee for r in rows} == {D("60.00")}
    assert totals(rows).fee == D("720.00")
    assert [r.due_date for r in rows[:3]] == [
        date(2026, 4, 23),
        date(2026, 5, 23),
        date(2026, 6, 23),
    ]


def test_part_of_a_statement_can_become_installments() -> None:
    terms = card()
    opened = open_statement(terms, date(2026, 3, 5), D("10000"))
    assert statement_installments(terms, opened, 6, D("0.007"), amount=D("6000")).principal == D(
        "6000"
    )


@pytest.mark.parametrize(
    ("periods", "fee_rate", "amount", "code"),
    [
        (12, "0.006", "10000.01", "card_installment_amount"),
        (12, "0.006", "0", "card_installment_amount"),
        (0, "0.006", None, "term_range"),
        (12, "1", None, "fee_rate_range"),
    ],
)
def test_bad_installment_requests_are_refused(
    periods: int, fee_rate: str, amount: str | None, code: str
) -> None:
    terms = card()
    opened = open_statement(terms, date(2026, 3, 5), D("10000"))
    with pytest.raises(InvalidTerms) as excinfo:
        statement_installments(
            terms, opened, periods, D(fee_rate), amount=None if amount is None else D(amount)
        )
    assert excinfo.value.code == code


# --- refused inputs ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"statement_day": 0}, "card_statement_day_range"),
        ({"statement_day": 32}, "card_statement_day_range"),
        ({"statement_day": True}, "card_statement_day_range"),
        ({"due_day": 0}, "card_due_day_range"),
        ({"due_day": 32}, "card_due_day_range"),
        ({"statement_day": 28, "due_day": 29}, "card_due_day_gap"),
        ({"statement_day": 30, "due_day": 31}, "card_due_day_gap"),
        ({"minimum_rate": D(0)}, "card_minimum_rate_range"),
        ({"minimum_rate": D("1.01")}, "card_minimum_rate_range"),
        ({"minimum_rate": D("NaN")}, "card_minimum_rate_range"),
        ({"minimum_floor": D("-1")}, "card_minimum_floor_range"),
        ({"minimum_floor": D("0.001")}, "card_minimum_floor_precision"),
        ({"daily_rate": D("-0.0001")}, "card_daily_rate_range"),
        ({"daily_rate": D("0.03")}, "card_daily_rate_range"),  # 1,095 % a year
        ({"late_fee_rate": D("1.5")}, "card_late_fee_rate_range"),
        ({"late_fee_rate": D("-0.05")}, "card_late_fee_rate_range"),
    ],
)
def test_impossible_card_terms_are_refused_with_a_code(
    overrides: dict[str, Any], code: str
) -> None:
    with pytest.raises(InvalidTerms) as excinfo:
        card(**overrides)
    assert excinfo.value.code == code


def test_a_float_never_reaches_a_card() -> None:
    with pytest.raises(TypeError):
        card(daily_rate=0.0005)
    with pytest.raises(TypeError):
        open_statement(card(), date(2026, 3, 5), 1000.0)  # type: ignore[arg-type]


def test_plausible_edges_are_accepted() -> None:
    card(statement_day=27, due_day=31)  # due on the 31st, or the month end
    card(statement_day=31, due_day=30)
    card(statement_day=5, due_day=5)  # due the next month, on the next statement date
    card(minimum_rate=D(1), daily_rate=D(0), late_fee_rate=D(0))


STATEMENT_ERRORS: list[tuple[Callable[[CardTerms], object], str]] = [
    (lambda t: open_statement(t, date(2026, 3, 6), D("100")), "card_statement_date"),
    (lambda t: open_statement(t, date(2026, 3, 5), D("100.001")), "card_amount_precision"),
    (
        lambda t: open_statement(t, date(2026, 3, 5), D("100"), interest=D("80"), late_fee=D("30")),
        "card_statement_parts",
    ),
    (
        lambda t: open_statement(t, date(2026, 3, 5), D("100"), interest_from=date(2026, 2, 5)),
        "card_interest_from",
    ),
    (
        lambda t: open_statement(t, date(2026, 3, 5), D("100"), interest_from=date(2026, 3, 6)),
        "card_interest_from",
    ),
    (
        lambda t: open_statement(t, date(2026, 3, 5), D("100"), minimum_due=D("101")),
        "card_minimum_due_range",
    ),
    (
        lambda t: open_statement(t, date(2026, 3, 5), D("100"), minimum_due=D("0")),
        "card_minimum_due_range",
    ),
    (
        lambda t: close_cycle(
            t, open_statement(t, date(2026, 3, 5), D("100")), [pay(date(2026, 3, 5), "10")]
        ),
        "card_payment_date",
    ),
    (
        lambda t: close_cycle(
            t, open_statement(t, date(2026, 3, 5), D("100")), [pay(date(2026, 4, 6), "10")]
        ),
        "card_payment_date",
    ),
    (
        lambda t: close_cycle(
            t, open_statement(t, date(2026, 3, 5), D("100")), [pay(date(2026, 3, 9), "0.001")]
        ),
        "card_payment_precision",
    ),
    (
        lambda t: minimum_only_projection(
            t, open_statement(t, date(2026, 3, 5), D("100")), max_months=0
        ),
        "card_max_months",
    ),
]


@pytest.mark.parametrize(("call", "code"), STATEMENT_ERRORS)
def test_impossible_statements_and_payments_are_refused_with_a_code(
    call: Callable[[CardTerms], object], code: str
) -> None:
    with pytest.raises(InvalidTerms) as excinfo:
        call(card())
    assert excinfo.value.code == code


def test_a_negative_balance_is_refused() -> None:
    with pytest.raises(InvalidAmount) as excinfo:
        open_statement(card(), date(2026, 3, 5), D("-1"))
    assert excinfo.value.code == "amount_negative"


@pytest.mark.parametrize(("payment", "code"), [("0", "amount_zero"), ("-5", "amount_negative")])
def test_zero_and_negative_payments_are_refused(payment: str, code: str) -> None:
    terms = card()
    opened = open_statement(terms, date(2026, 3, 5), D("100"))
    with pytest.raises(InvalidAmount) as excinfo:
        close_cycle(terms, opened, [pay(date(2026, 3, 9), payment)])
    assert excinfo.value.code == code
