"""/hardship: what changed, the month after it, ranked options and a negotiation pack.

The guided flow (the ``hardship`` conversation) starts from /hardship, from the reminders'
"I can't pay" button (``rc``) and from "Get options" under the reply to free text that reads
like hardship (``我失业了``). It asks what changed and since when, the income now, (the
essential expenses when no budget was given), a new monthly cost, a one-off cost, how long it
may last and the savings, then stores the report and a budget snapshot and shows the options.

The buttons after that work without the conversation, from the stored data, so they keep
working later: ``hsr`` switches the split rule (saying so when that changes nothing), ``hsm``
shows "More options" (every option the planner computed is reachable), ``hsdt`` one option's
"Details" (with [Choose this] and [Back to options]), ``hsp`` picks an option (stored as a proposal
per lender, then the pack, its PDF and the next steps), ``hstx`` sends the plain text to copy,
``hsno`` marks a proposal refused. "I agreed a plan" (``plan_prop``) belongs to /plan, which
starts from the proposal's terms and makes what was agreed the active plan.

Before options whose figures depend on it (a settlement of a flat-fee debt, 分期手续费), the
borrower is asked once whether the lender still charges the remaining fees on an early payoff;
``hsfp`` stores the answer on the debt (Yes, No, or I don't know = yes) and shows the options.

Before the first pack for a debt whose lender is not said yet (issue 10: the pack is addressed
to the lender, 招商银行, not the debt's nickname, 信用卡), the ``hardship_lender`` conversation
asks who it is: ``hsl`` buttons for the lenders the user named before and "the name itself",
or the name typed; it is stored on the debt and the pack follows.

The questions live in ``hardship_flow``, the options, packs and the lender in
``hardship_options``, the wording in ``hardship_views`` and ``hardship_pack``; this module has
the entry points, the free-text suggestion and the wiring. Register before reminders (so ``rc``
starts this flow) and before payments (free text).
"""

from __future__ import annotations

from datetime import timedelta

from telegram import Message, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.callbacks import decode
from bot.conversation import (
    ANYTHING,
    END,
    NOT_TEXT,
    TEXT,
    button,
    conversation,
    pressed,
    text_please,
    typed,
    use_buttons,
)
from bot.errors import register
from bot.features import hardship_flow as flow
from bot.features import hardship_views as views
from bot.features.hardship_options import (
    LENDER,
    LENDER_DRAFTS,
    details_pressed,
    fees_answer_pressed,
    lender_pressed,
    lender_typed,
    more_pressed,
    option_pressed,
    plain_pressed,
    refused_pressed,
    rule_pressed,
    show_options,
)
from bot.features.payments import PAYMENT_TEXT
from bot.features.reminders_buttons import CANT_PAY
from bot.features.start import cancel
from bot.i18n import N_
from bot.runtime import Context, kb, turn
from bot.types import Handler
from bot.views import d
from tracker.parsing.hardship_text import Cause, recognise_hardship
from tracker.services.hardship import hardship_options, latest_report, report_cause
from tracker.services.reminders import note_cant_pay

COMMANDS = [("hardship", N_("Can't pay? Options and a pack for your lender"))]

register(
    {
        "date_hardship_future": N_("What changed can't have started in the future."),
        "term_hardship_range": N_(
            "Give a number of months from 1 to {max}, or press “For good / I don't know”."
        ),
        "amount_hardship_currency": N_("Please give the amount in your currency, {currency}."),
        "hardship_missing": N_("Tell me first what changed: send /hardship."),
        "hardship_option_gone": N_(
            "That option is no longer on the list: send /hardship to see the current options."
        ),
        "hardship_options_stale": N_(
            "These options are out of date: send /hardship to see the current ones."
        ),
        "lender_empty": N_("The lender needs a name."),
        "lender_too_long": N_("That lender's name is too long: at most {limit} characters."),
        "proposal_closed": N_(
            "That proposal was already answered. /plan history shows your plan versions."
        ),
    },
    {"lender": N_("For example: <code>China Merchants Bank</code> or <code>JD Finance</code>.")},
)

#: "I can't pay" within this long of a /hardship report continues from it instead of asking.
RECENT_REPORT = timedelta(days=30)

SUGGESTION = N_(
    "I'm sorry to hear that. If it makes repaying hard, I can work out with you what you can still pay and what to ask your lender for (a pause, smaller payments, a waiver of penalty interest), and prepare a pack to send them. It takes a few questions."
)


# ---- entry points ---------------------------------------------------------------------------


async def hardship_command(update: Update, context: Context) -> object:
    """/hardship: start the questions."""
    async with turn(update, context) as t:
        return await flow.start(t, context)
    return END


async def get_options_pressed(update: Update, context: Context) -> object:
    """ "Get options" under the reply to free text that reads like hardship."""
    async with turn(update, context) as t:
        data = await pressed(t)
        written = data.args[0] if data.args else None  # the cause the message named
        cause = Cause(written) if written in {c.value for c in Cause} else None
        return await flow.start(t, context, cause=cause)
    return END


