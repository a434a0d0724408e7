"""Worker processes (``BOT_WORKERS``, ``bot.workers``): each user's updates handled in one of
several processes, and still exactly once through kill -9 of either kind of process.

The bot runs as ``repaybot run`` (a real process tree) against the local Bot API over real HTTP,
on a SQLite file, and on PostgreSQL when ``TEST_DATABASE_URL`` is set.
"""

from __future__ import annotations

import os
import random
import re
import signal
import time
from decimal import Decimal
from pathlib import Path

import pytest

from bot.localapi import EmulatorState, SimUser
from bot.localapi.limits import FloodConfig
from bot.localapi.server import LocalBotApiServer
from bot.shards import Shard, shard_of
from tests.bot.test_crash_recovery import Bot, _acknowledged, _given_debt, _recorded
from tests.databases import Database

WORKERS = 2


def test_a_user_belongs_to_one_shard_and_userless_updates_to_the_first() -> None:
    shards = [Shard(index, 3) for index in range(3)]
    for telegram_id in (1, 2, 3, 10**10 + 7):
        assert [shard.owns(telegram_id) for shard in shards].count(True) == 1
        assert shards[telegram_id % 3].owns(telegram_id)
    assert shard_of(None, 3) == 0
    assert Shard().owns(None)
    assert Shard().owns(12345)  # one process: every user
    with pytest.raises(ValueError, match="does not exist"):
        Shard(3, 3)


def _users(state: EmulatorState, database: Database) -> list[SimUser]:
    """Two users in each shard, each with a debt."""
    users: list[SimUser] = []
    while sorted(shard_of(sim.id, WORKERS) for sim in users) != [0, 0, 1, 1]:
        sim = state.create_user(f"用户{len(users)}", language_code="zh-hans")
        if sum(shard_of(u.id, WORKERS) == shard_of(sim.id, WORKERS) for u in users) < 2:
            users.append(sim)
    for sim in users:
        _given_debt(database, sim)
    return users


def _workers_of(pid: int) -> set[int]:
    """The worker processes whose parent is ``pid`` (Linux /proc; not multiprocessing's
    resource tracker)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            command = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if int(fields[1]) == pid and b"spawn_main" in command:
            found.add(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"  # a zombie has stopped


def _wait_for_workers(bot: Bot, count: int, timeout: float = 60.0) -> set[int]:
    """The polling process's worker processes, once ``count`` of them run."""
    assert bot.process is not None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        workers = _workers_of(bot.process.pid)
        if len(workers) >= count:
            return workers
        time.sleep(0.1)
    raise AssertionError("the worker processes did not start")


READY_LINE = "worker process(es) handle their users' updates"


def _wait_for_log(log: Path, line: str, count: int, timeout: float = 60.0) -> None:
    """Wait until ``line`` is in the log ``count`` times."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if log.exists() and log.read_text(errors="replace").count(line) >= count:
            return
        time.sleep(0.1)
    raise AssertionError(f"{line!r} is not in the log {count} times")


def _assert_each_recorded_once_and_acknowledged(
    database: Database, users: list[SimUser], amounts: dict[int, list[int]], log: Path
) -> None:
    """Wait (up to 90 s) for every payment sent to be recorded and acknowledged; then none may
    be missing, doubled or unacknowledged."""
    expected = sorted(Decimal(a) for sent in amounts.values() for a in sent)
    recorded: list[Decimal] = []
    unacknowledged = {sim.id: set(amounts[sim.id]) for sim in users}
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        recorded = _recorded(database)
        for sim in users:
            unacknowledged[sim.id] -= _acknowledged(sim)
        if len(recorded) >= len(expected) and not any(unacknowledged.values()):
            time.sleep(1.0)  # a duplicate, if any, would land now
            recorded = _recorded(database)
            break
        time.sleep(0.3)
    tail = log.read_text(errors="replace")[-3000:]
    assert recorded == expected, f"lost or doubled payments\n{tail}"
    assert not any(unacknowledged.values()), f"never acknowledged: {unacknowledged}\n{tail}"


def _without_traceback(log: Path) -> str:
    """The bot's log, which must show no traceback."""
    text = log.read_text(errors="replace")
    assert "Traceback" not in text, text[max(0, text.find("Traceback") - 300) :][:3000]
    return text


