"""Shared pieces of replies: money and dates for this user, a debt picker, what a debt owes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from telegram import InlineKeyboardButton

from bot.formatting import day, esc, money
from bot.runtime import Turn
from tracker.ledger import Status
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
        first = state.overdue[0]
        lines.append(
            t._(
                "⚠️ Overdue: {amount} since {date} ({days} days); penalty grows by {per_day} a day.",
                amount=m(t, state.overdue_amount, cur),
                date=d(t, first.due_date),
                days=first.days_overdue,
                per_day=m(t, state.penalty_per_day, cur),
            )
        )
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
