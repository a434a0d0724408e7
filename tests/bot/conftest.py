"""The real Application, wired to the local Bot API in-process, on a migrated database."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from telegram.ext import Application

from bot.app import configure
from bot.clock import Clock
from bot.localapi import EmulatorState, FakeClock, SimUser
from bot.localapi.limits import FloodConfig
from bot.localapi.ptb import in_process_builder
from bot.runtime import Deps
from tracker.settings import Settings
from tracker.storage.db import make_engine, make_session_factory
from tracker.storage.migrate import upgrade
from tracker.storage.uow import SqlUnitOfWork

#: Tests run on a fixed day so schedules and "today" are predictable.
START = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    """A migrated SQLite database for one test."""
    url = f"sqlite:///{tmp_path / 'bot.sqlite3'}"
    upgrade(url)
    return url


@pytest.fixture
def clock() -> Clock:
    """The bot's clock, frozen at START; tests move it forward."""
    return Clock(frozen=START)


@pytest.fixture
def state() -> EmulatorState:
    """The local Bot API's state: flood control off unless a test turns it on."""
    return EmulatorState(now=FakeClock(START.timestamp()), flood=FloodConfig(enabled=False))


@pytest.fixture
def deps(db_url: str, clock: Clock) -> Deps:
    """The dependencies, as bot.main builds them, on the test database."""
    settings = Settings(database_url=db_url, _env_file=None)  # type: ignore[call-arg]
    return Deps(settings, make_session_factory(make_engine(db_url)), clock)


@pytest.fixture
def make_uow(deps: Deps) -> Callable[[], SqlUnitOfWork]:
    """Units of work on the bot's database, for checking what was stored."""
    return deps.uow


@pytest.fixture
async def app(
    state: EmulatorState, deps: Deps
) -> AsyncIterator[Application[Any, Any, Any, Any, Any, Any]]:
    """The real Application, polling the local Bot API."""
    application = configure(in_process_builder(state), deps)
    async with application:
        assert application.post_init is not None
        await application.post_init(application)  # run_polling would; start() does not
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(poll_interval=0, timeout=1)
        yield application
        await application.updater.stop()
        await application.stop()


@pytest.fixture
def zh_user(state: EmulatorState) -> SimUser:
    """A user whose Telegram app speaks Simplified Chinese."""
    return state.create_user("小明", language_code="zh-hans")


@pytest.fixture
def en_user(state: EmulatorState) -> SimUser:
    """A user whose Telegram app speaks English."""
    return state.create_user("Alice", language_code="en")
