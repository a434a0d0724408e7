"""Debts: /adddebt (``debts_add``), /debts with edit and delete (``debts_edit``) and archive,
/schedule and /status.

``handlers()`` returns this feature's handlers from every ``debts_*`` module, so the
composition root only registers ``bot.features.debts``.
"""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot import errors
from bot.callbacks import decode
from bot.features import debts_add, debts_edit
from bot.features.debts_text import schedule_pages, schedule_text
from bot.features.reminders_buttons import LABEL_PROGRESS, PROGRESS
from bot.formatting import esc, listing
from bot.i18n import N_
from bot.runtime import Context, Turn, edit_message, kb, remove_buttons, turn
from bot.types import Handler
from bot.views import card_block, d, debt_picker, m, owed_summary
from tracker.services.cards import CardSummary, card_summary, is_revolving
from tracker.services.debts_edit import archive_debt, find_debts
from tracker.services.debts_position import (
    Position,
    due_within,
    owed_by_currency,
    position,
    positions,
)
from tracker.storage.enums import DebtStatus
from tracker.storage.models import Debt

COMMANDS = [
    ("adddebt", N_("Add a debt: step by step or in one line")),
    ("debts", N_("Your debts, to view, edit, archive or delete")),
    ("schedule", N_("A debt's installments and their status")),
    ("status", N_("What you owe today and what is due soon")),
]

#: How far ahead /status looks for installments coming due.
DUE_SOON_DAYS = 7
#: Telegram allows 100 buttons under a message; each debt in /debts has five.
MAX_LISTED_WITH_BUTTONS = 20

errors.register(
    {
        "debt_line_garbage": N_("I couldn't read that as a debt."),
        "debt_line_long": N_("That is more than I can read in one line: at most {limit} words."),
        "debt_line_missing": N_("Some parts of the debt are missing."),
        "fee_rate_period": N_(
            "The fee is charged per installment: give it per month, for example <code>0.5%</code>."
        ),
        "grace_garbage": N_("I couldn't read “{text}” as a number of days."),
        "penalty_multiplier_garbage": N_("I couldn't read “{text}” as a multiplier."),
        "penalty_multiplier_range": N_("The multiplier must be between 1 and {max}."),
    },
    {
        "grace": N_("For example: <code>0</code>, <code>3</code> or <code>3天</code>."),
        "penalty": N_("For example: <code>1.5</code> (half as much again as the contract rate)."),
    },
)

NO_DEBTS = N_("You have no debts recorded yet. Add one with /adddebt.")


# ---- /debts and archiving -------------------------------------------------------------------


async def debts_list(update: Update, context: Context) -> None:
    """List the active debts with what each owes today and what is due next."""
    async with turn(update, context) as t:
        current = positions(t.uow, user_id=t.user_id, today=t.today)
        archived = t.uow.debts.list_for_user(t.user_id, statuses=[DebtStatus.ARCHIVED])
        if not current:
            await t.reply(t._(NO_DEBTS))
            return
        lines = [t._("<b>Your debts</b>")]
        for index, pos in enumerate(current, start=1):
            cur = pos.debt.currency
            card = "💳 " if is_revolving(pos.debt, pos.plan) else ""
            line = f"{index}. {card}<b>{esc(pos.debt.name)}</b> — " + t._(
                "owed today {amount}", amount=m(t, pos.state.owed_today.total, cur)
            )
            upcoming = pos.state.next_due
            if pos.state.overdue:
                line += t._("; ⚠️ overdue {amount}", amount=m(t, pos.state.overdue_amount, cur))
            elif upcoming is not None:
                line += t._(
                    "; next {amount} on {date}",
                    amount=m(t, upcoming.remaining, cur),
                    date=d(t, upcoming.due_date),
                )
            lines.append(line)
        if archived:
            names = listing((esc(debt.name) for debt in archived), t._.language)
            lines += ["", t._("Archived (hidden from /status): {names}", names=names)]

        # Two rows per debt, each button with a word; the name goes on the first one only, cut
        # after 8 characters, so the buttons of a row fit across a phone.
        def short(name: str) -> str:
            return name if len(name) <= 8 else name[:7] + "…"

        keyboard = []
        for pos in current[:MAX_LISTED_WITH_BUTTONS]:
            debt_id = pos.debt.id
            keyboard.append(
                [
                    t.button(t._("📅 {name} schedule", name=short(pos.debt.name)), "dsch", debt_id),
                    t.button(t._("📊 status"), "dst", debt_id),
                ]
            )
            keyboard.append(
                [
                    t.button(t._("✏️ edit"), "dedit", debt_id),
                    t.button(t._("🗄 archive"), "darc", debt_id),
                    t.button(t._("🗑 delete"), "ddel", debt_id),
                ]
            )
        await t.reply("\n".join(lines), keyboard)


