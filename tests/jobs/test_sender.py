"""The sender: Telegram's answers (403, 429, 5xx, 400), expiry, and pacing under flood control."""

from __future__ import annotations

import itertools
import logging
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from sqlalchemy.exc import OperationalError

import jobs.sender as sender_module
from jobs import PAID_CONCURRENCY, PAID_RATE
from jobs.pacing import Pacer
from jobs.types import Rendered
from tests.jobs.conftest import FakeTime, World, at
from tracker.storage.enums import OutboxStatus
from tracker.storage.models import Outbox, User

SH = "Asia/Shanghai"
DUE = date(2026, 12, 15)
T = at(date(2026, 12, 12), time(9), SH)  # the 3-day reminder's moment


def reminder(world: World, name: str = "小明", **settings: Any) -> tuple[int, str]:
    """A user whose 3-day reminder is due at T: (user id, its outbox key)."""
    user = world.user(name, digest_enabled=False, **settings)
    inst = world.first_installment(world.debt(user, DUE))
    return user, f"due:{inst}:3"


def enqueue(world: World, user_id: int, key: str, **fields: Any) -> None:
    with world.make_uow() as uow:
        stored = uow.users.get(user_id)
        assert stored is not None
        uow.outbox.enqueue_once(
            key,
            user_id=user_id,
            chat_id=stored.chat_id,
            kind=fields.pop("kind", "due"),
            due_at=fields.pop("due_at", T),
            **fields,
        )
        uow.commit()


async def test_a_user_who_blocked_the_bot_is_marked_inactive_and_skipped(world: World) -> None:
    user, key = reminder(world)
    world.state.faults.block(world.chat(user))
    _, report = await world.run(T)
    assert (report.blocked, report.sent, report.retried) == (1, 0, 0)
    row = world.rows()[key]
    assert row.status is OutboxStatus.FAILED
    assert "blocked" in (row.last_error or "")
    with world.make_uow() as uow:
        stored = uow.users.get(user)
        assert stored is not None
        assert (stored.active, stored.blocked_at) == (False, T)
    # No retry, and no new reminders while they are away (the 1-day and due-day ones).
    for day in (13, 14, 15):
        scanned, report = await world.run(at(date(2026, 12, day), time(9), SH))
        assert (scanned.users, report.claimed) == (0, 0)
    assert world.refused(403) == 1
    assert set(world.rows()) == {key}
    # They write again (bot.runtime marks them active) and unblock: reminders resume.
    world.state.faults.unblock(world.chat(user))
    with world.make_uow() as uow:
        stored = uow.users.get(user)
        assert stored is not None
        uow.users.mark_active(stored)
        uow.commit()
    _, report = await world.run(at(DUE, time(9, 5), SH))
    assert report.sent == 1
    assert world.sent(world.chat(user)) == [f"due {key[:-1]}0"]


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")  # PTB's own
async def test_flood_control_reschedules_after_retry_after_and_sends_once(world: World) -> None:
    _, key = reminder(world)
    world.state.faults.fail_next("sendMessage", 1, status=429, retry_after=7)
    _, report = await world.run(T)
    assert (report.retried, report.sent) == (1, 0)
    row = world.rows()[key]
    assert row.status is OutboxStatus.PENDING
    assert row.next_attempt_at == T + timedelta(seconds=7)
    assert row.attempts == 0  # flood control is not the message's failure
    assert (await world.send(T + timedelta(seconds=6))).claimed == 0
    report = await world.send(T + timedelta(seconds=7))
    assert report.sent == 1
    assert world.sent() == [f"due {key}"]
    assert world.refused(429) == 1
    assert world.rows()[key].status is OutboxStatus.SENT


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_an_unpaced_sender_meets_flood_control_and_still_sends_each_once(
    world: World, fake_time: FakeTime
) -> None:
    # A pacer that ignores the per-chat limit (as another instance sending to the chat would)
    # against Telegram's strict per-chat limit: 429s, then everything arrives, once.
    world.state.flood.configure(enabled=True, per_chat_burst=1)
    user = world.user(digest_enabled=False)
    for n in range(3):
        world.debt(user, DUE, name=f"debt {n}")
    world.scan(T)
    careless = Pacer(per_chat=0, clock=fake_time.monotonic, sleep=fake_time.sleep)
    now, sent = T, 0
    for _ in range(10):
        report = await world.send(now, pacer=careless)
        sent += report.sent
        now += timedelta(seconds=1)
    assert sent == 3
    assert world.refused(429) >= 1
    assert sorted(world.sent()) == sorted(f"due {k}" for k in world.rows())
    assert all(row.status is OutboxStatus.SENT for row in world.rows().values())


