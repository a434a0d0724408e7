"""The bot's sends on aiohttp (``bot.http``) over real HTTP to the local Bot API: what arrives,
files included, and the errors python-telegram-bot's callers retry on or report."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Iterator

import pytest
from telegram import Bot
from telegram.error import BadRequest, NetworkError, TimedOut

from bot.http import AiohttpRequest
from bot.localapi import EmulatorState, LocalBotApiServer, SimUser
from bot.localapi.limits import FloodConfig
from bot.main import send_request
from bot.offloop import over_network

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def state() -> EmulatorState:
    return EmulatorState(flood=FloodConfig(enabled=False))


@pytest.fixture
def user(state: EmulatorState) -> SimUser:
    return state.create_user("ann", language_code="en")


@pytest.fixture
def server(state: EmulatorState) -> Iterator[LocalBotApiServer]:
    with LocalBotApiServer(state) as running:
        yield running


def bot_for(server: LocalBotApiServer, request: AiohttpRequest) -> Bot:
    return Bot(server.state.token, base_url=server.base_url, request=request)


@pytest.fixture
async def bot(server: LocalBotApiServer) -> AsyncIterator[Bot]:
    async with bot_for(server, AiohttpRequest(connection_pool_size=2, read_timeout=0.5)) as b:
        yield b


async def test_a_message_arrives_as_sent(bot: Bot, user: SimUser) -> None:
    sent = await bot.send_message(user.chat_id, "<b>还了</b> ¥500 & more", parse_mode="HTML")
    [arrived] = user.bot_messages()
    assert arrived.text == "还了 ¥500 & more"
    assert sent.message_id == arrived.message_id
    assert sent.text == "还了 ¥500 & more"


async def test_a_file_arrives_with_its_name_and_bytes(
    bot: Bot, user: SimUser, state: EmulatorState
) -> None:
    sent = await bot.send_document(user.chat_id, PDF, filename="协商方案.pdf", caption="pack")
    assert sent.document is not None
    assert sent.document.file_name == "协商方案.pdf"
    assert sent.caption == "pack"
    assert state.file_bytes(sent.document.file_id) == PDF


async def test_telegram_refusing_the_request_is_its_own_error(bot: Bot) -> None:
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(987654321, "nobody is here")


async def test_a_502_is_a_network_error(bot: Bot, user: SimUser, state: EmulatorState) -> None:
    state.faults.fail_next("sendMessage", 1, status=502)
    with pytest.raises(NetworkError, match="Bad Gateway"):
        await bot.send_message(user.chat_id, "first")
    await bot.send_message(user.chat_id, "second")  # the connection still serves
    assert [m.text for m in user.bot_messages()] == ["second"]


async def test_an_answer_later_than_the_read_timeout_is_timed_out(
    bot: Bot, user: SimUser, state: EmulatorState
) -> None:
    state.faults.set_latency("sendMessage", 1.5)  # the bot reads for 0.5 s
    with pytest.raises(TimedOut):
        await bot.send_message(user.chat_id, "slow")
    state.faults.set_latency("sendMessage", 0)
    # A per-call read timeout overrides the request's own.
    state.faults.set_latency("sendMessage", 0.7)
    await bot.send_message(user.chat_id, "patient", read_timeout=3)
    assert "patient" in [m.text for m in user.bot_messages()]


async def test_no_server_is_a_network_error(state: EmulatorState) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    bot = Bot(state.token, base_url=f"http://127.0.0.1:{port}/bot", request=AiohttpRequest())
    request = bot.request
    await request.initialize()
    try:
        with pytest.raises(NetworkError, match=r"aiohttp\.ClientConnectorError"):
            await bot.send_message(1, "hello")
    finally:
        await request.shutdown()


async def test_a_request_shut_down_opens_again(server: LocalBotApiServer, user: SimUser) -> None:
    request = AiohttpRequest()
    bot = bot_for(server, request)
    with pytest.raises(NetworkError, match="not initialized"):  # as with HTTPXRequest
        await bot.send_message(user.chat_id, "too early")
    for text in ("one", "two"):  # the application initializes and shuts its bot down
        async with bot:
            await bot.send_message(user.chat_id, text)
    assert [m.text for m in user.bot_messages()] == ["one", "two"]


def test_the_bot_sends_through_aiohttp_with_a_generous_read_timeout() -> None:
    request = send_request()
    assert isinstance(request, AiohttpRequest)
    assert request.read_timeout is not None
    assert request.read_timeout >= 30  # issue 11: a timed-out send may have been delivered
    assert over_network(Bot("1:a", request=request))  # its own threads can copy it