async def archive_asked(update: Update, context: Context) -> None:
    """Ask before archiving a debt."""
    query = update.callback_query
    assert query is not None
    async with turn(update, context) as t:
        debt_id = decode(query.data, t.update_user_id).int_arg(0)
        debt = t.uow.debts.require_for_user(t.user_id, debt_id)
        await t.answer()
        await t.reply(
            t._(
                "Archive <b>{name}</b>? It will no longer appear in /status or /debts; its payments and history are kept.",
                name=esc(debt.name),
            ),
            kb(
                [
                    t.button(t._("🗄 Yes, archive"), "darcy", debt_id),
                    t.button(t._("Keep it"), "darcn", debt_id),
                ]
            ),
        )


async def archive_confirmed(update: Update, context: Context) -> None:
    """Archive the debt after the confirmation."""
    query = update.callback_query
    assert query is not None
    async with turn(update, context) as t:
        debt_id = decode(query.data, t.update_user_id).int_arg(0)
        debt, changed = archive_debt(t.uow, user_id=t.user_id, debt_id=debt_id, now=t.now)
        t.commit()
        await t.answer()
        await remove_buttons(query)
        if changed:
            await t.reply(
                t._(
                    "Archived <b>{name}</b>. It no longer appears in /status.",
                    name=esc(debt.name),
                )
            )
        else:
            await t.reply(t._("<b>{name}</b> was already archived.", name=esc(debt.name)))


async def archive_declined(update: Update, context: Context) -> None:
    """Keep the debt."""
    query = update.callback_query
    assert query is not None
    async with turn(update, context) as t:
        debt = t.uow.debts.require_for_user(
            t.user_id, decode(query.data, t.update_user_id).int_arg(0)
        )
        await t.answer()
        await remove_buttons(query)
        await t.reply(t._("OK, <b>{name}</b> stays.", name=esc(debt.name)))


async def status_pressed(update: Update, context: Context) -> None:
    """One debt's position, from a /debts button."""
    query = update.callback_query
    assert query is not None
    async with turn(update, context) as t:
        debt_id = decode(query.data, t.update_user_id).int_arg(0)
        pos = position(t.uow, user_id=t.user_id, debt_id=debt_id, today=t.today)
        cards = _cards(t, [pos])
        await t.answer()
        await t.reply(_block(t, pos, cards), _payoff_buttons(t, [pos], cards))


# ---- /schedule ------------------------------------------------------------------------------


async def schedule(update: Update, context: Context) -> None:
    """Installments of one debt: named, the only one, or picked from buttons."""
    async with turn(update, context) as t:
        query = " ".join(context.args or []).strip()
        if query:
            found = find_debts(t.uow, user_id=t.user_id, query=query)
            if len(found) == 1:
                await _send_schedule(t, found[0])
                return
            if found:
                await t.reply(
                    t._("Several debts match “{name}”: which one?", name=esc(query)),
                    debt_picker(t, found, "dsch"),
                )
                return
            active = t.uow.debts.list_for_user(t.user_id, statuses=[DebtStatus.ACTIVE])
            await _pick(t, t._("You have no debt called “{name}”.", name=esc(query)), active)
            return
        active = t.uow.debts.list_for_user(t.user_id, statuses=[DebtStatus.ACTIVE])
        if not active:
            await t.reply(t._(NO_DEBTS))
        elif len(active) == 1:
            await _send_schedule(t, active[0])
        else:
            await _pick(t, t._("Which debt?"), active)


async def _pick(t: Turn, lead: str, debts: Sequence[Debt]) -> None:
    """``lead`` with a button per debt (or the hint to add one)."""
    if not debts:
        await t.reply(f"{lead}\n{t._(NO_DEBTS)}")
        return
    await t.reply(lead, debt_picker(t, debts[:MAX_LISTED_WITH_BUTTONS], "dsch"))


async def _send_schedule(t: Turn, debt: Debt) -> None:
    assert debt.id is not None
    pos = position(t.uow, user_id=t.user_id, debt_id=debt.id, today=t.today)
    await t.reply(schedule_text(t, pos), schedule_pages(t, pos))


async def schedule_paged(update: Update, context: Context) -> None:
    """Earlier or later installments of a schedule: the same message shows the other page."""
    query = update.callback_query
    assert query is not None
    async with turn(update, context) as t:
        data = decode(query.data, t.update_user_id)
        pos = position(t.uow, user_id=t.user_id, debt_id=data.int_arg(0), today=t.today)
        start = data.int_arg(1)
        await t.answer()
        await edit_message(query, schedule_text(t, pos, start), schedule_pages(t, pos, start))


