"""An unexpected error: logged with its update id first, a short apology, nothing half-saved."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import pytest

import bot.features.payments as payments_feature
from bot.localapi import SimUser
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
