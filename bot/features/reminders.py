"""/reminders, and the buttons under each reminder: paid in full, paid part, later, can't pay.

The reminders themselves are sent by the jobs (``jobs/``), rendered by ``jobs/render.py``.
Buttons (see jobs/README.md):

- ``rp`` Paid in full: records what is left of the installment once, under the idempotency key
  ``tg:full:<installment>``; a second tap finds it recorded and adds nothing.
- ``rq`` Paid part: asks the amount (the ``reminder_part`` conversation); the answer is recorded
  for that debt under ``tg:update:<update id>``, so once per message.
- ``rl`` Remind me later: a ``later`` outbox row 4 hours on (moved out of quiet hours), keyed
  ``later:<installment>:<outbox id>``, so once per reminder.
- ``rc`` I can't pay: a hardship report, and an honest word on what a missed payment means.
"""

from __future__ import annotations

import json
import logging
import warnings
from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Any

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Update
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

from bot.callbacks import BadCallback, Callback, decode
from bot.errors import domain_error_text, register
from bot.features import payments_views
from bot.features import reminders_settings as settings
from bot.features.reminders_buttons import (
    CANT_PAY,
    HARDSHIP_TEXT,
    LATER,
    LATER_DELAY,
    LATER_KIND,
    LATER_TTL,
    PAID_FULL,
    PAID_PART,
)
from bot.features.start import cancel
from bot.formatting import esc
from bot.i18n import N_
from bot.runtime import Context, Keyboard, Turn, kb, remove_buttons, turn
from bot.views import d, m
from tracker.errors import DomainError, NotFound
from tracker.ledger import InstallmentState
from tracker.money import from_minor
from tracker.parsing.payment_text import amount_for, recognise_payment
from tracker.reminders import IntentKind, ReminderPrefs, send_time
from tracker.services.debts import Position, position
from tracker.services.payments import record_payment
from tracker.storage.enums import HardshipKind, PaymentSource
from tracker.storage.models import HardshipReport, Installment, Outbox

logger = logging.getLogger(__name__)

COMMANDS = [("reminders", N_("When reminders come, or turn them off"))]

register(
    {
        "reminder_days_garbage": N_("I couldn't read “{text}” as days before the due date."),
        "reminder_days_range": N_(
            "Give up to {max_values} different days, each from 0 (the due day) to {max_days}."
        ),
        "reminder_time_garbage": N_("I couldn't read “{text}” as a time of day."),
        "reminder_timezone_unknown": N_(
            "Your timezone “{timezone}” is unknown: set it with /timezone first."
        ),
        "reminder_quiet_garbage": N_(
            "I couldn't read “{text}” as quiet hours: give a start and an end time."
        ),
        "reminder_quiet_empty": N_("Quiet hours must end at another time than they start."),
        "reminder_digest_garbage": N_(
            "I couldn't read “{text}” as a weekday and a time for the weekly summary."
        ),
        "remindbtn_gone": N_(
            "This reminder is out of date: that installment is no longer in your plan. /status shows what is due."
        ),
    },
    {
        "reminder": N_(
            "For example: <code>/reminders 3,1,0 09:00</code>, <code>/reminders off</code>, <code>/reminders quiet 22:00-08:00</code> or <code>/reminders digest mon 09:00</code>."
        ),
    },
)

SET, MENU = "rset", "rmenu"
#: The reminder_part conversation's one state, and where it keeps the debt asked about.
PART_AMOUNT = 0
PART = "reminder_part"
#: An unanswered "How much did you pay?" lapses: a number typed much later is not that answer.
PART_TTL = timedelta(hours=2)
#: Outbox key prefixes of the messages "reminders off" cancels (the digest has its own switch).
REMINDER_PREFIXES = ("due:", "overdue:", "risk:", "later:")
DIGEST_PREFIX = "digest:"


# ---- /reminders ------------------------------------------------------------------------------


async def reminders(update: Update, context: Context) -> None:
    """/reminders shows the settings; /reminders 3,1,0 09:00 (off, on, quiet …, digest …) sets."""
    async with turn(update, context) as t:
        if context.args:
            change = settings.parse_change(" ".join(context.args))
            prefs = _save(t, change)
            await t.reply(
                t._("Saved.") + "\n\n" + settings.settings_text(t, prefs), _main(t, prefs)
            )
            return
        prefs = settings.prefs_of(t.user)
        await t.reply(settings.settings_text(t, prefs), _main(t, prefs))


