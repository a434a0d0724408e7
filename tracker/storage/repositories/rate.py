"""One send rate shared by every replica: a token bucket kept as the next free moment (GCRA).

A row of ``send_rate`` holds the bucket's theoretical arrival time (``tat_us``: when the next
message would be due if messages went out exactly at the rate) and a pause Telegram asked for
(``paused_until_us``), both in µs since the epoch. ``reserve`` moves the arrival time on by the
slots it takes in one statement, so two replicas never get the same slot; what the slots mean
(the interval, a burst) is the caller's (``bot.rate_limit``). Integer µs only: no float in SQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import BigInteger, bindparam, case, select
from sqlalchemy.sql.dml import ReturningInsert

from tracker.storage.models import SendRate
from tracker.storage.repositories.base import Repository, table_of, upsert_insert

_RATE = table_of(SendRate)


@dataclass(frozen=True, slots=True)
class BucketState:
    """A bucket as stored: the theoretical arrival time and the pause, µs since the epoch."""

    tat_us: int
    paused_until_us: int


@cache
def _reserve_statement(dialect: str) -> ReturningInsert[Any]:
    """``reserve``'s statement, built once per dialect: a reservation per message at a high rate
    costs more CPU to build through the ORM than to run."""
    now, step = bindparam("now_us", type_=BigInteger), bindparam("step", type_=BigInteger)
    insert = upsert_insert(dialect, _RATE).values(
        name=bindparam("name"), tat_us=now + step, paused_until_us=0
    )
    later = case((_RATE.c.tat_us > now, _RATE.c.tat_us), else_=now)
    return insert.on_conflict_do_update(
        index_elements=["name"], set_={"tat_us": later + step}
    ).returning(_RATE.c.tat_us, _RATE.c.paused_until_us)


@cache
def _pause_statement(dialect: str) -> ReturningInsert[Any]:
    """``pause``'s statement, built once per dialect."""
    until, tat = bindparam("until_us", type_=BigInteger), bindparam("tat_us", type_=BigInteger)
    insert = upsert_insert(dialect, _RATE).values(
        name=bindparam("name"), tat_us=tat, paused_until_us=until
    )
    stored_pause, stored_tat = _RATE.c.paused_until_us, _RATE.c.tat_us
    return insert.on_conflict_do_update(
        index_elements=["name"],
        set_={
            "paused_until_us": case((stored_pause > until, stored_pause), else_=until),
            "tat_us": case((stored_tat > tat, stored_tat), else_=tat),
        },
    ).returning(_RATE.c.tat_us, _RATE.c.paused_until_us)


_GET = select(_RATE.c.tat_us, _RATE.c.paused_until_us).where(_RATE.c.name == bindparam("name"))


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
        params = {"name": name, "now_us": now_us, "step": slots * interval_us}
        row = self._core().execute(_reserve_statement(self._dialect), params).one()
        self._wrote()
        return BucketState(int(row[0]), int(row[1]))

    def pause(self, name: str, *, until_us: int, tat_us: int) -> BucketState:
        """Nobody sends before ``until_us``, and the next slot is reserved after ``tat_us``: each
        only moves forward (a shorter pause than the one stored changes nothing)."""
        params = {"name": name, "until_us": until_us, "tat_us": tat_us}
        row = self._core().execute(_pause_statement(self._dialect), params).one()
        self._wrote()
        return BucketState(int(row[0]), int(row[1]))

    def get(self, name: str) -> BucketState | None:
        """The bucket as stored, or None before its first use."""
        row = self._core().execute(_GET, {"name": name}).first()
        return None if row is None else BucketState(int(row[0]), int(row[1]))
