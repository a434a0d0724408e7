"""Export of a loan added while running (issue 9): installments paid before tracking say so."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal

from tracker.rates import Rate, RateUnit
from tracker.schedule_types import LoanTerms, Method
from tracker.services.data import export_csv, export_json
from tracker.services.debts import DebtSpec, add_debt
from tracker.storage.models import User
from tracker.storage.uow import SqlUnitOfWork

NOW = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
TODAY = date(2026, 12, 1)


def running(make_uow: Callable[[], SqlUnitOfWork]) -> int:
    """A 12-month loan due on the 20th from August, three installments paid before tracking."""
    terms = LoanTerms(
        principal=Decimal(12000),
        rate=Rate(Decimal("0.0005"), RateUnit.DAY),
        term=12,
        method=Method.ANNUITY,
        first_due=date(2026, 8, 20),
    )
    with make_uow() as uow:
        user = uow.users.add(User(telegram_user_id=5, chat_id=5))
        assert user.id is not None
        spec = DebtSpec(name="金条", terms=terms, paid_before_tracking=3)
        add_debt(uow, user_id=user.id, spec=spec, now=NOW, today=TODAY)
        uow.commit()
        return user.id


def test_csv_marks_installments_paid_before_tracking(
    make_uow: Callable[[], SqlUnitOfWork],
) -> None:
    user_id = running(make_uow)
    with make_uow() as uow:
        english = export_csv(uow, user_id=user_id, today=TODAY)
        chinese = export_csv(
            uow,
            user_id=user_id,
            today=TODAY,
            labels={"status.paid_before_tracking": "开始记账前已还", "status.overdue": "逾期"},
        )
    rows = list(csv.reader(io.StringIO(english.decode("utf-8-sig"))))
    statuses = [row[9] for row in rows[2:14]]
    assert statuses[:5] == [
        "paid before tracking",
        "paid before tracking",
        "paid before tracking",
        "overdue",
        "upcoming",
    ]
    rows = list(csv.reader(io.StringIO(chinese.decode("utf-8-sig"))))
    assert [row[9] for row in rows[2:6]] == ["开始记账前已还"] * 3 + ["逾期"]
    # No payment row is invented for them.
    assert rows[rows.index(["Payments"]) + 2 :] == []


def test_json_marks_installments_paid_before_tracking(
    make_uow: Callable[[], SqlUnitOfWork],
) -> None:
    user_id = running(make_uow)
    with make_uow() as uow:
        document = json.loads(export_json(uow, user_id=user_id, now=NOW), parse_float=Decimal)
    [debt] = document["debts"]
    assert debt["paid_before_tracking"] == 3
    assert debt["payments"] == []
    installments = debt["plan_versions"][0]["installments"]
    assert [i["paid_before_tracking"] for i in installments] == [True] * 3 + [False] * 9
