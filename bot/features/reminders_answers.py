"""The buttons under a reminder: paid in full, paid part, remind me later; and what "I can't
pay" says (hardship's handler answers that button and shows ``cant_pay_text``).

Each handler reads the button, makes one ``tracker.services.reminders`` call and words the
outcome; the keys that make each button count once are the service's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from telegram import Update
from telegram.ext import ConversationHandler

from bot.callbacks import decode
from bot.errors import domain_error_text
from bot.features import payments_views
from bot.features.reminders_settings import hhmm
from bot.formatting import esc
from bot.runtime import Context, Turn, remove_buttons, turn
from bot.views import d, m
from tracker.errors import DomainError
from tracker.parsing.payment_text import amount_for, recognise_payment
from tracker.services.reminders import (
    AlreadyPaid,
    Standing,
    pay_in_full,
    pay_part,
    remind_later,
    reminded_debt,
    standing,
)
from tracker.storage.models import Installment

#: The reminder_part conversation's one state, and where it keeps the installment asked about.
PART_AMOUNT = 0
PART = "reminder_part"
#: An unanswered "How much did you pay?" lapses: a number typed much later is not that answer.
PART_TTL = timedelta(hours=2)


@dataclass(frozen=True, slots=True)
class PartQuestion:
    """What the "Paid part" question remembers (in user_data, as plain JSON)."""

    debt_id: int | None  # kept for the record; the installment names the debt
    installment_id: int
    asked_at: str

    @classmethod
    def read(cls, pending: object) -> PartQuestion | None:
        """The stored question, or None if there is none this code can read."""
        if not isinstance(pending, dict) or not isinstance(pending.get("installment_id"), int):
            return None
        debt_id = pending.get("debt_id")
        return cls(
            debt_id if isinstance(debt_id, int) else None,
            pending["installment_id"],
            str(pending.get("asked_at")),
        )

    def data(self) -> dict[str, Any]:
        """As stored in user_data."""
        return {
            "debt_id": self.debt_id,
            "installment_id": self.installment_id,
            "asked_at": self.asked_at,
        }

    def lapsed(self, now: datetime) -> bool:
        """Asked more than ``PART_TTL`` before ``now`` (or at an unreadable time)."""
        try:
            asked = datetime.fromisoformat(self.asked_at)
        except ValueError:
            return True
        return asked.tzinfo is None or now - asked > PART_TTL


async def paid_full(update: Update, context: Context) -> None:
    """Paid in full: record what is left of the installment, once."""
    query = update.callback_query
    assert query is not None
    async with turn(update, context) as t:
        inst_id = decode(query.data, t.update_user_id).int_arg(0)
        try:
            outcome = pay_in_full(
                t.uow, user_id=t.user_id, installment_id=inst_id, today=t.today, now=t.now
            )
        except AlreadyPaid as paid:
            await t.answer()
            await remove_buttons(query)
            await t.reply(
                t._(
                    "Installment {n} of {debt} (due {date}) is already paid in full: nothing to record.",
                    n=paid.standing.state.number,
                    debt=esc(paid.standing.debt.name),
                    date=d(t, paid.standing.state.due_date),
                )
            )
            return
        text = payments_views.recorded(t, outcome)
        await t.answer()
        await t.commit_and_reply(text)  # the payment and its acknowledgment, together
        await remove_buttons(query)


async def part_pressed(update: Update, context: Context) -> int:
    """Paid part: ask how much, and remember which installment the answer is for."""
    query = update.callback_query
    assert query is not None
    async with turn(update, context) as t:
        inst_id = decode(query.data, t.update_user_id).int_arg(0)
        found = standing(t.uow, user_id=t.user_id, installment_id=inst_id, today=t.today)
        assert context.user_data is not None
        asked = PartQuestion(found.installment.debt_id, inst_id, t.now.isoformat())
        context.user_data[PART] = asked.data()
        await t.answer()
        await t.reply(_ask_part(t, found))
        return PART_AMOUNT
    return ConversationHandler.END


def _ask_part(t: Turn, found: Standing) -> str:
    return t._(
        "How much did you pay to <b>{debt}</b>? {left} is left on the installment due {date}. Send the amount, for example <code>500</code>; /cancel stops.",
        debt=esc(found.debt.name),
        left=m(t, found.left, found.debt.currency),
        date=d(t, found.state.due_date),
    )


async def part_amount(update: Update, context: Context) -> int:
    """The amount paid: recorded for the debt asked about, once for this message."""
    message = update.effective_message
    assert message is not None
    assert message.text is not None
    assert context.user_data is not None
    asked = PartQuestion.read(context.user_data.get(PART))
    async with turn(update, context) as t:
        if asked is None:
            await t.reply(t._("I lost track of which payment this was. /paid 500 logs one."))
            return ConversationHandler.END
        if asked.lapsed(t.now):
            context.user_data.pop(PART, None)
            await t.reply(
                t._(
                    "I asked how much you paid a while ago, so I didn't record this. To log a payment write <code>/paid 500</code>."
                )
            )
            return ConversationHandler.END
        inst_id = asked.installment_id
        debt = reminded_debt(t.uow, user_id=t.user_id, installment_id=inst_id)
        found = recognise_payment(message.text)  # 还了500 works as well as 500
        try:
            amount = amount_for(found.amount_text if found else message.text, debt.currency)
        except DomainError as error:
            again = standing(t.uow, user_id=t.user_id, installment_id=inst_id, today=t.today)
            await t.reply(f"{domain_error_text(error, t._, t.locale)}\n\n{_ask_part(t, again)}")
            return PART_AMOUNT
        outcome = pay_part(
            t.uow,
            user_id=t.user_id,
            installment_id=inst_id,
            amount=amount,
            today=t.today,
            now=t.now,
            idempotency_key=f"tg:update:{t.update.update_id}",
        )
        context.user_data.pop(PART, None)
        await t.commit_and_reply(payments_views.recorded(t, outcome))
        return ConversationHandler.END
    return PART_AMOUNT


async def later(update: Update, context: Context) -> None:
    """Remind me later: the same reminder again in 4 hours, once per reminder."""
    query = update.callback_query
    assert query is not None
    async with turn(update, context) as t:
        outbox_id = decode(query.data, t.update_user_id).int_arg(0)
        try:
            asked = remind_later(
                t.uow, user_id=t.user_id, outbox_id=outbox_id, today=t.today, now=t.now
            )
        except AlreadyPaid as paid:
            await t.answer()
            await remove_buttons(query)
            await t.reply(
                t._(
                    "{debt}'s installment due {date} is already paid in full: no need to remind you.",
                    debt=esc(paid.standing.debt.name),
                    date=d(t, paid.standing.state.due_date),
                )
            )
            return
        t.commit()
        when = _when(t, asked.due_at)
        if asked.created:
            text = t._("⏰ OK, I'll remind you again {when}.", when=when)
        else:
            text = t._(
                "I'll already remind you again {when}: once per reminder is enough.", when=when
            )
        await t.answer(text)
        await t.reply(text)


def _when(t: Turn, moment: datetime) -> str:
    local = moment.astimezone(t.tz)
    if local.date() == t.today:
        return t._("today at {time}", time=hhmm(local.time()))
    if local.date() == t.today + timedelta(days=1):
        return t._("tomorrow at {time}", time=hhmm(local.time()))
    return t._("on {date} at {time}", date=d(t, local.date()), time=hhmm(local.time()))


def cant_pay_text(t: Turn, debt_name: str, inst: Installment) -> str:
    """What a missed payment means, what helps, and where to get free help."""
    debt = esc(debt_name)
    lines = [
        t._(
            "Noted: you can't pay <b>{debt}</b> due {date}. That happens, and there is still something you can do.",
            debt=debt,
            date=d(t, inst.due_date),
        ),
        "",
        t._(
            "<b>If the payment is missed</b>, penalty interest (罚息) runs on the overdue amount from the due date, and the lender may report it to the credit reference centre (征信). Such a record stays for five years after it is paid off. The lender must tell you before reporting it."
        ),
        "",
        t._(
            "<b>What helps most is talking to {debt} before the due date.</b> Contact its customer service (in the app or by phone), explain what changed, say how much you can pay and when, and ask for a short extension or smaller installments. Ask for any agreement in writing.",
            debt=debt,
        ),
        "",
    ]
    lines.append(
        t._(
            "/hardship prepares options and a negotiation pack for your lender. /budget shows what you can afford each month."
        )
    )
    lines.append(
        t._(
            "Asking is free, also through the 12378 banking consumer hotline. Never pay a “negotiation agent” to do it for you: many are scams, and they can't get anything you can't ask for yourself."
        )
    )
    return "\n".join(lines)