def test_kill_9_of_the_polling_process_takes_its_workers_and_loses_nothing(
    own_database: Database, tmp_path: Path
) -> None:
    rng = random.Random(7)
    state = EmulatorState(flood=FloodConfig(enabled=False))
    users = _users(state, own_database)
    amounts: dict[int, list[int]] = {sim.id: [] for sim in users}
    next_amount = iter(range(101, 1000))

    def pay(sim: SimUser) -> None:
        amount = next(next_amount)
        amounts[sim.id].append(amount)
        sim.send_text(f"/paid {amount}")

    with LocalBotApiServer(state) as server:
        bot = Bot(server, own_database.process_url, tmp_path / "bot.log", workers=WORKERS)
        try:
            # Three kills: a reply the sender job claimed and was killed before marking goes
            # out at the restarted bot's first send run (jobs.claims), not after its lease.
            for start in range(1, 4):
                bot.start()
                workers = _wait_for_workers(bot, WORKERS)
                _wait_for_log(bot.log, READY_LINE, start)  # workers at work
                deadline = time.monotonic() + rng.uniform(0.5, 2.0)
                while time.monotonic() < deadline:
                    pay(rng.choice(users))
                    time.sleep(rng.uniform(0.01, 0.05))
                bot.kill()
                # Linux ends the workers with their parent: none is left to handle an update
                # a second time beside the restarted bot.
                gone_by = time.monotonic() + 10
                while any(_alive(pid) for pid in workers) and time.monotonic() < gone_by:
                    time.sleep(0.05)
                assert not any(_alive(pid) for pid in workers), "a worker outlived kill -9"
                pay(rng.choice(users))  # while the bot is down
            killed = bot.log.read_text(errors="replace")
            bot.start()
            _assert_each_recorded_once_and_acknowledged(own_database, users, amounts, bot.log)
        finally:
            bot.stop()
    _without_traceback(bot.log)
    # Killed with their parent, or ended at once when their pipe closed: never left to handle
    # what they had queued beside the restarted bot (which replays it from the inbox).
    assert not re.search(r"worker-\d telegram\.ext\.Application Application is stopping", killed)


def test_a_worker_killed_mid_burst_is_replaced_and_its_users_lose_nothing(
    own_database: Database, tmp_path: Path
) -> None:
    state = EmulatorState(flood=FloodConfig(enabled=False))
    users = _users(state, own_database)
    amounts: dict[int, list[int]] = {sim.id: [] for sim in users}
    with LocalBotApiServer(state) as server:
        bot = Bot(server, own_database.process_url, tmp_path / "bot.log", workers=WORKERS)
        try:
            bot.start()
            worker = min(_wait_for_workers(bot, WORKERS))
            _wait_for_log(bot.log, READY_LINE, 1)  # at work, so it dies with updates queued
            for n, amount in enumerate(range(201, 241)):
                sim = users[n % len(users)]
                amounts[sim.id].append(amount)
                sim.send_text(f"/paid {amount}")
                if n == 15:
                    os.kill(worker, 9)  # mid-burst: what it had queued is in the inbox
                time.sleep(0.02)
            _assert_each_recorded_once_and_acknowledged(own_database, users, amounts, bot.log)
        finally:
            bot.stop()
    log = _without_traceback(bot.log)
    assert re.search(r"worker \d stopped \(exit code -9\): starting it again", log)


def test_sigterm_stops_the_workers_after_their_last_updates(
    own_database: Database, tmp_path: Path
) -> None:
    state = EmulatorState(flood=FloodConfig(enabled=False))
    users = _users(state, own_database)
    amounts: dict[int, list[int]] = {sim.id: [] for sim in users}
    with LocalBotApiServer(state) as server:
        bot = Bot(server, own_database.process_url, tmp_path / "bot.log", workers=WORKERS)
        try:
            bot.start()
            workers = _wait_for_workers(bot, WORKERS)
            _wait_for_log(bot.log, READY_LINE, 1)
            for n, sim in enumerate(users):
                amounts[sim.id].append(301 + n)
                sim.send_text(f"/paid {301 + n}")
            _assert_each_recorded_once_and_acknowledged(own_database, users, amounts, bot.log)
            for pid in workers:
                os.kill(pid, signal.SIGTERM)  # as systemd signals every process of the unit
            assert bot.process is not None
            bot.process.terminate()
            assert bot.process.wait(timeout=30) == 0
        finally:
            bot.stop()
    assert not any(_alive(pid) for pid in workers)
    log = _without_traceback(bot.log)
    assert "stopped (exit code" not in log  # not taken for a crash and started again
    assert "did not stop in time" not in log
