"""A Bot for another thread's event loop: what ``bot.answers`` and ``bot.fetcher`` run on.

A ``telegram.Bot``'s HTTP client belongs to the event loop that opened it; a thread with a loop
of its own needs a Bot of its own, with the same token and Bot API but its own connection. Only
a bot that reaches its Bot API over the network can be copied so: the tests' in-process
emulator (``bot.localapi.ptb.ASGIRequest``) lives on the bot's loop.
"""

from __future__ import annotations

from telegram import Bot
from telegram.request import BaseRequest, HTTPXRequest

from bot.http import AiohttpRequest


def over_network(bot: Bot) -> bool:
    """True if ``bot`` talks to its Bot API over the network (it can be copied to a thread)."""
    request = bot.request
    over_http = isinstance(request, HTTPXRequest | AiohttpRequest)
    return over_http and not getattr(request, "in_process", False)


def copy_bot(bot: Bot, request: BaseRequest) -> Bot:
    """``bot``'s token and Bot API, through ``request`` (the caller initializes and shuts it)."""
    return Bot(
        bot.token,
        base_url=lambda _token: bot.base_url,
        base_file_url=lambda _token: bot.base_file_url,
        request=request,
        get_updates_request=request,
    )
