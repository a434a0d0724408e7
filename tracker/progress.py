"""A debt's balance over time, as planned and as it happened: the figures behind /progress.

"Balance" here is what is still to repay under the plan in force (principal, interest and
fees of the installments not yet paid), the figure a borrower watches go down. Each plan
version in force over time is a *span*: the original from the loan date, then each agreed
change from the day it took effect. Pure functions: dates and Decimal amounts in, series out.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from tracker.ledger import LedgerState, Payment, Status
from tracker.money import ZERO
from tracker.schedule_types import ScheduleRow


@dataclass(frozen=True, slots=True)
class Point:
    """The balance from ``on`` until the next point."""

    on: date
    balance: Decimal


@dataclass(frozen=True, slots=True)
class Span:
    """One plan version while it was in force, with the payments it counts."""

    starts: date  # the loan date for the first span, the day a change took effect for later ones
    rows: Sequence[ScheduleRow]
    payments: Sequence[Payment]


@dataclass(frozen=True, slots=True)
class DebtProgress:
    """One debt's planned and actual balance over time."""

    name: str
    currency: str
    planned: tuple[Point, ...]  # a step line: the balance after each due date
    actual: tuple[Point, ...]  # the start, after each payment, and today
    changes: tuple[date, ...]  # the days an agreed change of plan took effect
    payoff: date | None  # the projected (or actual) payoff day; None: nothing left to plan
    paid: Decimal
    remaining: Decimal


def _scheduled(rows: Iterable[ScheduleRow]) -> Decimal:
    return sum((row.payment for row in rows), ZERO)


def planned_points(span: Span, until: date | None) -> list[Point]:
    """The span's planned balance: its total at the start, less each installment on its due
    date, up to (not including) ``until``, the start of the next span."""
    rows = sorted(span.rows, key=lambda r: (r.due_date, r.number))
    balance = _scheduled(rows)
    points = [Point(span.starts, balance)]
    for row in rows:
        if until is not None and row.due_date >= until:
            break
        balance -= row.payment
        points.append(Point(max(row.due_date, span.starts), balance))
    return points


def actual_points(span: Span) -> list[Point]:
    """The span's balance after each payment it counts (what was paid comes off the total)."""
    balance = _scheduled(span.rows)
    points = [Point(span.starts, balance)]
    for payment in sorted(span.payments, key=lambda p: p.paid_on):
        balance = max(ZERO, balance - payment.amount)
        points.append(Point(max(payment.paid_on, span.starts), balance))
    return points


def remaining_of(state: LedgerState) -> Decimal:
    """What is left to repay today by the ledger: unpaid installments and unpaid penalty."""
    return sum((i.remaining + i.penalty_unpaid for i in state.installments), ZERO)


def payoff_day(state: LedgerState) -> date | None:
    """The day the debt was paid off, or the due date of its last installment still open."""
    if state.paid_off_on is not None:
        return state.paid_off_on
    open_ = [i.due_date for i in state.installments if i.remaining > 0 or i.penalty_unpaid > 0]
    if open_:
        return max(open_)
    settled = [i.settled_on for i in state.installments if i.settled_on is not None]
    return max(settled) if settled else None


def debt_progress(
    name: str, currency: str, spans: Sequence[Span], state: LedgerState, today: date
) -> DebtProgress:
    """A debt's series from its plan spans (oldest first; the last is the active plan, whose
    ledger ``state`` on ``today`` gives the end of the actual line and the caption figures)."""
    planned: list[Point] = []
    actual: list[Point] = []
    for index, span in enumerate(spans):
        until = spans[index + 1].starts if index + 1 < len(spans) else None
        planned += planned_points(span, until)
        actual += [p for p in actual_points(span) if until is None or p.on < until]
    remaining = remaining_of(state)
    actual.append(Point(today, remaining))
    paid = sum((p.amount for span in spans for p in span.payments), ZERO)
    return DebtProgress(
        name=name,
        currency=currency,
        planned=tuple(planned),
        actual=tuple(actual),
        changes=tuple(span.starts for span in spans[1:]),
        payoff=payoff_day(state),
        paid=paid,
        remaining=remaining,
    )


def balance_on(points: Sequence[Point], day: date) -> Decimal:
    """A step series' value on ``day`` (zero before its first point)."""
    index = bisect_right([p.on for p in points], day)
    return points[index - 1].balance if index else ZERO


def total(debts: Sequence[DebtProgress], today: date) -> DebtProgress:
    """All of ``debts`` (one currency) added up: on every day any of their lines steps."""
    planned_days = sorted({p.on for debt in debts for p in debt.planned})
    actual_days = sorted({p.on for debt in debts for p in debt.actual if p.on <= today})
    payoffs = [debt.payoff for debt in debts if debt.payoff is not None]
    return DebtProgress(
        name="",
        currency=debts[0].currency if debts else "",
        planned=tuple(
            Point(day, sum((balance_on(d.planned, day) for d in debts), ZERO))
            for day in planned_days
        ),
        actual=tuple(
            Point(day, sum((balance_on(d.actual, day) for d in debts), ZERO)) for day in actual_days
        ),
        changes=tuple(sorted({day for debt in debts for day in debt.changes})),
        payoff=max(payoffs) if payoffs else None,
        paid=sum((debt.paid for debt in debts), ZERO),
        remaining=sum((debt.remaining for debt in debts), ZERO),
    )


def on_time_streak(states: Iterable[tuple[LedgerState, int]], today: date) -> int:
    """Installments paid on time in a row, most recent first, across debts.

    ``states`` pairs each debt's ledger with its grace days. An installment still within its
    grace days neither breaks nor extends the streak, as in the ledger's own streak.
    """
    matured = sorted(
        (
            (item.due_date, item, grace)
            for state, grace in states
            for item in state.installments
            if item.due_date <= today
        ),
        key=lambda entry: entry[0],
        reverse=True,
    )
    streak = 0
    for due, item, grace in matured:
        late_after = due + timedelta(days=grace)
        if item.status is Status.PAID and item.settled_on is not None:
            if item.settled_on > late_after:
                break
            streak += 1
        elif today > late_after:
            break
    return streak
