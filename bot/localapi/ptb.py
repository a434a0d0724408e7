"""python-telegram-bot glue: an in-process request class and ready-made ApplicationBuilders."""

from __future__ import annotations

from typing import Any

import httpx
from starlette.types import ASGIApp
from telegram import Bot
from telegram.ext import ApplicationBuilder
from telegram.request import HTTPXRequest

from bot.localapi.app import create_app
from bot.localapi.server import LocalBotApiServer
from bot.localapi.state import EmulatorState

# Any host works with the ASGI transport; this one makes logs obviously local.
IN_PROCESS_ROOT = "http://localapi.invalid"
IN_PROCESS_BASE_URL = f"{IN_PROCESS_ROOT}/bot"
IN_PROCESS_FILE_URL = f"{IN_PROCESS_ROOT}/file/bot"


class ASGIRequest(HTTPXRequest):
    """HTTPXRequest whose httpx client calls the emulator's ASGI app directly (no sockets)."""

    #: No network to reach from another thread (bot.answers keeps its watchdog on the loop).
    in_process = True

    def __init__(self, app: ASGIApp, **kwargs: Any) -> None:
        httpx_kwargs = dict(kwargs.pop("httpx_kwargs", None) or {})
        httpx_kwargs["transport"] = httpx.ASGITransport(app=app)
        super().__init__(httpx_kwargs=httpx_kwargs, **kwargs)


def in_process_builder(
    state: EmulatorState, app: ASGIApp | None = None
) -> ApplicationBuilder[Any, Any, Any, Any, Any, Any]:
    """ApplicationBuilder wired to `state` through ASGIRequest; add handlers and .build()."""
    asgi = app or create_app(state)
    return (
        ApplicationBuilder()
        .token(state.token)
        .base_url(IN_PROCESS_BASE_URL)
        .base_file_url(IN_PROCESS_FILE_URL)
        .request(ASGIRequest(asgi))
        # getUpdates must outlive the long-poll timeout, like PTB's default get_updates request.
        .get_updates_request(ASGIRequest(asgi, read_timeout=None))
    )


def http_builder(server: LocalBotApiServer) -> ApplicationBuilder[Any, Any, Any, Any, Any, Any]:
    """ApplicationBuilder pointed at a running LocalBotApiServer over real HTTP."""
    return (
        ApplicationBuilder()
        .token(server.state.token)
        .base_url(server.base_url)
        .base_file_url(server.base_file_url)
    )


def in_process_bot(state: EmulatorState, app: ASGIApp | None = None) -> Bot:
    """A telegram.Bot talking to `state` in-process (use `async with bot:`)."""
    asgi = app or create_app(state)
    return Bot(
        state.token,
        base_url=IN_PROCESS_BASE_URL,
        base_file_url=IN_PROCESS_FILE_URL,
        request=ASGIRequest(asgi),
        get_updates_request=ASGIRequest(asgi, read_timeout=None),
    )
