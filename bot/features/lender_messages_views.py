"""The lender-messages feature's replies: a payment to confirm, a notice checked against the records."""

from __future__ import annotations

from bot.formatting import esc
from bot.i18n import N_
from bot.runtime import Turn
from bot.views import d, m
from tracker.parsing.lender_messages import Kind
from tracker.services.lender_messages import (
    Choice,
    Difference,
    DueCheck,
    OverdueCheck,
    Proposal,
)

RECORD = N_("✅ Record it")
NOT_NOW = N_("Not now")
KEEP_MINE = N_("Keep mine")
NOT_RECORDED = N_("Nothing was recorded.")
KEPT = N_("Kept: your records stay as they are.")


def _from(t: Turn, lender: str | None) -> str:
    """The heading line: what kind of message it is, and from whom."""
    if lender:
        return t._("📩 A message from {lender}.", lender=esc(lender))
    return t._("📩 A message from your lender.")


def proposal(t: Turn, found: Proposal) -> str:
    """Record payment of X to <debt> on <date>? (with what might make it a second record)."""
    cur = found.debt.currency
    facts = {
        "amount": m(t, found.amount, cur),
        "debt": esc(found.debt.name),
        "date": d(t, found.paid_on),
    }
    lines = [
        _from(t, found.message.lender),
        t._("It confirms a repayment. Record payment of {amount} to {debt} on {date}?", **facts),
    ]
    if found.unnamed:
        lines.append(_unnamed(t, found.message.lender, found.debt.name))
    if found.same_day:
        lines.append(
            t._(
                "You already logged {amount} to {debt} on {date}: record this only if it is another payment.",
                **facts,
            )
        )
    return "\n".join(lines)


def choice(t: Turn, found: Choice) -> str:
    """Which debt a message is about."""
    message = found.message
    cur = found.candidates[0].currency
    amount = m(t, message.amount, message.currency or cur)
    lines = [_from(t, message.lender)]
    if message.kind is Kind.CONFIRMATION:
        lines.append(
            t._("It confirms a repayment of {amount}. Which debt was it for?", amount=amount)
        )
    else:
        lines.append(t._("It speaks of {amount}. Which debt is it about?", amount=amount))
    return "\n".join(lines)


def due(t: Turn, found: DueCheck) -> str:
    """A due notice: matches the schedule, or exactly what differs."""
    debt = found.position.debt
    cur = debt.currency
    message = found.message
    item = found.installment
    lines = [_from(t, message.lender)]
    if not found.differences and item is not None:
        lines.append(
            t._(
                "✅ It matches your schedule: {debt}, installment {number}, {amount} due {date}.",
                debt=esc(debt.name),
                number=item.number,
                amount=m(t, message.amount, cur),
                date=d(t, item.due_date),
            )
        )
        if item.remaining == 0:
            lines.append(
                t._(
                    "Your records show it paid already: if the lender still asks for it, check with them that the payment arrived."
                )
            )
        return "\n".join(lines)
    lines.append(t._("⚠️ It differs from your schedule for {debt}:", debt=esc(debt.name)))
    if item is None:
        lines.append(t._("· your schedule has nothing left to pay on this debt."))
    if item is not None and Difference.AMOUNT in found.differences:
        lines.append(
            t._(
                "· amount: the lender says {theirs}, your schedule {ours} (installment {number}, a difference of {diff}).",
                theirs=m(t, message.amount, cur),
                ours=m(t, found.expected, cur),
                number=item.number,
                diff=m(t, abs(message.amount - found.expected), cur),
            )
        )
    if item is not None and Difference.DATE in found.differences and message.on is not None:
        lines.append(
            t._(
                "· due date: the lender says {theirs}, your schedule {ours} (installment {number}).",
                theirs=d(t, message.on),
                ours=d(t, item.due_date),
                number=item.number,
            )
        )
    if Difference.DEBT in found.differences:
        lines.append(_unnamed(t, message.lender, debt.name))
    lines.append(
        t._(
            "If the lender's figures are right, record them as a new plan with /plan; if yours are, keep them and ask the lender why they differ."
        )
    )
    return "\n".join(lines)


def overdue(t: Turn, found: OverdueCheck) -> str:
    """An overdue notice: matches the ledger's overdue amount and penalty, or what differs."""
    debt = found.position.debt
    cur = debt.currency
    message = found.message
    lines = [_from(t, message.lender)]
    facts = {
        "debt": esc(debt.name),
        "overdue": m(t, found.overdue, cur),
        "penalty": m(t, found.penalty, cur),
    }
    if not found.differences:
        lines.append(
            t._(
                "✅ It matches your records: {debt} has {overdue} overdue since {date}, and {penalty} penalty so far.",
                date=d(t, found.since) if found.since else "",
                **facts,
            )
        )
        lines.append(t._("To talk with the lender about it, /hardship helps."))
        return "\n".join(lines)
    lines.append(t._("⚠️ It differs from your records for {debt}:", debt=esc(debt.name)))
    if Difference.NOTHING_OVERDUE in found.differences:
        lines.append(
            t._(
                "· overdue: the lender says {theirs}, your records nothing. If you paid, check the payment is logged (/history); if not, log it with /paid.",
                theirs=m(t, message.amount, cur),
            )
        )
    if Difference.AMOUNT in found.differences:
        lines.append(
            t._(
                "· overdue: the lender says {theirs}, your records {overdue} overdue and {penalty} penalty.",
                theirs=m(t, message.amount, cur),
                **facts,
            )
        )
    if Difference.PENALTY in found.differences and message.penalty is not None:
        lines.append(
            t._(
                "· penalty: the lender says {theirs}, your records {penalty}.",
                theirs=m(t, message.penalty, cur),
                **facts,
            )
        )
    if Difference.DEBT in found.differences:
        lines.append(_unnamed(t, message.lender, debt.name))
    lines.append(
        t._(
            "Ask the lender how they worked out their figures; if the contract's penalty terms differ from yours, correct them in /debts."
        )
    )
    return "\n".join(lines)


def _unnamed(t: Turn, lender: str | None, debt: str) -> str:
    return t._(
        "· debt: the message names {lender}, and {debt} is not recorded with that lender: check it is the right debt.",
        lender=esc(lender or ""),
        debt=esc(debt),
    )
