"""Helpers for bot scenarios: what a misbehaving client could send."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from telegram.ext import Application

from bot.app import configure
from bot.localapi import EmulatorState, SimUser
from bot.localapi.models import CallbackQueryRecord
from bot.localapi.ptb import in_process_builder
from bot.runtime import Deps

App = Application[Any, Any, Any, Any, Any, Any]


@asynccontextmanager
async def running(
    state: EmulatorState, deps: Deps, *, with_jobs: bool = True
) -> AsyncIterator[App]:
    """The real Application polling the local Bot API, as run_polling would; stopped on exit.

    Stopping saves persistence, so a second ``running`` on the same deps is a restart.
    """
    application = configure(in_process_builder(state), deps, with_jobs=with_jobs)
    async with application:
        assert application.post_init is not None
        await application.post_init(application)  # run_polling would; start() does not
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(poll_interval=0, timeout=1)
        try:
            yield application
        finally:
            await application.updater.stop()
            await application.stop()


def forge_press(
    state: EmulatorState, user: SimUser, message: dict[str, Any], data: str
) -> dict[str, Any]:
    """A callback_query from ``user`` with arbitrary data, as a modified client could send."""
    query_id = str(secrets.randbits(63))
    with state.lock:
        state.callback_queries[query_id] = CallbackQueryRecord(
            query_id, user.id, message["message_id"], data, state.now()
        )
    body = {
        "id": query_id,
        "from": user.record.to_user(),
        "message": message,
        "chat_instance": "1",
        "data": data,
    }
    return state.enqueue_update("callback_query", body)