class RecordingPacer(Pacer):
    """The pacer, noting when it let each message go."""

    def __init__(self, fake_time: FakeTime, **kw: Any) -> None:
        super().__init__(clock=fake_time.monotonic, sleep=fake_time.sleep, **kw)
        self.grants: list[tuple[int, float]] = []

    async def acquire(self, chat_id: int) -> float:
        moment = await super().acquire(chat_id)
        self.grants.append((chat_id, moment))
        return moment


async def _inline(func: Any, /, *args: Any, **kwargs: Any) -> Any:
    """``asyncio.to_thread`` without the thread: the work runs between two virtual instants."""
    return func(*args, **kwargs)


async def test_paced_sends_stay_within_telegrams_limits(
    world: World, fake_time: FakeTime, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The sender's database work runs in threads, which take real time while virtual time may
    # jump; run it inline here so the virtual timeline is exact, however loaded the machine.
    monkeypatch.setattr(sender_module.asyncio, "to_thread", _inline)
    world.state.flood.configure(enabled=True)  # Telegram's limits: 30/s, 1/s a chat
    busy = world.user("busy", digest_enabled=False)
    for n in range(5):
        world.debt(busy, DUE, name=f"debt {n}")
    for n in range(60):
        reminder(world, f"user {n}")
    assert world.scan(T).enqueued == 65
    pacer = RecordingPacer(fake_time)
    start = fake_time.t
    report = await world.send(T, pacer=pacer)
    assert report.sent == 65
    assert world.refused(429) == 0
    by_chat: dict[int, list[float]] = defaultdict(list)
    for chat, moment in pacer.grants:
        by_chat[chat].append(moment)
    gaps = [b - a for times in by_chat.values() for a, b in itertools.pairwise(times)]
    assert len(gaps) == 4
    assert min(gaps) >= 1.0
    moments = sorted(moment for _, moment in pacer.grants)
    assert min(b - a for a, b in itertools.pairwise(moments)) >= 1 / 30
    # The busy chat does not hold the others up: their 60 all go out (at no more than 30/s, so
    # over at least 59/30 s of virtual time) before its fifth, which waits 1 s per message.
    # Only orderings are asserted: speed belongs in bench/, not in a test.
    others = sorted(moment for chat, moment in pacer.grants if chat != world.chat(busy))
    busy_times = sorted(by_chat[world.chat(busy)])
    assert others[-1] - start >= 59 / 30
    assert others[-1] < busy_times[-1]
    assert busy_times[-1] - start >= 4.0


async def test_server_errors_are_retried_with_backoff_then_sent(world: World) -> None:
    _, key = reminder(world)
    world.state.faults.fail_next("sendMessage", 1, status=502)
    world.state.faults.fail_next("sendMessage", 1, status=500)
    _, report = await world.run(T)
    assert report.retried == 1
    row = world.rows()[key]
    assert (row.status, row.attempts) == (OutboxStatus.PENDING, 1)
    assert row.next_attempt_at == T + timedelta(seconds=30)
    assert (await world.send(T + timedelta(seconds=29))).claimed == 0
    assert (await world.send(T + timedelta(seconds=30))).retried == 1
    assert world.rows()[key].next_attempt_at == T + timedelta(seconds=30 + 60)
    assert (await world.send(T + timedelta(seconds=89))).claimed == 0
    assert (await world.send(T + timedelta(seconds=90))).sent == 1
    row = world.rows()[key]
    assert (row.status, row.attempts, row.sent_at) == (
        OutboxStatus.SENT,
        3,
        T + timedelta(seconds=90),
    )
    assert world.sent() == [f"due {key}"]


async def test_a_retry_that_would_come_too_late_is_dropped(world: World) -> None:
    user = world.user(digest_enabled=False)
    enqueue(world, user, "due:1:0", expires_at=T + timedelta(seconds=20))
    world.state.faults.fail_next("sendMessage", 1, status=503)
    report = await world.send(T)
    assert (report.dropped, report.retried) == (1, 0)
    assert world.rows()["due:1:0"].status is OutboxStatus.DROPPED


async def test_expired_messages_are_dropped_not_sent(world: World) -> None:
    user = world.user(digest_enabled=False)
    enqueue(world, user, "due:1:0", due_at=T - timedelta(days=1), expires_at=T)
    enqueue(world, user, "due:2:0", due_at=T - timedelta(days=1), expires_at=T + timedelta(hours=1))
    report = await world.send(T)
    assert (report.dropped, report.sent) == (1, 1)
    assert world.sent() == ["due due:2:0"]
    assert world.rows()["due:1:0"].status is OutboxStatus.DROPPED


async def test_a_message_that_outlives_its_wait_for_the_chat_is_dropped(
    world: World, fake_time: FakeTime
) -> None:
    user = world.user(digest_enabled=False)
    enqueue(world, user, "due:1:0", expires_at=T + timedelta(hours=1))
    enqueue(world, user, "due:2:0", expires_at=T + timedelta(seconds=0.5))
    report = await world.send(T)  # the second waits a second for the chat: too late by then
    assert (report.sent, report.dropped) == (1, 1)
    assert world.rows()["due:2:0"].last_error == "expired"


async def test_a_refused_message_fails_and_is_logged(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    user = world.user(digest_enabled=False)
    enqueue(world, user, "due:1:0")

    def broken(row: Outbox, user: User, now: datetime) -> Rendered:
        return Rendered("<b>unclosed")

    with caplog.at_level(logging.ERROR, logger="jobs.sender"):
        report = await world.send(T, render=broken)
    assert report.failed == 1
    row = world.rows()["due:1:0"]
    assert row.status is OutboxStatus.FAILED
    assert "parse entities" in (row.last_error or "")
    assert "due:1:0" in caplog.text
    assert (await world.send(T + timedelta(hours=1))).claimed == 0


async def test_nothing_to_say_drops_and_an_inactive_user_fails(world: World) -> None:
    user = world.user(digest_enabled=False)
    gone = world.user("gone", active=False, digest_enabled=False)
    enqueue(world, user, "due:1:0")
    enqueue(world, gone, "due:2:0")
    report = await world.send(T, render=lambda row, user, now: None)
    assert (report.dropped, report.failed, report.sent) == (1, 1, 0)
    rows = world.rows()
    assert rows["due:1:0"].status is OutboxStatus.DROPPED
    assert rows["due:2:0"].status is OutboxStatus.FAILED
    # Neither reached Telegram: nothing to say is dropped, an inactive user is not written to.
    assert [call["method"] for call in world.state.api_calls] == ["getMe"]  # the bot starting


async def test_send_needs_an_aware_time(world: World) -> None:
    with pytest.raises(ValueError, match="aware"):
        await world.send(datetime(2026, 12, 12, 9))


async def test_a_send_whose_mark_fails_once_is_recorded_and_not_sent_again(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Telegram took the message, then the database was busy: the mark is tried again, so the
    row ends sent and a later run (or another worker) does not send it a second time."""
    _, key = reminder(world)
    real = sender_module._sent
    calls = 0

    def busy_once(*args: Any, **kwargs: Any) -> bool:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise OperationalError("UPDATE outbox", {}, Exception("database is locked"))
        return real(*args, **kwargs)

    monkeypatch.setattr(sender_module, "_sent", busy_once)
    monkeypatch.setattr(sender_module, "MARK_RETRY_PAUSES", (0.0, 0.0))
    _, report = await world.run(T)
    assert report.sent == 1
    assert calls == 2
    assert world.rows()[key].status is OutboxStatus.SENT
    _, again = await world.run(T + timedelta(hours=1))
    assert again.sent == 0
    assert len(world.sent()) == 1


# ---- urgency and paid broadcast (issue 12) ---------------------------------------------------


def _paid(call: dict[str, Any]) -> bool:
    return str(call["params"].get("allow_paid_broadcast", "")).lower() == "true"


async def test_paid_broadcast_sends_the_urgent_rows_paid_at_the_paid_pace(
    world: World, fake_time: FakeTime, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sender_module.asyncio, "to_thread", _inline)  # an exact virtual timeline
    world.state.flood.configure(enabled=True)  # 30/s free, 1,000/s paid, 1/s a chat
    urgent = [world.user(f"today {n}", digest_enabled=False) for n in range(60)]
    calm = [world.user(f"later {n}", digest_enabled=False) for n in range(30)]
    for n, user in enumerate(urgent):
        enqueue(world, user, f"due:{n}:0", priority=0)
    for n, user in enumerate(calm):
        enqueue(world, user, f"due:{100 + n}:3", priority=2)
    free = RecordingPacer(fake_time)
    paid = RecordingPacer(fake_time, rate=PAID_RATE, concurrency=PAID_CONCURRENCY)
    start = fake_time.t

    first = await world.send(T, pacer=free, paid=paid)
    second = await world.send(T, pacer=free, paid=paid)

    assert (first.sent, second.sent) == (60, 30)
    assert world.refused(429) == 0
    sends = [c for c in world.state.api_calls if c["method"].lower() == "sendmessage"]
    chats = {world.chat(u) for u in urgent}
    # The urgent ones all went first, all paid; the others after them, none paid.
    assert [int(c["params"]["chat_id"]) in chats for c in sends] == [True] * 60 + [False] * 30
    assert [_paid(c) for c in sends] == [True] * 60 + [False] * 30
    assert world.state.flood.paid_sent == 60
    assert {chat for chat, _ in paid.grants} == chats
    assert not {chat for chat, _ in free.grants} & chats
    # At the paid pace the 60 took less virtual time than the free 30/s allows for 60 (2 s);
    # the others kept the free pace.
    paid_moments = sorted(moment for _, moment in paid.grants)
    assert paid_moments[-1] - start < 59 / 30
    free_moments = sorted(moment for _, moment in free.grants)
    assert min(b - a for a, b in itertools.pairwise(free_moments)) >= 1 / 30
    assert paid_moments[-1] <= free_moments[0]


async def test_without_paid_broadcast_nothing_is_sent_paid(world: World) -> None:
    user = world.user(digest_enabled=False)
    enqueue(world, user, "due:1:0", priority=0)
    enqueue(world, user, "due:2:3", priority=2)
    assert (await world.send(T)).sent == 1
    assert (await world.send(T)).sent == 1
    assert world.sent() == ["due due:1:0", "due due:2:3"]
    sends = [c for c in world.state.api_calls if c["method"].lower() == "sendmessage"]
    assert not any("allow_paid_broadcast" in c["params"] for c in sends)
    assert world.state.flood.paid_sent == 0


async def test_a_reply_is_never_a_paid_broadcast(world: World, fake_time: FakeTime) -> None:
    """Replies share the most urgent level, but Stars pay only for the morning's reminders."""
    first, second = world.user("replied", digest_enabled=False), world.user("due today")
    enqueue(world, first, "reply:1", kind="reply", priority=0)
    enqueue(world, first, "later:due:7", kind="later", priority=0)
    enqueue(world, second, "due:2:0", priority=0)
    paid = RecordingPacer(fake_time, rate=PAID_RATE, concurrency=PAID_CONCURRENCY)
    assert (await world.send(T, pacer=RecordingPacer(fake_time), paid=paid)).sent == 3
    sends = [c for c in world.state.api_calls if c["method"].lower() == "sendmessage"]
    paid_chats = {int(c["params"]["chat_id"]) for c in sends if _paid(c)}
    assert paid_chats == {world.chat(second)}
    assert world.state.flood.paid_sent == 1
