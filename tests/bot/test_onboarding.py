"""Onboarding and settings, in both languages, through the real Application and local Bot API."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.localapi import EmulatorState, SimUser
from tests.bot.helpers import forge_press
from tracker.storage.enums import Language
from tracker.storage.uow import SqlUnitOfWork


async def test_start_in_chinese_creates_the_user(
    app: Any, zh_user: SimUser, make_uow: Callable[[], SqlUnitOfWork]
) -> None:
    zh_user.send_text("/start")
    reply = await zh_user.next_message()
    assert "小明" in reply.text
    assert "/adddebt" in reply.text
    assert "还款" in reply.text
    with make_uow() as uow:
        user = uow.users.get_by_telegram_id(zh_user.id)
        assert user is not None
        assert (user.language, user.timezone, user.currency) == (
            Language.ZH,
            "Asia/Shanghai",
            "CNY",
        )


async def test_start_in_english(app: Any, en_user: SimUser) -> None:
    en_user.send_text("/start")
    reply = await en_user.next_message()
    assert reply.text.startswith("Hello Alice!")
    assert "/adddebt" in reply.text


async def test_language_button_switches_to_english(app: Any, zh_user: SimUser) -> None:
    zh_user.send_text("/language")
    menu = await zh_user.next_message()
    zh_user.press_button(menu, text="English")
    done = await zh_user.next_message()
    assert "English" in done.text
    zh_user.send_text("/help")
    assert "/adddebt" in (await zh_user.next_message()).text


async def test_timezone_by_name_and_bad_timezone_gets_an_example(
    app: Any, en_user: SimUser, make_uow: Callable[[], SqlUnitOfWork]
) -> None:
    en_user.send_text("/timezone europe/london")
    assert "Europe/London" in (await en_user.next_message()).text
    en_user.send_text("/timezone Mars/Base")
    reply = await en_user.next_message()
    assert "Mars/Base" in reply.text
    assert "/timezone Asia/Shanghai" in reply.text
    with make_uow() as uow:
        user = uow.users.get_by_telegram_id(en_user.id)
        assert user is not None
        assert user.timezone == "Europe/London"


async def test_someone_elses_button_changes_nothing(
    app: Any,
    state: EmulatorState,
    zh_user: SimUser,
    en_user: SimUser,
    make_uow: Callable[[], SqlUnitOfWork],
) -> None:
    zh_user.send_text("/currency")
    menu = await zh_user.next_message()
    usd = next(d for d in menu.callback_data if d.endswith(":USD"))
    # Alice forges a press of Xiaoming's button: the data names Xiaoming as its owner.
    update = forge_press(state, en_user, menu.raw, usd)
    await en_user.wait_for_answer(update)
    with make_uow() as uow:
        currencies = {
            sim.id: getattr(uow.users.get_by_telegram_id(sim.id), "currency", None)
            for sim in (zh_user, en_user)
        }
    # Both are stored (the press made Alice a user) and both keep the default yuan.
    assert currencies == {zh_user.id: "CNY", en_user.id: "CNY"}


async def test_command_menu_is_published_in_both_languages(app: Any, state: EmulatorState) -> None:
    menus = {language: commands for (_scope, language), commands in state.commands.items()}
    assert {"", "zh", "en"} <= set(menus)
    zh = {c["command"]: c["description"] for c in menus["zh"]}
    en = {c["command"]: c["description"] for c in menus["en"]}
    assert zh.keys() == en.keys()
    assert "start" in zh
    assert zh["help"] != en["help"]


async def test_given_debt_fixture_stores_a_debt_for_a_new_user(
    given_debt: Any, zh_user: SimUser, make_uow: Callable[[], SqlUnitOfWork]
) -> None:
    debt_id = given_debt(zh_user)
    with make_uow() as uow:
        user = uow.users.get_by_telegram_id(zh_user.id)
        assert user is not None
        assert user.id is not None
        assert user.language is Language.ZH
        assert uow.debts.require_for_user(user.id, debt_id).name == "金条"
