"""Editing, deleting, callback answers, commands and the transcript the user sees."""

from __future__ import annotations

import pytest
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    MenuButtonCommands,
    ReplyKeyboardMarkup,
)
from telegram.error import BadRequest

from bot.localapi import EmulatorError, EmulatorState, FakeClock, SimUser
from bot.localapi.errors import NOT_MODIFIED, QUERY_TOO_OLD
from tests.localapi.helpers import last_error, ptb_message

KEYBOARD = InlineKeyboardMarkup(
    [
        [
            InlineKeyboardButton("Pay", callback_data="pay:1"),
            InlineKeyboardButton("Later", callback_data="later"),
        ],
        [InlineKeyboardButton("Docs", url="https://example.com/help")],
    ]
)


async def test_edit_text_and_markup(bot: Bot, user: SimUser, clock: FakeClock) -> None:
    sent = await bot.send_message(user.chat_id, "Plan v1", reply_markup=KEYBOARD)
    clock.advance(5)
    edited = await bot.edit_message_text(
        "<b>Plan v2</b>", user.chat_id, sent.message_id, parse_mode="HTML", reply_markup=KEYBOARD
    )
    assert isinstance(edited, type(sent))
    assert edited.edit_date is not None
    view = user.message(sent.message_id)
    assert (view.text, view.edit_count, view.button_texts) == (
        "Plan v2",
        1,
        [["Pay", "Later"], ["Docs"]],
    )
    assert view.entities == [{"type": "bold", "offset": 0, "length": 7}]
    # Without reply_markup an edit drops the keyboard, as on Telegram.
    await bot.edit_message_text("Plan v3", user.chat_id, sent.message_id)
    assert user.message(sent.message_id).buttons == []


async def test_edit_not_modified(bot: Bot, user: SimUser, state: EmulatorState) -> None:
    sent = await bot.send_message(user.chat_id, "Same", reply_markup=KEYBOARD)
    with pytest.raises(BadRequest) as caught:
        await bot.edit_message_text("Same", user.chat_id, sent.message_id, reply_markup=KEYBOARD)
    assert last_error(state) == f"Bad Request: {NOT_MODIFIED}"
    assert caught.value.message == ptb_message(f"Bad Request: {NOT_MODIFIED}")
    with pytest.raises(BadRequest, match=r"^Message is not modified"):
        await bot.edit_message_reply_markup(user.chat_id, sent.message_id, reply_markup=KEYBOARD)
    await bot.edit_message_reply_markup(user.chat_id, sent.message_id)  # removing it is a change
    assert user.message(sent.message_id).reply_markup is None


async def test_edit_errors(bot: Bot, user: SimUser, state: EmulatorState) -> None:
    with pytest.raises(BadRequest, match=r"^Message to edit not found$"):
        await bot.edit_message_text("x", user.chat_id, 999)
    incoming = user.send_text("mine")["message"]["message_id"]
    with pytest.raises(BadRequest, match=r"^Message can't be edited$"):
        await bot.edit_message_text("x", user.chat_id, incoming)
    document = await bot.send_document(user.chat_id, b"1", filename="a.txt")
    with pytest.raises(BadRequest, match=r"^There is no text in the message to edit$"):
        await bot.edit_message_text("x", user.chat_id, document.message_id)
    await bot.edit_message_caption(user.chat_id, document.message_id, caption="now captioned")
    assert user.message(document.message_id).caption == "now captioned"


async def test_delete_and_transcript(bot: Bot, user: SimUser) -> None:
    user.send_text("hi")
    first = await bot.send_message(user.chat_id, "first")
    await bot.send_message(user.chat_id, "second")
    assert await bot.delete_message(user.chat_id, first.message_id)
    with pytest.raises(BadRequest, match=r"^Message to delete not found$"):
        await bot.delete_message(user.chat_id, first.message_id)
    with pytest.raises(BadRequest, match=r"^Message to edit not found$"):
        await bot.edit_message_text("x", user.chat_id, first.message_id)
    transcript = user.transcript()
    assert [(m.from_bot, m.text, m.deleted) for m in transcript] == [
        (False, "hi", False),
        (True, "first", True),
        (True, "second", False),
    ]
    assert [m.text for m in user.bot_messages()] == ["second"]


