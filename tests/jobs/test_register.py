"""jobs.register on the real Application: two named jobs; run_now sends through its bot."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, time, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import Engine
from telegram.ext import Application

import jobs
from bot.app import configure
from bot.clock import Clock
from bot.localapi import EmulatorState
from bot.localapi.ptb import in_process_builder
from bot.runtime import Deps
from bot.settings import BotSettings
from jobs.pacing import Pacer
from tests.databases import Database
from tests.jobs.conftest import FakeTime, World, at, render
from tracker.storage.db import make_session_factory

SH = "Asia/Shanghai"
T = at(date(2026, 12, 12), time(9), SH)

App = Application[Any, Any, Any, Any, Any, Any]


@pytest.fixture
def deps(database: Database, engine: Engine) -> Deps:
    settings = BotSettings(database_url=database.url, scan_interval_seconds=30, _env_file=None)  # type: ignore[call-arg]
    return Deps(settings, make_session_factory(engine), Clock(frozen=T))


@pytest.fixture
async def app(state: EmulatorState, deps: Deps) -> AsyncIterator[App]:
    application = configure(in_process_builder(state), deps, with_jobs=False)
    async with application:
        yield application


async def test_register_adds_the_scan_and_send_jobs(app: App, deps: Deps) -> None:
    registered = jobs.register(app, deps, render=render)
    assert app.bot_data[jobs.JOBS_KEY] is registered
    assert registered.bot is app.bot
    queue = app.job_queue
    assert queue is not None
    (scan_job,) = queue.get_jobs_by_name("scan")
    (send_job,) = queue.get_jobs_by_name("send")
    assert scan_job.job.trigger.interval == timedelta(seconds=30)
    assert send_job.job.trigger.interval == jobs.SEND_INTERVAL
    other = jobs.register(
        configure(in_process_builder(EmulatorState()), deps, with_jobs=False), deps, render=render
    )
    assert other.worker != registered.worker  # one per process (and per registration)


async def test_run_now_scans_and_sends_through_the_applications_bot(
    app: App, deps: Deps, world: World, fake_time: FakeTime
) -> None:
    user = world.user(digest_enabled=False)
    inst = world.first_installment(world.debt(user, date(2026, 12, 15)))
    pacer = Pacer(clock=fake_time.monotonic, sleep=fake_time.sleep)
    jobs.register(app, deps, render=render, pacer=pacer)
    scanned, sent = await jobs.run_now(app)
    assert (scanned.enqueued, sent.sent) == (1, 1)
    assert world.sent(world.chat(user)) == [f"due due:{inst}:3"]
    scanned, sent = await jobs.run_now(app)
    assert (scanned.enqueued, sent.claimed) == (0, 0)
    # The job callbacks do the same, and never raise.
    state = app.bot_data[jobs.JOBS_KEY]
    deps.clock.advance(timedelta(days=2))
    await state.scan_job(None)
    await state.send_job(None)
    assert world.sent(world.chat(user)) == [f"due due:{inst}:{n}" for n in (3, 1)]


def test_the_composition_root_gives_the_jobs_the_bots_renderer(deps: Deps) -> None:
    from bot.reminder_render import render as bot_render

    application = configure(in_process_builder(EmulatorState()), deps)
    assert application.bot_data[jobs.JOBS_KEY].render is bot_render


async def test_run_now_needs_register(app: App) -> None:
    with pytest.raises(RuntimeError, match="register"):
        await jobs.run_now(app)


async def test_a_failing_job_logs_and_carries_on(
    app: App, deps: Deps, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*_: object) -> None:
        raise RuntimeError("boom")

    state = jobs.register(app, deps, render=render)
    state.deps = Deps(deps.settings, broken, deps.clock)  # type: ignore[arg-type]
    await state.scan_job(None)  # type: ignore[arg-type]
    await state.send_job(None)  # type: ignore[arg-type]
    assert "the scan job failed" in caplog.text
    assert "the send job failed" in caplog.text


def test_the_composition_root_registers_the_jobs(deps: Deps) -> None:
    application = configure(in_process_builder(EmulatorState()), deps)
    assert isinstance(application.bot_data[jobs.JOBS_KEY], jobs.Jobs)
    assert application.job_queue is not None
    names = {job.name for job in application.job_queue.jobs()}
    assert {"scan", "send"} <= names


async def test_a_send_run_ends_after_its_batch_once_the_application_stops(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Full batches keep a run going until its budget; a stopping application ends it after
    the batch in hand, so shutting down waits seconds, not minutes."""
    calls = 0

    async def full_batch(*args: Any, **kwargs: Any) -> jobs.SendReport:
        nonlocal calls
        calls += 1
        return jobs.SendReport(claimed=jobs.DEFAULT_LIMIT)

    answers = iter([True, True, False])
    monkeypatch.setattr(jobs, "send_due", full_batch)
    deps: Any = SimpleNamespace(uow=None, clock=Clock(), sent=SimpleNamespace(flush=lambda: 0))
    bot: Any = None
    runner = jobs.Jobs(deps, render, bot, Pacer(), running=lambda: next(answers))
    await runner.send()
    assert calls == 3


async def test_paid_broadcast_gets_a_pacer_of_its_own_when_the_setting_is_on(
    app: App, deps: Deps, database: Database, engine: Engine
) -> None:
    assert jobs.register(app, deps, render=render).paid is None  # off by default
    settings = BotSettings(database_url=database.url, telegram_paid_broadcast=True, _env_file=None)  # type: ignore[call-arg]
    paid_deps = Deps(settings, make_session_factory(engine), Clock(frozen=T))
    registered = jobs.register(app, paid_deps, render=render)
    assert registered.paid is not None
    assert registered.paid is not registered.pacer
    assert (registered.paid.rate, registered.paid.per_chat) == (1000 * 0.97, 1.0)


async def test_a_send_run_goes_level_by_level_and_only_urgent_ones_while_scanning(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A batch is one urgency level: a short batch does not end the run (a less urgent level
    may be waiting), an empty claim does. While the scan is still writing, only the most
    urgent level is claimed."""
    asked: list[int | None] = []
    claims = iter([3, 2, 0, 5, 0])

    async def batch(*args: Any, **kwargs: Any) -> jobs.SendReport:
        asked.append(kwargs["max_priority"])
        return jobs.SendReport(claimed=next(claims))

    monkeypatch.setattr(jobs, "send_due", batch)
    deps: Any = SimpleNamespace(uow=None, clock=Clock(), sent=SimpleNamespace(flush=lambda: 0))
    bot: Any = None
    runner = jobs.Jobs(deps, render, bot, Pacer())
    await runner.send()
    assert asked == [None, None, None]
    async with runner._scanning:  # a scan in progress
        await runner.send()
    assert asked[3:] == [0, 0]
