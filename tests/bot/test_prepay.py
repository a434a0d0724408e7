"""/prepay and "pay off early" through the real Application and local Bot API, both languages.

The default debt (tests/bot/conftest.py): 金条, ¥12,000 at 0.05 % a day, 12 annuity installments
from 2026-12-15, the money received 2026-11-15; the clock stands at 2026-12-01, 16 days in.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from bot.localapi import EmulatorState, SimUser
from tests.bot.helpers import forge_press
from tracker.services.debts import position
from tracker.storage.enums import PlanOrigin
from tracker.storage.uow import SqlUnitOfWork

D = Decimal
TODAY = date(2026, 12, 1)  # the frozen clock's day in Shanghai
#: 12,000 + 12,000 × 0.05 % × 16 days = 12,096.00
SETTLE = D(12000) + D(12000) * D("0.0005") * 16
HAN = re.compile(r"[\u4e00-\u9fff]")
LATIN_WORD = re.compile(r"\b(?!CN\b)[A-Za-z]{3,}\b")


def user_id(make_uow: Callable[[], SqlUnitOfWork], sim: SimUser) -> int:
    with make_uow() as uow:
        user = uow.users.get_by_telegram_id(sim.id)
        assert user is not None
        assert user.id is not None
        return user.id


def no_english(text: str) -> bool:
    """Chinese replies may quote commands (/paid) and debt names, but no English words."""
    without_commands = re.sub(r"/[a-z]+", "", text)
    return LATIN_WORD.search(without_commands) is None


async def test_paying_off_from_status_in_chinese_is_recorded_once(
    app: Any,
    state: EmulatorState,
    zh_user: SimUser,
    given_debt: Any,
    make_uow: Callable[[], SqlUnitOfWork],
) -> None:
    debt_id = given_debt(zh_user)
    zh_user.send_text("/status")
    status = await zh_user.next_message()
    zh_user.press_button(status, text="💰 提前结清金条")
    offer = await zh_user.next_message()
    assert f"今天全部结清需还 ¥{SETTLE:,.2f}" in (offer.text or "")
    assert "本金 ¥12,000.00；利息、手续费和逾期部分 ¥96.00" in (offer.text or "")
    assert no_english(offer.text or "")
    assert len((offer.text or "").splitlines()) <= 12
    zh_user.press_button(offer, text=f"✅ 我已结清：¥{SETTLE:,.2f}")
    done = await zh_user.next_message()
    assert "🎉 已记下今天向金条还款 ¥12,096.00：已全部结清。" in (done.text or "")
    # A second tap (another device, a retry) records nothing more.
    data = next(
        b["callback_data"]
        for row in offer.raw["reply_markup"]["inline_keyboard"]
        for b in row
        if b["callback_data"].startswith("ppok:")
    )
    forge_press(state, zh_user, offer.raw, data)
    again = await zh_user.next_message()
    assert "已经记过了" in (again.text or "")
    with make_uow() as uow:
        owner = user_id(make_uow, zh_user)
        assert [p.amount_minor for p in uow.payments.list_for_debt(owner, debt_id)] == [1209600]
        assert position(uow, user_id=owner, debt_id=debt_id, today=TODAY).state.is_settled


async def test_a_part_prepayment_in_english_makes_the_lenders_new_plan(
    app: Any, en_user: SimUser, given_debt: Any, make_uow: Callable[[], SqlUnitOfWork]
) -> None:
    debt_id = given_debt(en_user)
    en_user.send_text("/prepay 5000")
    question = await en_user.next_message()
    assert "prepay CN¥5,000.00 today" in (question.text or "")
    en_user.press_button(question, text="Lower installment, same term")
    preview = await en_user.next_message()
    text = preview.text or ""
    assert "· first CN¥96.00: what is due and the interest so far" in text
    assert "· CN¥4,904.00 off the principal" in text  # 5,000 − 96.00
    assert "New plan: 12 installments" in text
    assert "(now 12 installments of CN¥1,101.59)" in text
    assert not HAN.search(text.replace("金条", ""))
    assert len(text.splitlines()) <= 12
    en_user.press_button(preview, text="✅ The lender did it")
    done = await en_user.next_message()
    assert "✅ Recorded the prepayment of CN¥5,000.00 to 金条" in (done.text or "")
    with make_uow() as uow:
        owner = user_id(make_uow, en_user)
        plan = uow.plans.active_for_debt(debt_id)
        assert plan is not None
        # The new plan repays what settling takes after the prepayment: 12,096 − 5,000.
        assert (plan.origin, plan.principal_minor) == (PlanOrigin.PREPAYMENT, 709600)
        owed = position(uow, user_id=owner, debt_id=debt_id, today=TODAY).state.owed_today.total
        assert owed == SETTLE - 5000


async def test_too_little_to_reach_the_principal_is_explained_with_an_example(
    app: Any, en_user: SimUser, zh_user: SimUser, given_debt: Any
) -> None:
    given_debt(en_user)
    given_debt(zh_user)
    en_user.send_text("/prepay 50")
    reply = (await en_user.next_message()).text or ""
    assert "That doesn't reach the principal: 96.00 must be paid first" in reply
    assert "For example: /prepay (pay off) or /prepay 5000 金条." in reply
    zh_user.send_text("/prepay 50")
    reply = (await zh_user.next_message()).text or ""
    assert "这笔钱还不够还到本金：需要先还 96.00" in reply
    assert no_english(reply)


async def test_a_baitiao_payoff_says_whether_the_later_fees_count_and_takes_the_answer(
    app: Any, en_user: SimUser, given_debt: Any, make_uow: Callable[[], SqlUnitOfWork]
) -> None:
    from tracker.rates import ZERO_RATE
    from tracker.schedule_types import Method

    debt_id = given_debt(
        en_user,
        name="白条",
        principal=D(3000),
        rate=ZERO_RATE,
        method=Method.FLAT_FEE,
        fee_rate=D("0.005"),
    )
    en_user.send_text("/prepay")
    offer = await en_user.next_message()
    # 3,000 principal + 12 fees of 3,000 × 0.5 % = 15.00 still charged: 3,180.00.
    assert "to pay it all off today: CN¥3,180.00" in (offer.text or "")
    assert "It includes CN¥180.00 of fees" in (offer.text or "")
    en_user.press_button(offer, text="My lender drops them")
    again = await en_user.next_message()
    # Only the current period's fee stays: 3,000 + 15.00.
    assert "to pay it all off today: CN¥3,015.00" in (again.text or "")
    assert "Later fees are left out" in (again.text or "")
    with make_uow() as uow:
        owner = user_id(make_uow, en_user)
        assert uow.debts.require_for_user(owner, debt_id).fees_on_payoff is False
