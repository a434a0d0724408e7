"""setWebhook / deleteWebhook / getWebhookInfo: the emulator POSTs updates as Telegram does."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from typing import Any

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from telegram import Bot
from telegram.error import BadRequest, Conflict

from bot.localapi import EmulatorState, SimUser

SECRET = "hook-Secret_1"


class Receiver:
    """A bot's webhook endpoint: records each POST, answers the statuses it is given."""

    def __init__(self, statuses: list[int]) -> None:
        self.statuses = statuses
        self.calls: list[tuple[str | None, dict[str, Any]]] = []
        self.url = ""

    async def endpoint(self, request: Request) -> Response:
        self.calls.append(
            (request.headers.get("X-Telegram-Bot-Api-Secret-Token"), await request.json())
        )
        return Response(status_code=self.statuses.pop(0) if self.statuses else 200)


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    received = Receiver([])
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    app = Starlette(routes=[Route("/hook", received.endpoint, methods=["POST"])])
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="off", log_level="warning")
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.01)
    received.url = f"http://127.0.0.1:{port}/hook"
    yield received
    server.should_exit = True
    await task


async def test_updates_are_posted_in_order_with_the_secret(
    http_bot: Bot, state: EmulatorState, user: SimUser, receiver: Receiver
) -> None:
    assert await http_bot.set_webhook(receiver.url, secret_token=SECRET)
    ids = [user.send_text(f"m{i}")["update_id"] for i in range(3)]
    await state.wait_for(lambda: len(receiver.calls) == 3 or None)
    assert [body["update_id"] for _, body in receiver.calls] == ids
    assert {secret for secret, _ in receiver.calls} == {SECRET}
    assert receiver.calls[0][1]["message"]["text"] == "m0"
    await state.wait_for(lambda: not state.pending_updates() or None)


async def test_a_refused_delivery_is_tried_again_until_taken(
    http_bot: Bot, state: EmulatorState, user: SimUser, receiver: Receiver
) -> None:
    receiver.statuses = [403, 500]  # e.g. a wrong secret, then a crash; then 200
    await http_bot.set_webhook(receiver.url, secret_token=SECRET)
    update_id = user.send_text("hello")["update_id"]
    await state.wait_for(lambda: len(receiver.calls) == 3 or None)
    assert [body["update_id"] for _, body in receiver.calls] == [update_id] * 3
    await state.wait_for(lambda: not state.pending_updates() or None)
    info = await http_bot.get_webhook_info()
    assert info.url == receiver.url
    assert info.pending_update_count == 0
    assert info.last_error_message == "Wrong response from the webhook: 500 Internal Server Error"


async def test_getupdates_conflicts_with_a_webhook_until_it_is_deleted(
    http_bot: Bot, user: SimUser, receiver: Receiver
) -> None:
    receiver.statuses = [500] * 1000  # the bot never takes it: it stays pending
    await http_bot.set_webhook(receiver.url, secret_token=SECRET)
    update_id = user.send_text("hello")["update_id"]
    with pytest.raises(Conflict, match="webhook is active"):
        await http_bot.get_updates()
    assert (await http_bot.get_webhook_info()).pending_update_count == 1
    assert await http_bot.delete_webhook()
    assert (await http_bot.get_webhook_info()).url == ""
    assert [u.update_id for u in await http_bot.get_updates()] == [update_id]


async def test_bad_webhook_parameters_are_refused(http_bot: Bot, state: EmulatorState) -> None:
    with pytest.raises(BadRequest, match="unallowed characters"):
        await http_bot.set_webhook("https://bot.example.org/hook", secret_token="no spaces")
    with pytest.raises(BadRequest, match="Bad webhook"):
        await http_bot.set_webhook("ftp://bot.example.org/hook")
    assert state.webhook is None