def _save(t: Turn, change: settings.Change) -> ReminderPrefs:
    """Apply and commit a change; pending messages it turns off are cancelled."""
    prefs = settings.apply(t.user, change)
    if not prefs.enabled:
        for prefix in REMINDER_PREFIXES:
            t.uow.outbox.drop_pending(user_id=t.user_id, key_prefix=prefix)
    if not prefs.digest_enabled:
        t.uow.outbox.drop_pending(user_id=t.user_id, key_prefix=DIGEST_PREFIX)
    t.commit()
    return prefs


def _main(t: Turn, prefs: ReminderPrefs) -> Keyboard:
    toggle = (
        t.button(t._("🔕 Turn reminders off"), SET, "off")
        if prefs.enabled
        else t.button(t._("🔔 Turn reminders on"), SET, "on")
    )
    return kb(
        [toggle],
        [t.button(t._("Days before"), MENU, "days"), t.button(t._("Time"), MENU, "time")],
        [
            t.button(t._("Quiet hours"), MENU, "quiet"),
            t.button(t._("Weekly summary"), MENU, "digest"),
        ],
    )


def _rows(
    buttons: list[InlineKeyboardButton], per_row: int = 3
) -> list[list[InlineKeyboardButton]]:
    return [buttons[i : i + per_row] for i in range(0, len(buttons), per_row)]


def _submenu(t: Turn, prefs: ReminderPrefs, which: str) -> tuple[str, Keyboard]:
    """The question and the preset buttons for one setting."""
    back = [t.button(t._("« Back"), MENU, "main")]
    hm = settings.hhmm
    if which == "days":
        buttons = [
            t.button(" · ".join(str(n) for n in days), SET, "d", "-".join(map(str, days)))
            for days in settings.DAY_PRESETS
        ]
        question = t._(
            "How many days before the due date? 0 is the due day itself. For other days type e.g. <code>/reminders 10,3,0</code>."
        )
        return question, [*_rows(buttons), back]
    if which == "time":
        buttons = [t.button(hm(at), SET, "t", f"{at:%H%M}") for at in settings.TIME_PRESETS]
        question = t._(
            "At what time of day? For another time type e.g. <code>/reminders 07:30</code>."
        )
        return question, [*_rows(buttons), back]
    if which == "quiet":
        buttons = [
            t.button(f"{hm(a)}–{hm(b)}", SET, "q", f"{a:%H%M}-{b:%H%M}")
            for a, b in settings.QUIET_PRESETS
        ]
        none = t.button(t._("No quiet hours"), SET, "q", "none")
        question = t._(
            "During quiet hours nothing is sent; what falls in them comes when they end. For other hours type e.g. <code>/reminders quiet 22:30-07:30</code>."
        )
        return question, [*_rows(buttons), [none], back]
    if which == "digest":
        buttons = [
            t.button(f"{settings.weekday_name(t, day)} {hm(at)}", SET, "g", f"{day}-{at:%H%M}")
            for day, at in settings.DIGEST_PRESETS
        ]
        toggle = (
            t.button(t._("Turn the summary off"), SET, "g", "off")
            if prefs.digest_enabled
            else t.button(t._("Turn the summary on"), SET, "g", "on")
        )
        question = t._(
            "When should the weekly summary come? It shows what you paid, what is due in the next 30 days and anything overdue."
        )
        return question, [*_rows(buttons), [toggle], back]
    raise BadCallback(f"unknown menu {which!r}")


async def menu_pressed(update: Update, context: Context) -> None:
    """Days before / Time / Quiet hours / Weekly summary / « Back: show that menu in place."""
    query = update.callback_query
    assert query is not None
    async with turn(update, context) as t:
        which = decode(query.data, t.update_user_id).arg(0)
        prefs = settings.prefs_of(t.user)
        text = settings.settings_text(t, prefs)
        if which == "main":
            keyboard = _main(t, prefs)
        else:
            question, keyboard = _submenu(t, prefs, which)
            text = f"{text}\n\n{question}"
        await t.answer()
        await _edit(query, text, keyboard)


