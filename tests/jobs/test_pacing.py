"""The pacer on a fake clock: overall rate, per-chat spacing, pauses after a 429."""

from __future__ import annotations

import asyncio
import itertools

import pytest

from jobs.pacing import Pacer
from tests.jobs.conftest import FakeTime


def pacer(fake: FakeTime, **kw: float) -> Pacer:
    return Pacer(clock=fake.monotonic, sleep=fake.sleep, **kw)


async def test_the_overall_rate_spaces_messages_evenly() -> None:
    fake = FakeTime(0.0)
    p = pacer(fake, rate=10)
    slots = [await p.acquire(chat) for chat in range(21)]
    assert slots[0] == 0.0
    assert all(b - a == pytest.approx(0.1) for a, b in itertools.pairwise(slots))
    assert fake.t == pytest.approx(2.0)


async def test_one_chat_gets_one_message_a_second() -> None:
    fake = FakeTime(0.0)
    p = pacer(fake)
    slots = [await p.acquire(42) for _ in range(4)]
    assert slots == pytest.approx([0.0, 1.0, 2.0, 3.0])


async def test_a_waiting_chat_does_not_hold_an_overall_slot() -> None:
    fake = FakeTime(0.0)
    p = pacer(fake, rate=10)
    await p.acquire(1)

    async def chat(n: int) -> float:
        return await p.acquire(n)

    # Chat 1 waits a second for its turn; chats 2..5 go out in between at the overall rate.
    again, *others = await asyncio.gather(chat(1), *(chat(n) for n in range(2, 6)))
    assert again == pytest.approx(1.0)
    assert sorted(others) == pytest.approx([0.1, 0.2, 0.3, 0.4])


async def test_a_burst_is_allowed_up_to_its_size() -> None:
    fake = FakeTime(0.0)
    p = pacer(fake, rate=10, burst=3)
    slots = [await p.acquire(chat) for chat in range(5)]
    assert slots == pytest.approx([0.0, 0.0, 0.0, 0.1, 0.2])


async def test_a_pause_holds_everyone_back_then_resumes_at_the_rate() -> None:
    fake = FakeTime(0.0)
    p = pacer(fake, rate=10)
    await p.acquire(1)
    p.pause(5)
    slots = await asyncio.gather(*(p.acquire(n) for n in range(2, 5)))
    assert sorted(slots) == pytest.approx([5.0, 5.1, 5.2])


async def test_a_pause_while_waiting_requeues_behind_it() -> None:
    fake = FakeTime(0.0)
    p = pacer(fake, rate=1)
    await p.acquire(1)
    waiting = asyncio.create_task(p.acquire(2))  # its slot: 1.0
    await asyncio.sleep(0)
    p.pause(10)
    assert await waiting == pytest.approx(10.0)


def test_settings_are_checked() -> None:
    with pytest.raises(ValueError, match="positive"):
        Pacer(rate=0)
    with pytest.raises(ValueError, match="positive"):
        Pacer(concurrency=0)
