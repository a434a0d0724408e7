"""A lender's own messages, forwarded or pasted: a repayment confirmation, a due or overdue notice.

A confirmation asks "Record payment of X to <debt> on <date>?" and records it with one tap,
exactly once: the key is the user, debt, amount, date and a hash of the message's text
(``tracker.services.lender_messages.payment_key``), so forwarding the same message again or
pressing twice adds nothing. A due or overdue notice is compared with the ledger and every
difference named; a new plan is recorded with /plan (pointed to, not started from here).

Only messages that read as a lender's notice are taken (``is_lender_message``); 还了500, "I paid
500" and hardship text go on to their own features.
"""

from __future__ import annotations

from decimal import Decimal

from telegram import InlineKeyboardButton, Message, Update
from telegram.ext import CallbackQueryHandler, MessageHandler, filters

from bot.callbacks import BadCallback, Callback, base36, decode
from bot.features import lender_messages_views as views
from bot.features import payments_views
from bot.runtime import Context, Keyboard, Turn, kb, remove_buttons, turn
from bot.types import Handler
from bot.views import debt_picker
from tracker.money import from_minor, to_minor
from tracker.parsing.lender_messages import Kind, LenderMessage, is_lender_message
from tracker.parsing.lender_messages import recognise_lender_message as recognise
from tracker.services.lender_messages import (
    Choice,
    DueCheck,
    OverdueCheck,
    Proposal,
    Reconciliation,
    reconcile,
    record_confirmed,
)

COMMANDS: list[tuple[str, str]] = []

#: lmpay:<owner>:<debt>:<minor, base 36>:<yyyymmdd>:<digest> — record the confirmed payment.
PAY = "lmpay"
#: lmchk:<owner>:<debt>:<kind>:<minor, base 36>:<yyyymmdd or ->:<penalty minor or -> — compare.
CHECK = "lmchk"
NOT_NOW, KEEP = "lmno", "lmkeep"
_NONE = "-"


async def lender_text(update: Update, context: Context) -> None:
    """A forwarded or pasted lender message: a payment to confirm, or a notice compared."""
    message = update.effective_message
    async with turn(update, context) as t:
        found = recognise(message.text if message else None, today=t.today)
        if found is None:  # the filter let it through, so this does not happen
            return
        result = reconcile(t.uow, user_id=t.user_id, message=found, today=t.today)
        await _show(t, result)


async def pay_pressed(update: Update, context: Context) -> None:
    """Record the confirmed payment; a second press (or forward) finds it recorded."""
    query = update.callback_query
    assert query is not None
    async with turn(update, context) as t:
        data = decode(query.data, t.update_user_id)
        outcome = record_confirmed(
            t.uow,
            user_id=t.user_id,
            debt_id=data.int_arg(0),
            minor_units=data.base36_arg(1),
            paid_on=data.day_arg(2),
            digest=_digest(data, 3),
            today=t.today,
            now=t.now,
        )
        text = payments_views.recorded(t, outcome)
        await t.answer()
        await t.commit_and_reply(text)
        await remove_buttons(query)


async def check_chosen(update: Update, context: Context) -> None:
    """The debt picked for a due or overdue notice: compare it now."""
    query = update.callback_query
    assert query is not None
    async with turn(update, context) as t:
        data = decode(query.data, t.update_user_id)
        debt = t.uow.debts.require_for_user(t.user_id, data.int_arg(0))
        found = _notice(data, debt.currency)
        result = reconcile(
            t.uow, user_id=t.user_id, message=found, today=t.today, debt_id=data.int_arg(0)
        )
        await t.answer()
        await remove_buttons(query)
        await _show(t, result)


async def dismissed(update: Update, context: Context) -> None:
    """ "Not now" or "Keep mine": nothing changes."""
    query = update.callback_query
    assert query is not None
    async with turn(update, context) as t:
        data = decode(query.data, t.update_user_id)  # only its owner may press it
        await t.answer()
        await remove_buttons(query)
        await t.reply(t._(views.KEPT if data.action == KEEP else views.NOT_RECORDED))


async def _show(t: Turn, result: Reconciliation) -> None:
    """The reply for what reconcile found (nothing is written until a button is pressed)."""
    if isinstance(result, Proposal):
        args = (base36(result.minor_units), f"{result.paid_on:%Y%m%d}", result.message.digest)
        keyboard: Keyboard = kb(
            [
                t.button(t._(views.RECORD), PAY, result.debt.id, *args),
                t.button(t._(views.NOT_NOW), NOT_NOW),
            ]
        )
        await t.reply(views.proposal(t, result), keyboard)
    elif isinstance(result, Choice):
        await t.reply(views.choice(t, result), _picker(t, result))
    elif isinstance(result, DueCheck):
        await t.reply(views.due(t, result), _keep(t) if result.differences else None)
    elif isinstance(result, OverdueCheck):
        await t.reply(views.overdue(t, result), _keep(t) if result.differences else None)


def _keep(t: Turn) -> Keyboard:
    return kb([t.button(t._(views.KEEP_MINE), KEEP)])


def _picker(t: Turn, found: Choice) -> list[list[InlineKeyboardButton]]:
    """One button per candidate debt, carrying what the message said."""
    message = found.message
    rows: list[list[InlineKeyboardButton]] = []
    for debt in found.candidates:
        minor = base36(to_minor(message.amount, debt.currency))
        if message.kind is Kind.CONFIRMATION:
            paid_on = message.on or t.today
            rows.extend(debt_picker(t, [debt], PAY, minor, f"{paid_on:%Y%m%d}", message.digest))
        else:
            on = f"{message.on:%Y%m%d}" if message.on else _NONE
            penalty = base36(to_minor(message.penalty, debt.currency)) if message.penalty else _NONE
            rows.extend(debt_picker(t, [debt], CHECK, message.kind.value[0], minor, on, penalty))
    return rows


def _notice(data: Callback, currency: str) -> LenderMessage:
    """The notice a picker button carries, read back."""
    kinds = {kind.value[0]: kind for kind in (Kind.DUE, Kind.OVERDUE)}
    kind = kinds.get(data.arg(1))
    if kind is None:
        raise BadCallback("argument 1 is not a notice kind")
    amount = from_minor(data.base36_arg(2), currency)
    on = None if data.arg(3) == _NONE else data.day_arg(3)
    penalty: Decimal | None = (
        None if data.arg(4) == _NONE else from_minor(data.base36_arg(4), currency)
    )
    return LenderMessage(kind, amount, str(amount), None, on, (), penalty)


def _digest(data: Callback, index: int) -> str:
    text = data.arg(index)
    if len(text) != 8 or any(ch not in "0123456789abcdef" for ch in text):
        raise BadCallback(f"argument {index} is not a message digest")
    return text


class _LenderText(filters.MessageFilter):
    """Messages that read as a lender's notice; any other text goes on to later handlers."""

    __slots__ = ()

    def filter(self, message: Message) -> bool:
        return is_lender_message(message.text)


LENDER_TEXT = _LenderText(name="lender_text")


def handlers() -> list[Handler]:
    """The free-text handler (new messages only) and the buttons it sends."""
    return [
        MessageHandler(
            filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND & LENDER_TEXT,
            lender_text,
        ),
        CallbackQueryHandler(pay_pressed, pattern=rf"^{PAY}:"),
        CallbackQueryHandler(check_chosen, pattern=rf"^{CHECK}:"),
        CallbackQueryHandler(dismissed, pattern=rf"^(?:{NOT_NOW}|{KEEP}):"),
    ]
