"""Editing and deleting a debt from /debts (issue 10).

``dedit`` shows what can change; a field's button (``defl``) starts the ``debt_edit``
conversation, which asks for the new value (kept in ``user_data["debt_edit"]`` as
``[debt id, field]``, so it survives a restart), checks it with the parsers, stores it and says
so in one line. ``ddel`` asks before deleting; ``ddely`` deletes, ``ddeln`` keeps.
"""

from __future__ import annotations

import warnings

from telegram import Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot import errors
from bot.callbacks import decode
from bot.errors import domain_error_text
from bot.features.debts_text import pricing_text
from bot.formatting import esc
from bot.i18n import N_
from bot.runtime import Context, Turn, kb, remove_buttons, turn
from bot.types import Handler
from bot.views import d, m
from tracker.errors import DomainError
from tracker.parsing.debt_terms import parse_first_due, read_pricing
from tracker.parsing.text import is_skip
from tracker.schedule_types import Method
from tracker.services.debts_edit import (
    change_lender,
    change_terms,
    debt_footprint,
    delete_debt,
    editable_plan,
    rename_debt,
)
from tracker.services.debts_position import position, terms_of
from tracker.storage.enums import DebtKind
from tracker.storage.models import Debt

END = ConversationHandler.END
#: The conversation's one state: waiting for the new value.
ASK = 1
#: user_data key of the edit under way: [debt id, field].
EDITING = "debt_edit"
NAME, LENDER, RATE, FIRST_DUE = "name", "lender", "rate", "due"
FIELDS = (NAME, LENDER, RATE, FIRST_DUE)

errors.register(
    {
        "debt_edit_card": N_(
            "A card's rate and dates come from its statements, so they can't be changed here."
        ),
        "debt_edit_agreed": N_(
            "This debt follows a plan agreed with the lender, so its contract terms no longer set the schedule. Record new terms with /plan."
        ),
        "debt_edit_custom": N_(
            "This debt's installments were listed one by one: record the corrected list with /plan."
        ),
    }
)

GONE = N_("That debt is already deleted. /debts lists yours.")


def _is_card(debt: Debt) -> bool:
    return debt.kind is DebtKind.CREDIT_CARD and debt.card_statement_day is not None


# ---- the menu -------------------------------------------------------------------------------


async def edit_menu(update: Update, context: Context) -> None:
    """What can change in a debt, with its current values."""
    query = update.callback_query
    assert query is not None
    async with turn(update, context) as t:
        debt_id = decode(query.data, t.update_user_id).int_arg(0)
        pos = position(t.uow, user_id=t.user_id, debt_id=debt_id, today=t.today)
        debt = pos.debt
        await t.answer()
        lines = [
            t._("✏️ What do you want to change in <b>{name}</b>?", name=esc(debt.name)),
            t._("Lender: {lender}", lender=esc(debt.lender))
            if debt.lender
            else t._("Lender: not given yet"),
        ]
        rows = [[t.button(t._("Name"), "defl", debt_id, NAME)]]
        rows[0].append(t.button(t._("Lender"), "defl", debt_id, LENDER))
        if not _is_card(debt):
            terms = terms_of(debt, pos.plan)
            lines.append(t._("Rate: {rate}", rate=pricing_text(t, terms)))
            lines.append(t._("First due date: {date}", date=d(t, terms.first_due)))
            fee = terms.method is Method.FLAT_FEE
            rows.append(
                [
                    t.button(
                        t._("Fee per installment") if fee else t._("Interest rate"),
                        "defl",
                        debt_id,
                        RATE,
                    ),
                    t.button(t._("First due date"), "defl", debt_id, FIRST_DUE),
                ]
            )
        await t.reply("\n".join(lines), kb(*rows))


def _question(t: Turn, debt: Debt, field: str) -> str:
    """The question for a field's new value, with an example in the user's language."""
    name = esc(debt.name)
    if field == NAME:
        return t._(
            "What should <b>{name}</b> be called? For example <code>Jintiao</code>. /cancel keeps it as it is.",
            name=name,
        )
    if field == LENDER:
        return t._(
            "Which company do you repay for <b>{name}</b>? For example <code>JD Finance</code> or <code>China Merchants Bank</code>; <code>none</code> forgets it. /cancel keeps it as it is.",
            name=name,
        )
    plan = t.uow.plans.active_for_debt(debt.id) if debt.id is not None else None
    assert plan is not None  # editable_plan checked it
    terms = terms_of(debt, plan)
    if field == RATE and terms.method is Method.FLAT_FEE:
        return t._(
            "What fee per installment does <b>{name}</b> charge? Now: {now}. For example <code>0.5%</code>. /cancel keeps it as it is.",
            name=name,
            now=pricing_text(t, terms),
        )
    if field == RATE:
        return t._(
            "What is the new rate of <b>{name}</b>, with its period? Now: {now}. For example <code>0.05%/day</code>, <code>1.5%/month</code> or <code>18%/year</code>. /cancel keeps it as it is.",
            name=name,
            now=pricing_text(t, terms),
        )
    return t._(
        "What is the first due date of <b>{name}</b>? Now: {now}. For example <code>Jan 20</code> or <code>2027-01-20</code>. /cancel keeps it as it is.",
        name=name,
        now=d(t, terms.first_due),
    )


