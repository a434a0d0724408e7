"""/plan: record the plan agreed with the lender, with its proof; /plan history lists versions.

The draft and questions live in ``plans_flow``, the steps in ``plans_steps`` (the new terms)
and ``plans_confirm`` (the lender's confirmation and saving), the wording in ``plans_views``;
this module wires the conversation, the history and resending a stored confirmation.
"""

from __future__ import annotations

from telegram import Update
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.conversation import (
    ANYTHING,
    TEXT,
    button,
    conversation,
    pressed,
    typed,
    use_buttons,
)
from bot.errors import register
from bot.features import plans_confirm as confirm
from bot.features import plans_flow as flow
from bot.features import plans_steps as steps
from bot.features.plans_views import history_text
from bot.formatting import esc
from bot.i18n import N_
from bot.runtime import Context, Turn, kb, turn
from bot.types import Handler
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
    records = plan_history(t.uow, user_id=t.user_id, debt_id=debt_id)
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
        debt_id = (await pressed(t)).int_arg(0)
        await _history(t, debt_id)


async def document_pressed(update: Update, context: Context) -> None:
    """Send the stored confirmation again, by its Telegram file_id."""
    async with turn(update, context) as t:
        plan_id = (await pressed(t)).int_arg(0)
        doc = plan_document(t.uow, user_id=t.user_id, plan_id=plan_id)
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


def handlers() -> list[Handler]:
    """The /plan conversation, the history and resending confirmations."""
    buttons_only = MessageHandler(ANYTHING, use_buttons)
    stop = button(confirm.cancel, "plan_stop")
    questions = conversation(
        "plan",
        entry_points=[
            CommandHandler("plan", plan_command),
            button(steps.proposal_chosen, "plan_prop"),
        ],
        states={
            flow.DEBT: [button(steps.debt_chosen, "plan_debt"), buttons_only],
            flow.HOW: [
                button(steps.how_chosen, "plan_how"),
                button(steps.proposal_chosen, "plan_prop"),
                buttons_only,
            ],
            flow.PRINCIPAL: [
                button(steps.principal_owed, "plan_owed"),
                *typed(steps.principal_typed),
            ],
            flow.RATE: [button(steps.rate_zero, "plan_rate0"), *typed(steps.rate_typed)],
            flow.MONTHS: typed(steps.months_typed),
            flow.METHOD: [button(steps.method_chosen, "plan_method"), *typed(steps.method_typed)],
            flow.FIRST_DUE: [
                button(steps.first_due_suggested, "plan_due"),
                *typed(steps.first_due_typed),
            ],
            flow.LIST: typed(steps.list_typed),
            flow.REVIEW: [
                button(confirm.review_accepted, "plan_next"),
                button(steps.edit_chosen, "plan_edit"),
                stop,
                buttons_only,
            ],
            flow.CONFIRMED: [
                button(confirm.confirmed_today, "plan_today"),
                *typed(confirm.confirmed_typed),
            ],
            flow.CHANNEL: [button(confirm.channel_chosen, "plan_channel"), buttons_only],
            flow.REFERENCE: [
                button(confirm.reference_skipped, "plan_skip"),
                *typed(confirm.reference_typed),
            ],
            flow.AGENT: [button(confirm.agent_skipped, "plan_skip"), *typed(confirm.agent_typed)],
            flow.DOCUMENT: [
                button(confirm.document_skipped, "plan_skip"),
                MessageHandler(filters.PHOTO, confirm.photo_sent),
                MessageHandler(filters.Document.ALL, confirm.document_sent),
                MessageHandler(TEXT, confirm.document_skipped),
                MessageHandler(ANYTHING, confirm.not_a_document),
            ],
            flow.SUMMARY: [button(confirm.save, "plan_save"), stop, buttons_only],
        },
        cancel=confirm.cancel,
    )
    return [
        questions,
        CallbackQueryHandler(history_pressed, pattern=r"^plan_hist:"),
        CallbackQueryHandler(document_pressed, pattern=r"^plan_doc:"),
    ]
