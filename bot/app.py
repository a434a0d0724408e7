"""The composition root: builds the Application, registers handlers, jobs and the error handler."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from types import ModuleType

from sqlalchemy import Engine
from telegram import BotCommand, Update
from telegram.error import TelegramError
from telegram.ext import BaseRateLimiter, BaseUpdateProcessor, TypeHandler

import jobs
from bot.errors import error_handler
from bot.features import (
    budget,
    cards,
    data,
    debts,
    fallback,
    hardship,
    lender_messages,
    payments,
    plans,
    prepay,
    progress,
    reminders,
    start,
)
from bot.i18n import LANGUAGES, translator
from bot.inbox import DurableQueue, mark_handled, replay
from bot.persistence import DbPersistence
from bot.processing import PerUserProcessor
from bot.rate_limit import SharedRateLimiter
from bot.reminder_render import render
from bot.runtime import DEPS_KEY, Context, Deps, ReleasingRateLimiter, no_user_id
from bot.types import App, Builder, Handler

logger = logging.getLogger(__name__)

#: Feature modules in registration order (the first matching handler wins):
#: - the guided flows (conversations) come before payments' free-text handler, so a message
#:   typed inside a flow reaches the flow;
#: - hardship comes before reminders (it takes the reminders' "I can't pay" button) and before
#:   payments (its "this reads like hardship" suggestion looks at free text);
#: - reminders' "Paid part" question comes before payments, so the amount reaches it;
#: - the fallback (global /cancel, unknown commands, stale buttons) comes last, so a flow's own
#:   /cancel ends the flow first.
FEATURES: tuple[ModuleType, ...] = (
    start,
    debts,
    cards,
    plans,
    budget,
    hardship,
    reminders,
    data,
    lender_messages,  # after the flows, before payments: a pasted lender receipt is confirmed
    payments,
    prepay,
    progress,
    fallback,
)


async def _skip_userless(update: Update, context: Context) -> None:
    """Ignore updates that carry no user (channel posts and the like)."""
    from telegram.ext import ApplicationHandlerStop

    if no_user_id(update):
        deps: Deps = context.bot_data[DEPS_KEY]
        mark_handled(deps.uow, update.update_id, deps.clock.now())
        raise ApplicationHandlerStop


async def _mark_handled(update: Update, context: Context) -> None:
    """Note that the update was dealt with when no turn() committed it (it changed nothing, or
    it failed)."""
    deps: Deps = context.bot_data[DEPS_KEY]
    if update.update_id in deps.handled:
        deps.handled.discard(update.update_id)  # turn() wrote it with the update's effects
        return
    mark_handled(deps.uow, update.update_id, deps.clock.now())


#: The handler group that marks an update handled (after every feature's group 0).
LAST_GROUP = 1000


def handlers(features: Sequence[ModuleType] = FEATURES) -> list[Handler]:
    """Every feature's handlers, in registration order."""
    out: list[Handler] = []
    for feature in features:
        out.extend(feature.handlers())
    return out


def rate_limiter(deps: Deps) -> BaseRateLimiter[int]:
    """The limiter for ``TELEGRAM_RATE_PER_SECOND``: shared through PostgreSQL, where replicas
    may run (``bot.rate_limit``); on SQLite, one process's own, with no database round trip."""
    rate = deps.settings.telegram_rate_per_second
    engine = deps.session_factory.kw.get("bind")
    if isinstance(engine, Engine) and engine.dialect.name == "postgresql":
        return SharedRateLimiter(deps.uow, rate=rate, max_retries=3)
    # Worker processes on SQLite (bot.workers) share the rate out with the polling process (its
    # jobs send the reminders): each paces its own share. One process alone paces the whole.
    alone = deps.shard is not None and deps.shard.count == 1
    share = rate if alone else max(1, rate // (deps.settings.bot_workers + 1))
    return ReleasingRateLimiter(overall_max_rate=share, max_retries=3)


def configure(
    builder: Builder,
    deps: Deps,
    *,
    with_jobs: bool = True,
    processor: BaseUpdateProcessor | None = None,
) -> App:
    """Finish building the Application on ``builder`` (which knows where the Bot API is).

    ``with_jobs=False`` leaves out the repeating scan and send jobs: tests that drive time
    themselves register them explicitly (``jobs.register``) or not at all. ``processor``
    replaces the per-user update processor (the sandbox's tracks when each update is done).
    """
    persistence = DbPersistence(deps.uow, deps.clock)
    application = (
        builder.persistence(persistence)
        # The durable inbox: each update is stored before the Updater confirms it to Telegram.
        .update_queue(DurableQueue(deps.uow, deps.clock.now, deps.answers))
        # Users side by side, each user's updates in order (the guided flows rely on it).
        .concurrent_updates(processor or PerUserProcessor())
        # Paces sends to Telegram's overall limit and retries a 429 after retry_after, so a
        # reply is not lost to flood control after its payment was already saved; and first
        # ends a handler's read transaction, so no lock is held while Telegram answers.
        .rate_limiter(rate_limiter(deps))
        .post_init(_post_init)
        .post_stop(_post_stop)
        .build()
    )
    application.bot_data[DEPS_KEY] = deps
    # Group -1 runs before any feature: filter out what no feature should see. (A redelivered
    # update never gets this far: the inbox does not queue an update it has seen.)
    application.add_handler(TypeHandler(Update, _skip_userless), group=-1)
    application.add_handlers(handlers())
    # The last group runs after every feature, also after one that failed: the update is done.
    application.add_handler(TypeHandler(Update, _mark_handled), group=LAST_GROUP)
    application.add_error_handler(error_handler)
    if with_jobs:
        jobs.register(application, deps, render=render)  # jobs never import the bot
    return application


def menu(language: str, features: Sequence[ModuleType] = FEATURES) -> list[BotCommand]:
    """The command menu in one language."""
    _ = translator(language)
    return [
        BotCommand(command, _(description))
        for feature in features
        for command, description in feature.COMMANDS
    ]


async def _post_init(application: App) -> None:
    """Queue the updates a crash left unhandled; publish the command menu per language."""
    deps: Deps = application.bot_data[DEPS_KEY]
    # Presses are answered on a thread of their own, whatever keeps the event loop busy.
    deps.answers.start(application.bot)
    if deps.shard is not None:  # None: the polling process, whose workers replay their own
        deps.replayed.update(await replay(application, deps.uow, deps.shard))
        if deps.shard.count > 1:
            return  # a worker process (bot.workers): the polling one publishes the menu
    default = deps.settings.default_language
    try:
        await application.bot.set_my_commands(menu(default))  # for apps in other languages
        for language in LANGUAGES:
            await application.bot.set_my_commands(menu(language), language_code=language)
    except TelegramError as error:
        # The menu is a convenience: a network hiccup at start must not stop the bot (the
        # menu set by the previous start stays).
        logger.warning("could not publish the command menu: %s", error)


async def _post_stop(application: App) -> None:
    """Write down the replies that went out but are not marked sent yet; stop the answering."""
    application.bot_data[DEPS_KEY].sent.flush()
    await asyncio.to_thread(application.bot_data[DEPS_KEY].answers.stop)
