"""Issue 11, "no transaction across an await": while the bot waits for Telegram to answer a reply,
it holds no database lock, so the jobs and other updates can write (SQLite's write lock is
taken by every transaction here: ``BEGIN IMMEDIATE``)."""

from __future__ import annotations

import asyncio
import sqlite3
from typing import Any

import pytest

from bot.localapi import EmulatorState, SimUser

#: Telegram answers the reply this slowly; the probe writes while the bot waits for it.
LATENCY = 1.5
PROBE_AT = 1.0


def _can_write_now(db_url: str) -> bool:
    """Whether another connection can take the write lock at once (no waiting)."""
    connection = sqlite3.connect(db_url.removeprefix("sqlite:///"), timeout=0)
    try:
        connection.execute("BEGIN IMMEDIATE")
        connection.rollback()
        return True
    except sqlite3.OperationalError:  # "database is locked"
        return False
    finally:
        connection.close()


@pytest.mark.parametrize("command", ["/status", "/paid 100", "/debts", "/schedule"])
async def test_no_lock_is_held_while_telegram_answers_a_reply(
    app: Any, state: EmulatorState, en_user: SimUser, given_debt: Any, db_url: str, command: str
) -> None:
    given_debt(en_user)
    state.faults.set_latency("sendMessage", LATENCY)
    en_user.send_text(command)
    await asyncio.sleep(PROBE_AT)  # the bot has done its work and waits on sendMessage
    free = await asyncio.to_thread(_can_write_now, db_url)
    await en_user.next_message(timeout=10)
    state.faults.set_latency("sendMessage", 0)
    assert free, f"{command}: the bot held the write lock while Telegram answered"
