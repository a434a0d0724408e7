"""Button presses answered exactly once, and within a second even when the bot is busy.

Telegram shows a spinner on a pressed button until the bot answers the press, gives up after
about 15 seconds, and refuses a second answer. A press can wait behind the same user's earlier
updates (they run in order), so a watchdog answers it, without text, when the handler has not
within ``ACK_AFTER`` seconds; whoever claims a press first answers it, the other does not.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import OrderedDict

from telegram import Update
from telegram.error import TelegramError

logger = logging.getLogger(__name__)

#: Seconds a press may wait for its handler before the watchdog answers it.
ACK_AFTER = 1.0
#: Press ids remembered (a press older than Telegram's 15 s cannot be answered anyway).
REMEMBERED = 10_000


class CallbackAnswers:
    """Who answered which press: the handler (``Turn.answer``) or the watchdog."""

    def __init__(self, ack_after: float = ACK_AFTER) -> None:
        self.ack_after = ack_after
        self._claimed: OrderedDict[str, None] = OrderedDict()
        self._watchdogs: set[asyncio.Task[None]] = set()

    def claim(self, query_id: str) -> bool:
        """True for the first caller for this press: it answers it; later callers must not."""
        if query_id in self._claimed:
            return False
        self._claimed[query_id] = None
        if len(self._claimed) > REMEMBERED:
            self._claimed.popitem(last=False)
        return True

    def watch(self, update: Update) -> None:
        """Answer ``update``'s press in ``ack_after`` seconds unless its handler has by then."""
        if update.callback_query is None:
            return
        task = asyncio.get_running_loop().create_task(self._acknowledge(update))
        self._watchdogs.add(task)
        task.add_done_callback(self._watchdogs.discard)

    async def _acknowledge(self, update: Update) -> None:
        query = update.callback_query
        assert query is not None  # watch() checked
        await asyncio.sleep(self.ack_after)
        if not self.claim(query.id):
            return
        logger.info("update %s: the press waited; answered before its turn", update.update_id)
        with contextlib.suppress(TelegramError):  # too old already: nothing more to do
            await query.answer()
