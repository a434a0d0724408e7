"""Paying early: /prepay and the "pay off early" button under /status.

``/prepay`` shows what paying a debt off today takes and saves; ``/prepay 5000 [debt]`` asks what
the lender does with a part prepayment (shorter term or lower installment), shows the new plan
and the interest saved, and records the payment and the new plan when the borrower confirms the
lender did it. The confirm button is recorded exactly once: its key is the preview message.
"""

from __future__ import annotations

from decimal import Decimal

from telegram import InlineKeyboardButton, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.callbacks import BadCallback, Callback, decode
from bot.errors import register
from bot.formatting import esc
from bot.i18n import N_
from bot.runtime import Context, Turn, kb, remove_buttons, turn
from bot.types import Handler
from bot.views import d, debt_picker, m
from tracker.errors import InvalidDate
from tracker.money import from_minor, to_minor
from tracker.parsing.payment_text import amount_for, parse_paid_command
from tracker.schedule_types import Method, PrepaymentMode
from tracker.services.hardship import set_fees_on_payoff
from tracker.services.payments import choose_debt
from tracker.services.prepay import (
    PrepayPreview,
    payoff_preview,
    prepay_preview,
    record_prepayment,
)
from tracker.storage.models import Debt

COMMANDS = [("prepay", N_("Pay early or pay off: /prepay 5000"))]

register(
    {
        "prepay_settled": N_("This debt is already repaid: there is nothing to prepay."),
        "prepay_nothing_ahead": N_(
            "Everything left on this debt is already due: pay that (/paid) rather than prepay."
        ),
        "prepay_custom": N_(
            "This debt follows a plan agreed with the lender: ask the lender how a prepayment is counted, then record the new plan with /plan."
        ),
        "prepay_card": N_(
            "On a card any amount counts towards the statement: log it with /paid (paying the whole statement by its due date costs no interest)."
        ),
        "prepay_flat_fee": N_(
            "Installment plans (分期) are usually paid off in full, not in part: send /prepay alone to see what paying it off takes."
        ),
        "prepay_mode": N_(
            "An interest-only loan repays its principal at the end: a prepayment can only lower the interest."
        ),
        "prepay_too_small": N_(
            "That doesn't reach the principal: {needed} must be paid first (what is due and the interest so far)."
        ),
        "prepay_stale": N_(
            "What paying off takes has changed since: it is {owed} today. Send /prepay again to see it."
        ),
        "prepay_date": N_(
            "A prepayment is counted the day you make it: send /prepay on that day (to log a past payment, use /paid)."
        ),
    },
    {
        "prepay": N_(
            "For example: <code>/prepay</code> (pay off) or <code>/prepay 5000 金条</code>."
        ),
    },
)

PICK, MODE, OFF, OK, CANCEL, FEES = "ppa", "ppm", "ppo", "ppok", "ppx", "ppf"
_MODES = {"p": PrepaymentMode.KEEP_PAYMENT, "t": PrepaymentMode.KEEP_TERM}
_PAYOFF = "o"


async def prepay(update: Update, context: Context) -> None:
    """/prepay [amount] [debt]: pay off, or prepay part and choose what the lender does."""
    async with turn(update, context) as t:
        if not context.args:
            choice = choose_debt(t.uow, user_id=t.user_id, name=None)
            if choice.debt is not None:
                await _payoff(t, choice.debt)
            else:
                await t.reply(t._("Which debt?"), debt_picker(t, choice.candidates, OFF))
            return
        request = parse_paid_command(context.args, today=t.today)
        if request.paid_on != t.today:
            raise InvalidDate("a prepayment is made today", code="prepay_date")
        choice = choose_debt(t.uow, user_id=t.user_id, name=request.debt_name)
        if choice.debt is None:
            rows = []
            for debt in choice.candidates:
                minor = to_minor(amount_for(request.amount_text, debt.currency), debt.currency)
                rows.extend(debt_picker(t, [debt], PICK, minor))
            await t.reply(t._("Which debt is this prepayment for?"), rows)
            return
        amount = amount_for(request.amount_text, choice.debt.currency)
        await _ask_mode(t, choice.debt, amount)