async def schedule_pressed(update: Update, context: Context) -> None:
    """A debt picked for its schedule."""
    query = update.callback_query
    assert query is not None
    async with turn(update, context) as t:
        debt = t.uow.debts.require_for_user(
            t.user_id, decode(query.data, t.update_user_id).int_arg(0)
        )
        await t.answer()
        await _send_schedule(t, debt)


# ---- /status --------------------------------------------------------------------------------


async def status(update: Update, context: Context) -> None:
    """Every active debt's position, the totals, what is due this week, and advice if late."""
    async with turn(update, context) as t:
        current = positions(t.uow, user_id=t.user_id, today=t.today)
        if not current:
            await t.reply(t._(NO_DEBTS))
            return
        cards = _cards(t, current)
        blocks = [_block(t, pos, cards) for pos in current]
        totals = owed_by_currency(current)
        lines = [t._("<b>In total</b>")]
        lines += [
            t._("Owed today: <b>{total}</b>", total=m(t, amount, cur))
            for cur, amount in totals.items()
        ]
        soon = due_within(current, t.today, DUE_SOON_DAYS)
        if soon:
            lines.append(t._("Due in the next {days} days:", days=DUE_SOON_DAYS))
            lines += [
                f"· {d(t, item.installment.due_date)} — {esc(item.debt.name)} "
                f"{m(t, item.amount, item.debt.currency)}"
                for item in soon
            ]
        else:
            lines.append(t._("Nothing is due in the next {days} days.", days=DUE_SOON_DAYS))
        if any(pos.state.overdue for pos in current):
            lines += [
                "",
                t._(
                    "⚠️ Something is overdue. Contact the lender early, before penalty interest builds up: lenders report overdue payments to the credit reference centre (征信), and most will talk about a plan if you call first."
                ),
            ]
        blocks.append("\n".join(lines))
        await t.reply(
            "\n\n".join(blocks),
            [*_payoff_buttons(t, current, cards), [t.button(t._(LABEL_PROGRESS), PROGRESS)]],
        )


def _cards(t: Turn, current: Sequence[Position]) -> dict[int, CardSummary]:
    """The statement facts of the credit cards among ``current`` (repaid by their minimum)."""
    return {
        pos.debt.id: card_summary(t.uow, user_id=t.user_id, debt_id=pos.debt.id, today=t.today)
        for pos in current
        if pos.debt.id is not None and is_revolving(pos.debt, pos.plan)
    }


def _block(t: Turn, pos: Position, cards: dict[int, CardSummary]) -> str:
    """A debt's block in /status: a card's statement facts, any other debt's position."""
    card = cards.get(pos.debt.id) if pos.debt.id is not None else None
    return owed_summary(t, pos) if card is None else card_block(t, card, pos)


def _payoff_buttons(
    t: Turn, current: Sequence[Position], cards: dict[int, CardSummary] | None = None
) -> list[list[InlineKeyboardButton]]:
    """A "pay off early" button per debt not yet repaid (handled by bot.features.prepay), and
    under a card whose statement is out, "convert to installments" (bot.features.cards)."""
    rows: list[list[InlineKeyboardButton]] = []
    for pos in current[:MAX_LISTED_WITH_BUTTONS]:
        card = (cards or {}).get(pos.debt.id) if pos.debt.id is not None else None
        if card is not None and card.convertible > 0 and card.statement.statement_date <= t.today:
            label = t._("🧾 Convert {debt}'s statement to installments", debt=pos.debt.name)
            rows.append([t.button(label, "cdi", pos.debt.id)])
        if not pos.state.is_settled:
            label = t._("💰 Pay off {debt} early", debt=pos.debt.name)
            rows.append([t.button(label, "ppo", pos.debt.id)])
    return rows


def handlers() -> list[Handler]:
    """Every debts handler: the /adddebt conversation first, then lists and buttons."""
    return [
        *debts_add.handlers(),
        *debts_edit.handlers(),
        CommandHandler("debts", debts_list),
        CommandHandler("schedule", schedule),
        CommandHandler("status", status),
        CallbackQueryHandler(schedule_pressed, pattern=r"^dsch:"),
        CallbackQueryHandler(schedule_paged, pattern=r"^dschp:"),
        CallbackQueryHandler(status_pressed, pattern=r"^dst:"),
        CallbackQueryHandler(archive_asked, pattern=r"^darc:"),
        CallbackQueryHandler(archive_confirmed, pattern=r"^darcy:"),
        CallbackQueryHandler(archive_declined, pattern=r"^darcn:"),
    ]
