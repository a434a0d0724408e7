"""What the jobs need from whoever runs them: the rendering and dependency interfaces.

``jobs`` never imports ``bot``: the composition root (``bot.app``) hands ``jobs.register`` a
``JobDeps`` (the bot's ``Deps`` fits it) and a ``Render`` (``bot.reminder_render.render``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from telegram import InlineKeyboardMarkup

from tracker.storage.models import Outbox, User
from tracker.storage.uow import SqlUnitOfWork

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


class Clock(Protocol):
    """The (movable) clock every job reads the time from."""

    def now(self) -> datetime:
        """The current moment, aware."""
        ...


class SentReplies(Protocol):
    """Replies Telegram accepted but not yet marked sent in the outbox."""

    def flush(self) -> int:
        """Mark them sent now; how many."""
        ...


class JobSettings(Protocol):
    """The settings the jobs read."""

    @property
    def scan_interval_seconds(self) -> int:
        """Seconds between two scans."""
        ...

    @property
    def telegram_rate_per_second(self) -> int:
        """Messages a second the bot may send in all (replies and reminders)."""
        ...

    @property
    def telegram_paid_broadcast(self) -> bool:
        """Send the most urgent messages as Telegram's paid broadcast (up to 1,000 a second)."""
        ...


class JobDeps(Protocol):
    """The dependencies the jobs use (the bot's ``Deps`` is one)."""

    @property
    def settings(self) -> JobSettings:
        """The settings."""
        ...

    @property
    def clock(self) -> Clock:
        """Where the time comes from."""
        ...

    @property
    def sent(self) -> SentReplies:
        """Replies sent but not yet marked: written before a send run reads the outbox."""
        ...

    def uow(self) -> SqlUnitOfWork:
        """A new unit of work."""
        ...