async def debt_picked(update: Update, context: Context) -> None:
    """The debt a /prepay amount is for."""
    query = update.callback_query
    assert query is not None
    async with turn(update, context) as t:
        data = decode(query.data, t.update_user_id)
        debt = t.uow.debts.require_for_user(t.user_id, data.int_arg(0))
        await t.answer()
        await remove_buttons(query)
        await _ask_mode(t, debt, from_minor(data.int_arg(1), debt.currency))


async def payoff_pressed(update: Update, context: Context) -> None:
    """The "pay off early" button under /status, or a debt picked for /prepay: the payoff."""
    query = update.callback_query
    assert query is not None
    async with turn(update, context) as t:
        debt = t.uow.debts.require_for_user(
            t.user_id, decode(query.data, t.update_user_id).int_arg(0)
        )
        await t.answer()
        await _payoff(t, debt)


async def mode_chosen(update: Update, context: Context) -> None:
    """Shorter term or lower installment: the new plan, and a button to confirm it."""
    query = update.callback_query
    assert query is not None
    async with turn(update, context) as t:
        data = decode(query.data, t.update_user_id)
        debt = t.uow.debts.require_for_user(t.user_id, data.int_arg(0))
        amount = from_minor(data.int_arg(1), debt.currency)
        preview = prepay_preview(
            t.uow,
            user_id=t.user_id,
            debt_id=_id(debt),
            amount=amount,
            mode=_mode(data),
            today=t.today,
        )
        await t.answer()
        await remove_buttons(query)
        await t.reply(_preview_text(t, preview), _confirm(t, debt, amount, data.arg(2)))


async def confirmed(update: Update, context: Context) -> None:
    """The lender did it: record the payment and the new plan, exactly once per preview."""
    query = update.callback_query
    assert query is not None
    async with turn(update, context) as t:
        data = decode(query.data, t.update_user_id)
        debt = t.uow.debts.require_for_user(t.user_id, data.int_arg(0))
        message = query.message
        origin = message.message_id if message is not None else 0
        preview, payment, created = record_prepayment(
            t.uow,
            user_id=t.user_id,
            debt_id=_id(debt),
            amount=from_minor(data.int_arg(1), debt.currency),
            mode=None if data.arg(2) == _PAYOFF else _mode(data),
            today=t.today,
            now=t.now,
            idempotency_key=f"tg:prepay:{t.update_user_id}:{origin}",
        )
        t.commit()
        await t.answer()
        await remove_buttons(query)
        if not created:
            await t.reply(
                t._(
                    "This prepayment was already recorded ({amount}, {date}). Nothing was added.",
                    amount=m(t, from_minor(payment.amount_minor, payment.currency), debt.currency),
                    date=d(t, payment.paid_on),
                )
            )
            return
        await t.reply(_recorded_text(t, preview))


async def cancelled(update: Update, context: Context) -> None:
    """Not now: nothing is recorded."""
    query = update.callback_query
    assert query is not None
    async with turn(update, context) as t:
        decode(query.data, t.update_user_id)
        await t.answer()
        await remove_buttons(query)
        await t.reply(t._("OK, nothing was recorded."))


# ---- the replies ----------------------------------------------------------------------------


