"""Replies that went out are marked sent together, and never sent twice by the sender job."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import col, select

import bot.sent_marks as sent_marks
import jobs
from bot.clock import Clock
from bot.localapi import EmulatorState
from bot.runtime import REPLY_GRACE, Deps
from jobs.types import REPLY_KIND
from tracker.storage.enums import OutboxStatus
from tracker.storage.models import Outbox
from tracker.storage.uow import SqlUnitOfWork

MakeUow = Callable[[], SqlUnitOfWork]


def reply_statuses(make_uow: MakeUow) -> list[OutboxStatus]:
    with make_uow() as uow:
        rows = uow.session.exec(select(Outbox).where(col(Outbox.kind) == REPLY_KIND)).all()
        return [row.status for row in rows]


@pytest.fixture
def slow_marks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Marks wait a minute instead of a moment: what a busy process looks like to the sender."""
    monkeypatch.setattr(sent_marks, "FLUSH_DELAY", 60.0)


async def wait_for_marks(deps: Deps, count: int) -> None:
    for _ in range(100):
        if len(deps.sent) >= count:
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"{count} replies were never noted as sent")


async def test_a_reply_is_marked_sent_shortly_after_it_went_out(
    app: Any, state: EmulatorState, given_debt: Callable[..., int], make_uow: MakeUow
) -> None:
    user = state.create_user("Lin", language_code="en")
    given_debt(user)
    user.send_text("/paid 101")
    await user.next_message(timeout=10)
    for _ in range(100):
        if reply_statuses(make_uow) == [OutboxStatus.SENT]:
            break
        await asyncio.sleep(0.02)
    assert reply_statuses(make_uow) == [OutboxStatus.SENT]


async def test_the_sender_writes_waiting_marks_before_it_sends_anything(
    slow_marks: None,
    app_with_jobs: Any,
    state: EmulatorState,
    deps: Deps,
    given_debt: Callable[..., int],
    clock: Clock,
    make_uow: MakeUow,
) -> None:
    user = state.create_user("Lin", language_code="zh")
    given_debt(user)
    user.send_text("还了500")
    await user.next_message(timeout=10)
    await wait_for_marks(deps, 1)
    assert reply_statuses(make_uow) == [OutboxStatus.PENDING]  # the mark is still waiting
    clock.advance(REPLY_GRACE + timedelta(seconds=1))  # the reply looks due to the sender
    await jobs.run_now(app_with_jobs)
    assert reply_statuses(make_uow) == [OutboxStatus.SENT]
    assert len(user.bot_messages()) == 1  # not sent a second time


async def test_many_waiting_marks_are_written_at_once(
    slow_marks: None,
    monkeypatch: pytest.MonkeyPatch,
    app: Any,
    state: EmulatorState,
    deps: Deps,
    given_debt: Callable[..., int],
    make_uow: MakeUow,
) -> None:
    monkeypatch.setattr(sent_marks, "FLUSH_SIZE", 3)
    users = [state.create_user(f"u{n}", language_code="en") for n in range(3)]
    for sim in users:
        given_debt(sim)
        sim.send_text("/paid 10")
    for sim in users:
        await sim.next_message(timeout=10)
    for _ in range(100):  # the third mark fills the batch: all three are written, no timer
        if reply_statuses(make_uow) == [OutboxStatus.SENT] * 3:
            break
        await asyncio.sleep(0.02)
    assert reply_statuses(make_uow) == [OutboxStatus.SENT] * 3
    assert len(deps.sent) == 0
