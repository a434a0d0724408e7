"""/plan: record the plan agreed with the lender, with its proof; /plan history lists versions.

The steps live in ``plans_flow`` and the wording in ``plans_views``; this module wires the
conversation, the history and resending a stored confirmation.
"""

from __future__ import annotations

import warnings

from telegram import Update
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot.errors import register
from bot.features import plans_flow as flow
from bot.features.plans_views import history_text
from bot.formatting import esc
from bot.i18n import N_
from bot.runtime import Context, Turn, kb, turn
from bot.views import debt_picker
from tracker.services.plans import plan_document, plan_history
from tracker.storage.enums import DebtStatus, DocumentKind
from tracker.storage.models import Debt

COMMANDS = [("plan", N_("Record a plan agreed with the lender"))]

HISTORY_WORDS = frozenset({"history", "历史", "记录", "历史记录"})

register(
    {
        "date_confirmed_future": N_("The lender can't have confirmed it on a future date."),
        "date_confirmed_early": N_(
            "That is before the loan began ({start}): please check the date."
        ),
        "date_plan_future": N_("The new plan can't take effect after today."),
        "date_plan_early": N_(
            "The new plan can't take effect before the current plan began ({start})."
        ),
        "date_first_due_order": N_(
            "The first payment of the new plan must fall after {start}, the day it takes effect."
        ),
        "reference_too_long": N_("The reference number can have at most {limit} characters."),
        "agent_too_long": N_("The name can have at most {limit} characters."),
        "note_too_long": N_("The note can have at most {limit} characters."),
        "document_invalid": N_("I can't keep that file as the confirmation."),
        "document_missing": N_("That plan has no written confirmation stored."),
        "plan_currency": N_("The new plan must be in the debt's currency, {currency}."),
        "plan_debt_closed": N_("That debt is closed: its plan can't change any more."),
        "custom_line": N_("I couldn't read line {line}: “{text}”."),
    },
    {
        "reference": N_("For example: <code>KF20261201-0042</code>, or press Skip."),
        "agent": N_("For example: <code>王女士</code> or <code>工号 8821</code>, or press Skip."),
    },
)


def _wants_history(context: Context) -> bool:
    return bool(context.args) and " ".join(context.args or []).strip().casefold() in HISTORY_WORDS


async def plan_command(update: Update, context: Context) -> object:
    """/plan: pick the debt (or take the only one); /plan history: list the versions."""
    async with turn(update, context) as t:
        debts = t.uow.debts.list_for_user(t.user_id, statuses=[DebtStatus.ACTIVE])
        if not debts:
            await t.reply(t._("You have no debts yet. Add one with /adddebt first."))
            return None if _wants_history(context) else ConversationHandler.END
        if _wants_history(context):  # an aside: a flow in progress stays where it was
            if len(debts) == 1:
                await _history(t, _id(debts[0]))
            else:
                await t.reply(t._("Which debt's plan history?"), debt_picker(t, debts, "plan_hist"))
            return None
        if len(debts) == 1:
            state = await flow.ask_how(t, _id(debts[0]))
            flow.start_draft(context, _id(debts[0]))
            return state
        flow.start_draft(context)
        await t.reply(
            t._("Which debt did you agree a new plan for?"), debt_picker(t, debts, "plan_debt")
        )
        return flow.DEBT
    return ConversationHandler.END


def _id(debt: Debt) -> int:
    assert debt.id is not None  # stored debts have ids
    return debt.id


async def _history(t: Turn, debt_id: int) -> None:
    debt = t.uow.debts.require_for_user(t.user_id, debt_id)
    records = plan_history(t.uow, t.user_id, debt_id)
    buttons = [
        [
            t.button(
                _document_label(t, record.number),
                "plan_doc",
                record.plan.id,
            )
        ]
        for record in records
        if record.plan.document_file_id
    ]
    await t.reply(history_text(t, debt.name, debt.currency, records), kb(*buttons))


def _document_label(t: Turn, number: int | None) -> str:
    if number is None:  # documents come with agreed plans; a draft's would still be shown
        return t._("📎 Confirmation of the draft")
    return t._("📎 Confirmation of v{version}", version=number)


async def history_pressed(update: Update, context: Context) -> None:
    """A debt picked for its plan history (from /plan history, or under /plan)."""
    async with turn(update, context) as t:
        debt_id = (await flow.pressed(t)).int_arg(0)
        await _history(t, debt_id)