async def _payoff(t: Turn, debt: Debt) -> None:
    preview = payoff_preview(t.uow, user_id=t.user_id, debt_id=_id(debt), today=t.today)
    cur = debt.currency
    owed = preview.settle_today
    lines = [
        t._(
            "<b>{debt}</b>: to pay it all off today: <b>{owed}</b>.",
            debt=esc(debt.name),
            owed=m(t, owed, cur),
        ),
        t._(
            "· principal {principal}; interest, fees and anything overdue {charges}",
            principal=m(t, owed - preview.charges, cur),
            charges=m(t, preview.charges, cur),
        ),
        t._(
            "The current plan would still ask {total}: paying off today saves {saved}.",
            total=m(t, preview.current_total, cur),
            saved=m(t, preview.saved, cur),
        ),
        *_fees_lines(t, preview),
        t._("Interest is only charged up to the day you pay (Civil Code art. 677)."),
        t._("Paying part early? Send <code>/prepay 5000</code>."),
        t._("Pay the lender first, then press the button."),
    ]
    minor = to_minor(owed, cur)
    await t.reply(
        "\n".join(lines),
        kb(
            [
                t.button(
                    t._("✅ I paid it off: {owed}", owed=m(t, owed, cur)),
                    OK,
                    _id(debt),
                    minor,
                    _PAYOFF,
                )
            ],
            _fees_button(t, preview),
        ),
    )


def _fees_lines(t: Turn, preview: PrepayPreview) -> list[str]:
    """For 分期手续费 plans: whether the figure counts the later fees, and why."""
    if preview.method is not Method.FLAT_FEE:
        return []
    if preview.debt.fees_on_payoff is False:
        return [t._("Later fees are left out: you said the lender drops them on an early payoff.")]
    return [
        t._(
            "It includes {fees} of fees: installment plans usually still charge the remaining fees on an early payoff.",
            fees=m(t, preview.fees, preview.debt.currency),
        )
    ]


def _fees_button(t: Turn, preview: PrepayPreview) -> list[InlineKeyboardButton]:
    if preview.method is not Method.FLAT_FEE:
        return []
    if preview.debt.fees_on_payoff is False:
        return [t.button(t._("The lender charges them after all"), FEES, _id(preview.debt), "y")]
    return [t.button(t._("My lender drops them"), FEES, _id(preview.debt), "n")]


async def fees_answered(update: Update, context: Context) -> None:
    """Whether paying off early still owes the later fees: stored, and the figure shown again."""
    query = update.callback_query
    assert query is not None
    async with turn(update, context) as t:
        data = decode(query.data, t.update_user_id)
        if data.arg(1) not in ("y", "n"):
            raise BadCallback("unknown answer")
        debt = set_fees_on_payoff(
            t.uow, user_id=t.user_id, debt_id=data.int_arg(0), charged=data.arg(1) == "y", now=t.now
        )
        t.commit()
        await t.answer()
        await remove_buttons(query)
        await _payoff(t, debt)


async def _ask_mode(t: Turn, debt: Debt, amount: Decimal) -> None:
    """Ask what the lender does with a part prepayment (or show the payoff if it is all)."""
    # Validates the amount against the debt first (too small, custom plan, …).
    preview = prepay_preview(
        t.uow,
        user_id=t.user_id,
        debt_id=_id(debt),
        amount=amount,
        mode=PrepaymentMode.KEEP_TERM,
        today=t.today,
    )
    minor = to_minor(amount, debt.currency)
    if preview.pays_off:
        await t.reply(_preview_text(t, preview), _confirm(t, debt, amount, _PAYOFF))
        return
    buttons = [t.button(t._("Lower installment, same term"), MODE, _id(debt), minor, "t")]
    if preview.terms is not None and preview.terms.method is not Method.INTEREST_ONLY:
        buttons.insert(
            0, t.button(t._("Shorter term, same installment"), MODE, _id(debt), minor, "p")
        )
    await t.reply(
        t._(
            "<b>{debt}</b>: prepay {amount} today. Lenders recompute the rest one of two ways: which did yours offer?",
            debt=esc(debt.name),
            amount=m(t, amount, debt.currency),
        ),
        kb(*[[b] for b in buttons]),
    )