def _change_from(data: Callback) -> settings.Change:
    """A settings button's change; BadCallback if it is not one we make."""
    what = data.arg(0)
    if what in ("on", "off"):
        return settings.Change(enabled=what == "on")
    value = data.arg(1)
    try:
        if what == "d":
            return settings.parse_change(value.replace("-", ","))
        if what == "t":
            return settings.Change(at=_hm(value))
        if what == "q":
            if value == "none":
                return settings.Change(clear_quiet=True)
            start, _, end = value.partition("-")
            return settings.Change(quiet=(_hm(start), _hm(end)))
        if what == "g":
            if value in ("on", "off"):
                return settings.Change(digest_enabled=value == "on")
            day, _, at = value.partition("-")
            if len(day) != 1 or day not in "0123456":
                raise BadCallback(f"bad weekday {day!r}")
            return settings.Change(
                digest_enabled=True, digest_weekday=int(day), digest_time=_hm(at)
            )
    except DomainError:
        raise BadCallback(f"bad setting {data.args!r}") from None
    raise BadCallback(f"unknown setting {what!r}")


def _hm(value: str) -> time:
    """0930 → 09:30 (button data)."""
    if len(value) != 4 or not value.isdigit() or int(value[:2]) > 23 or int(value[2:]) > 59:
        raise BadCallback(f"bad time {value!r}")
    return time(int(value[:2]), int(value[2:]))


async def setting_pressed(update: Update, context: Context) -> None:
    """A settings button: save it and show the settings again in place."""
    query = update.callback_query
    assert query is not None
    async with turn(update, context) as t:
        change = _change_from(decode(query.data, t.update_user_id))
        prefs = _save(t, change)
        await t.answer(t._("Saved."))
        await _edit(query, settings.settings_text(t, prefs), _main(t, prefs))


async def _edit(query: CallbackQuery, text: str, keyboard: Keyboard) -> None:
    try:
        await query.edit_message_text(
            text,
            parse_mode=ParseMode.HTML,
            reply_markup=InlineKeyboardMarkup(keyboard),
            disable_web_page_preview=True,
        )
    except BadRequest as error:
        if "not modified" not in str(error).lower():
            logger.warning("could not update the settings message: %s", error)


# ---- the reminder buttons --------------------------------------------------------------------


def _installment(t: Turn, installment_id: int) -> Installment:
    """The user's installment, or the "out of date" answer."""
    found = t.uow.session.get(Installment, installment_id)
    if found is None or found.user_id != t.user_id:
        raise NotFound(f"installment {installment_id} not found", code="remindbtn_gone")
    return found


def _state(t: Turn, inst: Installment) -> tuple[Position, InstallmentState]:
    """Where the installment stands today; "out of date" if its plan was replaced."""
    if not inst.is_active:
        raise NotFound(f"installment {inst.id} is not active", code="remindbtn_gone")
    pos = position(t.uow, t.user_id, inst.debt_id, t.today)
    state = next((s for s in pos.state.installments if s.number == inst.seq), None)
    if state is None or inst.plan_version_id != pos.plan.id:
        raise NotFound(f"installment {inst.id} is not in the plan", code="remindbtn_gone")
    return pos, state


def _left(state: InstallmentState) -> Decimal:
    return state.remaining + state.penalty_unpaid


async def paid_full(update: Update, context: Context) -> None:
    """Paid in full: record what is left of the installment, once."""
    query = update.callback_query
    assert query is not None
    async with turn(update, context) as t:
        inst_id = decode(query.data, t.update_user_id).int_arg(0)
        inst = _installment(t, inst_id)
        key = f"tg:full:{inst_id}"
        existing = t.uow.payments.get_by_key(key)
        if existing is not None:
            amount, paid_on = from_minor(existing.amount_minor, existing.currency), existing.paid_on
        else:
            pos, state = _state(t, inst)
            if _left(state) <= 0:
                await t.answer()
                await remove_buttons(query)
                await t.reply(
                    t._(
                        "Installment {n} of {debt} (due {date}) is already paid in full: nothing to record.",
                        n=state.number,
                        debt=esc(pos.debt.name),
                        date=d(t, state.due_date),
                    )
                )
                return
            amount, paid_on = _left(state), t.today
        outcome = record_payment(
            t.uow,
            user_id=t.user_id,
            debt_id=inst.debt_id,
            amount=amount,
            paid_on=paid_on,
            today=t.today,
            idempotency_key=key,
            now=t.now,
            source=PaymentSource.BUTTON,
        )
        t.uow.outbox.drop_pending(user_id=t.user_id, key_prefix=f"later:{inst_id}:")
        text = payments_views.recorded(t, outcome)
        await t.answer()
        await t.commit_and_reply(text)  # the payment and its acknowledgment, together
        await remove_buttons(query)


