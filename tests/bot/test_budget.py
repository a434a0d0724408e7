"""/budget through the real Application and local Bot API, in Chinese and English."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from bot.localapi import SimUser
from tracker.services.debts import position
from tracker.storage.enums import BudgetSource
from tracker.storage.models import Budget
from tracker.storage.uow import SqlUnitOfWork


def budgets_of(make_uow: Callable[[], SqlUnitOfWork], sim: SimUser) -> list[Budget]:
    with make_uow() as uow:
        user = uow.users.get_by_telegram_id(sim.id)
        if user is None or user.id is None:
            return []
        return [
            Budget.model_validate(b.model_dump()) for b in uow.budgets.history_for_user(user.id)
        ]


async def test_guided_budget_in_chinese_with_a_wrong_amount_and_skip(
    app: Any, zh_user: SimUser, make_uow: Callable[[], SqlUnitOfWork]
) -> None:
    zh_user.send_text("/budget")
    first = await zh_user.next_message()
    assert "税后收入" in first.text
    assert "/cancel" in first.text

    zh_user.send_text("八千多块")  # "8000-odd": 八千块 itself reads as 8000 (issue 8)
    again = await zh_user.next_message()
    assert "无法把“八千多块”识别为金额" in again.text
    assert "例如" in again.text  # an example of what works
    assert "税后收入" in again.text  # and the same question again

    zh_user.send_text("8000")
    assert "固定支出" in (await zh_user.next_message()).text
    zh_user.send_text("4,000")
    assert "没有在这里记录的债务" in (await zh_user.next_message()).text
    zh_user.send_text("0")
    assert "存款" in (await zh_user.next_message()).text
    zh_user.send_text("6000元")
    reserve = await zh_user.next_message()
    assert "¥800.00" in reserve.text  # 10 % of income, shown
    assert reserve.button_texts == [["跳过（保留 ¥800.00）"]]

    zh_user.press_button(reserve, text="跳过（保留 ¥800.00）")
    result = await zh_user.next_message()
    assert "已保存" in result.text
    assert "可支配收入：¥4,000.00" in result.text
    assert "生活备用金：¥800.00" in result.text
    assert "每月可用于还债：¥3,200.00" in result.text
    assert "2026年12月 应还：¥0.00" in result.text
    assert "每月结余：¥3,200.00" in result.text
    assert "36%" in result.text
    assert "43%" in result.text
    assert "存款 ¥6,000.00 可以支付全部开销 1.5 个月" in result.text  # 6000 / (4000 + 0)
    [stored] = budgets_of(make_uow, zh_user)
    assert (stored.monthly_income_minor, stored.fixed_expenses_minor) == (800000, 400000)
    assert (stored.other_debt_payments_minor, stored.savings_minor) == (0, 600000)
    assert stored.living_reserve_minor == 80000
    assert (stored.currency, stored.source, stored.valid_from) == (
        "CNY",
        BudgetSource.BUDGET,
        date(2026, 12, 1),
    )


async def test_guided_budget_in_english_with_a_typed_reserve(
    app: Any, en_user: SimUser, make_uow: Callable[[], SqlUnitOfWork]
) -> None:
    en_user.send_text("/budget")
    assert "monthly income after tax" in (await en_user.next_message()).text
    en_user.send_text("0")
    zero = await en_user.next_message()
    assert "can't be zero" in zero.text
    assert "For example" in zero.text
    assert "monthly income after tax" in zero.text
    for answer, question in (
        ("1.2万", "fixed expenses"),
        ("5,000.50", "not added here"),
        ("800", "savings"),
    ):
        en_user.send_text(answer)
        assert question in (await en_user.next_message()).text
    en_user.send_text("-3")
    negative = await en_user.next_message()
    assert "can't be negative" in negative.text
    assert "savings" in negative.text
    en_user.send_text("0")
    reserve = await en_user.next_message()
    assert "CN¥1,200.00" in reserve.text
    en_user.send_text("1000")
    result = await en_user.next_message()
    assert "Disposable income: CN¥6,199.50" in result.text
    assert "Living reserve: CN¥1,000.00" in result.text
    assert "Affordable for your debts: CN¥5,199.50 a month" in result.text
    assert "Debt-to-income: 6.67% — comfortable." in result.text
    assert "no savings to fall back on" in result.text
    [stored] = budgets_of(make_uow, en_user)
    assert stored.monthly_income_minor == 1200000
    assert stored.fixed_expenses_minor == 500050
    assert stored.living_reserve_minor == 100000


async def test_one_line_budget_then_budget_shows_it_with_an_update_button(
    app: Any, en_user: SimUser, make_uow: Callable[[], SqlUnitOfWork]
) -> None:
    en_user.send_text("/budget 8000 4000 0 6000")
    result = await en_user.next_message()
    assert "Saved." in result.text
    assert "Affordable for your debts: CN¥3,200.00 a month" in result.text
    assert "Surplus: CN¥3,200.00 a month." in result.text
    assert "Runway: your savings of CN¥6,000.00 would cover all your outgoings for 1.5 months" in (
        result.text
    )

    en_user.send_text("/budget 9000 4000 500 0 2000")
    assert "Living reserve: CN¥2,000.00" in (await en_user.next_message()).text
    assert len(budgets_of(make_uow, en_user)) == 2  # history is kept

    en_user.send_text("/budget")
    shown = await en_user.next_message()
    assert "Income: CN¥9,000.00" in shown.text
    assert "Saved." not in shown.text
    en_user.press_button(shown, text="Update my budget")
    assert "monthly income after tax" in (await en_user.next_message()).text
    en_user.send_text("/cancel")
    assert "Cancelled" in (await en_user.next_message()).text
    assert len(budgets_of(make_uow, en_user)) == 2


async def test_one_line_budget_with_the_wrong_number_of_amounts_shows_an_example(
    app: Any, zh_user: SimUser, make_uow: Callable[[], SqlUnitOfWork]
) -> None:
    zh_user.send_text("/budget 8000 4000")
    reply = await zh_user.next_message()
    assert "四个或五个金额" in reply.text
    assert "/budget 8000 4000 0 6000" in reply.text
    zh_user.send_text("/budget 8000 4000 0 $600")
    assert "预算请用你的币种 CNY 填写" in (await zh_user.next_message()).text
    assert budgets_of(make_uow, zh_user) == []


async def test_a_tracked_debt_that_does_not_fit_shows_a_shortfall_and_honest_advice(
    app: Any,
    en_user: SimUser,
    zh_user: SimUser,
    given_debt: Callable[..., int],
    make_uow: Callable[[], SqlUnitOfWork],
) -> None:
    debt_id = given_debt(en_user)
    with make_uow() as uow:
        user = uow.users.get_by_telegram_id(en_user.id)
        assert user is not None
        assert user.id is not None
        installment = (
            position(uow, user_id=user.id, debt_id=debt_id, today=date(2026, 12, 1)).rows[0].payment
        )
    assert installment == Decimal("1101.59")
    en_user.send_text("/budget 5000 3500 0 2000")
    result = (await en_user.next_message()).text
    assert "Your tracked debts ask in December 2026: CN¥1,101.59" in result
    assert "· 金条 CN¥1,101.59" in result
    assert "Affordable for your debts: CN¥1,000.00 a month" in result
    assert "Shortfall: CN¥101.59 a month." in result
    # A low ratio next to a shortfall is not "comfortable" (issue 10).
    assert "Debt-to-income: 22.03%, but the month does not add up." in result
    assert "comfortable." not in result
    assert len(result.splitlines()) <= 12
    assert "Covering the shortfall from savings would last 19.6 months." in result
    assert "talk to your lender before you miss a payment" in result
    assert "/hardship will propose options to put to your lender." in result

    given_debt(zh_user, name="白条")
    zh_user.send_text("/budget 3000 2000 0 0")
    text = (await zh_user.next_message()).text
    assert "⚠️ 每月缺口：¥401.59。" in text
    assert "在错过还款之前就联系贷款机构" in text
    assert "/hardship" in text