def _preview_text(t: Turn, preview: PrepayPreview) -> str:
    cur = preview.debt.currency
    money = {"amount": m(t, preview.amount, cur), "debt": esc(preview.debt.name)}
    if preview.pays_off:
        lines = [t._("<b>{debt}</b>: {amount} today pays it off.", **money)]
        if preview.credit > 0:
            lines.append(
                t._(
                    "{extra} of it is more than the debt: ask the lender to refund it.",
                    extra=m(t, preview.credit, cur),
                )
            )
    else:
        rows = preview.rows
        lines = [
            t._("<b>{debt}</b>: prepay {amount} today", **money),
            t._(
                "· first {charges}: what is due and the interest so far",
                charges=m(t, preview.charges, cur),
            ),
            t._("· {principal} off the principal", principal=m(t, preview.to_principal, cur)),
            t._(
                "New plan: {count} installments of about {payment}, {first} to {last}",
                count=len(rows),
                payment=m(t, _regular(preview), cur),
                first=d(t, rows[0].due_date),
                last=d(t, rows[-1].due_date),
            ),
            t._(
                "(now {count} installments of {payment})",
                count=preview.current_count,
                payment=m(t, preview.current_payment, cur),
            ),
        ]
    lines.append(t._("Interest saved: <b>{saved}</b>", saved=m(t, preview.saved, cur)))
    lines.append(t._("This records the payment too: don't log it again with /paid."))
    lines.append(t._("Press the button once the lender has done it."))
    return "\n".join(lines)


def _recorded_text(t: Turn, preview: PrepayPreview) -> str:
    cur = preview.debt.currency
    money = {"amount": m(t, preview.amount, cur), "debt": esc(preview.debt.name)}
    if preview.pays_off:
        lines = [t._("🎉 Recorded {amount} to {debt} today: it is paid off.", **money)]
        if preview.credit > 0:
            lines.append(
                t._(
                    "Ask the lender to refund the {extra} paid beyond the debt.",
                    extra=m(t, preview.credit, cur),
                )
            )
        return "\n".join(lines)
    rows = preview.rows
    return "\n".join(
        [
            t._(
                "✅ Recorded the prepayment of {amount} to {debt}; the lender's new plan is active.",
                **money,
            ),
            t._(
                "Next: {payment} on {date}; {count} installments, the last on {last}.",
                payment=m(t, rows[0].payment, cur),
                date=d(t, rows[0].due_date),
                count=len(rows),
                last=d(t, rows[-1].due_date),
            ),
            t._(
                "Interest saved: {saved}. Reminders follow the new plan.",
                saved=m(t, preview.saved, cur),
            ),
        ]
    )


def _regular(preview: PrepayPreview) -> Decimal:
    """The new plan's usual installment (the first may be shorter or longer)."""
    rows = preview.rows
    return rows[1].payment if len(rows) > 2 else rows[0].payment


def _confirm(t: Turn, debt: Debt, amount: Decimal, mode: str) -> list[list[InlineKeyboardButton]]:
    minor = to_minor(amount, debt.currency)
    return kb(
        [
            t.button(t._("✅ The lender did it"), OK, _id(debt), minor, mode),
            t.button(t._("Not now"), CANCEL),
        ]
    )


def _mode(data: Callback) -> PrepaymentMode:
    try:
        return _MODES[data.arg(2)]
    except KeyError:
        raise BadCallback("unknown prepayment mode") from None


def _id(debt: Debt) -> int:
    assert debt.id is not None  # loaded from the database
    return debt.id


def handlers() -> list[Handler]:
    """/prepay and its buttons."""
    return [
        CommandHandler("prepay", prepay),
        CallbackQueryHandler(debt_picked, pattern=rf"^{PICK}:"),
        CallbackQueryHandler(payoff_pressed, pattern=rf"^{OFF}:"),
        CallbackQueryHandler(mode_chosen, pattern=rf"^{MODE}:"),
        CallbackQueryHandler(confirmed, pattern=rf"^{OK}:"),
        CallbackQueryHandler(cancelled, pattern=rf"^{CANCEL}:"),
        CallbackQueryHandler(fees_answered, pattern=rf"^{FEES}:"),
    ]
