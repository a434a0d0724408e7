"""Size limits, keyboard validation, flood control and injected faults, seen through PTB."""

from __future__ import annotations

import time

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter

from bot.localapi import EmulatorState, SimUser
from bot.localapi.ptb import in_process_bot
from jobs.pacing import retry_seconds
from tests.localapi.helpers import last_error

# PTB 22 itself warns when it builds RetryAfter from an int; nothing to fix on our side.
pytestmark = pytest.mark.filterwarnings(
    "ignore:.*retry_after.*:telegram.warnings.PTBDeprecationWarning"
)


def _keyboard(*data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(f"b{i}", callback_data=d)] for i, d in enumerate(data)]
    )


@pytest.mark.parametrize("char", ["x", "测", "😀"])
async def test_text_limit_is_4096_characters(
    bot: Bot, user: SimUser, state: EmulatorState, char: str
) -> None:
    message = await bot.send_message(user.chat_id, char * 4096)
    assert message.text == char * 4096
    with pytest.raises(BadRequest, match=r"^Message is too long$"):
        await bot.send_message(user.chat_id, char * 4097)
    assert last_error(state) == "Bad Request: message is too long"


async def test_limit_applies_after_entity_parsing(bot: Bot, user: SimUser) -> None:
    markup = "<b>" + "y" * 4096 + "</b>"  # 4103 characters of source, 4096 of text
    message = await bot.send_message(user.chat_id, markup, parse_mode="HTML")
    assert message.text == "y" * 4096


async def test_empty_text(bot: Bot, user: SimUser, state: EmulatorState) -> None:
    with pytest.raises(BadRequest, match=r"^Message text is empty$"):
        await bot.send_message(user.chat_id, "   \n ")
    assert last_error(state) == "Bad Request: message text is empty"


async def test_caption_limit(bot: Bot, user: SimUser, state: EmulatorState) -> None:
    await bot.send_document(user.chat_id, b"x", filename="a.txt", caption="c" * 1024)
    with pytest.raises(BadRequest, match=r"^Message caption is too long$"):
        await bot.send_document(user.chat_id, b"x", filename="a.txt", caption="c" * 1025)
    assert last_error(state) == "Bad Request: message caption is too long"


@pytest.mark.parametrize(
    ("data", "ok"),
    [("a" * 64, True), ("a" * 65, False), ("还" * 21, True), ("还" * 22, False)],
)
async def test_callback_data_is_1_to_64_bytes(
    bot: Bot, user: SimUser, state: EmulatorState, data: str, ok: bool
) -> None:
    if ok:
        message = await bot.send_message(user.chat_id, "pick", reply_markup=_keyboard(data))
        assert message.reply_markup is not None
        assert message.reply_markup.inline_keyboard[0][0].callback_data == data
        return
    with pytest.raises(BadRequest, match=r"^Button_data_invalid$"):
        await bot.send_message(user.chat_id, "pick", reply_markup=_keyboard(data))
    assert last_error(state) == "Bad Request: BUTTON_DATA_INVALID"


async def test_keyboard_validation(bot: Bot, user: SimUser, state: EmulatorState) -> None:
    no_action = InlineKeyboardMarkup([[InlineKeyboardButton("plain")]])
    with pytest.raises(BadRequest):
        await bot.send_message(user.chat_id, "x", reply_markup=no_action)
    assert last_error(state) == (
        "Bad Request: can't parse inline keyboard button: "
        "Text buttons are unallowed in the inline keyboard"
    )
    wide = InlineKeyboardMarkup(
        [[InlineKeyboardButton(str(i), callback_data=str(i)) for i in range(9)]]
    )
    with pytest.raises(BadRequest, match=r"^Reply markup is too long$"):
        await bot.send_message(user.chat_id, "x", reply_markup=wide)
    url = InlineKeyboardMarkup([[InlineKeyboardButton("site", url="https://example.com")]])
    assert (await bot.send_message(user.chat_id, "x", reply_markup=url)).reply_markup is not None


async def test_flood_control_disabled_allows_bursts(bot: Bot, user: SimUser) -> None:
    for i in range(40):
        await bot.send_message(user.chat_id, f"m{i}")
    assert len(user.bot_messages()) == 40


async def test_flood_control_per_chat(bot: Bot, user: SimUser, state: EmulatorState) -> None:
    state.flood.configure(enabled=True, per_chat_rate=1.0, per_chat_burst=3)
    for i in range(3):  # a small burst is fine, as on Telegram
        await bot.send_message(user.chat_id, f"m{i}")
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(user.chat_id, "one too many")
    assert retry_seconds(caught.value) == 1
    assert last_error(state) == "Too Many Requests: retry after 1"
    other = state.create_user("Bob")
    await bot.send_message(other.chat_id, "other chats are unaffected")


