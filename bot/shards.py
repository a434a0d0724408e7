"""Which process handles a user's updates when several do (``BOT_WORKERS``, ``bot.workers``).

A user's updates must be handled one at a time and in order (``PerUserProcessor``), so each user
belongs to exactly one worker: the shard of their Telegram id. Updates without a user (channel
posts) go to shard 0.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Shard:
    """This process's share of the users: ``index`` of ``count``."""

    index: int = 0
    count: int = 1

    def __post_init__(self) -> None:
        if not 0 <= self.index < self.count:
            raise ValueError(f"shard {self.index} of {self.count} does not exist")

    def owns(self, telegram_user_id: int | None) -> bool:
        """True if the updates of this Telegram user are handled here."""
        return shard_of(telegram_user_id, self.count) == self.index


def shard_of(telegram_user_id: int | None, count: int) -> int:
    """The shard whose process handles this Telegram user's updates."""
    return 0 if telegram_user_id is None else telegram_user_id % count
