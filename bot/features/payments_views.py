"""The payments feature's replies: a recorded payment, the debt picker, /undo and /history."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from bot.features.debts_text import before_tracking_text
from bot.formatting import esc
from bot.i18n import N_
from bot.runtime import Turn
from bot.views import d, m, owed_summary
from tracker.ledger import Component, InstallmentState, Status
from tracker.services.debts import Position
from tracker.services.payments import History, HistoryEntry, PaymentOutcome, UndoOutcome
from tracker.storage.enums import PaymentSource, PlanOrigin
from tracker.storage.models import Debt

USAGE = N_(
    "Tell me the amount, and if you like the debt and the date:\n"
    "<code>/paid 500</code>\n"
    "<code>/paid 500 金条</code>\n"
    "<code>/paid 1.2万 信用卡 2026-11-30</code>\n"
    "<code>/paid ¥800 yesterday</code>\n"
    "Or just write <code>还了500</code> or <code>paid 500</code>."
)

COMPONENTS = {
    Component.PENALTY: N_("penalty interest"),
    Component.FEE: N_("fees"),
    Component.INTEREST: N_("interest"),
    Component.PRINCIPAL: N_("principal"),
}

SOURCES = {
    PaymentSource.COMMAND: N_("/paid"),
    PaymentSource.TEXT: N_("message"),
    PaymentSource.BUTTON: N_("button"),
    PaymentSource.IMPORT: N_("import"),
}


def recorded(t: Turn, outcome: PaymentOutcome) -> str:
    """What a payment paid, what is left, and what comes next (or that it was already there)."""
    pos = outcome.position
    cur = pos.debt.currency
    payment = outcome.payment
    facts = {
        "amount": m(t, outcome.amount, cur),
        "debt": esc(pos.debt.name),
        "date": d(t, payment.paid_on),
    }
    if not outcome.created:
        lines = [
            t._("This payment was already recorded: {amount} to {debt}, paid {date}.", **facts)
            + " "
            + t._("Nothing was added.")
        ]
        if payment.undone_at is not None:
            lines.append(t._("It was undone since; log it again with /paid if it stands."))
        return "\n".join([*lines, "", *_after(t, pos)])
    lines = [t._("✅ Recorded {amount} to {debt}, paid {date}.", **facts)]
    if _within_paid_before_tracking(pos, payment.paid_on):
        # The user said these were paid before tracking: this may be one of them, twice.
        lines.append(
            before_tracking_text(t, pos.debt.paid_before_tracking)
            + " "
            + t._("If this payment was one of them, take it back with /undo.")
        )
    if outcome.paid_off:
        lines.append(_paid_off_line(t, outcome))
    else:
        lines.extend(_installment_lines(t, outcome))
        if outcome.paid_ahead:
            lines.append(
                t._(
                    "{amount} of it is paid before the due date: it counts towards the installment on that date, and settling today already takes that much less.",
                    amount=m(t, outcome.ahead_amount, cur),
                )
            )
    if outcome.credit > 0:
        lines.append(
            t._(
                "{extra} is more than the whole debt: it is a credit in your favour (ask the lender to refund it).",
                extra=m(t, outcome.credit, cur),
            )
        )
    return "\n".join([*lines, "", *_after(t, pos)])


def _within_paid_before_tracking(pos: Position, paid_on: date) -> bool:
    """A payment dated on or before the last installment marked paid before tracking."""
    count = pos.debt.paid_before_tracking if pos.plan.origin is PlanOrigin.ORIGINAL else 0
    marked = [i for i in pos.state.installments if i.before_tracking and i.number == count]
    return bool(marked) and paid_on <= marked[0].due_date


def _paid_off_line(t: Turn, outcome: PaymentOutcome) -> str:
    """What paying off early took: principal, interest to today only, fees the lender keeps."""
    cur = outcome.position.debt.currency
    paid = outcome.paid_by_component()
    parts = " · ".join(
        f"{t._(COMPONENTS[c])} {m(t, paid[c], cur)}" for c in COMPONENTS if paid.get(c)
    )
    return t._(
        "This pays off the debt early ({parts}): interest is charged only up to {date}, not for the months not yet run.",
        parts=parts,
        date=d(t, outcome.payment.paid_on),
    )


def _installment_lines(t: Turn, outcome: PaymentOutcome) -> list[str]:
    """One line per installment paid; a long run in the middle (all paid in full) in one line."""
    numbers = outcome.installments
    if len(numbers) <= 3:
        return [_installment_line(t, outcome, n) for n in numbers]
    middle = numbers[1:-1]
    total = sum((a.amount for a in outcome.allocations if a.installment in middle), Decimal(0))
    facts = {"first": middle[0], "last": middle[-1]}
    amount = m(t, total, outcome.position.debt.currency)
    if all(a.ahead for a in outcome.allocations if a.installment in middle):
        summary = t._(
            "Installments {first}–{last}: {amount} counts towards them — covered.",
            amount=amount,
            **facts,
        )
    else:
        summary = t._(
            "Installments {first}–{last}: {amount} in all — now paid in full.",
            amount=amount,
            **facts,
        )
    first, last = numbers[0], numbers[-1]
    return [_installment_line(t, outcome, first), summary, _installment_line(t, outcome, last)]


def _installment_line(t: Turn, outcome: PaymentOutcome, number: int) -> str:
    cur = outcome.position.debt.currency
    mine = [a for a in outcome.allocations if a.installment == number]
    state = _installment(outcome.position, number)
    if all(a.ahead for a in mine):
        # Held for an installment not due yet: no interest is taken for it before its date.
        counted = m(t, sum((a.amount for a in mine), Decimal(0)), cur)
        if state.remaining == 0:
            return t._(
                "Installment {n} (due {date}): {amount} counts towards it — covered.",
                n=number,
                date=d(t, state.due_date),
                amount=counted,
            )
        return t._(
            "Installment {n} (due {date}): {amount} counts towards it — {left} still to pay on it.",
            n=number,
            date=d(t, state.due_date),
            amount=counted,
            left=m(t, state.remaining, cur),
        )
    parts = " · ".join(f"{t._(COMPONENTS[a.component])} {m(t, a.amount, cur)}" for a in mine)
    if state.remaining == 0 and state.penalty_unpaid == 0:
        return t._(
            "Installment {n} (due {date}): {parts} — now paid in full.",
            n=number,
            date=d(t, state.due_date),
            parts=parts,
        )
    return t._(
        "Installment {n} (due {date}): {parts} — {left} still to pay on it.",
        n=number,
        date=d(t, state.due_date),
        parts=parts,
        left=m(t, state.remaining + state.penalty_unpaid, cur),
    )


def _installment(pos: Position, number: int) -> InstallmentState:
    return next(i for i in pos.state.installments if i.number == number)


def _after(t: Turn, pos: Position) -> list[str]:
    """Where the debt stands: fully repaid, or what is overdue, what is next and owed today."""
    cur = pos.debt.currency
    state = pos.state
    if state.is_settled:
        return [t._("🎉 {debt} is fully repaid.", debt=esc(pos.debt.name))]
    lines = []
    if state.overdue:
        lines.append(t._("⚠️ Still overdue: {amount}.", amount=m(t, state.overdue_amount, cur)))
        if state.owed_today.penalty:
            lines.append(
                t._("· penalty interest {amount}", amount=m(t, state.owed_today.penalty, cur))
            )
    upcoming = next(
        (i for i in state.installments if i.remaining > 0 and i.status is not Status.OVERDUE), None
    )
    if upcoming is not None:
        lines.append(
            t._(
                "Next due: {amount} on {date} (installment {n}).",
                amount=m(t, upcoming.remaining, cur),
                date=d(t, upcoming.due_date),
                n=upcoming.number,
            )
        )
    lines.append(t._("Owed today: <b>{total}</b>", total=m(t, state.owed_today.total, cur)))
    return lines


def picker_question(t: Turn, amount: str, name: str | None, paid_on: date) -> str:
    """Ask which debt a payment is for (saying so when the name given matched none)."""
    question = t._("Which debt is this payment of {amount} for?", amount=amount)
    if paid_on != t.today:  # the date as read, with its year, before anything counts
        question += "\n" + t._("Paid on {date}.", date=d(t, paid_on))
    if name is None:
        return question
    return t._("You have no debt called “{name}”.", name=esc(name)) + "\n" + question


def undo_question(t: Turn, entry: HistoryEntry) -> str:
    """Show the payment /undo would take back."""
    return t._(
        "Undo this payment?\n{amount} to {debt}, paid {date} (via {source}).",
        amount=m(t, entry.amount, entry.debt.currency),
        debt=esc(entry.debt.name),
        date=d(t, entry.payment.paid_on),
        source=t._(SOURCES[entry.payment.source]),
    )


def undone(t: Turn, outcome: UndoOutcome) -> str:
    """The payment is taken back; where its debt stands now."""
    head = t._(
        "↩️ Undone: {amount} to {debt}, paid {date}. It stays in /history, marked undone.",
        amount=m(t, outcome.amount, outcome.position.debt.currency),
        debt=esc(outcome.position.debt.name),
        date=d(t, outcome.payment.paid_on),
    )
    return f"{head}\n\n{owed_summary(t, outcome.position)}"


def history(t: Turn, found: History, debt: Debt | None) -> str:
    """Payments newest first, undone ones struck through, with a note when some are not shown;
    then the installments paid before the debt was tracked here (issue 9), which have none."""
    if debt is not None:
        count = debt.paid_before_tracking
        before = [before_tracking_text(t, count)] if count else []
    else:
        before = [
            f"{esc(item.name)} · {before_tracking_text(t, item.paid_before_tracking)}"
            for item in t.uow.debts.list_for_user(t.user_id)
            if item.paid_before_tracking
        ]
    if not found.entries:
        if debt is not None:
            empty = t._("No payments to {debt} yet.", debt=esc(debt.name))
        else:
            empty = t._(
                "No payments yet. Log one with /paid 500 or just write <code>paid 500</code>."
            )
        return "\n".join([empty, *before])
    if debt is None:
        lines = [t._("<b>Payments</b>, newest first:")]
    else:
        lines = [t._("<b>Payments to {debt}</b>, newest first:", debt=esc(debt.name))]
    undone_mark = t._("(undone)")
    for entry in found.entries:
        line = " · ".join(
            (
                d(t, entry.payment.paid_on),
                m(t, entry.amount, entry.payment.currency),
                esc(entry.debt.name),
                t._(SOURCES[entry.payment.source]),
            )
        )
        if entry.payment.undone_at is not None:
            line = f"<s>{line}</s> {undone_mark}"
        lines.append(line)
    if found.total > len(found.entries):
        lines.append(
            t._(
                "Showing the latest {shown} of {total} payments.",
                shown=len(found.entries),
                total=found.total,
            )
        )
    return "\n".join([*lines, *before])


def money_or_text(t: Turn, amounts: list[tuple[Decimal, str]], text: str) -> str:
    """An amount formatted when every debt reads it in one currency, else as typed."""
    if amounts and len({currency for _, currency in amounts}) == 1:
        return m(t, amounts[0][0], amounts[0][1])
    return esc(text)