async def document_pressed(update: Update, context: Context) -> None:
    """Send the stored confirmation again, by its Telegram file_id."""
    async with turn(update, context) as t:
        plan_id = (await flow.pressed(t)).int_arg(0)
        doc = plan_document(t.uow, t.user_id, plan_id)
        caption = (
            t._("Written confirmation: {debt}, draft plan", debt=esc(doc.debt_name))
            if doc.number is None
            else t._(
                "Written confirmation: {debt}, plan v{version}",
                debt=esc(doc.debt_name),
                version=doc.number,
            )
        )
        try:
            if doc.kind is DocumentKind.PHOTO:
                try:
                    await context.bot.send_photo(
                        t.chat_id, doc.file_id, caption=caption, parse_mode=ParseMode.HTML
                    )
                    return
                except BadRequest:
                    pass  # a screenshot sent as a file: kept as a photo, resent as a document
            # Telegram resends a file_id only as the type it was uploaded as.
            await context.bot.send_document(
                t.chat_id, doc.file_id, caption=caption, parse_mode=ParseMode.HTML
            )
        except BadRequest:
            await t.reply(t._("Telegram no longer has that file, so I can't send it again. Sorry."))


def handlers() -> list[BaseHandler]:  # type: ignore[type-arg]
    """The /plan conversation, the history and resending confirmations."""
    text = filters.TEXT & ~filters.COMMAND
    not_text = ~filters.TEXT & ~filters.COMMAND
    anything = filters.ALL & ~filters.COMMAND

    def button(callback: flow.Handler, action: str) -> CallbackQueryHandler:  # type: ignore[type-arg]
        return CallbackQueryHandler(callback, pattern=rf"^{action}:")

    def typed(callback: flow.Handler) -> list[BaseHandler]:  # type: ignore[type-arg]
        return [MessageHandler(text, callback), MessageHandler(not_text, flow.text_please)]

    buttons_only = MessageHandler(anything, flow.use_buttons)
    stop = button(flow.cancel, "plan_stop")
    with warnings.catch_warnings():
        # The buttons belong to the user's conversation, not to one message: per_message=False
        # is intended, and PTB's reminder that it is so is noise.
        warnings.filterwarnings("ignore", message=".*per_message=False", category=PTBUserWarning)
        conversation = ConversationHandler(
            entry_points=[
                CommandHandler("plan", plan_command),
                button(flow.proposal_chosen, "plan_prop"),
            ],
            states={
                flow.DEBT: [button(flow.debt_chosen, "plan_debt"), buttons_only],
                flow.HOW: [
                    button(flow.how_chosen, "plan_how"),
                    button(flow.proposal_chosen, "plan_prop"),
                    buttons_only,
                ],
                flow.PRINCIPAL: [
                    button(flow.principal_owed, "plan_owed"),
                    *typed(flow.principal_typed),
                ],
                flow.RATE: [button(flow.rate_zero, "plan_rate0"), *typed(flow.rate_typed)],
                flow.MONTHS: typed(flow.months_typed),
                flow.METHOD: [button(flow.method_chosen, "plan_method"), *typed(flow.method_typed)],
                flow.FIRST_DUE: [
                    button(flow.first_due_suggested, "plan_due"),
                    *typed(flow.first_due_typed),
                ],
                flow.LIST: typed(flow.list_typed),
                flow.REVIEW: [
                    button(flow.review_accepted, "plan_next"),
                    button(flow.edit_chosen, "plan_edit"),
                    stop,
                    buttons_only,
                ],
                flow.CONFIRMED: [
                    button(flow.confirmed_today, "plan_today"),
                    *typed(flow.confirmed_typed),
                ],
                flow.CHANNEL: [button(flow.channel_chosen, "plan_channel"), buttons_only],
                flow.REFERENCE: [
                    button(flow.reference_skipped, "plan_skip"),
                    *typed(flow.reference_typed),
                ],
                flow.AGENT: [button(flow.agent_skipped, "plan_skip"), *typed(flow.agent_typed)],
                flow.DOCUMENT: [
                    button(flow.document_skipped, "plan_skip"),
                    MessageHandler(filters.PHOTO, flow.photo_sent),
                    MessageHandler(filters.Document.ALL, flow.document_sent),
                    MessageHandler(text, flow.document_skipped),
                    MessageHandler(anything, flow.not_a_document),
                ],
                flow.SUMMARY: [button(flow.save, "plan_save"), stop, buttons_only],
            },
            fallbacks=[CommandHandler("cancel", flow.cancel)],
            name="plan",
            persistent=True,
            allow_reentry=True,
        )
    return [
        conversation,
        CallbackQueryHandler(history_pressed, pattern=r"^plan_hist:"),
        CallbackQueryHandler(document_pressed, pattern=r"^plan_doc:"),
    ]