async def test_press_button_and_answer(bot: Bot, user: SimUser, state: EmulatorState) -> None:
    sent = await bot.send_message(user.chat_id, "Pay now?", reply_markup=KEYBOARD)
    with pytest.raises(EmulatorError):
        user.press_button(sent, data="nope")
    press = user.press_button(sent, text="Pay")
    (update,) = await bot.get_updates()
    query = update.callback_query
    assert query is not None
    assert query.message is not None
    assert (query.data, query.from_user.id, query.message.message_id) == (
        "pay:1",
        user.id,
        sent.message_id,
    )
    assert await query.answer("Paid!", show_alert=True)
    answer = await user.wait_for_answer(press, timeout=1)
    assert (answer["text"], answer["show_alert"]) == ("Paid!", True)
    with pytest.raises(BadRequest):
        await query.answer()  # a second answer is refused
    assert last_error(state) == f"Bad Request: {QUERY_TOO_OLD}"


async def test_answer_too_late(
    bot: Bot, user: SimUser, state: EmulatorState, clock: FakeClock
) -> None:
    sent = await bot.send_message(user.chat_id, "?", reply_markup=KEYBOARD)
    press = user.press_button(sent, data="later")
    clock.advance(state.callback_timeout + 1)
    with pytest.raises(BadRequest, match=r"^Query is too old"):
        await bot.answer_callback_query(press["callback_query"]["id"])


async def test_wait_for_messages_and_edits(bot: Bot, user: SimUser) -> None:
    sent = await bot.send_message(user.chat_id, "one")
    await bot.send_message(user.chat_id, "two")
    assert [m.text for m in await user.next_messages(2, timeout=1)] == ["one", "two"]
    with pytest.raises(TimeoutError):
        await user.next_message(timeout=0.05)
    await bot.edit_message_text("one!", user.chat_id, sent.message_id)
    assert (await user.wait_for_edit(sent.message_id, timeout=1, after=0)).text == "one!"


async def test_reply_keyboard_and_reply_to(bot: Bot, user: SimUser) -> None:
    incoming = user.send_text("question")["message"]["message_id"]
    reply = await bot.send_message(
        user.chat_id,
        "answer",
        reply_to_message_id=incoming,
        reply_markup=ReplyKeyboardMarkup([["Yes", "No"]]),
    )
    assert reply.reply_to_message is not None
    assert reply.reply_to_message.text == "question"
    assert reply.reply_markup is None  # reply keyboards are not echoed back
    assert user.reply_keyboard is not None
    # The phone keeps the keyboard as the Bot API sent it: KeyboardButton objects.
    assert user.reply_keyboard["keyboard"] == [[{"text": "Yes"}, {"text": "No"}]]
    with pytest.raises(BadRequest, match=r"^Message to be replied not found$"):
        await bot.send_message(user.chat_id, "x", reply_to_message_id=9999)


async def test_commands_by_scope_and_language(bot: Bot, user: SimUser) -> None:
    await bot.set_my_commands([BotCommand("start", "Start"), BotCommand("plan", "Your plan")])
    await bot.set_my_commands([BotCommand("start", "开始")], language_code="zh")
    await bot.set_my_commands([BotCommand("help", "Help")], scope=BotCommandScopeChat(user.chat_id))
    assert [c.command for c in await bot.get_my_commands()] == ["start", "plan"]
    assert [c.description for c in await bot.get_my_commands(language_code="zh")] == ["开始"]
    assert [
        c.command for c in await bot.get_my_commands(scope=BotCommandScopeChat(user.chat_id))
    ] == ["help"]
    assert await bot.get_my_commands(scope=BotCommandScopeAllPrivateChats()) == ()
    assert await bot.delete_my_commands(language_code="zh")
    assert await bot.get_my_commands(language_code="zh") == ()
    with pytest.raises(BadRequest, match=r"^Bot_command_invalid$"):
        await bot.set_my_commands([BotCommand("Bad-Command", "x")])


async def test_menu_button_and_chat_action(bot: Bot, user: SimUser, state: EmulatorState) -> None:
    assert await bot.set_chat_menu_button(user.chat_id, MenuButtonCommands())
    assert isinstance(await bot.get_chat_menu_button(user.chat_id), MenuButtonCommands)
    assert await bot.send_chat_action(user.chat_id, "upload_document")
    assert state.events[-1].kind == "chat_action"
