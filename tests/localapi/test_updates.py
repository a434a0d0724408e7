"""getUpdates: offset confirmation, long polling, redelivery, allowed_updates, conflicts."""

from __future__ import annotations

import asyncio
import time

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import Conflict

from bot.localapi import EmulatorState, SimUser


async def test_offset_confirms_and_forgets(bot: Bot, user: SimUser) -> None:
    ids = [user.send_text(f"m{i}")["update_id"] for i in range(3)]
    first = await bot.get_updates()
    assert [u.update_id for u in first] == ids
    again = await bot.get_updates()  # nothing confirmed yet: same batch
    assert [u.update_id for u in again] == ids
    rest = await bot.get_updates(offset=ids[1])  # forgets ids[0] only
    assert [u.update_id for u in rest] == ids[1:]
    assert [u.update_id for u in await bot.get_updates()] == ids[1:]
    assert await bot.get_updates(offset=ids[-1] + 1) == ()
    assert await bot.get_updates() == ()


async def test_limit_and_negative_offset(bot: Bot, user: SimUser) -> None:
    ids = [user.send_text(f"m{i}")["update_id"] for i in range(5)]
    assert [u.update_id for u in await bot.get_updates(limit=2)] == ids[:2]
    assert [u.update_id for u in await bot.get_updates(offset=-2)] == ids[3:]
    assert [u.update_id for u in await bot.get_updates()] == ids[3:]  # earlier ones forgotten


async def test_update_ids_increase_monotonically(
    bot: Bot, user: SimUser, state: EmulatorState
) -> None:
    other = state.create_user("Bob")
    ids = [user.send_text("a")["update_id"], other.send_text("b")["update_id"]]
    message = await bot.send_message(
        user.chat_id,
        "x",
        reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("ok", callback_data="ok")]]),
    )
    ids.append(user.press_button(message, data="ok")["update_id"])
    assert ids == sorted(ids)
    assert len(set(ids)) == 3


async def test_long_poll_wakes_when_user_writes(bot: Bot, user: SimUser) -> None:
    async def write_later() -> None:
        await asyncio.sleep(0.1)
        user.send_text("hello")

    started = time.monotonic()
    writer = asyncio.create_task(write_later())
    updates = await bot.get_updates(timeout=30)
    await writer
    # Woken by the message, not by the 30 s poll timeout (a behaviour, not a speed: the margin
    # is wide on purpose).
    assert time.monotonic() - started < 20
    assert updates[0].message is not None
    assert updates[0].message.text == "hello"


async def test_long_poll_times_out_empty(bot: Bot) -> None:
    started = time.monotonic()
    assert await bot.get_updates(timeout=0.3) == ()  # type: ignore[arg-type]
    assert time.monotonic() - started >= 0.3


async def test_message_update_is_valid_for_ptb(bot: Bot, user: SimUser, clock: object) -> None:
    user.send_text("/start@repaybot_local_bot deep-link")
    (update,) = await bot.get_updates()
    message = update.message
    assert message is not None
    assert message.from_user is not None
    assert message.from_user.id == user.id
    assert message.chat.type == "private"
    assert message.entities[0].type == "bot_command"
    assert message.entities[0].length == 25
    assert message.date.timestamp() == 1_700_000_000  # the fake clock


async def test_redelivery_keeps_update_id(bot: Bot, user: SimUser, state: EmulatorState) -> None:
    sent = user.send_text("pay 100")
    (first,) = await bot.get_updates()
    assert await bot.get_updates(offset=first.update_id + 1) == ()  # confirmed
    state.redeliver(sent["update_id"])
    (again,) = await bot.get_updates(offset=first.update_id + 1)
    assert again.update_id == first.update_id
    assert again.message is not None
    assert again.message.text == "pay 100"
    assert await bot.get_updates(offset=first.update_id + 1) == ()  # gone once re-confirmed


async def test_allowed_updates_filters_new_updates(bot: Bot, user: SimUser) -> None:
    await bot.get_updates(allowed_updates=["callback_query"])
    user.send_text("ignored")
    assert await bot.get_updates() == ()
    await bot.get_updates(allowed_updates=[])  # [] restores the default set
    user.send_text("seen")
    (update,) = await bot.get_updates()
    assert update.message is not None
    assert update.message.text == "seen"


async def test_drop_pending_updates(bot: Bot, user: SimUser) -> None:
    user.send_text("old")
    info = await bot.get_webhook_info()
    assert info.url == ""
    assert info.pending_update_count == 1
    assert await bot.delete_webhook(drop_pending_updates=True)
    assert await bot.get_updates() == ()


async def test_concurrent_poll_conflicts(bot: Bot) -> None:
    first = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.05)
    second = asyncio.create_task(bot.get_updates(timeout=0.1))  # type: ignore[arg-type]
    with pytest.raises(Conflict, match=r"terminated by other getUpdates request"):
        await first
    assert await second == ()