async def field_pressed(update: Update, context: Context) -> int:
    """A field to change was chosen: ask for its new value."""
    query = update.callback_query
    assert query is not None
    assert context.user_data is not None
    context.user_data.pop(EDITING, None)
    async with turn(update, context) as t:
        data = decode(query.data, t.update_user_id)
        debt_id, field = data.int_arg(0), data.arg(1)
        await t.answer()
        if field not in FIELDS:
            return END
        debt = t.uow.debts.require_for_user(t.user_id, debt_id)
        if field in (RATE, FIRST_DUE):
            try:
                editable_plan(t.uow, user_id=t.user_id, debt_id=debt_id)
            except DomainError as error:
                await t.reply(domain_error_text(error, t._, t.locale))
                return END
        context.user_data[EDITING] = [debt_id, field]
        await t.reply(_question(t, debt, field))
        return ASK
    return END


async def answered(update: Update, context: Context) -> int:
    """The new value: checked, stored and confirmed; a wrong one is asked again."""
    assert update.message is not None
    assert update.message.text is not None
    assert context.user_data is not None
    editing = context.user_data.get(EDITING)
    text = update.message.text
    async with turn(update, context) as t:
        if not (isinstance(editing, list) and len(editing) == 2 and editing[1] in FIELDS):
            context.user_data.pop(EDITING, None)
            await t.reply(t._("I lost track of that change — please start again from /debts."))
            return END
        debt_id, field = int(editing[0]), str(editing[1])
        debt = t.uow.debts.get_for_user(t.user_id, debt_id)
        if debt is None:
            context.user_data.pop(EDITING, None)
            await t.reply(t._(GONE))
            return END
        try:
            done = _store(t, debt, field, text)
        except DomainError as error:
            t.uow.rollback()
            debt = t.uow.debts.require_for_user(t.user_id, debt_id)
            lead = domain_error_text(error, t._, t.locale)
            await t.reply(f"{lead}\n\n{_question(t, debt, field)}")
            return ASK
        t.commit()
        context.user_data.pop(EDITING, None)
        await t.reply(done)
        return END
    return ASK


def _store(t: Turn, debt: Debt, field: str, text: str) -> str:
    """Store the new value of ``field``; returns the confirmation."""
    assert debt.id is not None
    old = esc(debt.name)
    if field == NAME:
        renamed = rename_debt(t.uow, user_id=t.user_id, debt_id=debt.id, name=text, now=t.now)
        return t._("✅ Renamed <b>{old}</b> to <b>{new}</b>.", old=old, new=esc(renamed.name))
    if field == LENDER:
        lender = None if is_skip(text) else text
        changed = change_lender(t.uow, user_id=t.user_id, debt_id=debt.id, lender=lender, now=t.now)
        if changed.lender is None:
            return t._("✅ <b>{name}</b> has no lender recorded now.", name=old)
        return t._("✅ Lender of <b>{name}</b>: {lender}.", name=old, lender=esc(changed.lender))
    if field == RATE:
        pricing = read_pricing(debt.method, text)
        change_terms(
            t.uow, user_id=t.user_id, debt_id=debt.id, now=t.now, today=t.today, pricing=pricing
        )
        pos = position(t.uow, user_id=t.user_id, debt_id=debt.id, today=t.today)
        lead = t._(
            "✅ <b>{name}</b> now: {rate}.",
            name=old,
            rate=pricing_text(t, terms_of(debt, pos.plan)),
        )
    else:
        first_due = parse_first_due(text, today=t.today)
        change_terms(
            t.uow, user_id=t.user_id, debt_id=debt.id, now=t.now, today=t.today, first_due=first_due
        )
        pos = position(t.uow, user_id=t.user_id, debt_id=debt.id, today=t.today)
        lead = t._("✅ First due date of <b>{name}</b>: {date}.", name=old, date=d(t, first_due))
    lines = [lead]
    upcoming = pos.state.next_due
    if upcoming is not None:
        lines.append(
            t._(
                "Next installment: {amount} on {date}.",
                amount=m(t, upcoming.remaining, debt.currency),
                date=d(t, upcoming.due_date),
            )
        )
    paid = len(t.uow.payments.list_for_debt(t.user_id, debt.id))
    if paid:
        lines.append(
            t._.plural(
                "Your {n} payment stays recorded and counts towards the new schedule.",
                "Your {n} payments stay recorded and count towards the new schedule.",
                paid,
            )
        )
    return "\n".join(lines)


