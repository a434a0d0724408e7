"""The balance series behind /progress: planned steps, payments as points, plan changes, totals."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from tracker.ledger import Ledger, LedgerPolicy, Payment
from tracker.progress import Point, Span, debt_progress, on_time_streak, total
from tracker.schedule_types import ScheduleRow

D = Decimal
START = date(2026, 12, 15)
POLICY = LedgerPolicy(currency="CNY", contract_daily_rate=D(0), start_date=START)


def rows(amounts: list[int], dues: list[date]) -> tuple[ScheduleRow, ...]:
    """Interest-free installments (so the balance is plain arithmetic)."""
    left = sum(amounts)
    out = []
    for number, (amount, due) in enumerate(zip(amounts, dues, strict=True), start=1):
        left -= amount
        out.append(ScheduleRow(number, due, D(amount), D(0), D(0), D(amount), D(left)))
    return tuple(out)


THREE = rows([100, 100, 100], [date(2027, 1, 15), date(2027, 2, 15), date(2027, 3, 15)])


def test_planned_steps_payments_as_points_and_today_from_the_ledger() -> None:
    today = date(2027, 2, 25)
    payments = [Payment(date(2027, 1, 15), D(100), 1), Payment(date(2027, 2, 20), D(50), 2)]
    state = Ledger(THREE, POLICY).state(payments, today)
    found = debt_progress("金条", "CNY", [Span(START, THREE, payments)], state, today)
    assert found.planned == (
        Point(START, D(300)),
        Point(date(2027, 1, 15), D(200)),
        Point(date(2027, 2, 15), D(100)),
        Point(date(2027, 3, 15), D(0)),
    )
    # 300 − 100 = 200; 200 − 50 = 150; today: 50 left of the second and all of the third.
    assert found.actual == (
        Point(START, D(300)),
        Point(date(2027, 1, 15), D(200)),
        Point(date(2027, 2, 20), D(150)),
        Point(today, D(150)),
    )
    assert (found.paid, found.remaining, found.payoff, found.changes) == (
        D(150),
        D(150),
        date(2027, 3, 15),
        (),
    )
    # The second installment is overdue: the most recent one breaks the streak.
    assert on_time_streak([(state, 0)], today) == 0
    assert on_time_streak([(state, 0)], date(2027, 2, 10)) == 1


def test_an_agreed_change_starts_a_new_span_and_is_marked() -> None:
    today = date(2027, 3, 1)
    first = [Payment(date(2027, 1, 15), D(100), 1)]
    changed_on = date(2027, 2, 1)
    new_rows = rows(
        [50, 50, 50, 50],
        [date(2027, 2, 15), date(2027, 3, 15), date(2027, 4, 15), date(2027, 5, 15)],
    )
    later = [Payment(date(2027, 2, 15), D(50), 2)]
    state = Ledger(new_rows, POLICY).state(later, today)
    spans = [Span(START, THREE, first), Span(changed_on, new_rows, later)]
    found = debt_progress("金条", "CNY", spans, state, today)
    # The old plan until 1 Feb (its 15 Feb step never happens), then the new plan's 200.
    assert found.planned == (
        Point(START, D(300)),
        Point(date(2027, 1, 15), D(200)),
        Point(changed_on, D(200)),
        Point(date(2027, 2, 15), D(150)),
        Point(date(2027, 3, 15), D(100)),
        Point(date(2027, 4, 15), D(50)),
        Point(date(2027, 5, 15), D(0)),
    )
    assert found.changes == (changed_on,)
    assert (found.paid, found.remaining, found.payoff) == (D(150), D(150), date(2027, 5, 15))


def test_the_total_adds_each_debt_on_every_day_any_of_them_steps() -> None:
    today = date(2027, 1, 20)
    a_state = Ledger(THREE, POLICY).state([Payment(date(2027, 1, 15), D(100), 1)], today)
    small = rows([40, 40], [date(2027, 1, 20), date(2027, 2, 20)])
    b_state = Ledger(small, POLICY).state([], today)
    a = debt_progress(
        "A", "CNY", [Span(START, THREE, [Payment(date(2027, 1, 15), D(100), 1)])], a_state, today
    )
    b = debt_progress("B", "CNY", [Span(date(2026, 12, 20), small, [])], b_state, today)
    both = total([a, b], today)
    assert [(p.on, p.balance) for p in both.planned] == [
        (START, D(300)),  # B has not started yet
        (date(2026, 12, 20), D(380)),
        (date(2027, 1, 15), D(280)),
        (date(2027, 1, 20), D(240)),
        (date(2027, 2, 15), D(140)),
        (date(2027, 2, 20), D(100)),
        (date(2027, 3, 15), D(0)),
    ]
    # Today B's first 40 is due and unpaid: 200 + 80 are left.
    assert both.actual[-1] == Point(today, D(280))
    assert (both.paid, both.remaining, both.payoff) == (D(100), D(280), date(2027, 3, 15))
