"""Issue 11, "concurrent updates, in order per user": another user's update goes ahead while one
user's waits; one user's updates run one at a time, in the order they arrived."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from telegram import Chat, Message, Update, User

from bot.processing import PerUserProcessor


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
