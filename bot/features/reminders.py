"""/reminders, and the buttons under each reminder: paid in full, paid part, later, can't pay.

The reminders themselves are sent by the jobs (``jobs/``), rendered by the bot's reminder
renderer with the keyboards of ``reminders_buttons``. This module registers the handlers:

- ``reminders_menu``: /reminders and its menus (``reminders_settings`` reads and shows them);
- ``reminders_answers``: the buttons under a reminder (see jobs/README.md):

  - ``rp`` Paid in full: records what is left of the installment once, under the idempotency
    key ``tg:full:<installment>``; a second tap finds it recorded and adds nothing.
  - ``rq`` Paid part: asks the amount (the ``reminder_part`` conversation); the answer is
    recorded for that debt under ``tg:update:<update id>``, so once per message.
  - ``rl`` Remind me later: a ``later`` outbox row 4 hours on (moved out of quiet hours), keyed
    ``later:<installment>:<outbox id>``, so once per reminder.

- ``rc`` I can't pay is answered by ``bot.features.hardship`` (registered first): a hardship
  report, ``cant_pay_text``'s honest word on what a missed payment means, then its questions.

What the buttons and settings do to the stored data is ``tracker.services.reminders``.
"""

from __future__ import annotations

import warnings

from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot.errors import register
from bot.features.reminders_answers import (
    PART,
    PART_AMOUNT,
    cant_pay_text,
    later,
    paid_full,
    part_amount,
    part_pressed,
)
from bot.features.reminders_buttons import LATER, PAID_FULL, PAID_PART
from bot.features.reminders_menu import MENU, SET, menu_pressed, reminders, setting_pressed
from bot.features.start import cancel
from bot.i18n import N_
from bot.types import Handler

__all__ = ["COMMANDS", "cant_pay_text", "handlers"]

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


def handlers() -> list[Handler]:
    """/reminders, its buttons, the reminder buttons and the "Paid part" conversation.

    Register before payments' free-text handler, so the amount typed after "Paid part" (even
    "还了500") reaches the conversation; and after hardship, which answers "I can't pay".
    """
    with warnings.catch_warnings():
        # The conversation follows the user, not one message: per_message=False is intended.
        warnings.filterwarnings("ignore", message=".*per_message=False", category=PTBUserWarning)
        part: Handler = ConversationHandler(
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
        part,
    ]
