"""/progress and its button under /status: a chart as a photo, with a three-line caption.

The default debt (tests/bot/conftest.py): 金条, ¥12,000, 12 annuity installments due on the 15th
from 2026-12-15; the clock stands at 2026-12-01.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from PIL import Image, ImageStat

from bot.clock import Clock
from bot.localapi import EmulatorState, SimUser
from tracker.money import from_minor
from tracker.storage.models import Payment
from tracker.storage.uow import SqlUnitOfWork

HAN = re.compile(r"[\u4e00-\u9fff]")
LATIN_WORD = re.compile(r"\b[A-Za-z]{3,}\b")


def installment_totals(
    make_uow: Callable[[], SqlUnitOfWork], sim: SimUser, debt_id: int
) -> list[Decimal]:
    with make_uow() as uow:
        user = uow.users.get_by_telegram_id(sim.id)
        assert user is not None
        assert user.id is not None
        return [
            from_minor(i.total_minor, "CNY") for i in uow.installments.for_debt(user.id, debt_id)
        ]


def assert_chart(png: bytes | None, height: int) -> None:
    """1080 px wide, 500 px for the total and 340 more per debt's own panel, and not blank."""
    assert png is not None
    image = Image.open(io.BytesIO(png)).convert("L")
    assert (image.width, image.height) == (1080, height)
    assert ImageStat.Stat(image).var[0] > 100


async def test_the_chart_in_chinese_after_one_payment_on_time(
    app: Any,
    state: EmulatorState,
    zh_user: SimUser,
    given_debt: Any,
    make_uow: Callable[[], SqlUnitOfWork],
    clock: Clock,
) -> None:
    debt_id = given_debt(zh_user)
    amounts = installment_totals(make_uow, zh_user, debt_id)
    with make_uow() as uow:
        user = uow.users.get_by_telegram_id(zh_user.id)
        assert user is not None
        assert user.id is not None
        uow.payments.add_once(
            Payment(
                debt_id=debt_id,
                user_id=user.id,
                amount_minor=int(amounts[0] * 100),
                currency="CNY",
                paid_on=date(2026, 12, 15),
                idempotency_key="test:first",
            )
        )
        uow.commit()
    clock.advance(timedelta(days=19))  # 2026-12-20: the first installment was paid on its day
    zh_user.send_text("/progress")
    chart = await zh_user.next_message()
    assert chart.photo is not None
    assert_chart(chart.file_bytes, 500)  # one debt: its panel is the total
    caption = chart.caption or ""
    lines = caption.splitlines()
    assert len(lines) <= 3
    paid, left = amounts[0], sum(amounts[1:], Decimal(0))
    assert lines[0] == f"已还：¥{paid:,.2f} · 待还：¥{left:,.2f}"
    assert lines[1] == "已连续 1 期按时还款。"
    assert "2027年11月15日" in lines[2]
    assert LATIN_WORD.search(caption) is None


async def test_the_chart_in_english_from_the_status_button(
    app: Any,
    state: EmulatorState,
    en_user: SimUser,
    given_debt: Any,
    make_uow: Callable[[], SqlUnitOfWork],
) -> None:
    first = given_debt(en_user, name="Car")
    second = given_debt(en_user, name="Phone", principal=Decimal(3000), term=6)
    owed = sum(
        installment_totals(make_uow, en_user, first)
        + installment_totals(make_uow, en_user, second),
        Decimal(0),
    )
    en_user.send_text("/status")
    status = await en_user.next_message()
    en_user.press_button(status, text="📈 Progress")
    chart = await en_user.next_message()
    assert chart.photo is not None
    assert_chart(chart.file_bytes, 500 + 2 * 340)
    caption = chart.caption or ""
    assert caption.splitlines() == [
        f"Paid so far: CN¥0.00 · left: CN¥{owed:,.2f}",
        "No on-time streak yet: the next installment starts one.",
        "Debt-free on Nov 15, 2027 if you keep to the plan.",
    ]
    assert HAN.search(caption) is None


async def test_no_debts_no_chart(app: Any, en_user: SimUser) -> None:
    en_user.send_text("/progress")
    reply = await en_user.next_message()
    assert reply.photo is None
    assert "/adddebt" in (reply.text or "")
