"""What the sender needs from the bot: a rendered message for an outbox row."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from telegram import InlineKeyboardMarkup

from tracker.storage.models import Outbox, User

#: The outbox kind of a reply a handler committed with its change (``Turn.commit_and_reply``):
#: its payload holds the HTML text and the buttons, sent as they are.
REPLY_KIND = "reply"


@dataclass(frozen=True, slots=True)
class Rendered:
    """An outbox row as a Telegram message: HTML text and optional buttons."""

    text: str
    keyboard: InlineKeyboardMarkup | None = None


class Render(Protocol):
    """Turns an outbox row into a message in the user's language; None drops the row.

    ``now`` is the moment of sending (aware): everything relative is counted from it, in the
    user's timezone. The row's payload was brought up to date by ``jobs.current`` just before.
    """

    def __call__(self, row: Outbox, user: User, now: datetime) -> Rendered | None: ...
