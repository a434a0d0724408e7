"""At most once across restarts and with two instances on one database."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import date, time, timedelta

from bot.localapi.ptb import in_process_bot
from jobs.pacing import Pacer
from jobs.scan import scan
from jobs.sender import SendReport, send_due
from tests.jobs.conftest import FakeTime, World, at, render
from tracker.storage.enums import OutboxStatus

SH = "Asia/Shanghai"
DUE = date(2026, 12, 15)
T = at(date(2026, 12, 12), time(9), SH)


def users_with_reminders(world: World, count: int) -> list[int]:
    users = [world.user(f"user {n}", digest_enabled=False) for n in range(count)]
    for user in users:
        world.debt(user, DUE)
    return users


async def test_a_restart_between_scans_sends_nothing_twice(
    world: World, fake_time: FakeTime
) -> None:
    users_with_reminders(world, 3)
    _, report = await world.run(T)
    assert report.sent == 3
    # A new process: a new worker id and pacer, the same database, a little later.
    world.worker = "worker-2"
    world.pacer = Pacer(clock=fake_time.monotonic, sleep=fake_time.sleep)
    for minutes in (1, 5, 60):
        scanned, report = await world.run(T + timedelta(minutes=minutes))
        assert (scanned.enqueued, report.claimed) == (0, 0)
    assert len(world.sent()) == 3


async def test_a_claim_left_by_a_crashed_worker_is_sent_once_after_its_lease(
    world: World,
) -> None:
    (user,) = users_with_reminders(world, 1)
    world.scan(T)
    with world.make_uow() as uow:  # claimed by a process that died before sending
        (claimed,) = uow.outbox.claim_due(T, 10, "crashed-worker")
        uow.commit()
    world.worker = "worker-2"
    assert (await world.send(T + timedelta(minutes=4))).claimed == 0  # still leased
    report = await world.send(T + timedelta(minutes=6))
    assert report.sent == 1
    assert world.sent(world.chat(user)) == [f"due {claimed.key}"]
    row = world.rows()[claimed.key]
    assert (row.status, row.attempts) == (OutboxStatus.SENT, 2)


async def test_two_schedulers_on_one_database_send_each_message_once(
    world: World, fake_time: FakeTime
) -> None:
    users = users_with_reminders(world, 40)

    async def instance(name: str, now_offset: float) -> SendReport:
        now = T + timedelta(seconds=now_offset)
        pacer = Pacer(clock=fake_time.monotonic, sleep=fake_time.sleep)
        total = SendReport()
        async with in_process_bot(world.state) as bot:
            await asyncio.to_thread(scan, world.make_uow, now)
            while True:
                report = await send_due(
                    world.make_uow, bot, render, now, worker_id=name, limit=7, pacer=pacer
                )
                total.add(report)
                if not report.claimed:
                    return total

    # Two processes, each scanning and sending, at the same time, three rounds (the first two
    # hit the 3-day reminders; the third, on the due day, the due-day ones).
    reports: list[SendReport] = []
    for offset in (0.0, 0.5):
        reports += await asyncio.gather(instance("a", offset), instance("b", offset + 0.1))
    for offset in (0.0, 0.2):
        day = at(DUE, time(9), SH) - T
        reports += await asyncio.gather(
            instance("a", day.total_seconds() + offset), instance("b", day.total_seconds())
        )
    assert sum(r.sent for r in reports) == 80
    texts = world.sent()
    assert len(texts) == 80
    assert Counter(texts).most_common(1)[0][1] == 1
    per_chat = Counter(
        call["result"]["chat"]["id"]
        for call in world.state.api_calls
        if call["method"].lower() == "sendmessage" and "result" in call
    )
    assert set(per_chat.values()) == {2}
    assert set(per_chat) == {world.chat(u) for u in users}
    rows = world.rows()
    assert len(rows) == 80
    assert all(row.status is OutboxStatus.SENT for row in rows.values())