async def test_flood_control_global_and_refill(user: SimUser, state: EmulatorState) -> None:
    fake_monotonic = [1000.0]
    state.monotonic = lambda: fake_monotonic[0]
    state.flood.configure(enabled=True, global_rate=30.0, global_burst=30, per_chat_burst=100)
    users = [state.create_user(f"u{i}") for i in range(31)]
    async with in_process_bot(state) as bot:
        for other in users[:30]:
            await bot.send_message(other.chat_id, "broadcast")
        with pytest.raises(RetryAfter):
            await bot.send_message(users[30].chat_id, "broadcast")
        fake_monotonic[0] += 0.1  # 30/s refills 3 tokens in 100 ms
        await bot.send_message(users[30].chat_id, "broadcast")


async def test_paid_broadcast_lifts_the_overall_limit_but_not_the_per_chat_one(
    user: SimUser, state: EmulatorState
) -> None:
    fake_monotonic = [1000.0]
    state.monotonic = lambda: fake_monotonic[0]
    state.flood.configure(
        enabled=True, global_rate=30.0, global_burst=30, paid_rate=1000.0, paid_burst=100
    )
    users = [state.create_user(f"u{i}") for i in range(131)]
    async with in_process_bot(state) as bot:
        # 100 paid at once (the paid burst) while the free bucket stays full: 30 free as well.
        for other in users[:100]:
            await bot.send_message(other.chat_id, "due today", allow_paid_broadcast=True)
        with pytest.raises(RetryAfter):
            await bot.send_message(users[100].chat_id, "due today", allow_paid_broadcast=True)
        for other in users[100:130]:
            await bot.send_message(other.chat_id, "in 3 days")
        with pytest.raises(RetryAfter):
            await bot.send_message(users[130].chat_id, "in 3 days")
        fake_monotonic[0] += 0.01  # 1000/s refills 10 paid tokens in 10 ms, 0.3 free ones
        await bot.send_message(users[130].chat_id, "due today", allow_paid_broadcast=True)
        with pytest.raises(RetryAfter):
            await bot.send_message(users[0].chat_id, "in 3 days")
        # The per-chat limit holds for paid sends too (5 at once by default).
        for i in range(4):
            await bot.send_message(users[1].chat_id, f"paid {i}", allow_paid_broadcast=True)
        with pytest.raises(RetryAfter):
            await bot.send_message(users[1].chat_id, "sixth", allow_paid_broadcast=True)
    assert state.flood.paid_sent == 100 + 1 + 4


async def test_blocked_chat_is_forbidden(bot: Bot, user: SimUser, state: EmulatorState) -> None:
    user.block_bot()
    with pytest.raises(Forbidden, match=r"^Forbidden: bot was blocked by the user$"):
        await bot.send_message(user.chat_id, "hello?")
    with pytest.raises(Forbidden):
        await bot.send_chat_action(user.chat_id, "typing")
    (update,) = await bot.get_updates(allowed_updates=["message", "my_chat_member"])
    assert update.my_chat_member is not None
    assert update.my_chat_member.new_chat_member.status == "kicked"
    user.send_text("/start")  # writing again unblocks, like pressing Restart
    await bot.send_message(user.chat_id, "welcome back")


async def test_user_who_never_started_the_bot(bot: Bot, state: EmulatorState) -> None:
    stranger = state.create_user("Eve", started=False)
    with pytest.raises(Forbidden, match=r"bot can't initiate conversation with a user"):
        await bot.send_message(stranger.chat_id, "hi")


async def test_unknown_chat(bot: Bot, state: EmulatorState) -> None:
    with pytest.raises(BadRequest, match=r"^Chat not found$"):
        await bot.send_message(424242, "hi")
    assert last_error(state) == "Bad Request: chat not found"


async def test_injected_5xx_is_network_error(bot: Bot, user: SimUser, state: EmulatorState) -> None:
    state.faults.fail_next("sendMessage", times=2)
    for _ in range(2):
        with pytest.raises(NetworkError, match=r"Bad Gateway") as caught:
            await bot.send_message(user.chat_id, "x")
        assert not isinstance(caught.value, BadRequest)
    await bot.send_message(user.chat_id, "third time lucky")
    assert [m.text for m in user.bot_messages()] == ["third time lucky"]


async def test_failure_after_effect_delivers_but_errors(
    bot: Bot, user: SimUser, state: EmulatorState
) -> None:
    state.faults.fail_next("sendMessage", status=500, after_effect=True)
    with pytest.raises(NetworkError, match=r"Internal Server Error"):
        await bot.send_message(user.chat_id, "did it arrive?")
    assert [m.text for m in user.bot_messages()] == ["did it arrive?"]


async def test_injected_retry_after(bot: Bot, user: SimUser, state: EmulatorState) -> None:
    state.faults.fail_next("*", status=429, retry_after=3)
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(user.chat_id, "x")
    assert retry_seconds(caught.value) == 3
    assert last_error(state) == "Too Many Requests: retry after 3"


async def test_injected_latency(bot: Bot, user: SimUser, state: EmulatorState) -> None:
    state.faults.set_latency("sendChatAction", 0.2)
    started = time.monotonic()
    await bot.send_chat_action(user.chat_id, "typing")
    assert time.monotonic() - started >= 0.2
    state.faults.set_latency("sendChatAction", 0)
    assert state.events[-1].data["action"] == "typing"
