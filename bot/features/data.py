"""Your data: /export sends it as CSV and JSON, /deletedata deletes all of it after confirmation."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import CallbackQueryHandler, CommandHandler, ConversationHandler

from bot.callbacks import decode
from bot.features.debts_text import PAID_BEFORE_TRACKING
from bot.features.progress import ics_file
from bot.i18n import N_
from bot.runtime import Context, Turn, kb, remove_buttons, turn
from bot.types import Handler
from bot.views import status_label
from tracker.ledger import Status
from tracker.services import data as services
from tracker.services.progress import calendar_items
from tracker.storage.enums import PaymentSource

COMMANDS = [
    ("export", N_("Download your data (CSV and JSON)")),
    ("deletedata", N_("Delete everything I store about you")),
]

#: The CSV's column titles (the service's keys); statuses come from bot.views.
CSV_WORDS = {
    "installments": N_("Installments"),
    "payments": N_("Payments"),
    "debt": N_("Debt"),
    "number": N_("#"),
    "due_date": N_("Due date"),
    "payment": N_("Payment"),
    "interest": N_("Interest"),
    "fee": N_("Fee"),
    "cost": N_("Interest and fees, not itemised"),
    "principal": N_("Principal"),
    "currency": N_("Currency"),
    "status": N_("Status"),
    "paid": N_("Paid"),
    "date": N_("Date"),
    "amount": N_("Amount"),
    "source": N_("Source"),
    "undone": N_("Undone"),
    "note": N_("Note"),
    "yes": N_("yes"),
}

SOURCE_WORDS = {
    PaymentSource.COMMAND: N_("command"),
    PaymentSource.TEXT: N_("message"),
    PaymentSource.BUTTON: N_("button"),
    PaymentSource.IMPORT: N_("import"),
}


def _csv_labels(t: Turn) -> dict[str, str]:
    labels = {key: t._(word) for key, word in CSV_WORDS.items()}
    labels.update({f"status.{status.value}": status_label(t, status) for status in Status})
    labels.update({f"source.{source.value}": t._(word) for source, word in SOURCE_WORDS.items()})
    labels["status.paid_before_tracking"] = t._(PAID_BEFORE_TRACKING)
    return labels


async def export(update: Update, context: Context) -> None:
    """Send the user's data as two documents: a CSV for a spreadsheet and a JSON of everything."""
    async with turn(update, context) as t:
        files = services.export(
            t.uow, user_id=t.user_id, today=t.today, now=t.now, labels=_csv_labels(t)
        )
        name = f"repaybot-export-{t.today.isoformat()}"
        await context.bot.send_document(
            t.chat_id,
            document=files.csv,
            filename=f"{name}.csv",
            caption=t._(
                "Your installments and payments, for Excel or any spreadsheet. Amounts are exact; the currency is in its own column."
            ),
            parse_mode=ParseMode.HTML,
        )
        await context.bot.send_document(
            t.chat_id,
            document=files.json,
            filename=f"{name}.json",
            caption=t._(
                "Everything I store about you, as JSON: settings, budgets, debts, plan versions, installments, payments and hardship reports. Amounts are decimal strings with their currency."
            ),
            parse_mode=ParseMode.HTML,
        )
        installments = calendar_items(t.uow, user_id=t.user_id, today=t.today)
        if installments:
            await context.bot.send_document(
                t.chat_id, document=ics_file(t, installments), filename=f"{name}.ics"
            )


async def delete_data(update: Update, context: Context) -> None:
    """Explain what deleting means and ask for confirmation."""
    async with turn(update, context) as t:
        await t.reply(
            t._(
                "<b>Delete all your data?</b>\n"
                "This deletes your settings, debts, repayment plans and their installments, payments, budgets, hardship reports, scheduled reminders and any step in progress. It can't be undone.\n"
                "Want a copy first? /export sends it to you."
            ),
            kb(
                [
                    t.button(t._("Delete everything"), "deldata", "yes", t.user_id),
                    t.button(t._("Keep"), "deldata", "no"),
                ]
            ),
        )


async def delete_chosen(update: Update, context: Context) -> None:
    """Delete everything after "Delete everything"; change nothing after "Keep"."""
    query = update.callback_query
    assert query is not None
    async with turn(update, context) as t:
        choice = decode(query.data, t.update_user_id)
        await t.answer()
        await remove_buttons(query)
        if choice.arg(0) != "yes":
            await t.reply(t._("Kept: nothing was deleted."))
            return
        outcome = services.delete_confirmed(t.uow, user=t.user, confirmed_for=choice.int_arg(1))
        t.commit()
        if outcome is services.Outcome.STALE:
            await t.reply(
                t._(
                    "That button was for data you had already deleted, so nothing was deleted now. To delete what you stored since, send /deletedata again."
                )
            )
            return
        _forget_in_memory(context, {t.user.telegram_user_id, t.user.chat_id})
        if outcome is services.Outcome.DELETED:
            await t.reply(
                t._(
                    "Done: everything I stored about you is deleted. Send /start if you want to begin afresh."
                )
            )
        else:
            await t.reply(
                t._(
                    "There is nothing left to delete: your data was already deleted. /start begins afresh."
                )
            )


def _forget_in_memory(context: Context, ids: set[int]) -> None:
    """Drop the user's user_data and any conversation they are in from the running bot.

    The database rows are gone already; without this, python-telegram-bot would write its
    in-memory copies back on its next persistence run.
    """
    if context.user_data is not None:
        context.user_data.clear()
    for group in context.application.handlers.values():
        for handler in group:
            _end_conversations(handler, ids)


def _end_conversations(handler: object, ids: set[int]) -> None:
    if not isinstance(handler, ConversationHandler):
        return
    # PTB offers no public way to end a conversation from outside it; popping the key from its
    # (tracking) dict also deletes the persisted state on the next persistence run.
    conversations = handler._conversations
    for key in [key for key in conversations if ids & set(key)]:
        conversations.pop(key, None)
    for child in [*handler.entry_points, *handler.fallbacks]:
        _end_conversations(child, ids)
    for state_handlers in handler.states.values():
        for child in state_handlers:
            _end_conversations(child, ids)


def handlers() -> list[Handler]:
    """/export and /deletedata."""
    return [
        CommandHandler("export", export),
        CommandHandler("deletedata", delete_data),
        CallbackQueryHandler(delete_chosen, pattern=r"^deldata:"),
    ]
