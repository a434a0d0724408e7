"""The real Application, wired to the local Bot API in-process, on a migrated database."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from bot.clock import Clock
from bot.localapi import EmulatorState, FakeClock, SimUser
from bot.localapi.limits import FloodConfig
from bot.runtime import Deps
from bot.settings import BotSettings
from tests.bot.helpers import App, running
from tracker.rates import Rate, RateUnit
from tracker.schedule_types import LoanTerms, Method
from tracker.services.debts import DebtSpec, add_debt
from tracker.storage.db import make_engine, make_session_factory
from tracker.storage.enums import Language
from tracker.storage.migrate import upgrade
from tracker.storage.models import User
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
    settings = BotSettings(database_url=db_url, _env_file=None)  # type: ignore[call-arg]
    return Deps(settings, make_session_factory(make_engine(db_url)), clock)


@pytest.fixture
def make_uow(deps: Deps) -> Callable[[], SqlUnitOfWork]:
    """Units of work on the bot's database, for checking what was stored."""
    return deps.uow


@pytest.fixture
async def app(state: EmulatorState, deps: Deps) -> AsyncIterator[App]:
    """The real Application, polling the local Bot API, without the repeating jobs."""
    async with running(state, deps, with_jobs=False) as started:
        yield started


@pytest.fixture
async def app_with_jobs(state: EmulatorState, deps: Deps) -> AsyncIterator[App]:
    """The real Application with the scan and send jobs registered but paused.

    Tests move the clock and run the jobs themselves with ``jobs.run_now(app)``.
    """
    async with running(state, deps) as started:
        assert started.job_queue is not None
        for job in started.job_queue.jobs():
            job.enabled = False
        yield started


@pytest.fixture
def zh_user(state: EmulatorState) -> SimUser:
    """A user whose Telegram app speaks Simplified Chinese."""
    return state.create_user("小明", language_code="zh-hans")


@pytest.fixture
def en_user(state: EmulatorState) -> SimUser:
    """A user whose Telegram app speaks English."""
    return state.create_user("Alice", language_code="en")


@pytest.fixture
def given_debt(make_uow: Callable[[], SqlUnitOfWork]) -> Callable[..., int]:
    """Store a debt for a simulated user (creating the user): returns the debt id.

    Default: 金条, ¥12,000 at 0.05 % a day, 12 annuity installments due on the 15th from
    2026-12-15 (the money arrived 2026-11-15); pass LoanTerms fields or DebtSpec fields to change.
    """

    def make(sim: SimUser, name: str = "金条", **overrides: Any) -> int:
        term_fields = {
            k: overrides.pop(k) for k in list(overrides) if k in LoanTerms.__dataclass_fields__
        }
        terms = LoanTerms(
            **{
                "principal": Decimal(12000),
                "rate": Rate(Decimal("0.0005"), RateUnit.DAY),
                "term": 12,
                "method": Method.ANNUITY,
                "first_due": date(2026, 12, 15),
                "start_date": date(2026, 11, 15),
                **term_fields,
            }
        )
        with make_uow() as uow:
            user = uow.users.get_by_telegram_id(sim.id)
            if user is None:
                language = (
                    Language.ZH
                    if (sim.record.language_code or "").startswith("zh")
                    else Language.EN
                )
                user = uow.users.add(
                    User(telegram_user_id=sim.id, chat_id=sim.chat_id, language=language)
                )
            assert user.id is not None
            debt, _ = add_debt(
                uow, user_id=user.id, spec=DebtSpec(name=name, terms=terms, **overrides), now=START
            )
            uow.commit()
            assert debt.id is not None
            return debt.id

    return make
