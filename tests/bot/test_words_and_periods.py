"""Issue 8 outside /adddebt: /plan refuses a rate without its period, and payments typed in
Chinese numerals (还了一千二, /paid 3千5) are read."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.formatting import listing
from bot.localapi import SimUser
from bot.localapi.models import ChatMessage
from tracker.storage.uow import SqlUnitOfWork


async def say(user: SimUser, text: str) -> ChatMessage:
    """Send text; the bot's reply."""
    user.send_text(text)
    return await user.next_message()


async def press(user: SimUser, message: ChatMessage, label: str) -> ChatMessage:
    """Press a button by its label; the bot's reply."""
    user.press_button(message, text=label)
    return await user.next_message()


def paid_minor(make_uow: Callable[[], SqlUnitOfWork], sim: SimUser, debt_id: int) -> list[int]:
    with make_uow() as uow:
        user = uow.users.get_by_telegram_id(sim.id)
        assert user is not None
        assert user.id is not None
        return [p.amount_minor for p in uow.payments.list_for_debt(user.id, debt_id)]


async def test_plan_refuses_a_bare_small_percentage_with_an_example(
    app: Any, en_user: SimUser, zh_user: SimUser, given_debt: Any
) -> None:
    given_debt(en_user)
    how = await say(en_user, "/plan")
    await press(en_user, how, "New rate and months")
    await say(en_user, "12000")
    refused = await say(en_user, "1.5%")  # once read as 1.5 % a year
    assert "Per day, per month or per year? Please add the period." in refused.text
    assert "1.5%/month" in refused.text  # the example
    months = await say(en_user, "1.5%/month")
    assert "months" in months.text

    given_debt(zh_user)
    how = await say(zh_user, "/plan")
    await press(zh_user, how, "新的利率和期数")
    await say(zh_user, "一万二")  # 12000 in words
    refused = await say(zh_user, "0.05%")
    assert "是按日、按月还是按年？请写明周期。" in refused.text
    assert "例如" in refused.text
    assert "Per day" not in refused.text


async def test_free_text_and_paid_read_chinese_numerals(
    app: Any, zh_user: SimUser, given_debt: Any, make_uow: Callable[[], SqlUnitOfWork]
) -> None:
    debt_id = given_debt(zh_user)
    zh_user.send_text("还了一千二")
    assert "¥1,200.00" in (await zh_user.next_message()).text
    zh_user.send_text("/paid 3千5 金条")
    assert "¥3,500.00" in (await zh_user.next_message()).text
    assert sorted(paid_minor(make_uow, zh_user, debt_id)) == [120_000, 350_000]


def test_a_list_is_written_the_way_each_language_writes_it() -> None:
    assert listing(["金条", "白条", "信用卡"], "zh") == "金条、白条、信用卡"
    assert listing(["Loan", "Card"], "en") == "Loan, Card"
    assert listing([], "en") == ""
