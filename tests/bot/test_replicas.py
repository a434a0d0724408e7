"""Issue 12, "several replicas" on one PostgreSQL database (skipped without TEST_DATABASE_URL).

In-process: a replica handles a user's update that another replica stored but did not handle
before the update it was given, and sweeps up one left by a replica that stopped for good.

End to end: two ``repaybot run`` processes in webhook mode behind a round-robin load balancer
that also delivers some updates to both; one is killed (SIGKILL) midway. Every update is handled
exactly once, and each user's in order.

The local Bot API delivers updates to the balancer one after another, as Telegram delivers to a
webhook; consecutive updates of a user therefore land on different replicas. Each of 50 users
logs payments with rising amounts: a payment recorded out of order shows as a falling amount in
the order of the payments' ids, a lost or doubled one in the amounts themselves.
"""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from datetime import timedelta
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlmodel import col, select

from bot.app import configure
from bot.clock import Clock
from bot.localapi import EmulatorState, SimUser
from bot.localapi.limits import FloodConfig
from bot.localapi.server import LocalBotApiServer
from bot.processing import PerUserProcessor
from bot.replicas import ORPHAN_AGE, ReplicaCoordinator
from bot.runtime import Deps
from bot.webhook import Metrics, TimedProcessor, WebhookBot, builder
from tests.bot.conftest import START
from tests.bot.test_crash_recovery import ROOT, RUN, _given_debt
from tests.bot.test_webhook import SECRET, free_port, webhook_settings
from tests.databases import PG_URL, Database, fresh_database
from tracker.money import from_minor
from tracker.storage.db import make_engine, make_session_factory
from tracker.storage.migrate import upgrade
from tracker.storage.models import Payment, ProcessedUpdate, User
from tracker.storage.uow import SqlUnitOfWork

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not PG_URL, reason="TEST_DATABASE_URL is not set"),
]

USERS = 50
ROUNDS = 4  # payments per user, back to back
#: Every this many deliveries, the balancer posts the update to both replicas at once.
DUPLICATE_EVERY = 7
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


@pytest.fixture
def database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    """A fresh PostgreSQL schema."""
    with fresh_database("postgresql", tmp_path_factory) as db:
        yield db


@pytest.fixture
def db_url(database: Database) -> str:
    """The migrated PostgreSQL schema, as the bot's DATABASE_URL (overrides the SQLite one)."""
    upgrade(database.url, connect_args=database.connect_args)
    return database.process_url


@pytest.fixture
def emulator(state: EmulatorState) -> Iterator[LocalBotApiServer]:
    with LocalBotApiServer(state) as server:
        yield server


@asynccontextmanager
async def started_replica(
    emulator: LocalBotApiServer, db_url: str, clock: Clock
) -> AsyncIterator[tuple[WebhookBot, ReplicaCoordinator]]:
    """One replica in webhook mode (jobs left out) and its coordinator."""
    port = free_port()
    settings = webhook_settings(emulator, db_url, port)
    deps = Deps(settings, make_session_factory(make_engine(db_url)), clock)
    metrics = Metrics(deps.session_factory)
    application = configure(
        builder(settings, metrics, read_timeout=5, connections=8),
        deps,
        with_jobs=False,
        processor=TimedProcessor(metrics),
    )
    bot = WebhookBot(application, settings, deps.session_factory, metrics)
    processor = application.update_processor
    assert isinstance(processor, PerUserProcessor)
    assert isinstance(processor.replicas, ReplicaCoordinator)  # PostgreSQL: coordinated
    await bot.start()
    try:
        yield bot, processor.replicas
    finally:
        await bot.stop()


@pytest.fixture
async def replica(
    emulator: LocalBotApiServer, db_url: str, clock: Clock
) -> AsyncIterator[tuple[WebhookBot, ReplicaCoordinator]]:
    """One replica in webhook mode (jobs left out) and its coordinator."""
    async with started_replica(emulator, db_url, clock) as started:
        yield started


def paid(sim: SimUser, update_id: int, amount: int) -> dict[str, Any]:
    """A ``/paid <amount>`` update from ``sim``, as Telegram would send it."""
    return said(sim, update_id, f"/paid {amount}")


