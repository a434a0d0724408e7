"""An unexpected error: logged with its update id first, a short apology, nothing half-saved."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import pytest

import bot.features.payments as payments_feature
from bot.localapi import EmulatorState, SimUser
from bot.runtime import REPLY_RETRY_PAUSES
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
    real = payments_feature.record_payment

    def record_then_fail(*args: Any, **kwargs: Any) -> Any:
        real(*args, **kwargs)  # the payment row is written (flushed), not yet committed
        raise RuntimeError("a bug between the write and the commit")

    monkeypatch.setattr(payments_feature, "record_payment", record_then_fail)
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

    monkeypatch.setattr(payments_feature, "record_payment", broken)
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
