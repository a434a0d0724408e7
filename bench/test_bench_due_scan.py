"""The reminder scan's query: active installments due between two dates, on a large table."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Engine, insert

from tracker.rates import RateUnit
from tracker.schedule_types import Method
from tracker.storage.db import make_engine, make_session_factory
from tracker.storage.migrate import upgrade
from tracker.storage.models import Debt, Installment, PlanVersion, User
from tracker.storage.uow import SqlUnitOfWork

DEBTS_PER_USER = 2
TERM = 50  # installments per debt: 100 per user


@pytest.fixture(scope="module")
def big_db(tmp_path_factory: pytest.TempPathFactory, scale: int) -> Iterator[tuple[Engine, int]]:
    """SQLite with 100,000 × BENCH_SCALE installments (half of them active), built in bulk."""
    url = (
        os.environ.get("BENCH_DATABASE_URL")
        or f"sqlite:///{tmp_path_factory.mktemp('bench') / 'b.sqlite3'}"
    )
    if not url.startswith("sqlite"):
        pytest.skip("the bulk loader is written for a fresh SQLite file")
    upgrade(url)
    engine = make_engine(url)
    users = 1000 * scale
    start = date(2026, 1, 1)
    with engine.begin() as conn:
        conn.execute(
            insert(User),
            [{"id": u, "telegram_user_id": u, "chat_id": u} for u in range(1, users + 1)],
        )
        debts = []
        plans = []
        rows = []
        for u in range(1, users + 1):
            for k in range(DEBTS_PER_USER):
                debt_id = (u - 1) * DEBTS_PER_USER + k + 1
                first = start + timedelta(days=(debt_id * 7) % 365)
                debts.append(
                    {
                        "id": debt_id,
                        "user_id": u,
                        "name": "b",
                        "currency": "CNY",
                        "principal_minor": 10**6,
                        "rate_value": Decimal("0.0005"),
                        "rate_unit": RateUnit.DAY.value,
                        "method": Method.ANNUITY.value,
                        "term_months": TERM,
                        "first_due": first,
                    }
                )
                active = debt_id % 2 == 0
                plans.append(
                    {
                        "id": debt_id,
                        "debt_id": debt_id,
                        "version": 1,
                        "status": "active" if active else "superseded",
                        "origin": "original",
                        "method": Method.ANNUITY.value,
                        "rate_value": Decimal("0.0005"),
                        "rate_unit": RateUnit.DAY.value,
                        "term_months": TERM,
                        "principal_minor": 10**6,
                        "first_due": first,
                    }
                )
                rows.extend(
                    {
                        "plan_version_id": debt_id,
                        "debt_id": debt_id,
                        "user_id": u,
                        "seq": s + 1,
                        "due_date": first + timedelta(days=30 * s),
                        "principal_minor": 20000,
                        "interest_minor": 500,
                        "fee_minor": 0,
                        "total_minor": 20500,
                        "is_active": active,
                    }
                    for s in range(TERM)
                )
        conn.execute(insert(Debt), debts)
        conn.execute(insert(PlanVersion), plans)
        for i in range(0, len(rows), 50_000):
            conn.execute(insert(Installment), rows[i : i + 50_000])
        conn.exec_driver_sql("ANALYZE")
    yield engine, len(rows)
    engine.dispose()


def test_due_in_the_next_four_days(benchmark: Any, big_db: tuple[Engine, int]) -> None:
    engine, total = big_db
    factory = make_session_factory(engine)

    def scan() -> int:
        with SqlUnitOfWork(factory) as uow:
            return len(uow.installments.due_between(date(2027, 3, 1), date(2027, 3, 4)))

    found = benchmark(scan)
    benchmark.extra_info["installments_in_table"] = total
    assert 0 < found < total // 50