async def part_pressed(update: Update, context: Context) -> int:
    """Paid part: ask how much, and remember which debt the answer is for."""
    query = update.callback_query
    assert query is not None
    async with turn(update, context) as t:
        inst_id = decode(query.data, t.update_user_id).int_arg(0)
        inst = _installment(t, inst_id)
        pos, state = _state(t, inst)
        assert context.user_data is not None
        context.user_data[PART] = {
            "debt_id": inst.debt_id,
            "installment_id": inst_id,
            "asked_at": t.now.isoformat(),
        }
        await t.answer()
        await t.reply(_part_question(t, pos, state))
        return PART_AMOUNT
    return ConversationHandler.END


def _part_question(t: Turn, pos: Position, state: InstallmentState) -> str:
    return t._(
        "How much did you pay to <b>{debt}</b>? {left} is left on the installment due {date}. Send the amount, for example <code>500</code>; /cancel stops.",
        debt=esc(pos.debt.name),
        left=m(t, _left(state), pos.debt.currency),
        date=d(t, state.due_date),
    )


async def part_amount(update: Update, context: Context) -> int:
    """The amount paid: recorded for the debt asked about, once for this message."""
    message = update.effective_message
    assert message is not None
    assert message.text is not None
    assert context.user_data is not None
    pending: Any = context.user_data.get(PART)
    async with turn(update, context) as t:
        if not isinstance(pending, dict) or not isinstance(pending.get("installment_id"), int):
            await t.reply(t._("I lost track of which payment this was. /paid 500 logs one."))
            return ConversationHandler.END
        if _lapsed(pending, t.now):
            context.user_data.pop(PART, None)
            await t.reply(
                t._(
                    "I asked how much you paid a while ago, so I didn't record this. To log a payment write <code>/paid 500</code>."
                )
            )
            return ConversationHandler.END
        inst = _installment(t, pending["installment_id"])
        debt = t.uow.debts.require_for_user(t.user_id, inst.debt_id)
        found = recognise_payment(message.text)  # 还了500 works as well as 500
        try:
            amount = amount_for(found.amount_text if found else message.text, debt.currency)
        except DomainError as error:
            pos, state = _state(t, inst)
            await t.reply(
                f"{domain_error_text(error, t._, t.locale)}\n\n{_part_question(t, pos, state)}"
            )
            return PART_AMOUNT
        outcome = record_payment(
            t.uow,
            user_id=t.user_id,
            debt_id=inst.debt_id,
            amount=amount,
            paid_on=t.today,
            today=t.today,
            idempotency_key=f"tg:update:{t.update.update_id}",
            now=t.now,
            source=PaymentSource.TEXT,
        )
        if inst.is_active and _paid_off(outcome.position, inst):
            t.uow.outbox.drop_pending(user_id=t.user_id, key_prefix=f"later:{inst.id}:")
        context.user_data.pop(PART, None)
        await t.commit_and_reply(payments_views.recorded(t, outcome))
        return ConversationHandler.END
    return PART_AMOUNT


def _lapsed(pending: dict[str, Any], now: datetime) -> bool:
    try:
        asked = datetime.fromisoformat(str(pending.get("asked_at")))
    except ValueError:
        return True
    return asked.tzinfo is None or now - asked > PART_TTL


def _paid_off(pos: Position, inst: Installment) -> bool:
    state = next((s for s in pos.state.installments if s.number == inst.seq), None)
    return state is not None and _left(state) <= 0


async def later(update: Update, context: Context) -> None:
    """Remind me later: the same reminder again in 4 hours, once per reminder."""
    query = update.callback_query
    assert query is not None
    async with turn(update, context) as t:
        outbox_id = decode(query.data, t.update_user_id).int_arg(0)
        row = t.uow.session.get(Outbox, outbox_id)
        if row is None or row.user_id != t.user_id:
            raise NotFound(f"outbox row {outbox_id} not found", code="remindbtn_gone")
        payload, kind = _original(row)
        inst = _installment(t, payload["installment_id"])
        pos, state = _state(t, inst)
        if _left(state) <= 0:
            await t.answer()
            await remove_buttons(query)
            await t.reply(
                t._(
                    "{debt}'s installment due {date} is already paid in full: no need to remind you.",
                    debt=esc(pos.debt.name),
                    date=d(t, state.due_date),
                )
            )
            return
        at = _later_time(t)
        stored, created = t.uow.outbox.enqueue_once(
            f"later:{inst.id}:{outbox_id}",
            user_id=t.user_id,
            chat_id=t.chat_id,
            kind=LATER_KIND,
            due_at=at,
            payload=payload | {"kind": kind},
            expires_at=at + LATER_TTL,
        )
        t.commit()
        when = _when(t, stored.due_at)
        if created:
            text = t._("⏰ OK, I'll remind you again {when}.", when=when)
        else:
            text = t._(
                "I'll already remind you again {when}: once per reminder is enough.", when=when
            )
        await t.answer(text)
        await t.reply(text)


