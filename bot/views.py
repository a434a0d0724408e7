"""Shared pieces of replies: money and dates for this user, a debt picker, what a debt owes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from telegram import InlineKeyboardButton

from bot.formatting import day, esc, money
from bot.runtime import Turn
from tracker.ledger import LedgerState, Status
from tracker.services.cards import CardSummary
from tracker.services.debts import Position
from tracker.storage.models import Debt


def m(t: Turn, amount: Decimal, currency: str) -> str:
    """Money in the user's locale."""
    return money(amount, currency, t.locale)


def d(t: Turn, value: date) -> str:
    """A date in the user's locale."""
    return day(value, t.locale)


def debt_picker(
    t: Turn, debts: Sequence[Debt], action: str, *args: object
) -> list[list[InlineKeyboardButton]]:
    """One button per debt; pressing it sends ``action:<owner>:<debt id>:<args…>``."""
    return [[t.button(debt.name, action, debt.id, *args)] for debt in debts]


def status_label(t: Turn, status: Status) -> str:
    """An installment status in words."""
    labels = {
        Status.PAID: t._("paid"),
        Status.UPCOMING: t._("upcoming"),
        Status.PARTIAL: t._("partly paid"),
        Status.DUE: t._("due"),
        Status.OVERDUE: t._("overdue"),
    }
    return labels[status]


def owed_summary(t: Turn, pos: Position) -> str:
    """What a debt owes today by component, what is due next and what is overdue."""
    cur = pos.debt.currency
    state = pos.state
    owed = state.owed_today
    lines = [
        f"<b>{esc(pos.debt.name)}</b>",
        t._("Owed today: <b>{total}</b>", total=m(t, owed.total, cur)),
        t._("· principal {amount}", amount=m(t, owed.principal, cur)),
        t._("· interest {amount}", amount=m(t, owed.interest, cur)),
    ]
    if owed.penalty:
        lines.append(t._("· penalty interest {amount}", amount=m(t, owed.penalty, cur)))
    if owed.fees:
        lines.append(t._("· fees {amount}", amount=m(t, owed.fees, cur)))
    if state.advance:
        lines.append(
            t._(
                "· paid ahead {amount} (already taken off; counts on the due dates)",
                amount=m(t, state.advance, cur),
            )
        )
    if state.overdue:
        lines.append(_overdue_line(t, state, cur))
    upcoming = state.next_due
    if upcoming is not None and upcoming.status is not Status.OVERDUE:
        lines.append(
            t._(
                "Next: {amount} due {date}",
                amount=m(t, upcoming.remaining, cur),
                date=d(t, upcoming.due_date),
            )
        )
    if state.is_settled:
        lines.append(t._("✅ Fully repaid."))
    if state.on_time_streak:
        lines.append(
            t._.plural(
                "On time {n} time in a row.", "On time {n} times in a row.", state.on_time_streak
            )
        )
    return "\n".join(lines)


def _overdue_line(t: Turn, state: LedgerState, cur: str) -> str:
    first = state.overdue[0]
    return t._(
        "⚠️ Overdue: {amount} since {date} ({days} days); penalty grows by {per_day} a day.",
        amount=m(t, state.overdue_amount, cur),
        date=d(t, first.due_date),
        days=first.days_overdue,
        per_day=m(t, state.penalty_per_day, cur),
    )


def card_block(t: Turn, card: CardSummary, pos: Position | None = None) -> str:
    """A credit card: its statement, the minimum and its due date, what paying only the
    minimum costs this month and until the balance clears; with ``pos`` (/status), anything
    overdue. What settling takes is the statement's figures (the ledger's "owed today" accrues
    a later statement's interest day by day, not as the bank charges it), so it is not shown."""
    cur = card.currency
    statement = card.statement
    due = d(t, statement.due_date)
    heading = t._(
        "Statement of {date}: <b>{amount}</b>",
        date=d(t, statement.statement_date),
        amount=m(t, statement.balance, cur),
    )
    if card.estimated:
        heading += " " + t._("(my estimate: no new spending)")
    lines = [f"💳 <b>{esc(card.name)}</b>", heading]
    if card.left == 0:
        lines.append(t._("✅ Paid in full: this statement costs no interest."))
    elif card.minimum_left == 0:
        lines.append(
            t._("✅ Minimum paid; {amount} of the statement is left.", amount=m(t, card.left, cur))
        )
    elif card.paid > 0:
        lines.append(
            t._(
                "Minimum due: <b>{amount}</b> more by {date} (paid {paid})",
                amount=m(t, card.minimum_left, cur),
                date=due,
                paid=m(t, card.paid, cur),
            )
        )
    else:
        lines.append(
            t._(
                "Minimum due: <b>{amount}</b> by {date}",
                amount=m(t, statement.minimum_due, cur),
                date=due,
            )
        )
    if card.left > 0:
        lines.append(
            t._(
                "Paying all {amount} by {date} costs no interest.",
                amount=m(t, card.left, cur),
                date=due,
            )
        )
        lines.append(
            t._(
                "Paying only the minimum costs <b>{amount}</b> in interest this month.",
                amount=m(t, card.this_month_cost, cur),
            )
        )
        lines.append(minimum_only_line(t, card))
    if pos is not None and pos.state.overdue:
        lines.append(_overdue_line(t, pos.state, cur))
    return "\n".join(lines)


def minimum_only_line(t: Turn, card: CardSummary) -> str:
    """How long paying only the minimum takes to clear the statement, and what it costs."""
    cur = card.currency
    projection = card.projection
    if projection.clears and projection.months is not None and projection.payoff_date is not None:
        return t._.plural(
            "Paying only the minimum takes <b>{n} month</b> (until {date}): <b>{total}</b> paid in all, {amount} of it interest.",  # noqa: E501
            "Paying only the minimum takes <b>{n} months</b> (until {date}): <b>{total}</b> paid in all, {amount} of it interest.",  # noqa: E501
            projection.months,
            date=d(t, projection.payoff_date),
            total=m(t, projection.total_paid, cur),
            amount=m(t, projection.total_interest, cur),
        )
    years = (len(projection.statements) - 1) // 12
    return t._(
        "⚠️ At this minimum the balance never clears: after {years} years of minimums, {amount} would still be owed.",  # noqa: E501
        years=years,
        amount=m(t, projection.balance_left, cur),
    )
