"""A reminder's "I can't pay" is answered by hardship alone: a note, the honest word, the questions.

The reminders feature once had a second handler for the button that could never run (hardship
is registered first); it is gone, and pressing the button does what it did.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from types import ModuleType
from typing import Any

from sqlmodel import select
from telegram import CallbackQuery, Chat, Message, Update
from telegram import User as TgUser

import jobs
from bot.app import FEATURES
from bot.clock import Clock
from bot.features import hardship, reminders
from bot.localapi import EmulatorState, SimUser
from tests.bot.helpers import forge_press
from tracker.storage.enums import HardshipKind, ReportSource
from tracker.storage.models import HardshipReport
from tracker.storage.uow import SqlUnitOfWork

MakeUow = Callable[[], SqlUnitOfWork]
#: 2026-12-12 09:00 in Shanghai: the "3 days before" reminder of the 15 December installment.
THREE_DAYS_BEFORE = timedelta(days=11)


def pressed(data: str) -> Update:
    """A button press with ``data`` in a private chat, as Telegram sends it."""
    chat = Chat(id=42, type=Chat.PRIVATE)
    sender = TgUser(id=42, first_name="A", is_bot=False)
    message = Message(message_id=1, date=datetime(2026, 12, 12, tzinfo=UTC), chat=chat)
    query = CallbackQuery(id="1", from_user=sender, chat_instance="1", data=data, message=message)
    return Update(update_id=1, callback_query=query)


def answering(features: tuple[ModuleType, ...], update: Update) -> list[ModuleType]:
    """The features with a handler that would take ``update``, in registration order."""
    return [
        feature
        for feature in features
        if any(handler.check_update(update) for handler in feature.handlers())
    ]


def test_only_hardship_answers_i_cant_pay() -> None:
    update = pressed("rc:42:7")
    assert answering(FEATURES, update)[0] is hardship
    assert answering((reminders,), update) == []
    assert not hasattr(reminders, "cant_pay")
    # The reminders' other buttons are still its own.
    for data in ("rp:42:7", "rl:42:7", "rq:42:7"):
        assert answering(FEATURES, pressed(data))[0] is reminders, data


async def test_pressing_i_cant_pay_on_a_reminder_notes_it_and_starts_the_questions(
    app_with_jobs: Any,
    state: EmulatorState,
    en_user: SimUser,
    given_debt: Any,
    make_uow: MakeUow,
    clock: Clock,
) -> None:
    given_debt(en_user)
    clock.advance(THREE_DAYS_BEFORE)
    _, sent = await jobs.run_now(app_with_jobs)
    assert sent.sent == 1
    reminder = await en_user.next_message()
    data = next(
        b["callback_data"]
        for row in reminder.raw["reply_markup"]["inline_keyboard"]
        for b in row
        if b["text"] == "I can't pay"
    )
    assert data.startswith(f"rc:{en_user.id}:")
    en_user.press_button(reminder, data=data)
    reply = (await en_user.next_message()).text or ""
    assert reply.split("\n") == [
        (
            "Noted: you can't pay 金条 due Dec 15, 2026. That happens, and there is still "
            "something you can do."
        ),
        "",
        (
            "If the payment is missed, penalty interest (罚息) runs on the overdue amount from "
            "the due date, and the lender may report it to the credit reference centre (征信). "
            "Such a record stays for five years after it is paid off. The lender must tell "
            "you before reporting it."
        ),
        "",
        (
            "What helps most is talking to 金条 before the due date. Contact its customer "
            "service (in the app or by phone), explain what changed, say how much you can pay"
            " and when, and ask for a short extension or smaller installments. Ask for any "
            "agreement in writing."
        ),
        "",
        (
            "/hardship prepares options and a negotiation pack for your lender. /budget shows"
            " what you can afford each month."
        ),
        (
            "Asking is free, also through the 12378 banking consumer hotline. Never pay a "
            "“negotiation agent” to do it for you: many are scams, and they can't get "
            "anything you can't ask for yourself."
        ),
        "",
        # hardship's questions follow: the reachable handler starts them
        (
            "Let's work out what you can still pay and what to ask your lender for. A few "
            "questions, amounts in CNY; /cancel stops at any step and saves nothing."
        ),
        "",
        "What changed?",
    ]
    with make_uow() as uow:
        reports = uow.session.exec(select(HardshipReport)).all()
        assert [(r.kind, r.source, r.text, r.currency) for r in reports] == [
            (HardshipKind.OTHER, ReportSource.REMINDER, None, "CNY")
        ]

    forge_press(state, en_user, reminder.raw, data)  # a second tap the same day
    await en_user.next_message()
    with make_uow() as uow:
        assert len(uow.session.exec(select(HardshipReport)).all()) == 1
