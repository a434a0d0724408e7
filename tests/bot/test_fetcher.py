"""Long polling on a thread of its own (``bot.fetcher``): updates are fetched and stored while the
bot's event loop is busy, a batch is stored before Telegram is told it arrived, a redelivered
update is not handled twice, and another poller on the token is one warning."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from sqlmodel import func, select
from telegram import Update

from bot.app import configure
from bot.fetcher import UpdateFetcher, polling
from bot.inbox import raw_sender, sender_of
from bot.localapi import EmulatorState, LocalBotApiServer
from bot.localapi.ptb import http_builder, in_process_builder
from bot.runtime import Deps
from bot.types import App
from tracker.storage.models import InboxUpdate, Payment
from tracker.storage.uow import SqlUnitOfWork


@asynccontextmanager
async def polled(server: LocalBotApiServer, deps: Deps) -> AsyncIterator[UpdateFetcher]:
    """The real Application over real HTTP, polled by the fetcher thread."""
    application = configure(http_builder(server), deps, with_jobs=False)
    async with application:
        assert application.post_init is not None
        await application.post_init(application)
        await application.start()
        try:
            async with polling(application, deps, poll_timeout=1) as fetcher:
                assert fetcher is not None  # over the network: the fetcher, not the Updater
                yield fetcher
        finally:
            await application.stop()
            assert application.post_stop is not None
            await application.post_stop(application)


def _count(make_uow: Callable[[], SqlUnitOfWork], model: Any) -> int:
    with make_uow() as uow:
        return int(uow.session.exec(select(func.count()).select_from(model)).one())


async def test_updates_are_stored_while_the_bot_loop_is_busy(
    state: EmulatorState, deps: Deps, given_debt: Any, make_uow: Callable[[], SqlUnitOfWork]
) -> None:
    """Intake does not wait for the bot's loop: ten payments sent while it is blocked are in
    the inbox when it comes back, and each is then recorded once."""
    user = state.create_user("Busy", language_code="en")
    given_debt(user)
    with LocalBotApiServer(state) as server:
        async with polled(server, deps):
            before = _count(make_uow, InboxUpdate)
            for n in range(10):
                user.send_text(f"/paid {n + 1}")
            deadline = time.monotonic() + 5
            # The loop does nothing else meanwhile: no handler, no Updater can run.
            while _count(make_uow, InboxUpdate) < before + 10 and time.monotonic() < deadline:
                time.sleep(0.05)
            assert _count(make_uow, InboxUpdate) == before + 10
            time.sleep(0.3)  # the next poll confirms them: stored, so nothing can be lost
            assert state.pending_updates() == []
            replies = await user.next_messages(10, timeout=20)
            assert len(replies) == 10
    assert _count(make_uow, Payment) == 10


async def test_a_redelivered_update_is_handled_once(
    state: EmulatorState, deps: Deps, given_debt: Any, make_uow: Callable[[], SqlUnitOfWork]
) -> None:
    """Telegram sends an update again (its confirmation was lost): stored before, not queued."""
    user = state.create_user("Twice", language_code="en")
    given_debt(user)
    with LocalBotApiServer(state) as server:
        async with polled(server, deps):
            sent = user.send_text("/paid 7")
            await user.next_message(timeout=10)
            state.redeliver(sent["update_id"])
            await asyncio.sleep(1.5)  # a poll or two
            assert state.pending_updates() == []
    assert _count(make_uow, Payment) == 1
    assert len([m for m in user.bot_messages() if "7" in (m.text or "")]) == 1


async def test_another_poller_is_one_warning(
    state: EmulatorState, deps: Deps, caplog: pytest.LogCaptureFixture
) -> None:
    """A second process polling the same token makes ours get 409s: one clear warning."""
    with LocalBotApiServer(state) as server, caplog.at_level(logging.INFO, logger="bot.fetcher"):
        async with polled(server, deps):
            url = f"{server.base_url}{state.token}/getUpdates"
            async with httpx.AsyncClient() as rogue:
                for _ in range(6):  # each poll of its makes the fetcher's poll lose with 409
                    await rogue.post(url, json={"timeout": 0.3})
                    await asyncio.sleep(0.05)
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1, [r.getMessage() for r in warnings]
    assert "409 Conflict" in warnings[0].getMessage()
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_in_process_requests_keep_the_updater(state: EmulatorState, deps: Deps) -> None:
    """The tests' in-process emulator has no network to poll from a thread."""
    application: App = configure(in_process_builder(state), deps, with_jobs=False)
    assert not UpdateFetcher.usable(application)


_USER = {"id": 4242, "is_bot": False, "first_name": "Ann"}
_CHAT = {"id": 4242, "type": "private", "first_name": "Ann"}
_CHANNEL = {"id": -1001, "type": "channel", "title": "News"}
_MESSAGE = {"message_id": 1, "date": 1764748800, "chat": _CHAT, "from": _USER, "text": "/paid 5"}


@pytest.mark.parametrize(
    "kind",
    [
        {"message": _MESSAGE},
        {"edited_message": {**_MESSAGE, "edit_date": 1764748801}},
        {"callback_query": {"id": "9", "from": _USER, "chat_instance": "c", "data": "x"}},
        {"inline_query": {"id": "9", "from": _USER, "query": "", "offset": ""}},
        {
            "poll_answer": {
                "poll_id": "p",
                "user": _USER,
                "option_ids": [0],
                "option_persistent_ids": ["a"],
            }
        },
        {
            "message_reaction": {
                "chat": _CHAT,
                "message_id": 1,
                "user": _USER,
                "date": 1764748800,
                "old_reaction": [],
                "new_reaction": [],
            }
        },
        {"channel_post": {"message_id": 1, "date": 1764748800, "chat": _CHANNEL, "text": "hi"}},
        {
            "poll": {
                "id": "p",
                "question": "?",
                "options": [{"text": "a", "voter_count": 0, "persistent_id": "a"}],
                "total_voter_count": 0,
                "is_closed": False,
                "is_anonymous": True,
                "type": "regular",
                "allows_multiple_answers": False,
                "allows_revoting": False,
                "members_only": False,
            }
        },
    ],
    ids=lambda kind: next(iter(kind)),
)
def test_the_sender_of_an_update_as_sent_is_its_effective_user(kind: dict[str, Any]) -> None:
    """The fetcher reads who sent an update (its worker, /deletedata) without building the
    Update: the same user python-telegram-bot would find, or none."""
    raw = {"update_id": 1, **kind}
    assert raw_sender(raw) == sender_of(Update.de_json(raw, None))
