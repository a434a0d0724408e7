"""Payments: /paid, free text such as 还了500 or "paid 500", /undo and /history.

A payment is recorded exactly once per Telegram message: the idempotency key is
``tg:update:<update id>`` of the message, also when the debt is chosen later with a button (the
button carries that update id), so a double press or a redelivered update adds nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from telegram import InlineKeyboardButton, Message, Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.callbacks import Callback, base36, decode
from bot.errors import register
from bot.features import payments_views as views
from bot.i18n import N_
from bot.runtime import Context, Turn, kb, remove_buttons, turn
from bot.types import Handler
from bot.views import debt_picker
from tracker.errors import DomainError, NotFound
from tracker.money import from_minor, to_minor
from tracker.parsing.payment_text import (
    PaymentRequest,
    amount_for,
    parse_paid_command,
    recognise_payment,
    resolve,
)
from tracker.services.payments import (
    choose_debt,
    find_debts,
    last_payment,
    payment_history,
    prepare_payment,
    record_payment,
    store_payment,
    undo_payment,
)
from tracker.storage.enums import PaymentSource
from tracker.storage.models import Debt

logger = logging.getLogger(__name__)

COMMANDS = [
    ("paid", N_("Log a payment: /paid 500")),
    ("undo", N_("Take back the last payment")),
    ("history", N_("Payments so far")),
]

register(
    {
        "paydate_future": N_("A payment can't be dated after today ({today})."),
        "paydate_before_loan": N_(
            "{debt} began on {start}, so a payment can't be dated {date}: please check the date."
        ),
        "paydate_ambiguous": N_(
            "“{text}” could be {first} or {second}: please write the month in letters or the full date."
        ),
        "amount_currency_mismatch": N_(
            "“{text}” is in {named}, but this debt is in {currency}: please give the amount in {currency}."
        ),
        "payment_key_conflict": N_(
            "I couldn't match that button to your message: please log the payment again."
        ),
        "nodebt": N_("You have no debts to log a payment against yet. Add one with /adddebt."),
    },
    {
        "paydate": N_(
            "For example: <code>/paid 500 yesterday</code>, <code>/paid 500 30 Nov</code> or <code>/paid 500 2026-11-30</code>."
        ),
    },
)

PAY, UNDO, KEEP, HISTORY = "pay", "payundo", "paykeep", "payhist"


# ---- recording -------------------------------------------------------------------------------


async def paid(update: Update, context: Context) -> None:
    """/paid <amount> [debt] [date]."""
    async with turn(update, context, reading=True) as t:  # _pay takes the write lock late
        if not context.args:
            await t.reply(t._(views.USAGE))
            return
        request = parse_paid_command(context.args, today=t.today, month_first=_month_first(t))
        await _pay(t, request, PaymentSource.COMMAND)


async def paid_text(update: Update, context: Context) -> None:
    """A message such as 还了500, 金条还了800 or "I paid 500 to 金条"."""
    message = update.effective_message
    found = recognise_payment(message.text if message else None)
    if found is None:  # the filter let it through, so this does not happen
        return
    async with turn(update, context, reading=True) as t:  # _pay takes the write lock late
        request = resolve(found, today=t.today, month_first=_month_first(t))
        await _pay(t, request, PaymentSource.TEXT)


def _month_first(t: Turn) -> bool:
    """Chinese writes 5/10 as month/day; in English it could be either, so it is asked."""
    return t._.language == "zh"


async def _pay(t: Turn, request: PaymentRequest, source: PaymentSource) -> None:
    """Record the payment if the debt is clear, else ask which debt with buttons."""
    choice = choose_debt(t.uow, user_id=t.user_id, name=request.debt_name)
    if choice.debt is not None:
        # Costed and worded while only reading; the write lock is taken for the writes alone.
        outcome = prepare_payment(
            t.uow,
            user_id=t.user_id,
            debt_id=_id(choice.debt),
            amount=amount_for(request.amount_text, choice.debt.currency),
            paid_on=request.paid_on,
            today=t.today,
            idempotency_key=f"tg:update:{t.update.update_id}",
            now=t.now,
            source=source,
        )
        text = views.recorded(t, outcome)
        stored = store_payment(t.uow, outcome=outcome, user_id=t.user_id, today=t.today)
        await t.commit_and_reply(text if stored is outcome else views.recorded(t, stored))
        return
    rows: list[list[InlineKeyboardButton]] = []
    amounts: list[tuple[Decimal, str]] = []
    first_error: DomainError | None = None
    for debt in choice.candidates:
        try:
            amount = amount_for(request.amount_text, debt.currency)
        except DomainError as error:  # another currency, or finer than this debt's currency
            first_error = first_error or error
            continue
        amounts.append((amount, debt.currency))
        rows.extend(
            debt_picker(
                t,
                [debt],
                PAY,
                base36(to_minor(amount, debt.currency)),
                request.paid_on.strftime("%Y%m%d"),
                t.update.update_id,
            )
        )
    if not rows:
        assert first_error is not None  # candidates are never empty
        raise first_error
    amount_text = views.money_or_text(t, amounts, request.amount_text)
    name = request.debt_name if choice.unmatched else None
    await t.reply(views.picker_question(t, amount_text, name, request.paid_on), rows)


async def debt_chosen(update: Update, context: Context) -> None:
    """The debt picked for a payment: record it under the original message's key."""
    query = update.callback_query
    assert query is not None
    async with turn(update, context) as t:
        picked = _picked(decode(query.data, t.update_user_id))
        debt = t.uow.debts.require_for_user(t.user_id, picked.debt_id)
        outcome = record_payment(
            t.uow,
            user_id=t.user_id,
            debt_id=_id(debt),
            amount=from_minor(picked.minor_units, debt.currency),
            paid_on=picked.paid_on,
            today=t.today,
            idempotency_key=f"tg:update:{picked.origin_update_id}",
            now=t.now,
            source=PaymentSource.BUTTON,
        )
        text = views.recorded(t, outcome)
        await t.answer()  # nothing is written by the answer; the spinner stops at once
        await t.commit_and_reply(text)
        await remove_buttons(query)


