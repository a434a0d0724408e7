"""Issue 12, webhook mode: the real Application behind its own HTTP server, the local Bot API
delivering each update to it over real HTTP with the secret header, as Telegram does."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from prometheus_client.parser import text_string_to_metric_families
from sqlmodel import select
from telegram.error import Conflict

from bot.app import configure
from bot.clock import Clock
from bot.localapi import EmulatorState, LocalBotApiServer, SimUser
from bot.localapi.ptb import http_builder
from bot.runtime import Deps
from bot.settings import BotSettings
from bot.webhook import SECRET_HEADER, Metrics, TimedProcessor, WebhookBot, builder, create_app
from tests.bot.conftest import START
from tracker.storage.db import make_engine, make_session_factory
from tracker.storage.models import InboxUpdate
from tracker.storage.uow import SqlUnitOfWork

SECRET = "s3cret-Token_for-tests"
PATH = "/telegram/hook"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Running:
    """The bot in webhook mode and where to reach it."""

    bot: WebhookBot
    url: str
    root: str
    deps: Deps


@pytest.fixture
def emulator(state: EmulatorState) -> Iterator[LocalBotApiServer]:
    with LocalBotApiServer(state) as server:
        yield server


def webhook_settings(server: LocalBotApiServer, db_url: str, port: int) -> BotSettings:
    return BotSettings(
        _env_file=None,
        database_url=db_url,
        telegram_bot_token=server.state.token,
        telegram_api_base_url=server.base_url,
        telegram_webhook_url=f"http://127.0.0.1:{port}{PATH}",
        telegram_webhook_secret=SECRET,
        webhook_host="127.0.0.1",
        webhook_port=port,
    )


@pytest.fixture
async def running(emulator: LocalBotApiServer, db_url: str, clock: Clock) -> AsyncIterator[Running]:
    """The bot as ``repaybot run`` starts it with TELEGRAM_WEBHOOK_URL (jobs left out)."""
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
    await bot.start()
    try:
        yield Running(bot, f"http://127.0.0.1:{port}{PATH}", f"http://127.0.0.1:{port}", deps)
    finally:
        await bot.stop()


def payments_of(make_uow: Callable[[], SqlUnitOfWork], sim: SimUser, debt_id: int) -> list[int]:
    """The debt's payments in minor units."""
    with make_uow() as uow:
        user = uow.users.get_by_telegram_id(sim.id)
        if user is None or user.id is None:
            return []
        return [p.amount_minor for p in uow.payments.list_for_debt(user.id, debt_id)]


def forged_paid(sim: SimUser, update_id: int) -> dict[str, Any]:
    """A /paid 500 update as a stranger who found the URL could post it."""
    return {
        "update_id": update_id,
        "message": {
            "message_id": 77,
            "from": sim.record.to_user(),
            "chat": sim.record.to_chat(),
            "date": int(START.timestamp()),
            "text": "/paid 500",
            "entities": [{"type": "bot_command", "offset": 0, "length": 5}],
        },
    }


def stored_in_inbox(deps: Deps, update_id: int) -> bool:
    with deps.session_factory() as session:
        row = session.exec(select(InboxUpdate).where(InboxUpdate.update_id == update_id)).first()  # type: ignore[attr-defined]
        return row is not None


async def test_a_payment_arrives_by_webhook_is_recorded_and_answered(
    running: Running,
    state: EmulatorState,
    en_user: SimUser,
    given_debt: Any,
    make_uow: Callable[[], SqlUnitOfWork],
) -> None:
    debt_id = given_debt(en_user)
    update = en_user.send_text("/paid 500")
    reply = await en_user.next_message(timeout=10)
    assert "✅ Recorded CN¥500.00 to 金条" in (reply.text or "")
    assert payments_of(make_uow, en_user, debt_id) == [50000]
    assert stored_in_inbox(running.deps, update["update_id"])
    # Telegram's side: the webhook is registered with the secret, nothing waits for delivery.
    assert state.webhook is not None
    assert (state.webhook.url, state.webhook.secret_token) == (running.url, SECRET)
    assert state.pending_updates() == []


async def test_getupdates_is_refused_while_the_webhook_is_set(
    running: Running, emulator: LocalBotApiServer
) -> None:
    async with http_builder(emulator).build().bot as bot:
        with pytest.raises(Conflict, match="webhook is active"):
            await bot.get_updates()
        info = await bot.get_webhook_info()
    assert info.url == running.url