async def cant_pay_pressed(update: Update, context: Context) -> object:
    """The reminders' "I can't pay": note it (the risk score counts it), then the questions."""
    from bot.features.reminders import cant_pay_text  # the reminders' honest word

    query = update.callback_query
    assert query is not None
    async with turn(update, context) as t:
        inst_id = decode(query.data, t.update_user_id).int_arg(0)
        noted = note_cant_pay(t.uow, user_id=t.user_id, installment_id=inst_id, now=t.now)
        inst, debt = noted.installment, noted.debt
        t.commit()
        await t.answer()
        recent = latest_report(t.uow, user_id=t.user_id)
        if recent is not None and recent.created_at >= t.now - RECENT_REPORT:
            # A recent report already says what changed: continue from it (issue 10).
            cause, _started = report_cause(recent)
            await t.reply(
                cant_pay_text(t, debt.name, inst)
                + "\n\n"
                + t._(
                    "You told me on {date}: {cause}. Here are the options from that; /hardship starts again if things changed.",
                    date=d(t, recent.created_at.date()),
                    cause=t._(views.CAUSE_LABELS[cause]),
                )
            )
            await show_options(
                t, hardship_options(t.uow, user_id=t.user_id, today=t.today), summary=False
            )
            return END
        return await flow.start(t, context, cant_pay_text(t, debt.name, inst))
    return END


# ---- free text ------------------------------------------------------------------------------


class _HardshipText(filters.MessageFilter):
    """Short messages that clearly read like hardship; any other text goes on."""

    __slots__ = ()

    def filter(self, message: Message) -> bool:
        return recognise_hardship(message.text) is not None


HARDSHIP_FREE_TEXT = _HardshipText(name="hardship_text")


async def suggest(update: Update, context: Context) -> None:
    """A short, kind offer of help with a "Get options" button."""
    message = update.effective_message
    cause = recognise_hardship(message.text if message else None)
    async with turn(update, context) as t:
        args = [cause.value] if cause is not None else []
        await t.reply(t._(SUGGESTION), kb([t.button(t._("Get options"), "hsgo", *args)]))


def handlers() -> list[Handler]:
    """The hardship conversation, its buttons afterwards, and the free-text suggestion."""
    questions = conversation(
        "hardship",
        entry_points=[
            CommandHandler("hardship", hardship_command),
            button(get_options_pressed, "hsgo"),
            button(cant_pay_pressed, CANT_PAY),
        ],
        states={
            flow.CHANGE: [button(flow.cause_chosen, "hsc"), MessageHandler(ANYTHING, use_buttons)],
            flow.SINCE: [button(flow.since_today, "hsst"), *typed(flow.since_typed)],
            flow.INCOME: typed(flow.income_typed),
            flow.EXPENSES: typed(flow.expenses_typed),
            flow.NEW_EXPENSE: [
                button(flow.new_expense_none, "hsz"),
                *typed(flow.new_expense_typed),
            ],
            flow.ONE_OFF: [button(flow.one_off_none, "hsz"), *typed(flow.one_off_typed)],
            flow.DURATION: [button(flow.duration_pressed, "hsd"), *typed(flow.duration_typed)],
            flow.SAVINGS: [button(flow.savings_prefilled, "hsv"), *typed(flow.savings_typed)],
        },
        cancel=cancel,
    )
    # Choosing an option may ask the lender first; the typed answer reaches it in state
    # LENDER (its buttons work later without it, below).
    lender = conversation(
        LENDER_DRAFTS.key,
        entry_points=[button(option_pressed, "hsp")],
        states={
            LENDER: [
                button(lender_pressed, "hsl"),
                # A payment typed while the question waits (还了500) is no lender's name:
                # it goes on to the payments handler, and the question stays open.
                MessageHandler(TEXT & ~PAYMENT_TEXT, lender_typed),
                MessageHandler(NOT_TEXT, text_please),
            ]
        },
        cancel=cancel,
    )
    return [
        questions,
        lender,
        CallbackQueryHandler(rule_pressed, pattern=r"^hsr:"),
        CallbackQueryHandler(more_pressed, pattern=r"^hsm:"),
        CallbackQueryHandler(details_pressed, pattern=r"^hsdt:"),
        CallbackQueryHandler(lender_pressed, pattern=r"^hsl:"),
        CallbackQueryHandler(fees_answer_pressed, pattern=r"^hsfp:"),
        CallbackQueryHandler(plain_pressed, pattern=r"^hstx:"),
        CallbackQueryHandler(refused_pressed, pattern=r"^hsno:"),
        MessageHandler(
            filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND & HARDSHIP_FREE_TEXT,
            suggest,
        ),
    ]
