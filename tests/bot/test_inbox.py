"""The durable inbox in the real Application: stored updates a crash left unhandled are replayed
at start-up, once; handled ones are not; every update, also a failed one, ends up handled."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from sqlmodel import select

from bot.localapi import EmulatorState, SimUser
from bot.runtime import Deps
from tests.bot.conftest import START
from tests.bot.helpers import running
from tracker.storage.models import Payment
from tracker.storage.uow import SqlUnitOfWork

MakeUow = Callable[[], SqlUnitOfWork]


def _crashed_after_storing(state: EmulatorState, make_uow: MakeUow, update: dict[str, Any]) -> None:
    """What a process killed after storing the update and confirming it to Telegram leaves."""
    state.drop_pending_updates()  # Telegram was told: it will not send it again
    with make_uow() as uow:
        assert uow.inbox.store(update["update_id"], json.dumps(update), START)
        uow.commit()


def _amounts(make_uow: MakeUow) -> list[int]:
    with make_uow() as uow:
        return sorted(p.amount_minor for p in uow.session.exec(select(Payment)))


async def test_a_stored_unhandled_payment_is_replayed_at_start_and_recorded_once(
    state: EmulatorState, deps: Deps, zh_user: SimUser, given_debt: Any, make_uow: MakeUow
) -> None:
    given_debt(zh_user)
    _crashed_after_storing(state, make_uow, zh_user.send_text("/paid 321"))
    async with running(state, deps, with_jobs=False):
        reply = await zh_user.next_message()
        assert "¥321.00" in reply.text
    async with running(state, deps, with_jobs=False):  # a second start replays nothing
        zh_user.send_text("/paid 5")
        assert "¥5.00" in (await zh_user.next_message()).text
    assert _amounts(make_uow) == [500, 32100]
    with make_uow() as uow:
        assert uow.inbox.pending() == []


async def test_an_update_handled_before_the_crash_is_not_replayed(
    state: EmulatorState, deps: Deps, en_user: SimUser, given_debt: Any, make_uow: MakeUow
) -> None:
    given_debt(en_user)
    update = en_user.send_text("/paid 77")
    _crashed_after_storing(state, make_uow, update)
    with make_uow() as uow:
        uow.processed_updates.mark_processed(update["update_id"], START)  # it was handled
        uow.commit()
    async with running(state, deps, with_jobs=False):
        en_user.send_text("/paid 8")
        assert "8.00" in (await en_user.next_message()).text
    assert _amounts(make_uow) == [800]


async def test_updates_that_change_nothing_are_handled_too(
    state: EmulatorState, deps: Deps, en_user: SimUser, make_uow: MakeUow
) -> None:
    async with running(state, deps, with_jobs=False):
        en_user.send_text("/paid lots")  # a clear reply, nothing saved
        await en_user.next_message()
        en_user.send_text("hello there")
        await en_user.next_message()
    with make_uow() as uow:
        assert uow.inbox.pending() == []