@pytest.mark.parametrize("header", [None, "wrong-secret"])
async def test_a_request_without_the_secret_gets_403_and_changes_nothing(
    running: Running,
    en_user: SimUser,
    given_debt: Any,
    make_uow: Callable[[], SqlUnitOfWork],
    header: str | None,
) -> None:
    debt_id = given_debt(en_user)
    headers = {SECRET_HEADER: header} if header is not None else {}
    async with httpx.AsyncClient() as client:
        refused = await client.post(running.url, json=forged_paid(en_user, 9001), headers=headers)
        assert refused.status_code == 403
        await asyncio.sleep(0.3)  # room for a handler to run, if anything had been queued
        assert not stored_in_inbox(running.deps, 9001)
        assert payments_of(make_uow, en_user, debt_id) == []
        assert en_user.bot_messages() == []
        # The same request with the secret is taken: the refusal above was the secret's doing.
        taken = await client.post(
            running.url, json=forged_paid(en_user, 9001), headers={SECRET_HEADER: SECRET}
        )
    assert taken.status_code == 200
    assert stored_in_inbox(running.deps, 9001)  # stored before the 200
    await en_user.next_message(timeout=10)
    assert payments_of(make_uow, en_user, debt_id) == [50000]


async def test_health_is_200_when_the_database_answers(running: Running) -> None:
    async with httpx.AsyncClient() as client:
        answer = await client.get(f"{running.root}/healthz")
    assert answer.status_code == 200


async def test_health_is_503_when_the_database_does_not_answer(
    running: Running, tmp_path: Path
) -> None:
    broken = make_session_factory(make_engine(f"sqlite:///{tmp_path}"))  # a directory, no file
    app = create_app(
        running.bot.application,
        path=PATH,
        secret=SECRET,
        session_factory=broken,
        metrics=Metrics(broken),
    )
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="off", log_level="warning")
    )
    task = asyncio.create_task(server.serve())
    try:
        while not server.started:
            await asyncio.sleep(0.01)
        async with httpx.AsyncClient() as client:
            answer = await client.get(f"http://127.0.0.1:{port}/healthz")
    finally:
        server.should_exit = True
        await task
    assert answer.status_code == 503


def samples(text: str) -> dict[str, float]:
    """Every sample of a Prometheus exposition by name (labels left out)."""
    return {
        sample.name: sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if not sample.labels or (set(sample.labels) == {"le"} and sample.labels["le"] == "+Inf")
    }


async def test_metrics_count_updates_sends_429s_latency_and_the_outbox(
    running: Running,
    state: EmulatorState,
    en_user: SimUser,
    given_debt: Any,
    make_uow: Callable[[], SqlUnitOfWork],
) -> None:
    given_debt(en_user)
    with make_uow() as uow:
        user = uow.users.get_by_telegram_id(en_user.id)
        assert user is not None
        assert user.id is not None
        for key in ("test:a", "test:b"):  # two reminders waiting
            uow.outbox.enqueue_once(
                key,
                user_id=user.id,
                chat_id=en_user.chat_id,
                kind="digest",
                due_at=START + timedelta(days=1),
            )
        uow.commit()
    # Telegram answers the first reply 429 (retry after 1 s); the bot sends it again.
    state.faults.fail_next("sendMessage", 1, status=429, retry_after=1)
    en_user.send_text("/paid 500")
    await en_user.next_message(timeout=10)
    # The reply is marked sent with others a moment after Telegram accepted it (bot.sent_marks);
    # until then it is waiting in the outbox like the reminders.
    async with httpx.AsyncClient() as client:
        for _ in range(50):
            running.deps.sent.flush()
            answer = await client.get(f"{running.root}/metrics")
            values = samples(answer.text)
            if values["repaybot_outbox_depth"] <= 2:
                break
            await asyncio.sleep(0.1)
    assert answer.status_code == 200
    assert values["repaybot_updates_received_total"] == 1
    assert values["repaybot_update_handling_seconds_count"] == 1
    assert values["repaybot_messages_sent_total"] == 1
    assert values["repaybot_telegram_429_total"] == 1
    assert values["repaybot_outbox_depth"] == 2


def test_webhook_mode_without_a_secret_refuses_to_start_with_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.cli import main

    monkeypatch.chdir(tmp_path)  # no .env here
    monkeypatch.delenv("TELEGRAM_WEBHOOK_SECRET", raising=False)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'bot.sqlite3'}")
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123:abc")
    monkeypatch.setenv("TELEGRAM_WEBHOOK_URL", "https://bot.example.org/telegram")
    assert main(["run"]) == 1
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("repaybot run: TELEGRAM_WEBHOOK_SECRET is required")
    assert not (tmp_path / "bot.sqlite3").exists()  # refused before touching the database
