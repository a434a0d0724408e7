"""Export and deletion of a user's data (SQLite, and PostgreSQL when TEST_DATABASE_URL is set)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select

from tracker.capacity import Budget
from tracker.rates import ZERO_RATE, Rate, RateUnit
from tracker.schedule_types import CustomInstallment, LoanTerms, Method
from tracker.services.budget import save_budget
from tracker.services.data import delete_user_data, export_csv, export_json
from tracker.services.debts import DebtSpec, add_debt, position
from tracker.services.payments import record_payment, undo_last_payment
from tracker.services.plans import custom_terms, record_agreed_plan
from tracker.storage.enums import Channel, HardshipKind, StateNamespace
from tracker.storage.models import HardshipReport, User, metadata
from tracker.storage.uow import SqlUnitOfWork

D = Decimal
NOW = datetime(2026, 12, 20, 1, 0, tzinfo=UTC)
TODAY = date(2026, 12, 20)


def spec(name: str = "金条") -> DebtSpec:
    terms = LoanTerms(
        principal=D("12000.50"),
        rate=Rate(D("0.0005"), RateUnit.DAY),
        term=12,
        method=Method.ANNUITY,
        first_due=date(2026, 12, 15),
        start_date=date(2026, 11, 15),
    )
    return DebtSpec(name=name, terms=terms)


def populate(uow: SqlUnitOfWork, telegram_id: int, name: str = "金条") -> tuple[int, int]:
    """A user with every kind of row: (user id, debt id)."""
    user = uow.users.add(User(telegram_user_id=telegram_id, chat_id=telegram_id))
    assert user.id is not None
    debt, quote = add_debt(uow, user_id=user.id, spec=spec(name), now=NOW)
    assert debt.id is not None
    first = quote.rows[0].payment
    for key, amount in (("a", first), ("b", D("0.01"))):
        record_payment(
            uow,
            user_id=user.id,
            debt_id=debt.id,
            amount=amount,
            paid_on=date(2026, 12, 15),
            today=TODAY,
            idempotency_key=f"tg:update:{telegram_id}:{key}",
            now=NOW,
        )
    undo_last_payment(uow, user_id=user.id, now=NOW + timedelta(seconds=1))
    save_budget(uow, user_id=user.id, budget=Budget("CNY", D(8000), D(4000)), today=TODAY, now=NOW)
    update_id = 10**9 + telegram_id
    uow.inbox.store(
        update_id, '{"message": {"text": "还了500"}}', NOW, telegram_user_id=telegram_id
    )
    uow.hardship.add(
        HardshipReport(
            user_id=user.id,
            kind=HardshipKind.INCOME_DROP,
            currency="CNY",
            income_after_minor=500000,
            text="公司裁员",
            created_at=NOW,
        )
    )
    uow.outbox.enqueue_once(
        f"rem:{telegram_id}", user_id=user.id, chat_id=telegram_id, kind="reminder", due_at=NOW
    )
    uow.bot_state.put(StateNamespace.USER_DATA, str(telegram_id), '{"budget": {}}', NOW)
    uow.bot_state.put(
        StateNamespace.CONVERSATIONS, f"budget|[{telegram_id}, {telegram_id}]", "1", NOW
    )
    return user.id, debt.id


def test_csv_lists_installments_with_status_then_payments_with_a_bom(
    make_uow: Callable[[], SqlUnitOfWork],
) -> None:
    with make_uow() as uow:
        user_id, debt_id = populate(uow, 7001, "=金条")
        uow.commit()
    with make_uow() as uow:
        rows = position(uow, user_id=user_id, debt_id=debt_id, today=TODAY).rows
        data = export_csv(
            uow, user_id=user_id, today=TODAY, labels={"debt": "债务", "status.paid": "已还清"}
        )
    assert data.startswith(b"\xef\xbb\xbf")
    lines = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert lines[0] == ["Installments"]
    assert lines[1] == [
        "债务",
        "#",
        "Due date",
        "Payment",
        "Interest",
        "Fee",
        "Interest and fees, not itemised",
        "Principal",
        "Currency",
        "Status",
        "Paid",
    ]
    first = lines[2]
    # A name starting with "=" must not become a spreadsheet formula.
    assert first[:3] == ["'=金条", "1", "2026-12-15"]
    assert first[3:9] == [
        str(rows[0].payment),
        str(rows[0].interest),
        "0.00",
        "",  # an annuity itemises its cost
        str(rows[0].principal),
        "CNY",
    ]
    assert first[9:] == ["已还清", str(rows[0].payment)]
    assert lines[3][9:] == ["upcoming", "0.00"]
    assert len([line for line in lines if line[:1] == ["'=金条"]]) == 12
    payments = lines[lines.index(["Payments"]) + 2 :]
    assert payments == [
        ["2026-12-15", "'=金条", str(rows[0].payment), "CNY", "command", "", ""],
        ["2026-12-15", "'=金条", "0.01", "CNY", "command", "yes", ""],
    ]


def _floats(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [f for v in value.values() for f in _floats(v)]
    if isinstance(value, list):
        return [f for v in value for f in _floats(v)]
    return [value] if isinstance(value, float | Decimal) else []


def test_json_has_everything_with_money_as_decimal_strings(
    make_uow: Callable[[], SqlUnitOfWork],
) -> None:
    with make_uow() as uow:
        user_id, _ = populate(uow, 7002)
        populate(uow, 7003, "someone else's")
        uow.commit()
    with make_uow() as uow:
        data = export_json(uow, user_id=user_id, now=NOW)
    document = json.loads(data, parse_float=Decimal)
    assert _floats(document) == []
    assert document["format"] == "repaybot-export"
    assert document["exported_at"] == "2026-12-20T01:00:00+00:00"
    assert document["user"]["telegram_user_id"] == 7002
    assert document["user"]["currency"] == "CNY"
    assert document["user"]["reminder_time"] == "09:00:00"
    [budget] = document["budgets"]
    assert budget["monthly_income"] == "8000.00"
    assert budget["living_reserve"] == "800.00"
    assert budget["currency"] == "CNY"
    assert budget["valid_from"] == "2026-12-20"
    [report] = document["hardship_reports"]
    assert (report["kind"], report["income_after"], report["one_off"]) == (
        "income_drop",
        "5000.00",
        None,
    )
    assert report["text"] == "公司裁员"
    [debt] = document["debts"]
    assert debt["name"] == "金条"
    assert (debt["principal"], debt["currency"], debt["rate_value"]) == (
        "12000.50",
        "CNY",
        "0.0005",
    )
    [plan] = debt["plan_versions"]
    assert plan["status"] == "active"
    assert len(plan["installments"]) == 12
    assert sum(D(i["principal"]) for i in plan["installments"]) == D("12000.50")
    assert all(i["currency"] == "CNY" for i in plan["installments"])
    assert [p["amount"] for p in debt["payments"]][1] == "0.01"
    assert debt["payments"][1]["undone_at"] is not None
    assert debt["payments"][0]["undone_at"] is None


def _counts(uow: SqlUnitOfWork) -> dict[str, int]:
    return {
        table.name: uow.session.execute(select(func.count()).select_from(table)).scalar_one()
        for table in metadata.sorted_tables
    }


def test_deleting_a_user_leaves_no_row_of_theirs_in_any_table(
    make_uow: Callable[[], SqlUnitOfWork],
) -> None:
    with make_uow() as uow:
        populate(uow, 7004, "B's debt")
        uow.commit()
    with make_uow() as uow:
        before = _counts(uow)
    with make_uow() as uow:
        user_id, debt_id = populate(uow, 7005)
        uow.commit()
    with make_uow() as uow:
        grown = _counts(uow)
        assert all(
            grown[table] > before[table]
            for table in grown
            # Handled update ids: no user and nothing they typed in them; the send rate is the
            # bot's, not anyone's.
            if table not in {"processed_updates", "send_rate"}
        ), grown
        user = uow.users.get(user_id)
        assert user is not None
        deleted = delete_user_data(uow, user=user)
        uow.commit()
    assert (deleted.debts, deleted.payments, deleted.budgets, deleted.state_rows) == (1, 2, 1, 2)
    with make_uow() as uow:
        assert _counts(uow) == before
        for table in metadata.sorted_tables:
            for column, value in (("user_id", user_id), ("debt_id", debt_id)):
                if column in table.columns:
                    rows = uow.session.execute(
                        select(func.count())
                        .select_from(table)
                        .where(table.columns[column] == value)
                    ).scalar_one()
                    assert rows == 0, table.name
        assert uow.users.get_by_telegram_id(7005) is None
        assert uow.bot_state.get(StateNamespace.USER_DATA, "7005") is None
        assert uow.bot_state.all_in(StateNamespace.CONVERSATIONS) == {"budget|[7004, 7004]": "1"}
        assert uow.bot_state.get(StateNamespace.USER_DATA, "7004") is not None


def test_export_of_a_missing_user_is_a_bug(make_uow: Callable[[], SqlUnitOfWork]) -> None:
    with make_uow() as uow, pytest.raises(LookupError):
        export_json(uow, user_id=123456, now=NOW)


def test_an_agreed_plan_typed_as_amounts_never_shows_its_cost_as_a_fee(
    make_uow: Callable[[], SqlUnitOfWork],
) -> None:
    """¥1,200 interest-free, then an agreed plan of 3 × ¥450: ¥150 above what it repays.

    Nobody said how much of the ¥150 is interest and how much fees, so the CSV must not call it
    a fee (it used to fill the Fee column on the last row): its own column holds it instead.
    By hand: the installments repay 450, 450, then the last 1,200 − 900 = 300 of principal;
    the last row's cost is 450 − 300 = 150, the others' 0.
    """
    terms = LoanTerms(
        principal=D(1200),
        rate=ZERO_RATE,
        term=12,
        method=Method.EQUAL_PRINCIPAL,
        first_due=date(2026, 12, 15),
        start_date=date(2026, 11, 15),
    )
    with make_uow() as uow:
        user = uow.users.add(User(telegram_user_id=7005, chat_id=7005))
        assert user.id is not None
        debt, _ = add_debt(uow, user_id=user.id, spec=DebtSpec(name="金条", terms=terms), now=NOW)
        assert debt.id is not None
        installments = tuple(
            CustomInstallment(due, D(450))
            for due in (date(2027, 1, 15), date(2027, 2, 15), date(2027, 3, 15))
        )
        agreed = custom_terms(debt, principal=D(1200), installments=installments, start=TODAY)
        record_agreed_plan(
            uow,
            user_id=user.id,
            debt_id=debt.id,
            terms=agreed,
            confirmed_on=TODAY,
            channel=Channel.HOTLINE,
            reference=None,
            agent=None,
            document_file_id=None,
            document_kind=None,
            note=None,
            now=NOW,
            today=TODAY,
        )
        uow.commit()
        user_id = user.id
    with make_uow() as uow:
        data = export_csv(uow, user_id=user_id, today=TODAY, labels={"fee": "手续费"})
    lines = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    header = lines[1]
    rows = [dict(zip(header, line, strict=True)) for line in lines[2:5]]
    picked = [
        (r["Payment"], r["Interest"], r["手续费"], r["Interest and fees, not itemised"])
        for r in rows
    ]
    assert picked == [
        ("450.00", "", "", "0.00"),
        ("450.00", "", "", "0.00"),
        ("450.00", "", "", "150.00"),
    ]
    assert [r["Principal"] for r in rows] == ["450.00", "450.00", "300.00"]
    assert lines[5] == []  # three installments, then the payments