async def cancel(update: Update, context: Context) -> int:
    """/cancel while a new value is asked: nothing changes."""
    if context.user_data is not None:
        context.user_data.pop(EDITING, None)
    async with turn(update, context) as t:
        await t.reply(t._("Cancelled: the debt stays as it was."))
    return END


# ---- deleting -------------------------------------------------------------------------------


async def delete_asked(update: Update, context: Context) -> None:
    """Ask before deleting a debt, saying how many payments go with it."""
    query = update.callback_query
    assert query is not None
    async with turn(update, context) as t:
        debt_id = decode(query.data, t.update_user_id).int_arg(0)
        await t.answer()
        footprint = debt_footprint(t.uow, user_id=t.user_id, debt_id=debt_id)
        if footprint is None:
            await t.reply(t._(GONE))
            return
        name = esc(footprint.name)
        if footprint.payments:
            ask = t._.plural(
                "Delete <b>{name}</b> and its {n} payment? This cannot be undone.",
                "Delete <b>{name}</b> and its {n} payments? This cannot be undone.",
                footprint.payments,
                name=name,
            )
        else:
            ask = t._("Delete <b>{name}</b>? This cannot be undone.", name=name)
        hint = t._("To hide it but keep its history, archive it instead.")
        await t.reply(
            f"{ask}\n{hint}",
            kb(
                [
                    t.button(t._("🗑 Delete"), "ddely", debt_id),
                    t.button(t._("Keep it"), "ddeln", debt_id),
                ]
            ),
        )


async def delete_confirmed(update: Update, context: Context) -> None:
    """Delete the debt and all of its records; a second tap finds it gone."""
    query = update.callback_query
    assert query is not None
    async with turn(update, context) as t:
        debt_id = decode(query.data, t.update_user_id).int_arg(0)
        deleted = delete_debt(t.uow, user_id=t.user_id, debt_id=debt_id)
        t.commit()
        await t.answer()
        await remove_buttons(query)
        if deleted is None:
            await t.reply(t._(GONE))
            return
        await t.reply(
            t._.plural(
                "🗑 Deleted <b>{name}</b> with its {n} payment.",
                "🗑 Deleted <b>{name}</b> with its {n} payments.",
                deleted.payments,
                name=esc(deleted.name),
            )
        )


async def delete_declined(update: Update, context: Context) -> None:
    """Keep the debt."""
    query = update.callback_query
    assert query is not None
    async with turn(update, context) as t:
        debt = t.uow.debts.get_for_user(t.user_id, decode(query.data, t.update_user_id).int_arg(0))
        await t.answer()
        await remove_buttons(query)
        if debt is None:
            await t.reply(t._(GONE))
            return
        await t.reply(t._("OK, <b>{name}</b> stays.", name=esc(debt.name)))


def handlers() -> list[Handler]:
    """The edit conversation, the edit menu and the delete buttons."""
    with warnings.catch_warnings():
        # Buttons are tracked per chat and user, not per message: intended (see the module doc).
        warnings.filterwarnings("ignore", message=".*per_message.*", category=PTBUserWarning)
        conversation = ConversationHandler(
            entry_points=[CallbackQueryHandler(field_pressed, pattern=r"^defl:")],
            states={ASK: [MessageHandler(filters.TEXT & ~filters.COMMAND, answered)]},
            fallbacks=[CommandHandler("cancel", cancel)],
            name="debt_edit",
            persistent=True,
            per_user=True,
            per_chat=True,
            allow_reentry=True,
        )
    return [
        conversation,
        CallbackQueryHandler(edit_menu, pattern=r"^dedit:"),
        CallbackQueryHandler(delete_asked, pattern=r"^ddel:"),
        CallbackQueryHandler(delete_confirmed, pattern=r"^ddely:"),
        CallbackQueryHandler(delete_declined, pattern=r"^ddeln:"),
    ]
