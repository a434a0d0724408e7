"""/export and /deletedata through the real Application and local Bot API, in both languages."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from bot.localapi import SimUser
from tests.bot.helpers import forge_press
from tracker.capacity import Budget
from tracker.services.budget import save_budget
from tracker.services.debts import position
from tracker.services.payments import record_payment
from tracker.storage.enums import StateNamespace
from tracker.storage.models import metadata
from tracker.storage.uow import SqlUnitOfWork

NOW = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
TODAY = date(2026, 12, 1)


def ids_of(make_uow: Callable[[], SqlUnitOfWork], sim: SimUser) -> int | None:
    with make_uow() as uow:
        user = uow.users.get_by_telegram_id(sim.id)
        return None if user is None else user.id


def with_payment_and_budget(
    make_uow: Callable[[], SqlUnitOfWork], sim: SimUser, debt_id: int
) -> tuple[int, Any]:
    """Pay ¥500 on the debt and store a budget: (user id, the debt's schedule rows)."""
    user_id = ids_of(make_uow, sim)
    assert user_id is not None
    with make_uow() as uow:
        record_payment(
            uow,
            user_id=user_id,
            debt_id=debt_id,
            amount=Decimal("500.05"),
            paid_on=TODAY,
            today=TODAY,
            idempotency_key=f"test:{sim.id}",
            now=NOW,
            note="=SUM(A1)",
        )
        save_budget(uow, user_id=user_id, budget=Budget("CNY", Decimal(8000)), today=TODAY, now=NOW)
        uow.commit()
    with make_uow() as uow:
        return user_id, position(uow, user_id=user_id, debt_id=debt_id, today=TODAY).rows


def _no_floats(value: Any) -> bool:
    if isinstance(value, dict):
        return all(_no_floats(v) for v in value.values())
    if isinstance(value, list):
        return all(_no_floats(v) for v in value)
    return not isinstance(value, float | Decimal)


async def test_export_in_chinese_sends_a_csv_for_excel_and_a_json_without_floats(
    app: Any,
    zh_user: SimUser,
    given_debt: Callable[..., int],
    make_uow: Callable[[], SqlUnitOfWork],
) -> None:
    debt_id = given_debt(zh_user, name="京东金条")
    _, rows = with_payment_and_budget(make_uow, zh_user, debt_id)
    zh_user.send_text("/export")
    first, second = await zh_user.next_messages(2)
    assert first.document is not None
    assert second.document is not None
    assert first.document["file_name"] == "repaybot-export-2026-12-01.csv"
    assert second.document["file_name"] == "repaybot-export-2026-12-01.json"
    assert first.caption is not None
    assert "Excel" in first.caption
    assert second.caption is not None
    assert len(second.caption) <= 1024

    data = first.file_bytes
    assert data is not None
    assert data.startswith(b"\xef\xbb\xbf")  # Excel reads it as UTF-8
    lines = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert lines[0] == ["分期明细"]
    assert lines[1][:7] == [
        "债务",
        "期数",
        "到期日",
        "应还金额",
        "利息",
        "手续费",
        "利息和费用（未细分）",
    ]
    assert lines[2][:4] == ["京东金条", "1", "2026-12-15", str(rows[0].payment)]
    assert lines[2][7] == str(rows[0].principal)
    assert lines[2][9:] == ["部分已还", "500.05"]
    assert len([line for line in lines if line[:1] == ["京东金条"]]) == 12
    payments = lines[lines.index(["还款记录"]) + 1 :]
    assert payments == [
        ["日期", "债务", "金额", "币种", "来源", "已撤销", "备注"],
        ["2026-12-01", "京东金条", "500.05", "CNY", "命令", "", "'=SUM(A1)"],
    ]

    assert second.file_bytes is not None
    document = json.loads(second.file_bytes, parse_float=Decimal)
    assert _no_floats(document)
    [debt] = document["debts"]
    assert (debt["name"], debt["principal"], debt["currency"]) == ("京东金条", "12000.00", "CNY")
    assert debt["payments"][0]["amount"] == "500.05"
    installments = debt["plan_versions"][0]["installments"]
    assert installments[0]["total"] == str(rows[0].payment)
    assert installments[0]["due_date"] == "2026-12-15"
    assert document["budgets"][0]["monthly_income"] == "8000.00"
    assert document["user"]["language"] == "zh"


async def test_export_in_english_with_nothing_stored_still_sends_both_files(
    app: Any, en_user: SimUser
) -> None:
    en_user.send_text("/export")
    first, second = await en_user.next_messages(2)
    assert first.file_bytes is not None
    assert second.file_bytes is not None
    lines = list(csv.reader(io.StringIO(first.file_bytes.decode("utf-8-sig"))))
    assert lines[:2] == [
        ["Installments"],
        [
            "Debt",
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
        ],
    ]
    assert "Everything I store about you" in (second.caption or "")
    document = json.loads(second.file_bytes, parse_float=Decimal)
    assert document["debts"] == []
    assert document["budgets"] == []
    assert document["user"]["telegram_user_id"] == en_user.id


def rows_left(make_uow: Callable[[], SqlUnitOfWork], user_id: int, debt_id: int) -> dict[str, int]:
    """Rows in any table that still point at the user or their debt."""
    left: dict[str, int] = {}
    with make_uow() as uow:
        for table in metadata.sorted_tables:
            for column, value in (("user_id", user_id), ("debt_id", debt_id), ("id", user_id)):
                if column not in table.columns or (column == "id" and table.name != "users"):
                    continue
                count = uow.session.execute(
                    select(func.count()).select_from(table).where(table.columns[column] == value)
                ).scalar_one()
                if count:
                    left[f"{table.name}.{column}"] = count
    return left


def state_keys(make_uow: Callable[[], SqlUnitOfWork], sim: SimUser) -> list[str]:
    with make_uow() as uow:
        keys = list(uow.bot_state.all_in(StateNamespace.USER_DATA))
        keys += list(uow.bot_state.all_in(StateNamespace.CONVERSATIONS))
    return [key for key in keys if str(sim.id) in key]


async def test_delete_data_in_chinese_removes_every_row_and_the_bot_state(
    app: Any,
    zh_user: SimUser,
    en_user: SimUser,
    given_debt: Callable[..., int],
    make_uow: Callable[[], SqlUnitOfWork],
) -> None:
    debt_id = given_debt(zh_user)
    user_id, _ = with_payment_and_budget(make_uow, zh_user, debt_id)
    other_debt = given_debt(en_user)
    # Xiaoming is half-way through /budget: a conversation state and a draft in user_data.
    zh_user.send_text("/budget")
    zh_user.press_button(await zh_user.next_message(), text="更新我的预算")
    await zh_user.next_message()
    zh_user.send_text("8000")
    assert "固定支出" in (await zh_user.next_message()).text
    await app.update_persistence()
    assert len(state_keys(make_uow, zh_user)) == 2
    assert rows_left(make_uow, user_id, debt_id)

    zh_user.send_text("/deletedata")
    prompt = await zh_user.next_message()
    assert "无法恢复" in prompt.text
    assert "/export" in prompt.text
    assert prompt.button_texts == [["全部删除", "保留"]]
    zh_user.press_button(prompt, text="全部删除")
    done = await zh_user.next_message()
    assert "已全部删除" in done.text
    assert "/start" in done.text
    assert zh_user.message(prompt.message_id).buttons == []  # can't be pressed again

    await app.update_persistence()
    assert rows_left(make_uow, user_id, debt_id) == {}
    assert state_keys(make_uow, zh_user) == []
    assert not app.user_data.get(zh_user.id)
    # Alice's data is untouched.
    alice = ids_of(make_uow, en_user)
    assert alice is not None
    assert rows_left(make_uow, alice, other_debt)["installments.user_id"] == 12

    # The running bot forgot the conversation too, so it can't write it back.
    [budget_flow] = [h for h in app.handlers[0] if getattr(h, "name", None) == "budget"]
    assert (zh_user.chat_id, zh_user.id) not in budget_flow._conversations


async def test_keep_deletes_nothing(
    app: Any,
    en_user: SimUser,
    given_debt: Callable[..., int],
    make_uow: Callable[[], SqlUnitOfWork],
) -> None:
    debt_id = given_debt(en_user)
    user_id = ids_of(make_uow, en_user)
    assert user_id is not None
    before = rows_left(make_uow, user_id, debt_id)
    en_user.send_text("/deletedata")
    prompt = await en_user.next_message()
    assert "can't be undone" in prompt.text
    en_user.press_button(prompt, text="Keep")
    assert "nothing was deleted" in (await en_user.next_message()).text
    assert rows_left(make_uow, user_id, debt_id) == before
    assert ids_of(make_uow, en_user) == user_id


async def test_a_double_tap_deletes_once_and_says_nothing_is_left(
    app: Any,
    en_user: SimUser,
    given_debt: Callable[..., int],
    make_uow: Callable[[], SqlUnitOfWork],
) -> None:
    debt_id = given_debt(en_user)
    user_id = ids_of(make_uow, en_user)
    assert user_id is not None
    en_user.send_text("/deletedata")
    prompt = await en_user.next_message()
    en_user.press_button(prompt, text="Delete everything")
    en_user.press_button(prompt, text="Delete everything")  # before the bot removed the buttons
    first, second = await en_user.next_messages(2)
    assert first.text.startswith("Done: everything I stored about you is deleted.")
    assert second.text.startswith("There is nothing left to delete")
    assert rows_left(make_uow, user_id, debt_id) == {}
    assert ids_of(make_uow, en_user) is None  # not even the row the second tap made


async def test_an_old_confirmation_does_not_delete_data_stored_since(
    app: Any,
    en_user: SimUser,
    given_debt: Callable[..., int],
    make_uow: Callable[[], SqlUnitOfWork],
) -> None:
    given_debt(en_user)
    en_user.send_text("/deletedata")
    prompt = await en_user.next_message()
    en_user.press_button(prompt, text="Delete everything")
    en_user.press_button(prompt, text="Delete everything")
    await en_user.next_messages(2)
    # Starting afresh, then the old button again (pressed from an old client, say).
    new_debt = given_debt(en_user, name="白条")
    forge_press(en_user.state, en_user, prompt.raw, prompt.callback_data[0])
    reply = await en_user.next_message()
    assert "nothing was deleted now" in reply.text
    user_id = ids_of(make_uow, en_user)
    assert user_id is not None
    assert rows_left(make_uow, user_id, new_debt)


async def test_a_chinese_export_names_installments_paid_before_tracking_in_chinese(
    app: Any,
    zh_user: SimUser,
    given_debt: Callable[..., int],
    make_uow: Callable[[], SqlUnitOfWork],
) -> None:
    debt_id = given_debt(zh_user, name="京东金条")
    with make_uow() as uow:
        user_id = ids_of(make_uow, zh_user)
        assert user_id is not None
        uow.debts.require_for_user(user_id, debt_id).paid_before_tracking = 1
        uow.commit()
    zh_user.send_text("/export")
    first, _second = await zh_user.next_messages(2)
    assert first.file_bytes is not None
    lines = list(csv.reader(io.StringIO(first.file_bytes.decode("utf-8-sig"))))
    assert lines[2][:2] == ["京东金条", "1"]
    assert "开始记账前已还" in lines[2]
    assert "paid before tracking" not in first.file_bytes.decode("utf-8-sig")
