"""Issue 11, "buttons answered exactly once": a stale, malformed or forged button press gets one
answer from the bot, the user always sees why nothing happened, and nothing fails."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Any

import pytest

from bot.answers import ACK_AFTER
from bot.app import configure
from bot.fetcher import polling
from bot.localapi import EmulatorState, LocalBotApiServer, SimUser
from bot.localapi.ptb import http_builder
from tests.bot.helpers import forge_press

#: Actions of the main flows with arguments no button of the bot ever carries.
FORGED = (
    "hsno:{uid}:abc",
    "hstx:{uid}:abc",
    "plan_prop:{uid}:abc",
    "hsdt:{uid}:x:y:z:w",
    "hsm:{uid}:abc",
    "pay:{uid}:abc",
    "payundo:{uid}:abc",
    "dschp:{uid}:abc",
    "ddely:{uid}:abc",
    "dedit:{uid}:abc",
    "ppo:{uid}:abc",
    "cdok:{uid}:abc",
    "nosuchaction:{uid}",
)
STALE = {
    "en": "This button no longer works. /help shows what you can do.",
    "zh": "这个按钮已失效。/help 可查看所有功能。",
}


@pytest.mark.parametrize("language", ["en", "zh"])
@pytest.mark.parametrize("pattern", FORGED)
async def test_a_forged_button_is_answered_once_and_says_it_no_longer_works(
    app: Any,
    state: EmulatorState,
    given_debt: Any,
    caplog: pytest.LogCaptureFixture,
    language: str,
    pattern: str,
) -> None:
    user: SimUser = state.create_user("Lin", language_code=language)
    given_debt(user)
    user.send_text("/status")
    message = await user.next_message()
    with caplog.at_level(logging.WARNING):
        update = forge_press(state, user, message.raw, pattern.format(uid=user.id))
        answer = await user.wait_for_answer(update["callback_query"]["id"])
        said = answer.get("text") or ""
        if STALE[language] not in said:  # answered quietly first: then it is said in the chat
            said = (await user.next_message()).text or ""
    # The stale-button words, or what the feature says about that button (e.g. "already
    # deleted"): never silence.
    assert said.strip(), pattern
    if pattern.startswith("nosuchaction"):
        assert STALE[language] in said
    problems = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert not problems, [r.getMessage() for r in problems]


async def test_a_press_waiting_behind_a_slow_update_is_answered_within_a_second_once(
    app: Any, state: EmulatorState, en_user: SimUser, given_debt: Any
) -> None:
    given_debt(en_user)
    en_user.send_text("/status")
    with_buttons = await en_user.next_message()
    data = with_buttons.raw["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    state.faults.set_latency("sendMessage", 2.5)  # Telegram is slow to take the next reply
    en_user.send_text("/status")
    await asyncio.sleep(0.3)  # the bot is now waiting on that reply, in this user's turn
    update = forge_press(state, en_user, with_buttons.raw, data)
    answer = await en_user.wait_for_answer(update, timeout=ACK_AFTER + 0.8)
    assert answer is not None  # the spinner stopped long before the press's turn came
    state.faults.set_latency("sendMessage", 0)
    await en_user.next_messages(2, timeout=10)  # the slow reply, then the press's own
    await asyncio.sleep(0.2)
    refused = [
        c for c in state.api_calls if c["method"].lower() == "answercallbackquery" and "error" in c
    ]
    assert refused == []  # the handler did not answer the press a second time


async def test_a_press_is_answered_while_the_event_loop_is_busy(
    state: EmulatorState, deps: Any, given_debt: Any
) -> None:
    """Over the network the watchdog has a thread of its own: a loop kept busy (a slow chart, a
    storm of updates) does not hold back the answer to a waiting press."""
    user = state.create_user("Busy", language_code="en")
    given_debt(user)
    with LocalBotApiServer(state) as server:  # a thread of its own: it answers while we block
        application = configure(http_builder(server), deps, with_jobs=False)
        async with application:
            assert application.post_init is not None
            await application.post_init(application)
            await application.start()
            polls = contextlib.AsyncExitStack()  # as `repaybot run` polls: bot.fetcher
            await polls.enter_async_context(polling(application, deps, poll_timeout=1))
            try:
                user.send_text("/status")
                with_buttons = await user.next_message()
                data = with_buttons.raw["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
                state.faults.set_latency("sendMessage", 3.0)  # the press waits behind this reply
                user.send_text("/status")
                await asyncio.sleep(0.3)  # the bot now waits on that reply, in the user's turn
                update = forge_press(state, user, with_buttons.raw, data)
                record = state.callback_queries[update["callback_query"]["id"]]
                while record.delivered_at is None:  # the bot has fetched the press
                    await asyncio.sleep(0.01)
                await asyncio.sleep(0.05)  # and queued it (the watchdog's clock started)
                time.sleep(ACK_AFTER + 1.0)  # the event loop does nothing else meanwhile
                assert record.answered_at is not None
                assert record.answered_at - record.delivered_at < ACK_AFTER + 0.9
                state.faults.set_latency("sendMessage", 0)
                await user.next_messages(2, timeout=10)  # the slow reply, then the press's own
                await asyncio.sleep(0.2)
            finally:
                await polls.aclose()
                await application.stop()
                assert application.post_stop is not None
                await application.post_stop(application)
    answers = [c for c in state.api_calls if c["method"].lower() == "answercallbackquery"]
    assert [("error" in c) for c in answers] == [False]  # answered once, by the watchdog
