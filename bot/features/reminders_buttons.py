"""What a reminder and the /reminders feature share: button actions, labels and a few facts.

``jobs/render.py`` puts these buttons under a reminder; ``bot/features/reminders.py`` answers
them. Callback data is ``<action>:<telegram user>:<id>`` (see jobs/README.md), made with
``bot.callbacks.Callback`` so only the user the reminder was sent to can press it.
"""

from __future__ import annotations

from datetime import timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callbacks import Callback
from bot.i18n import N_, Translator

#: Paid in full (installment id), Paid part (installment id), Remind me later (outbox id),
#: I can't pay (installment id).
PAID_FULL, PAID_PART, LATER, CANT_PAY = "rp", "rq", "rl", "rc"
#: The "📈 Progress" button (under /status and the weekly digest; bot.features.progress answers).
PROGRESS = "prg"
LABEL_PROGRESS = N_("📈 Progress")
#: The outbox kind of a "remind me later" re-send; its payload carries the original kind.
LATER_KIND = "later"
#: How long "Remind me later" waits, and how long the re-send stays worth sending.
LATER_DELAY = timedelta(hours=4)
LATER_TTL = timedelta(days=1)
#: The text of the hardship report "I can't pay" records.
HARDSHIP_TEXT = "reported from a reminder"

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
