"""Helpers for bot scenarios: what a misbehaving client could send, and many stored users."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from telegram.ext import Application

from bot.app import configure
from bot.localapi import EmulatorState, SimUser
from bot.localapi.models import CallbackQueryRecord
from bot.localapi.ptb import in_process_builder
from bot.runtime import Deps
from tracker.rates import Rate, RateUnit
from tracker.schedule_types import LoanTerms, Method
from tracker.services.debts import DebtSpec, add_debt
from tracker.storage.enums import Language
from tracker.storage.models import User
from tracker.storage.uow import SqlUnitOfWork

App = Application[Any, Any, Any, Any, Any, Any]


@asynccontextmanager
async def running(
    state: EmulatorState, deps: Deps, *, with_jobs: bool = True
) -> AsyncIterator[App]:
    """The real Application polling the local Bot API, as run_polling would; stopped on exit.

    Stopping saves persistence, so a second ``running`` on the same deps is a restart.
    """
    application = configure(in_process_builder(state), deps, with_jobs=with_jobs)
    async with application:
        assert application.post_init is not None
        await application.post_init(application)  # run_polling would; start() does not
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(poll_interval=0, timeout=1)
        try:
            yield application
        finally:
            await application.updater.stop()
            await application.stop()


def forge_press(
    state: EmulatorState, user: SimUser, message: dict[str, Any], data: str
) -> dict[str, Any]:
    """A callback_query from ``user`` with arbitrary data, as a modified client could send."""
    query_id = str(secrets.randbits(63))
    with state.lock:
        state.callback_queries[query_id] = CallbackQueryRecord(
            query_id, user.id, message["message_id"], data, state.now()
        )
    body = {
        "id": query_id,
        "from": user.record.to_user(),
        "message": message,
        "chat_instance": "1",
        "data": data,
    }
    return state.enqueue_update("callback_query", body)


def given_debts(
    make_uow: Callable[[], SqlUnitOfWork],
    users: list[SimUser],
    *,
    name: str,
    language: Language,
    now: datetime,
) -> None:
    """Each simulated user stored with one loan: ¥100,000 at 0.05 % a day, 12 annuity installments
    from 2026-12-15 (the benchmarks' many users, in one unit of work)."""
    terms = LoanTerms(
        principal=Decimal(100000),
        rate=Rate(Decimal("0.0005"), RateUnit.DAY),
        term=12,
        method=Method.ANNUITY,
        first_due=date(2026, 12, 15),
        start_date=date(2026, 11, 15),
    )
    with make_uow() as uow:
        for sim in users:
            user = uow.users.add(
                User(telegram_user_id=sim.id, chat_id=sim.chat_id, language=language)
            )
            assert user.id is not None
            add_debt(uow, user_id=user.id, spec=DebtSpec(name=name, terms=terms), now=now)
        uow.commit()