def _original(row: Outbox) -> tuple[dict[str, Any], str]:
    """The payload a later row re-sends, with the time of the first reminder, and its kind."""
    try:
        payload = json.loads(row.payload)
    except json.JSONDecodeError:
        payload = None
    if not isinstance(payload, dict):
        raise NotFound(f"outbox row {row.id} has no payload", code="remindbtn_gone")
    kind = payload.get("kind") if row.kind == LATER_KIND else row.kind
    allowed = (IntentKind.DUE.value, IntentKind.OVERDUE.value)
    if kind not in allowed or not isinstance(payload.get("installment_id"), int):
        raise NotFound(f"outbox row {row.id} is not a reminder", code="remindbtn_gone")
    payload.setdefault("original_at", row.due_at.isoformat())
    return payload, str(kind)


def _later_time(t: Turn) -> datetime:
    """Four hours from now, or the end of quiet hours if that falls inside them."""
    prefs = settings.prefs_of(t.user)
    local = (t.now + LATER_DELAY).astimezone(prefs.zone).replace(second=0, microsecond=0)
    return send_time(local.date(), local.time().replace(tzinfo=None), prefs)


def _when(t: Turn, moment: datetime) -> str:
    local = moment.astimezone(t.tz)
    if local.date() == t.today:
        return t._("today at {time}", time=settings.hhmm(local.time()))
    if local.date() == t.today + timedelta(days=1):
        return t._("tomorrow at {time}", time=settings.hhmm(local.time()))
    return t._("on {date} at {time}", date=d(t, local.date()), time=settings.hhmm(local.time()))


async def cant_pay(update: Update, context: Context) -> None:
    """I can't pay: note the hardship and say plainly what happens and what helps."""
    query = update.callback_query
    assert query is not None
    async with turn(update, context) as t:
        inst_id = decode(query.data, t.update_user_id).int_arg(0)
        inst = _installment(t, inst_id)
        debt = t.uow.debts.require_for_user(t.user_id, inst.debt_id)
        since = t.now - timedelta(days=1)
        noted = any(
            r.text == HARDSHIP_TEXT and r.created_at >= since
            for r in t.uow.hardship.recent_for_user(t.user_id, limit=20)
        )
        if not noted:  # a second tap the same day adds nothing
            t.uow.hardship.add(
                HardshipReport(
                    user_id=t.user_id,
                    created_at=t.now,
                    kind=HardshipKind.OTHER,
                    currency=debt.currency,
                    text=HARDSHIP_TEXT,
                )
            )
        t.commit()
        await t.answer()
        await t.reply(cant_pay_text(t, debt.name, inst))


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


def handlers() -> list[BaseHandler]:  # type: ignore[type-arg]
    """/reminders, its buttons, the reminder buttons and the "Paid part" conversation.

    Register before payments' free-text handler, so the amount typed after "Paid part" (even
    "还了500") reaches the conversation.
    """
    with warnings.catch_warnings():
        # The conversation follows the user, not one message: per_message=False is intended.
        warnings.filterwarnings("ignore", message=".*per_message=False", category=PTBUserWarning)
        part = ConversationHandler(
            entry_points=[CallbackQueryHandler(part_pressed, pattern=rf"^{PAID_PART}:")],
            states={
                PART_AMOUNT: [
                    MessageHandler(
                        filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND, part_amount
                    )
                ]
            },
            fallbacks=[CommandHandler("cancel", cancel)],
            name=PART,
            persistent=True,
            allow_reentry=True,
        )
    return [
        CommandHandler("reminders", reminders, filters=filters.UpdateType.MESSAGE),
        CallbackQueryHandler(setting_pressed, pattern=rf"^{SET}:"),
        CallbackQueryHandler(menu_pressed, pattern=rf"^{MENU}:"),
        CallbackQueryHandler(paid_full, pattern=rf"^{PAID_FULL}:"),
        CallbackQueryHandler(later, pattern=rf"^{LATER}:"),
        CallbackQueryHandler(cant_pay, pattern=rf"^{CANT_PAY}:"),
        part,
    ]
