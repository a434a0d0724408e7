"""Start-up: settings, migrations, the database, then the bot (real, or the local sandbox)."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import ApplicationBuilder

from bot.app import configure
from bot.clock import Clock
from bot.runtime import Deps
from tracker.settings import Settings
from tracker.storage.db import make_engine, make_session_factory

logger = logging.getLogger(__name__)

#: Seconds to wait for Telegram's answer to a send (python-telegram-bot's default is 5).
SEND_READ_TIMEOUT = 30.0


def build_deps(settings: Settings, clock: Clock | None = None) -> Deps:
    """Migrate the database and wire the dependencies every handler and job uses."""
    # Imported here: Alembic logs its plugin set-up on import, which the sandbox sends to its
    # log file rather than the chat terminal.
    from tracker.storage.migrate import upgrade

    upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    return Deps(settings, make_session_factory(engine), clock or Clock())


def run() -> int:
    """``repaybot run``: the real bot with a token, the sandbox chat without one."""
    settings = Settings()
    logging.getLogger().setLevel(settings.log_level)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per poll is noise
    if settings.telegram_bot_token is None:
        from bot.sandbox import run_sandbox

        return run_sandbox(settings)
    deps = build_deps(settings)
    builder = (
        ApplicationBuilder()
        .token(settings.telegram_bot_token.get_secret_value())
        .base_url(settings.telegram_api_base_url)
        .base_file_url(settings.file_base_url)
        # A send that times out may still have been delivered, and is then sent again: a
        # generous read timeout keeps that window rare (reminders are at least once).
        .read_timeout(SEND_READ_TIMEOUT)
    )
    application = configure(builder, deps)
    logger.info("repaybot polling %s", settings.telegram_api_base_url)
    application.run_polling(allowed_updates=Update.ALL_TYPES)
    return 0
