"""Seeing progress: /progress sends a chart of the balance over time, /calendar an .ics file.

Both read in one service call, let go of the database, then build the file: a chart takes a
few hundred milliseconds, drawn in a worker thread so other users' updates go on meanwhile.
"""

from __future__ import annotations

import asyncio

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.callbacks import decode
from bot.charts import ChartWords, progress_png
from bot.features.reminders_buttons import PROGRESS
from bot.i18n import N_
from bot.runtime import Context, Turn, turn
from bot.types import Handler
from bot.views import d, m
from tracker.calendar_export import CalendarEvent, build_ics, uid_for
from tracker.progress import DebtProgress
from tracker.reminders import parse_lead_days
from tracker.services.progress import CalendarItem, calendar_items, progress

COMMANDS = [
    ("progress", N_("Your progress as a chart")),
    ("calendar", N_("Your installments for your phone's calendar")),
]

NO_DEBTS = N_("You have no debts recorded yet. Add one with /adddebt.")


async def progress_command(update: Update, context: Context) -> None:
    """/progress: the chart with a three-line caption."""
    async with turn(update, context) as t:
        await _send_progress(t)


async def progress_pressed(update: Update, context: Context) -> None:
    """The "📈 Progress" button under /status."""
    query = update.callback_query
    assert query is not None
    async with turn(update, context) as t:
        decode(query.data, t.update_user_id)
        await t.answer()
        await _send_progress(t)


async def _send_progress(t: Turn) -> None:
    found = progress(t.uow, user_id=t.user_id, today=t.today)
    if not found.debts:
        await t.reply(t._(NO_DEBTS))
        return
    t.uow.release()  # only read: no lock held while drawing
    words = ChartWords(
        total=t._("In total"),
        planned=t._("Planned"),
        paid=t._("Payments made"),
        change=t._("New plan agreed"),
    )
    payoffs = {p.payoff for p in (*found.debts, *found.totals) if p.payoff is not None}
    labels = {day: t._("Paid off {date}", date=d(t, day)) for day in payoffs}
    main = found.totals[0]
    debts = [debt for debt in found.debts if debt.currency == main.currency]
    png = await asyncio.to_thread(progress_png, main, debts, words, labels, t.today)
    await t.context.bot.send_photo(
        t.chat_id,
        photo=png,
        caption=_caption(t, found.totals, found.streak),
        parse_mode=ParseMode.HTML,
    )


def _caption(t: Turn, sums: tuple[DebtProgress, ...], streak: int) -> str:
    """Paid so far and what is left; the on-time streak; the payoff date (three lines)."""
    paid = " + ".join(m(t, x.paid, x.currency) for x in sums)
    left = " + ".join(m(t, x.remaining, x.currency) for x in sums)
    lines = [t._("Paid so far: <b>{paid}</b> · left: <b>{left}</b>", paid=paid, left=left)]
    if streak:
        lines.append(
            t._.plural("On time {n} time in a row.", "On time {n} times in a row.", streak)
        )
    else:
        lines.append(t._("No on-time streak yet: the next installment starts one."))
    payoff = max((x.payoff for x in sums if x.payoff is not None), default=None)
    if payoff is not None and any(x.remaining > 0 for x in sums):
        lines.append(t._("Debt-free on {date} if you keep to the plan.", date=d(t, payoff)))
    elif payoff is not None:
        lines.append(t._("All repaid: well done."))
    return "\n".join(lines)


async def calendar(update: Update, context: Context) -> None:
    """/calendar: every open installment as an all-day event with the reminders' alarms."""
    async with turn(update, context) as t:
        items = calendar_items(t.uow, user_id=t.user_id, today=t.today)
        if not any(not item.cancelled for item in items):
            await t.reply(
                t._("Nothing is left to pay: there is no installment to put in a calendar.")
            )
            return
        await t.context.bot.send_document(
            t.chat_id,
            document=ics_file(t, items),
            filename=f"repaybot-{t.today.isoformat()}.ics",
            caption=t._(
                "Open this file to add your installments to your phone's calendar, with reminders. After a plan change, send /calendar again: the events are updated, not doubled."
            ),
            parse_mode=ParseMode.HTML,
        )


def ics_file(t: Turn, items: list[CalendarItem]) -> bytes:
    """The user's installments as an .ics file, in their language."""
    events = [
        CalendarEvent(
            uid=uid_for(item.installment_id),
            day=item.due_date,
            summary=t._(
                "Pay {amount} — {debt}",
                amount=m(t, item.amount, item.currency),
                debt=f"{item.debt} ({item.lender})" if item.lender else item.debt,
            ),
            description=t._(
                "Can't pay it in full? Before the due date, send /hardship to the bot: it shows honest options and writes your request to the lender."
            ),
            cancelled=item.cancelled,
        )
        for item in items
    ]
    return build_ics(
        events,
        lead_days=parse_lead_days(t.user.reminder_lead_days),
        at=t.user.reminder_time,
        stamp=t.now,
        name=t._("Repayments"),
    )


def handlers() -> list[Handler]:
    """/progress, its button under /status, and /calendar."""
    return [
        CommandHandler("progress", progress_command),
        CommandHandler("calendar", calendar),
        CallbackQueryHandler(progress_pressed, pattern=rf"^{PROGRESS}:"),
    ]
