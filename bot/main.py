"""Start-up: settings, migrations, the database, then the bot (real, or the local sandbox)."""

from __future__ import annotations

import asyncio
import logging
import sys

from telegram.ext import ApplicationBuilder

from bot.app import configure
from bot.clock import Clock
from bot.fetcher import serve_polling
from bot.http import AiohttpRequest
from bot.runtime import Deps
from bot.settings import BotSettings
from bot.shards import Shard
from bot.types import Builder
from tracker.storage.db import make_engine, make_session_factory

logger = logging.getLogger(__name__)

#: Seconds to wait for Telegram's answer to a send (python-telegram-bot's default is 5).
SEND_READ_TIMEOUT = 30.0
#: HTTP connections the bot sends through (python-telegram-bot's default is 256).
SEND_CONNECTIONS = 8


def build_deps(settings: BotSettings, clock: Clock | None = None) -> Deps:
    """Migrate the database and wire the dependencies every handler and job uses."""
    # Imported here: Alembic logs its plugin set-up on import, which the sandbox sends to its
    # log file rather than the chat terminal.
    from tracker.storage.migrate import upgrade

    upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    return Deps(settings, make_session_factory(engine), clock or Clock())


def run() -> int:
    """``repaybot run``: the real bot with a token (webhook mode with TELEGRAM_WEBHOOK_URL), the
    sandbox chat without one."""
    settings = BotSettings()
    logging.getLogger().setLevel(settings.log_level)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per poll is noise
    if settings.telegram_bot_token is None:
        from bot.sandbox import run_sandbox

        return run_sandbox(settings)
    if settings.telegram_webhook_url is not None and settings.telegram_webhook_secret is None:
        # Without the secret anyone who finds the URL could post updates as any user.
        print(
            "repaybot run: TELEGRAM_WEBHOOK_SECRET is required when TELEGRAM_WEBHOOK_URL is set "
            "(e.g. openssl rand -hex 32)",
            file=sys.stderr,
        )
        return 1
    deps = build_deps(settings)
    if settings.telegram_webhook_url is not None:
        if settings.bot_workers > 1:
            logger.warning("BOT_WORKERS applies to long polling: in webhook mode, run replicas")
        return _run_webhook(settings, deps)
    # With BOT_WORKERS > 1 this process polls and runs the jobs; its workers handle the updates.
    deps.shard = Shard() if settings.bot_workers == 1 else None
    application = configure(polling_builder(settings), deps)
    logger.info("repaybot polling %s", settings.telegram_api_base_url)
    asyncio.run(serve_polling(application, deps))
    return 0


def polling_builder(settings: BotSettings) -> Builder:
    """An ApplicationBuilder for the Bot API the settings name (long polling, and its workers)."""
    if settings.telegram_bot_token is None:
        raise ValueError("polling needs TELEGRAM_BOT_TOKEN")
    return (
        ApplicationBuilder()
        .token(settings.telegram_bot_token.get_secret_value())
        .base_url(settings.telegram_api_base_url)
        .base_file_url(settings.file_base_url)
        .request(send_request())
    )


def send_request() -> AiohttpRequest:
    """How the bot sends (``bot.http``: aiohttp, a third of httpx's CPU per request)."""
    return AiohttpRequest(
        # A few connections, reused: 8 requests in flight outrun the 30 messages a second.
        connection_pool_size=SEND_CONNECTIONS,
        # A send that times out may still have been delivered, and is then sent again: a
        # generous read timeout keeps that window rare (reminders are at least once).
        read_timeout=SEND_READ_TIMEOUT,
        pool_timeout=SEND_READ_TIMEOUT,
    )


def _run_webhook(settings: BotSettings, deps: Deps) -> int:
    """Webhook mode: Telegram calls the bot's HTTP server, which also serves health and metrics."""
    from bot.webhook import Metrics, TimedProcessor, WebhookBot, builder, serve_webhook

    metrics = Metrics(deps.session_factory)
    application = configure(
        builder(settings, metrics, read_timeout=SEND_READ_TIMEOUT, connections=SEND_CONNECTIONS),
        deps,
        processor=TimedProcessor(metrics),
    )
    asyncio.run(serve_webhook(WebhookBot(application, settings, deps.session_factory, metrics)))
    return 0
