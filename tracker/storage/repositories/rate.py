"""One send rate shared by every replica: a token bucket kept as the next free moment (GCRA).

A row of ``send_rate`` holds the bucket's theoretical arrival time (``tat_us``: when the next
message would be due if messages went out exactly at the rate) and a pause Telegram asked for
(``paused_until_us``), both in µs since the epoch. ``reserve`` moves the arrival time on by the
slots it takes in one statement, so two replicas never get the same slot; what the slots mean
(the interval, a burst) is the caller's (``bot.rate_limit``). Integer µs only: no float in SQL.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case
from sqlmodel import col, select

from tracker.storage.models import SendRate
from tracker.storage.repositories.base import Repository


@dataclass(frozen=True, slots=True)
class BucketState:
    """A bucket as stored: the theoretical arrival time and the pause, µs since the epoch."""

    tat_us: int
    paused_until_us: int


class SendRateRepository(Repository):
    """Shared send buckets, one row per name; every change is one atomic statement."""

    def reserve(self, name: str, *, now_us: int, slots: int, interval_us: int) -> BucketState:
        """Take ``slots`` slots ``interval_us`` apart: the bucket's arrival time becomes
        max(arrival time, ``now_us``) + ``slots`` × ``interval_us``; the state after it.

        One INSERT … ON CONFLICT DO UPDATE … RETURNING: the row is created by whoever comes
        first, and concurrent reservations queue on its row lock, each seeing the one before.
        """
        if slots < 1 or interval_us < 0:
            raise ValueError("reserve at least one slot, a non-negative interval")
        step = slots * interval_us
        table = SendRate.__table__.c  # type: ignore[attr-defined]
        insert = self._upsert_insert(SendRate).values(
            name=name, tat_us=now_us + step, paused_until_us=0
        )
        later = case((table.tat_us > now_us, table.tat_us), else_=now_us)
        statement = insert.on_conflict_do_update(
            index_elements=["name"], set_={"tat_us": later + step}
        ).returning(table.tat_us, table.paused_until_us)
        tat_us, paused_until_us = self._session.execute(statement).one()
        return BucketState(int(tat_us), int(paused_until_us))

    def pause(self, name: str, *, until_us: int, tat_us: int) -> BucketState:
        """Nobody sends before ``until_us``, and the next slot is reserved after ``tat_us``: each
        only moves forward (a shorter pause than the one stored changes nothing)."""
        table = SendRate.__table__.c  # type: ignore[attr-defined]
        insert = self._upsert_insert(SendRate).values(
            name=name, tat_us=tat_us, paused_until_us=until_us
        )
        statement = insert.on_conflict_do_update(
            index_elements=["name"],
            set_={
                "paused_until_us": case(
                    (table.paused_until_us > until_us, table.paused_until_us), else_=until_us
                ),
                "tat_us": case((table.tat_us > tat_us, table.tat_us), else_=tat_us),
            },
        ).returning(table.tat_us, table.paused_until_us)
        stored_tat, paused_until_us = self._session.execute(statement).one()
        return BucketState(int(stored_tat), int(paused_until_us))

    def get(self, name: str) -> BucketState | None:
        """The bucket as stored, or None before its first use."""
        row = self._session.exec(
            select(col(SendRate.tat_us), col(SendRate.paused_until_us)).where(
                col(SendRate.name) == name
            )
        ).first()
        return None if row is None else BucketState(int(row[0]), int(row[1]))
