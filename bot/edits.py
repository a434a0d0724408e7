"""What this process last made each message look like, so an edit to the same is not sent.

Telegram refuses an edit that changes nothing ("Bad Request: message is not modified"). That is
what a double tap asks for: the first press edits the message, the second asks for the same
edit. A user's updates are handled one at a time, so when the second is handled the first edit
is known here, and the call is skipped instead of refused.
"""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from contextvars import ContextVar

from telegram import InlineKeyboardMarkup

#: Messages remembered (least recently edited forgotten first): a few per active user.
CAPACITY = 20_000


def looks(text: str | None, markup: InlineKeyboardMarkup | None) -> str:
    """A short fingerprint of a message's text and buttons."""
    rows = markup.to_dict()["inline_keyboard"] if markup is not None else []
    raw = json.dumps([text, rows], ensure_ascii=False, separators=(",", ":"))
    return hashlib.blake2b(raw.encode(), digest_size=12).hexdigest()


class EditMemory:
    """Fingerprints of the messages this process edited, by (chat, message)."""

    def __init__(self, capacity: int = CAPACITY) -> None:
        self._capacity = capacity
        self._looks: OrderedDict[tuple[int, int], str] = OrderedDict()

    def __len__(self) -> int:
        return len(self._looks)

    def unchanged(self, chat_id: int, message_id: int, fingerprint: str) -> bool:
        """Whether the message already looks like ``fingerprint`` (an edit would be refused)."""
        return self._looks.get((chat_id, message_id)) == fingerprint

    def remember(self, chat_id: int, message_id: int, fingerprint: str) -> None:
        """Note how the message looks after an edit."""
        key = (chat_id, message_id)
        self._looks[key] = fingerprint
        self._looks.move_to_end(key)
        while len(self._looks) > self._capacity:
            self._looks.popitem(last=False)


#: The memory of the application handling the current update (set by ``bot.runtime.turn``).
CURRENT: ContextVar[EditMemory | None] = ContextVar("repaybot_edit_memory", default=None)
