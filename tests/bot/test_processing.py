"""Issue 11, "concurrent updates, in order per user": another user's update goes ahead while one
user's waits; one user's updates run one at a time, in the order they arrived."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from datetime import UTC, datetime
from typing import Any

from telegram import Chat, Message, Update, User
from telegram.ext import ApplicationBuilder

from bot.app import configure
from bot.processing import PerUserProcessor
from bot.replicas import attach
from bot.runtime import Deps


def _update(update_id: int, user_id: int) -> Update:
    """A text message update from ``user_id`` (a factory: only what the processor reads)."""
    user = User(user_id, "u", is_bot=False)
    chat = Chat(user_id, Chat.PRIVATE)
    message = Message(update_id, datetime(2026, 12, 1, tzinfo=UTC), chat, from_user=user, text="hi")
    return Update(update_id, message=message)


async def test_other_users_go_ahead_while_one_users_updates_keep_their_order() -> None:
    processor = PerUserProcessor(max_concurrent_updates=8)
    done: list[str] = []
    release_first = asyncio.Event()

    async def work(name: str, wait: asyncio.Event | None = None) -> None:
        if wait is not None:
            await wait.wait()
        done.append(name)

    async with processor:
        tasks = [
            asyncio.create_task(
                processor.process_update(_update(1, 100), work("A1", release_first))
            ),
            asyncio.create_task(processor.process_update(_update(2, 100), work("A2"))),
            asyncio.create_task(processor.process_update(_update(3, 200), work("B1"))),
        ]
        for _ in range(20):  # let every task run as far as it can
            await asyncio.sleep(0)
        assert done == ["B1"]  # A2 waits for A1; B1 did not wait for anyone
        release_first.set()
        await asyncio.gather(*tasks)
    assert done == ["B1", "A1", "A2"]
    assert processor._locks == {}  # nothing kept once every update is done


class _Replicas:
    """Records what the processor hands over to the replicas' coordination."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    async def start(self) -> None:
        self.calls.append("start")

    async def stop(self) -> None:
        self.calls.append("stop")

    async def run(self, update: object, coroutine: Awaitable[Any]) -> None:
        assert isinstance(update, Update)
        self.calls.append(f"run {update.update_id}")
        await coroutine


async def test_with_replicas_each_update_runs_through_them_in_the_users_order() -> None:
    processor = PerUserProcessor(max_concurrent_updates=8)
    replicas = _Replicas()
    processor.replicas = replicas
    done: list[int] = []

    async def work(update_id: int) -> None:
        await asyncio.sleep(0.01 if update_id == 1 else 0)  # the first is the slowest
        done.append(update_id)

    async with processor:
        await asyncio.gather(
            *(processor.process_update(_update(i, 100), work(i)) for i in (1, 2, 3))
        )
    assert done == [1, 2, 3]
    assert replicas.calls == ["start", "run 1", "run 2", "run 3", "stop"]


def test_on_sqlite_there_are_no_replicas_to_coordinate(deps: Deps) -> None:
    application = configure(ApplicationBuilder().token("1:a").updater(None), deps, with_jobs=False)
    assert attach(application) is None
    processor = application.update_processor
    assert isinstance(processor, PerUserProcessor)
    assert processor.replicas is None