async def payment_edited(update: Update, context: Context) -> None:
    """An edited payment message: edits do not change what was recorded."""
    async with turn(update, context) as t:
        await t.reply(
            t._(
                "Editing a message doesn't change a payment I recorded. To correct it, /undo it and log it again."
            )
        )


# ---- undo ------------------------------------------------------------------------------------


async def undo(update: Update, context: Context) -> None:
    """/undo: show the last payment and ask before taking it back."""
    async with turn(update, context) as t:
        entry = last_payment(t.uow, user_id=t.user_id)
        payment_id = entry.payment.id
        await t.reply(
            views.undo_question(t, entry),
            kb(
                [
                    t.button(t._("↩️ Undo it"), UNDO, payment_id),
                    t.button(t._("Keep it"), KEEP, payment_id),
                ]
            ),
        )


async def undo_confirmed(update: Update, context: Context) -> None:
    """Undo the payment shown; a second press finds it already undone and changes nothing."""
    query = update.callback_query
    assert query is not None
    async with turn(update, context) as t:
        payment_id = decode(query.data, t.update_user_id).int_arg(0)
        outcome = undo_payment(
            t.uow, user_id=t.user_id, payment_id=payment_id, now=t.now, today=t.today
        )
        text = views.undone(t, outcome)
        await t.answer()
        await t.commit_and_reply(text)
        await remove_buttons(query)


async def undo_kept(update: Update, context: Context) -> None:
    """Keep the payment: nothing changes."""
    query = update.callback_query
    assert query is not None
    async with turn(update, context) as t:
        decode(query.data, t.update_user_id)  # only its owner may press it
        await t.answer()
        await remove_buttons(query)
        await t.reply(t._("Kept: the payment stays recorded."))


# ---- history ---------------------------------------------------------------------------------


async def history(update: Update, context: Context) -> None:
    """/history [debt]: payments newest first, undone ones marked."""
    async with turn(update, context) as t:
        name = " ".join(context.args or []).strip()
        debt: Debt | None = None
        if name:
            matches = find_debts(t.uow, user_id=t.user_id, name=name)
            if not matches:
                raise NotFound(f"no debt called {name!r}", code="debt_not_found")
            if len(matches) > 1:
                await t.reply(t._("Which debt's payments?"), debt_picker(t, matches, HISTORY))
                return
            debt = matches[0]
        await _history(t, debt)


async def history_chosen(update: Update, context: Context) -> None:
    """The debt picked for /history."""
    query = update.callback_query
    assert query is not None
    async with turn(update, context) as t:
        debt_id = decode(query.data, t.update_user_id).int_arg(0)
        debt = t.uow.debts.require_for_user(t.user_id, debt_id)
        await t.answer()
        await remove_buttons(query)
        await _history(t, debt)


async def _history(t: Turn, debt: Debt | None) -> None:
    found = payment_history(t.uow, user_id=t.user_id, debt_id=None if debt is None else _id(debt))
    await t.reply(views.history(t, found, debt))


# ---- helpers ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Picked:
    """What a debt-picker button carries: the debt, the amount, the date, the message's update."""

    debt_id: int
    minor_units: int
    paid_on: date
    origin_update_id: int


def _picked(data: Callback) -> _Picked:
    """Read a picker button's data; BadCallback (answered by turn()) if it is malformed."""
    return _Picked(data.int_arg(0), data.base36_arg(1), data.day_arg(2), data.int_arg(3))


def _id(debt: Debt) -> int:
    assert debt.id is not None  # loaded from the database
    return debt.id


class _PaymentText(filters.MessageFilter):
    """Messages that clearly report a payment; any other text goes on to later handlers."""

    __slots__ = ()

    def filter(self, message: Message) -> bool:
        return recognise_payment(message.text) is not None


PAYMENT_TEXT = _PaymentText(name="payment_text")

#: Only new messages record payments: editing "还了500" into "还了600" must not add another.
NEW = filters.UpdateType.MESSAGE
EDITED = filters.UpdateType.EDITED_MESSAGE


def handlers() -> list[Handler]:
    """The payments handlers; the free-text one only takes messages that report a payment."""
    return [
        CommandHandler("paid", paid, filters=NEW),
        CommandHandler("undo", undo, filters=NEW),
        CommandHandler("history", history),
        MessageHandler(NEW & filters.TEXT & ~filters.COMMAND & PAYMENT_TEXT, paid_text),
        CommandHandler("paid", payment_edited, filters=EDITED),
        MessageHandler(EDITED & filters.TEXT & ~filters.COMMAND & PAYMENT_TEXT, payment_edited),
        CallbackQueryHandler(debt_chosen, pattern=rf"^{PAY}:"),
        CallbackQueryHandler(undo_confirmed, pattern=rf"^{UNDO}:"),
        CallbackQueryHandler(undo_kept, pattern=rf"^{KEEP}:"),
        CallbackQueryHandler(history_chosen, pattern=rf"^{HISTORY}:"),
    ]