def said(sim: SimUser, update_id: int, text: str) -> dict[str, Any]:
    """A text message update from ``sim`` (a leading command marked as one)."""
    command = text.split()[0] if text.startswith("/") else ""
    entities = [{"type": "bot_command", "offset": 0, "length": len(command)}] if command else []
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "from": sim.record.to_user(),
            "chat": sim.record.to_chat(),
            "date": int(START.timestamp()),
            "text": text,
            "entities": entities,
        },
    }


def stored_elsewhere(make_uow: Callable[[], SqlUnitOfWork], update: dict[str, Any]) -> None:
    """Store an update in the inbox as another replica does before its 200 (not queued here)."""
    with make_uow() as uow:
        assert uow.inbox.store(
            update["update_id"],
            json.dumps(update),
            START,
            telegram_user_id=update["message"]["from"]["id"],
        )
        uow.commit()


def payments_in_order(make_uow: Callable[[], SqlUnitOfWork], sim: SimUser) -> list[int]:
    """The user's payments in minor units, in the order they were recorded."""
    with make_uow() as uow:
        rows = uow.session.exec(
            select(Payment.amount_minor)
            .join(User, col(User.id) == col(Payment.user_id))
            .where(col(User.telegram_user_id) == sim.id)
            .order_by(col(Payment.id))
        ).all()
        return list(rows)


def handled_ids(make_uow: Callable[[], SqlUnitOfWork]) -> set[int]:
    with make_uow() as uow:
        return set(uow.session.exec(select(ProcessedUpdate.update_id)).all())


async def test_a_users_update_stored_by_another_replica_is_handled_first(
    replica: tuple[WebhookBot, ReplicaCoordinator],
    en_user: SimUser,
    given_debt: Callable[..., int],
    make_uow: Callable[[], SqlUnitOfWork],
) -> None:
    bot, _ = replica
    given_debt(en_user)
    # The other replica took update 501 (stored it, answered 200) and has not handled it yet.
    stored_elsewhere(make_uow, paid(en_user, 501, 101))
    async with httpx.AsyncClient() as client:
        answer = await client.post(
            bot.url, json=paid(en_user, 502, 202), headers={SECRET_HEADER: SECRET}
        )
    assert answer.status_code == 200
    first = await en_user.next_message(timeout=10)
    second = await en_user.next_message(timeout=10)
    assert "101" in (first.text or "")
    assert "202" in (second.text or "")
    assert payments_in_order(make_uow, en_user) == [10100, 20200]
    assert {501, 502} <= handled_ids(make_uow)


async def test_an_update_left_by_a_stopped_replica_is_swept_up_once(
    replica: tuple[WebhookBot, ReplicaCoordinator],
    en_user: SimUser,
    given_debt: Callable[..., int],
    make_uow: Callable[[], SqlUnitOfWork],
    clock: Clock,
) -> None:
    _, coordinator = replica
    given_debt(en_user)
    stored_elsewhere(make_uow, paid(en_user, 601, 303))  # its replica died after the 200
    assert await coordinator.sweep() == 0  # too fresh: its replica may only be slow
    clock.advance(ORPHAN_AGE + timedelta(seconds=1))
    assert await coordinator.sweep() == 1
    reply = await en_user.next_message(timeout=10)
    assert "303" in (reply.text or "")
    assert payments_in_order(make_uow, en_user) == [30300]
    assert 601 in handled_ids(make_uow)
    assert await coordinator.sweep() == 0  # handled: not queued again


async def test_a_guided_flow_begun_on_one_replica_goes_on_on_the_other(
    emulator: LocalBotApiServer, db_url: str, clock: Clock, zh_user: SimUser
) -> None:
    async with (
        started_replica(emulator, db_url, clock) as (first, _),
        started_replica(emulator, db_url, clock) as (second, _),
        httpx.AsyncClient() as client,
    ):
        headers = {SECRET_HEADER: SECRET}
        began = await client.post(first.url, json=said(zh_user, 701, "/adddebt"), headers=headers)
        assert began.status_code == 200
        assert "1/6" in ((await zh_user.next_message(timeout=10)).text or "")
        # No pause for the persistence interval: the state is written before the lock is freed.
        went_on = await client.post(second.url, json=said(zh_user, 702, "金条"), headers=headers)
        assert went_on.status_code == 200
        assert "2/6" in ((await zh_user.next_message(timeout=10)).text or "")
        # And back: the first replica's memory still says step 1; the database says step 2.
        back = await client.post(first.url, json=said(zh_user, 703, "1万"), headers=headers)
        assert back.status_code == 200
        assert "3/6" in ((await zh_user.next_message(timeout=10)).text or "")


