"""An unexpected error: logged with its update id first, a short apology, nothing half-saved."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

import bot.features.payments as payments_feature
import jobs
from bot.clock import Clock
from bot.localapi import EmulatorState, SimUser
from bot.runtime import REPLY_GRACE, REPLY_RETRY_PAUSES, Turn
from tracker.storage.uow import SqlUnitOfWork


async def test_a_bug_after_a_write_saves_nothing_and_apologises(
    app: Any,
    en_user: SimUser,
    given_debt: Callable[..., int],
    make_uow: Callable[[], SqlUnitOfWork],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    debt_id = given_debt(en_user)
    real = payments_feature.store_payment

    def store_then_fail(*args: Any, **kwargs: Any) -> Any:
        real(*args, **kwargs)  # the payment row is written (flushed), not yet committed
        raise RuntimeError("a bug between the write and the commit")

    monkeypatch.setattr(payments_feature, "store_payment", store_then_fail)
    update = en_user.send_text("/paid 500")
    with caplog.at_level(logging.ERROR):
        reply = await en_user.next_message()
    assert reply.text.startswith("Sorry")
    assert "nothing was saved" in reply.text
    failures = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert failures
    assert str(update["update_id"]) in failures[0].getMessage()
    assert failures[0].exc_info is not None
    with make_uow() as uow:
        user = uow.users.get_by_telegram_id(en_user.id)
        assert user is not None
        assert user.id is not None
        assert uow.payments.list_for_debt(user.id, debt_id, include_undone=True) == []


async def test_the_apology_is_in_chinese_for_a_chinese_user(
    app: Any,
    zh_user: SimUser,
    given_debt: Callable[..., int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    given_debt(zh_user)

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(payments_feature, "store_payment", broken)
    zh_user.send_text("还了500")
    reply = await zh_user.next_message()
    assert "抱歉" in reply.text


async def test_a_reply_that_fails_once_is_sent_again(
    app: Any,
    en_user: SimUser,
    state: EmulatorState,
    given_debt: Callable[..., int],
) -> None:
    given_debt(en_user)
    state.faults.fail_next("sendMessage", 1, status=502)
    en_user.send_text("/paid 101")
    reply = await en_user.next_message(timeout=10)
    assert "✅" in reply.text
    assert "101.00" in reply.text


@pytest.mark.parametrize(
    ("language", "saved"),
    [("en", "your change <b>was saved</b>"), ("zh", "你的操作<b>已经保存</b>")],
)
async def test_when_the_confirmation_cannot_be_sent_the_apology_says_it_was_saved(
    app: Any,
    state: EmulatorState,
    given_debt: Callable[..., int],
    make_uow: Callable[[], SqlUnitOfWork],
    language: str,
    saved: str,
) -> None:
    user = state.create_user("Lin", language_code=language)
    debt_id = given_debt(user)
    # Every try of the confirmation fails (Telegram's 502s); then Telegram answers again.
    state.faults.fail_next("sendMessage", 1 + len(REPLY_RETRY_PAUSES), status=502)
    user.send_text("/paid 101")
    apology = await user.next_message(timeout=15)
    assert saved.replace("<b>", "").replace("</b>", "") in apology.text
    assert "nothing was saved" not in apology.text
    with make_uow() as uow:
        stored = uow.users.get_by_telegram_id(user.id)
        assert stored is not None
        assert stored.id is not None
        [payment] = uow.payments.list_for_debt(stored.id, debt_id, include_undone=True)
        assert payment.amount_minor == 10100


@pytest.mark.parametrize(("language", "recorded"), [("en", "✅ Recorded"), ("zh", "✅ 已记下")])
async def test_a_payment_whose_reply_never_left_is_acknowledged_by_the_outbox(
    app_with_jobs: Any,
    state: EmulatorState,
    given_debt: Callable[..., int],
    clock: Clock,
    monkeypatch: pytest.MonkeyPatch,
    language: str,
    recorded: str,
) -> None:
    """The process dies after the payment's commit, before its reply goes out (simulated: the
    reply never leaves); the reply was committed with the payment, so the sender delivers it."""
    user = state.create_user("Lin", language_code=language)
    given_debt(user)

    async def dies_before_sending(self: Turn, text: str, keyboard: Any = None) -> Any:
        raise asyncio.CancelledError  # as good as a kill, from this update's point of view

    monkeypatch.setattr(Turn, "reply", dies_before_sending)
    user.send_text("/paid 101")
    await asyncio.sleep(0.5)
    assert user.bot_messages() == []  # nothing reached the user
    monkeypatch.undo()
    clock.advance(REPLY_GRACE + timedelta(seconds=1))
    await jobs.run_now(app_with_jobs)
    [reply] = user.bot_messages()
    assert recorded in (reply.text or "")
    assert "101.00" in (reply.text or "")
    await jobs.run_now(app_with_jobs)
    assert len(user.bot_messages()) == 1  # and only once
