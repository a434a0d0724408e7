"""The durable inbox: every update is in the database before Telegram is told it arrived.

Long polling is ``bot.fetcher``'s: it stores a whole ``getUpdates`` answer in one transaction,
confirms it with the next call (``offset`` = last id + 1), and queues the new updates with
``DurableQueue.queue_stored``. python-telegram-bot's ``Updater`` (the in-process tests) confirms
the same way after putting each update on the application's update queue, and its webhook
handler answers 200 only after the same ``put``; so ``DurableQueue.put`` stores the update first
(one short transaction), and an update is confirmed to Telegram only once it is stored.

An update counts as handled when ``processed_updates`` holds its id: ``turn()`` writes that in the
same transaction as the update's effects, and ``mark_handled`` (the last handler group) writes it
for updates no ``turn()`` committed (no user, a redelivery, a handler that failed). At start-up
``replay`` queues the stored updates that are not handled yet. Together: after a crash at any
moment, every update Telegram sent is handled, and its effects are stored exactly once.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from telegram import Update

from bot.answers import CallbackAnswers
from bot.shards import Shard
from bot.types import App
from tracker.storage.uow import SqlUnitOfWork

logger = logging.getLogger(__name__)

#: Stored updates queued again at start-up in one go (more stay for the next start).
REPLAY_LIMIT = 5000


class DurableQueue(asyncio.Queue[object]):
    """The application's update queue, storing each update before it is queued."""

    def __init__(
        self,
        make_uow: Callable[[], SqlUnitOfWork],
        now: Callable[[], datetime],
        answers: CallbackAnswers | None = None,
    ) -> None:
        super().__init__()
        self._make_uow = make_uow
        self._now = now
        self._answers = answers

    async def put(self, item: object) -> None:
        """Store ``item`` if it is an update, then queue it (unless it was stored before).

        The store runs on the event loop's thread, like the handlers' database work: with
        SQLite, a second thread would only wait for the same write lock, and its busy-waits
        cost more than the short transaction itself.
        """
        if isinstance(item, Update):
            if self._answers is not None:
                # The press's clock starts on arrival, before the store (a redelivered press
                # answered twice is refused by Telegram and nothing else happens).
                self._answers.watch(item)
            if not self._store(item):
                logger.info("update %s was received before: not queued again", item.update_id)
                return
        await super().put(item)

    def queue_stored(self, item: Update) -> None:
        """Queue an update stored already (read back from the inbox, or stored in a batch by
        ``bot.fetcher``); the queue has no bound, so this never waits."""
        super().put_nowait(item)

    def _store(self, update: Update) -> bool:
        with self._make_uow() as uow:
            new = store(uow, update, self._now())
            uow.commit()
        return new


def store(uow: SqlUnitOfWork, update: Update, at: datetime) -> bool:
    """Keep the update as Telegram sent it in ``uow`` (not committed); False if it was stored or
    handled before (a redelivery): then it must not be queued again."""
    return uow.inbox.store(
        update.update_id, payload_of(update), at, telegram_user_id=sender_of(update)
    )


def payload_of(update: Update) -> str:
    """The update as stored: the JSON Telegram sent."""
    return raw_payload(update.to_dict())


def raw_payload(raw: Mapping[str, Any]) -> str:
    """An update as Telegram sent it (decoded JSON), as stored."""
    return json.dumps(raw, ensure_ascii=False, separators=(",", ":"))


def sender_of(update: Update) -> int | None:
    """The Telegram id of the user who sent the update (None: a channel post and the like)."""
    sender = update.effective_user
    return sender.id if sender is not None else None


#: Where ``Update.effective_user`` finds the user of each kind of update, in its order.
_SENDER_FIELDS = (
    ("message", "from"),
    ("edited_message", "from"),
    ("business_message", "from"),
    ("edited_business_message", "from"),
    ("guest_message", "from"),
    ("channel_post", "from"),
    ("edited_channel_post", "from"),
    ("inline_query", "from"),
    ("chosen_inline_result", "from"),
    ("callback_query", "from"),
    ("shipping_query", "from"),
    ("pre_checkout_query", "from"),
    ("poll_answer", "user"),
    ("my_chat_member", "from"),
    ("chat_member", "from"),
    ("chat_join_request", "from"),
    ("message_reaction", "user"),
    ("business_connection", "user"),
    ("purchased_paid_media", "from"),
    ("managed_bot", "user"),
)


def raw_sender(raw: Mapping[str, Any]) -> int | None:
    """``sender_of`` for an update as Telegram sent it, without building the ``Update``."""
    for kind, field in _SENDER_FIELDS:
        part = raw.get(kind)
        if part is not None:
            user = part.get(field)
            return int(user["id"]) if user is not None else None
    # A kind without a user (a poll, a boost), or one this table does not know yet (a newer Bot
    # API): python-telegram-bot's answer.
    try:
        return sender_of(Update.de_json(dict(raw), None))
    except (ValueError, TypeError, KeyError):
        return None  # unreadable: stored all the same (the handler's side logs it)


async def replay(
    application: App, make_uow: Callable[[], SqlUnitOfWork], shard: Shard
) -> list[int]:
    """Queue the stored updates not handled yet (a crash left them), of this process's
    ``shard`` of the users; their ids."""
    queue = application.update_queue
    if not isinstance(queue, DurableQueue):
        return []

    def pending() -> list[tuple[int, str]]:
        with make_uow() as uow:
            rows = uow.inbox.pending(REPLAY_LIMIT, shard_index=shard.index, shard_count=shard.count)
            return [(row.update_id, row.payload) for row in rows]

    rows = await asyncio.to_thread(pending)
    for update_id, payload in rows:
        try:
            update = Update.de_json(json.loads(payload), application.bot)
        except (ValueError, TypeError, KeyError):
            logger.exception("update %s in the inbox cannot be read: skipped", update_id)
            continue
        queue.queue_stored(update)
    if rows:
        logger.info("replaying %d stored update(s) not handled before the last stop", len(rows))
    return [update_id for update_id, _ in rows]


def mark_handled(make_uow: Callable[[], SqlUnitOfWork], update_id: int, at: datetime) -> None:
    """Note that the update was dealt with, if ``turn()`` has not already (idempotent)."""
    with make_uow() as uow:
        uow.processed_updates.mark_processed(update_id, at)
        uow.commit()
