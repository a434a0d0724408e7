"""Claims a stopped process left go out at the next process's first send run, not after their
five-minute lease; claims of live processes and of other hosts keep their lease."""

from __future__ import annotations

import os
import subprocess
from datetime import date, time, timedelta
from types import SimpleNamespace
from typing import Any

import jobs
from jobs.claims import host_name, orphaned, release_orphaned, worker_id
from tests.jobs.conftest import World, at, render
from tracker.storage.enums import OutboxStatus

SH = "Asia/Shanghai"
T = at(date(2026, 12, 12), time(9), SH)
HOST = "bot-host-1"  # host names may hold dashes


def alive_only(*pids: int) -> Any:
    return lambda pid: pid in pids


def test_only_this_hosts_stopped_processes_are_orphans() -> None:
    ids = [
        f"{HOST}-101-0a0b0c0d",  # stopped
        f"{HOST}-102-0a0b0c0d",  # alive
        f"{HOST}-7-11111111",  # this pid, made by an earlier process (a container restart)
        f"{HOST}-7-22222222",  # this pid, made by this process
        "elsewhere-101-0a0b0c0d",  # another host: its processes cannot be looked at from here
        "worker-1",  # not a worker id of ours
        f"{HOST}-abc-0a0b0c0d",
    ]
    gone = orphaned(ids, host=HOST, pid=7, ours={f"{HOST}-7-22222222"}, alive=alive_only(7, 102))
    assert gone == [f"{HOST}-101-0a0b0c0d", f"{HOST}-7-11111111"]


def test_a_worker_id_names_this_host_and_process_and_is_ours() -> None:
    mine = worker_id()
    assert mine.startswith(f"{host_name()}-{os.getpid()}-")
    assert mine != worker_id()
    assert (
        orphaned([mine], host=host_name(), pid=os.getpid(), ours={mine}, alive=alive_only()) == []
    )


def stopped_pid() -> int:
    """The pid of a process that has ended (reaped)."""
    child = subprocess.Popen(["true"])
    child.wait()
    return child.pid


def reminders(world: World, count: int) -> list[int]:
    users = [world.user(f"user {n}", digest_enabled=False) for n in range(count)]
    for user in users:
        world.debt(user, date(2026, 12, 15))
    world.scan(T)
    return users


def test_the_claims_of_a_stopped_process_on_this_host_are_released(world: World) -> None:
    reminders(world, 4)
    dead = f"{host_name()}-{stopped_pid()}-0a0b0c0d"
    live_here = f"{host_name()}-{os.getppid()}-0a0b0c0d"  # the test runner's parent
    elsewhere = "another-host-1-0a0b0c0d"
    with world.make_uow() as uow:
        claimed = {w: uow.outbox.claim_due(T, 1, w)[0].key for w in (dead, live_here, elsewhere)}
        uow.commit()
    assert release_orphaned(world.make_uow, T) == 1
    rows = world.rows()
    assert rows[claimed[dead]].status == OutboxStatus.PENDING
    assert rows[claimed[dead]].locked_by is None
    assert rows[claimed[dead]].attempts == 1  # it may have been sent: the claim still counts
    assert rows[claimed[live_here]].status == OutboxStatus.SENDING
    assert rows[claimed[elsewhere]].status == OutboxStatus.SENDING
    assert release_orphaned(world.make_uow, T) == 0  # nothing more to release


async def test_the_first_send_run_sends_what_a_stopped_process_had_claimed(
    world: World,
) -> None:
    (user,) = reminders(world, 1)
    with world.make_uow() as uow:  # claimed by a process killed before it sent
        (claimed,) = uow.outbox.claim_due(T, 1, f"{host_name()}-{stopped_pid()}-0a0b0c0d")
        uow.commit()
    deps: Any = SimpleNamespace(
        uow=world.make_uow,
        clock=SimpleNamespace(now=lambda: T + timedelta(seconds=10)),
        sent=SimpleNamespace(flush=lambda: 0),
    )
    runner = jobs.Jobs(deps, render, world.bot, world.pacer)
    report = await runner.send()  # ten seconds after, not five minutes
    assert report.sent == 1
    assert world.sent(world.chat(user)) == [f"due {claimed.key}"]
    assert world.rows()[claimed.key].status == OutboxStatus.SENT