class Balancer:
    """A round-robin HTTP load balancer in a thread, failing over when a replica is down."""

    def __init__(self, targets: list[str]) -> None:
        self.targets = targets
        self.delivered: Counter[str] = Counter()  # target -> updates it took (2xx)
        self.duplicated = 0  # updates both replicas took
        self.answers: Counter[int] = Counter()  # status codes the replicas answered
        self._turn = 0
        self._taken = 0
        self._lock = threading.Lock()
        balancer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                status = balancer.forward(self.path, body, self.headers.get(SECRET_HEADER, ""))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *_: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/telegram/hook"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Balancer:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def taken(self) -> int:
        """Updates some replica took (a duplicate counts once)."""
        with self._lock:
            return self._taken

    def _post(self, target: str, path: str, body: bytes, secret: str) -> int:
        try:
            answer = httpx.post(
                target + path,
                content=body,
                headers={SECRET_HEADER: secret, "Content-Type": "application/json"},
                timeout=10,
            )
        except httpx.HTTPError:
            return 502
        with self._lock:
            self.answers[answer.status_code] += 1
            if answer.status_code == 200:
                self.delivered[target] += 1
        return answer.status_code

    def forward(self, path: str, body: bytes, secret: str) -> int:
        with self._lock:
            turn = self._turn
            self._turn += 1
        first = self.targets[turn % len(self.targets)]
        if turn % DUPLICATE_EVERY == DUPLICATE_EVERY - 1:
            # Delivered twice, to both replicas at the same moment.
            results: list[int] = []
            threads = [
                threading.Thread(
                    target=lambda t=t: results.append(self._post(t, path, body, secret))
                )
                for t in self.targets
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            status = 200 if 200 in results else 502
            with self._lock:
                self.duplicated += results.count(200) > 1
                self._taken += status == 200
            return status
        status = self._post(first, path, body, secret)
        if status == 502:  # down: the next replica
            status = self._post(self.targets[(turn + 1) % len(self.targets)], path, body, secret)
        with self._lock:
            self._taken += status == 200
        return status


class Replica:
    """``repaybot run`` in webhook mode as a child process."""

    def __init__(self, server: LocalBotApiServer, database_url: str, hook: str, log: Path) -> None:
        self.port = free_port()
        self.root = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": server.state.token,
            "TELEGRAM_API_BASE_URL": server.base_url,
            "TELEGRAM_WEBHOOK_URL": hook,
            "TELEGRAM_WEBHOOK_SECRET": SECRET,
            "WEBHOOK_HOST": "127.0.0.1",
            "WEBHOOK_PORT": str(self.port),
            "DATABASE_URL": database_url,
            "LOG_LEVEL": "INFO",
        }
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-c", RUN],
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 60  # a loaded machine starts slowly
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log.read_text(errors="replace")[-3000:]
            try:
                if httpx.get(f"{self.root}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"replica on port {self.port} did not start")

    def kill(self) -> None:
        assert self.process is not None
        self.process.kill()  # SIGKILL: its queued updates and its locks' connection go with it
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


def _payments(db: Database) -> dict[int, list[Decimal]]:
    """Each Telegram user's payment amounts, in the order they were recorded (payment id)."""
    engine = db.engine()
    try:
        with SqlUnitOfWork(make_session_factory(engine)) as uow:
            rows = uow.session.exec(
                select(User.telegram_user_id, Payment.amount_minor, Payment.currency)
                .join(User, col(User.id) == col(Payment.user_id))
                .order_by(col(Payment.id))
            ).all()
    finally:
        engine.dispose()
    out: dict[int, list[Decimal]] = {}
    for telegram_id, minor, currency in rows:
        out.setdefault(telegram_id, []).append(from_minor(minor, currency))
    return out


def _handled(db: Database) -> set[int]:
    engine = db.engine()
    try:
        with SqlUnitOfWork(make_session_factory(engine)) as uow:
            return set(uow.session.exec(select(ProcessedUpdate.update_id)).all())
    finally:
        engine.dispose()


def _acknowledged(sim: SimUser) -> set[int]:
    """The amounts the bot's replies say were recorded (已记下 … ¥101.00)."""
    found: set[int] = set()
    for message in sim.bot_messages():
        text = message.text or ""
        if "已记下" in text:
            found.update(int(m) for m in re.findall(r"¥(\d+)\.00", text))
    return found


def test_two_replicas_one_killed_handle_every_update_once_and_in_order(
    database: Database, tmp_path: Path
) -> None:
    rng = random.Random(12)
    upgrade(database.url, connect_args=database.connect_args)
    # Telegram's flood limits on: the replicas share one send rate, so neither meets a 429.
    state = EmulatorState(flood=FloodConfig())
    sims = [state.create_user(f"用户{i}", language_code="zh-hans") for i in range(USERS)]
    for sim in sims:
        _given_debt(database, sim)
    amounts = [101 + j for j in range(ROUNDS)]
    sent: list[int] = []
    with LocalBotApiServer(state) as server:
        logs = [tmp_path / "a.log", tmp_path / "b.log"]
        hook_placeholder = "http://127.0.0.1:1/telegram/hook"
        replicas = [Replica(server, database.process_url, hook_placeholder, log) for log in logs]
        with Balancer([r.root for r in replicas]) as balancer:
            for replica in replicas:
                replica.env["TELEGRAM_WEBHOOK_URL"] = balancer.url
            try:
                for replica in replicas:  # one after the other: each migrates first
                    replica.start()
                started = time.monotonic()
                for sim in sims:  # each user's payments back to back: on both replicas at once
                    for amount in amounts:
                        sent.append(sim.send_text(f"/paid {amount}")["update_id"])
                # Kill one once about half the updates are delivered (some of its are handled,
                # some only stored); Telegram goes on delivering, the balancer to the other.
                kill_at = len(sent) // 2 + rng.randrange(-20, 20)
                while balancer.taken() < kill_at and time.monotonic() - started < 60:
                    time.sleep(0.005)
                replicas[0].kill()
                killed_after = balancer.taken()
                expected = {sim.id: [Decimal(a) for a in amounts] for sim in sims}
                recorded: dict[int, list[Decimal]] = {}
                unacknowledged = {sim.id: set(amounts) for sim in sims}
                deadline = time.monotonic() + 120
                while time.monotonic() < deadline:
                    recorded = _payments(database)
                    for sim in sims:
                        unacknowledged[sim.id] -= _acknowledged(sim)
                    done = sum(len(v) for v in recorded.values()) >= USERS * ROUNDS
                    if done and not any(unacknowledged.values()):
                        time.sleep(1.5)  # a duplicate, if any, would land now
                        recorded = _payments(database)
                        break
                    time.sleep(0.5)
                handled = _handled(database)
                elapsed = time.monotonic() - started
            finally:
                for replica in replicas:
                    replica.stop()
    log_text = "\n".join(log.read_text(errors="replace") for log in logs)
    a_root = replicas[0].root
    # Both replicas took updates, and the other went on after the kill.
    assert balancer.delivered[a_root] > 0, balancer.delivered
    assert sum(balancer.delivered.values()) > killed_after, (killed_after, balancer.delivered)
    assert not set(sent) - handled, f"never handled: {sorted(set(sent) - handled)[:10]}"
    # Exactly once and in order, per user (a sorted comparison would hide the order).
    wrong = {uid: got for uid, got in recorded.items() if got != expected.get(uid)}
    missing = set(expected) - set(recorded)
    assert not missing, f"no payment at all from {missing}\n{log_text[-3000:]}"
    assert not wrong, f"out of order, lost or doubled: {wrong}\n{log_text[-3000:]}"
    assert not any(unacknowledged.values()), {k: v for k, v in unacknowledged.items() if v}
    assert "Traceback" not in log_text, log_text[-3000:]
    assert balancer.duplicated > 0, balancer.answers  # both took the same update, one handled it
    flooded = [c for c in state.api_calls if c.get("error", {}).get("error_code") == 429]
    assert not flooded, flooded[:3]
    print(f"{len(sent)} updates, killed after {killed_after}, all handled in {elapsed:.1f} s")
