"""What a reminder and the /reminders feature share: button actions, labels and a few facts.

``bot/reminder_render.py`` puts these buttons under a reminder; ``bot/features/reminders*.py``
answer them. Callback data is ``<action>:<telegram user>:<id>`` (see jobs/README.md), made with
``bot.callbacks.Callback`` so only the user the reminder was sent to can press it.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callbacks import Callback
from bot.i18n import N_, Translator

# What "remind me later" does is the service's; re-exported for the renderer and the tests.
from tracker.services.reminders import LATER_DELAY as LATER_DELAY
from tracker.services.reminders import LATER_KIND as LATER_KIND
from tracker.services.reminders import LATER_TTL as LATER_TTL

#: Paid in full (installment id), Paid part (installment id), Remind me later (outbox id),
#: I can't pay (installment id).
PAID_FULL, PAID_PART, LATER, CANT_PAY = "rp", "rq", "rl", "rc"
#: The "📈 Progress" button (under /status and the weekly digest; bot.features.progress answers).
PROGRESS = "prg"
LABEL_PROGRESS = N_("📈 Progress")

LABEL_PAID_FULL = N_("✅ Paid in full")
LABEL_PAID_PART = N_("Paid part")
LABEL_LATER = N_("⏰ Remind me later")
LABEL_CANT_PAY = N_("I can't pay")


def _button(label: str, action: str, owner: int, arg: int) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=Callback(action, owner, (str(arg),)).encode())


def reminder_keyboard(
    _: Translator, owner: int, installment_id: int, outbox_id: int | None
) -> InlineKeyboardMarkup:
    """Paid in full · Paid part / Remind me later · I can't pay (later needs the outbox id)."""
    second = [_button(_(LABEL_CANT_PAY), CANT_PAY, owner, installment_id)]
    if outbox_id is not None:
        second.insert(0, _button(_(LABEL_LATER), LATER, owner, outbox_id))
    return InlineKeyboardMarkup(
        [
            [
                _button(_(LABEL_PAID_FULL), PAID_FULL, owner, installment_id),
                _button(_(LABEL_PAID_PART), PAID_PART, owner, installment_id),
            ],
            second,
        ]
    )


def risk_keyboard(_: Translator, owner: int, installment_id: int) -> InlineKeyboardMarkup:
    """Under a risk warning: Paid in full (paid early) · I can't pay."""
    return InlineKeyboardMarkup(
        [
            [
                _button(_(LABEL_PAID_FULL), PAID_FULL, owner, installment_id),
                _button(_(LABEL_CANT_PAY), CANT_PAY, owner, installment_id),
            ]
        ]
    )


def progress_keyboard(_: Translator, owner: int) -> InlineKeyboardMarkup:
    """Under the weekly digest: the progress chart."""
    data = Callback(PROGRESS, owner, ()).encode()
    return InlineKeyboardMarkup([[InlineKeyboardButton(_(LABEL_PROGRESS), callback_data=data)]])
