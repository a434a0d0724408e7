"""Editing and deleting a debt from /debts, and the lender in one-line /adddebt (issue 10)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from sqlmodel import col, select

from bot.localapi import EmulatorState, SimUser
from bot.localapi.models import ChatMessage
from tests.bot.helpers import forge_press
from tests.bot.test_debts import press, say, stored_debts, yuan
from tracker.rates import Rate, RateUnit
from tracker.services.debts import add_plan, terms_of
from tracker.storage.enums import PaymentSource, PlanOrigin
from tracker.storage.models import Debt, Installment, Payment, PlanVersion
from tracker.storage.uow import SqlUnitOfWork

D = Decimal
MakeUow = Callable[[], SqlUnitOfWork]


def level_payment(principal: int, monthly: Fraction, months: int) -> Decimal:
    """P·i·(1+i)^n / ((1+i)^n − 1), exactly, then rounded half up to cents."""
    growth = (1 + monthly) ** months
    exact = principal * monthly * growth / (growth - 1)
    return (D(exact.numerator) / D(exact.denominator)).quantize(D("0.01"), ROUND_HALF_UP)


async def edit_menu(sim: SimUser, label: str) -> ChatMessage:
    """/debts, then the first debt's edit button: the menu of what can change."""
    listing = await say(sim, "/debts")
    return await press(sim, listing, label)


def the_debt(make_uow: MakeUow, debt_id: int) -> Debt | None:
    with make_uow() as uow:
        debt = uow.session.get(Debt, debt_id)
        return None if debt is None else Debt(**debt.model_dump())


# ---- editing ----------------------------------------------------------------------------------


async def test_rename_in_english_re_asks_a_wrong_name(
    app: Any, en_user: SimUser, given_debt: Any, make_uow: MakeUow
) -> None:
    debt_id = given_debt(en_user, "金条")
    menu = await edit_menu(en_user, "✏️ edit")
    assert (menu.text or "").splitlines() == [
        "✏️ What do you want to change in 金条?",
        "Lender: not given yet",
        "Rate: 0.05% a day (18.25% a year)",
        "First due date: Dec 15, 2026",
    ]
    assert menu.button_texts == [["Name", "Lender"], ["Interest rate", "First due date"]]
    question = await press(en_user, menu, "Name")
    assert "What should 金条 be called? For example Jintiao." in (question.text or "")
    wrong = (await say(en_user, "x" * 41)).text or ""
    assert wrong.startswith("That name is too long: at most 40 characters.")
    assert "For example Jintiao" in wrong  # the question again, with its example
    done = await say(en_user, "JD Jintiao")
    assert done.text == "✅ Renamed 金条 to JD Jintiao."
    debt = the_debt(make_uow, debt_id)
    assert debt is not None
    assert debt.name == "JD Jintiao"


async def test_lender_in_chinese_set_then_forgotten(
    app: Any, zh_user: SimUser, given_debt: Any, make_uow: MakeUow
) -> None:
    debt_id = given_debt(zh_user, "金条")
    menu = await edit_menu(zh_user, "✏️ 修改")
    assert menu.button_texts == [["名称", "贷款机构"], ["利率", "首个还款日"]]
    question = await press(zh_user, menu, "贷款机构")
    assert "例如 京东金融 或 招商银行" in (question.text or "")
    wrong = (await say(zh_user, "银" * 41)).text or ""
    assert wrong.startswith("贷款机构的名称太长了：最多 40 个字。")
    assert "例如 京东金融" in wrong
    assert (await say(zh_user, "京东金融")).text == "✅ 金条的贷款机构：京东金融。"
    debt = the_debt(make_uow, debt_id)
    assert debt is not None
    assert debt.lender == "京东金融"
    menu = await edit_menu(zh_user, "✏️ 修改")
    assert "贷款机构：京东金融" in (menu.text or "")
    await press(zh_user, menu, "贷款机构")
    assert (await say(zh_user, "无")).text == "✅ 已清除金条的贷款机构。"
    debt = the_debt(make_uow, debt_id)
    assert debt is not None
    assert debt.lender is None


async def test_a_new_rate_in_chinese_gives_the_new_installment(
    app: Any, zh_user: SimUser, given_debt: Any, make_uow: MakeUow
) -> None:
    debt_id = given_debt(zh_user, "金条")
    menu = await edit_menu(zh_user, "✏️ 修改")
    question = await press(zh_user, menu, "利率")
    assert "现在：日利率 0.05%" in (question.text or "")
    assert "例如 日息万五、月息1分 或 年化18%" in (question.text or "")
    wrong = (await say(zh_user, "abc")).text or ""
    assert wrong.startswith("无法把“abc”识别为利率。")
    assert "例如" in wrong
    no_period = (await say(zh_user, "0.03%")).text or ""
    assert no_period.startswith("是按日、按月还是按年？请写明周期。")
    done = (await say(zh_user, "日息万三")).text or ""
    # ¥12,000 over 12 months at 0.03 % a day: a monthly rate of 0.03 % × 365 / 12.
    payment = level_payment(12000, Fraction(3, 10000) * 365 / 12, 12)
    assert done.splitlines() == [
        "✅ 金条现在：日利率 0.03%（年化 10.95%）。",
        f"下一期：2026年12月15日 还 {yuan(payment)}。",
    ]
    with make_uow() as uow:
        first = uow.installments.for_debt(_user_id(uow, zh_user), debt_id)[0]
        assert D(first.total_minor) / 100 == payment


def _user_id(uow: SqlUnitOfWork, sim: SimUser) -> int:
    user = uow.users.get_by_telegram_id(sim.id)
    assert user is not None
    assert user.id is not None
    return user.id


async def test_a_new_rate_in_english_keeps_the_payments(
    app: Any, en_user: SimUser, given_debt: Any, make_uow: MakeUow
) -> None:
    debt_id = given_debt(en_user, "Jintiao")
    with make_uow() as uow:
        user_id = _user_id(uow, en_user)
        uow.session.add(
            Payment(
                debt_id=debt_id,
                user_id=user_id,
                amount_minor=20000,
                currency="CNY",
                paid_on=date(2026, 11, 30),
                source=PaymentSource.COMMAND,
                idempotency_key="test:1",
            )
        )
        uow.commit()
    menu = await edit_menu(en_user, "✏️ edit")
    await press(en_user, menu, "Interest rate")
    done = (await say(en_user, "18%/year")).text or ""
    payment = level_payment(12000, Fraction(18, 100) / 12, 12)
    assert done.splitlines() == [
        "✅ Jintiao now: 18% a year.",
        f"Next installment: CN{yuan(payment - 200)} on Dec 15, 2026.",
        "Your 1 payment stays recorded and counts towards the new schedule.",
    ]


async def test_a_new_first_due_date_in_english_and_a_wrong_one(
    app: Any, en_user: SimUser, given_debt: Any, make_uow: MakeUow
) -> None:
    debt_id = given_debt(en_user, "金条")
    menu = await edit_menu(en_user, "✏️ edit")
    question = await press(en_user, menu, "First due date")
    assert "Now: Dec 15, 2026. For example Jan 20 or 2027-01-20." in (question.text or "")
    wrong = (await say(en_user, "someday")).text or ""
    assert wrong.startswith("I couldn't read “someday” as a date.")
    assert "For example" in wrong
    before_loan = (await say(en_user, "2026-11-10")).text or ""
    assert before_loan.startswith("The loan date (2026-11-15) must be before the first due date")
    done = (await say(en_user, "Jan 20")).text or ""
    assert done.splitlines()[0] == "✅ First due date of 金条: Jan 20, 2027."
    assert done.splitlines()[1].endswith("on Jan 20, 2027.")
    with make_uow() as uow:
        days = [i.due_date for i in uow.installments.for_debt(_user_id(uow, en_user), debt_id)]
    assert days[0] == date(2027, 1, 20)
    assert days[-1] == date(2027, 12, 20)


async def test_a_new_first_due_date_in_chinese(
    app: Any, zh_user: SimUser, given_debt: Any, make_uow: MakeUow
) -> None:
    given_debt(zh_user, "金条")
    menu = await edit_menu(zh_user, "✏️ 修改")
    question = await press(zh_user, menu, "首个还款日")
    assert "例如 1月20日 或 2027-01-20" in (question.text or "")
    wrong = (await say(zh_user, "2027-02-30")).text or ""
    assert wrong.startswith("这个日期不存在")
    done = (await say(zh_user, "12月20日")).text or ""
    assert done.splitlines()[0] == "✅ 金条的首个还款日：2026年12月20日。"


async def test_cancel_changes_nothing(
    app: Any, en_user: SimUser, given_debt: Any, make_uow: MakeUow
) -> None:
    debt_id = given_debt(en_user, "金条")
    menu = await edit_menu(en_user, "✏️ edit")
    await press(en_user, menu, "Name")
    assert (await say(en_user, "/cancel")).text == "Cancelled: the debt stays as it was."
    debt = the_debt(make_uow, debt_id)
    assert debt is not None
    assert debt.name == "金条"


async def test_an_agreed_plan_refuses_a_new_rate(
    app: Any, en_user: SimUser, given_debt: Any, make_uow: MakeUow
) -> None:
    debt_id = given_debt(en_user, "金条")
    with make_uow() as uow:
        debt = uow.debts.require_for_user(_user_id(uow, en_user), debt_id)
        plan = uow.plans.active_for_debt(debt_id)
        assert plan is not None
        terms = terms_of(debt, plan)
        agreed = add_plan(
            uow, debt=debt, terms=terms, origin=PlanOrigin.RENEGOTIATED, now=plan.created_at
        )
        uow.plans.activate(agreed, plan.created_at)
        uow.commit()
    menu = await edit_menu(en_user, "✏️ edit")
    refused = (await press(en_user, menu, "Interest rate")).text or ""
    assert refused.startswith("This debt follows a plan agreed with the lender")
    assert "/plan" in refused
    # Not waiting for a rate: a rate typed now is no edit.
    with make_uow() as uow:
        stored = uow.plans.active_for_debt(debt_id)
        assert stored is not None
        assert stored.rate_value == Rate(D("0.0005"), RateUnit.DAY).value


# ---- deleting -----------------------------------------------------------------------------------


def _counts(make_uow: MakeUow, debt_id: int) -> list[int]:
    """How many debts, plan versions, installments and payments the debt has stored."""
    with make_uow() as uow:
        return [
            len(uow.session.exec(select(model).where(column == debt_id)).all())
            for model, column in (
                (Debt, col(Debt.id)),
                (PlanVersion, col(PlanVersion.debt_id)),
                (Installment, col(Installment.debt_id)),
                (Payment, col(Payment.debt_id)),
            )
        ]


def _pay(make_uow: MakeUow, sim: SimUser, debt_id: int, count: int) -> None:
    with make_uow() as uow:
        user_id = _user_id(uow, sim)
        for n in range(count):
            uow.session.add(
                Payment(
                    debt_id=debt_id,
                    user_id=user_id,
                    amount_minor=10000,
                    currency="CNY",
                    paid_on=date(2026, 11, 20),
                    idempotency_key=f"test:{debt_id}:{n}",
                )
            )
        uow.commit()


async def test_delete_in_chinese_after_confirmation_and_a_double_tap(
    app: Any, state: EmulatorState, zh_user: SimUser, given_debt: Any, make_uow: MakeUow
) -> None:
    jintiao = given_debt(zh_user, "金条")
    baitiao = given_debt(zh_user, "白条")
    _pay(make_uow, zh_user, jintiao, 2)
    listing = await say(zh_user, "/debts")
    question = await press(zh_user, listing, "🗑 删除")  # the first debt's: 金条
    assert (question.text or "").splitlines() == [
        "删除金条及其 2 笔还款记录？删除后无法恢复。",
        "如果只想隐藏并保留记录，可以改为归档。",
    ]
    assert question.button_texts == [["🗑 删除", "保留"]]
    done = await press(zh_user, question, "🗑 删除")
    assert done.text == "🗑 已删除金条及其 2 笔还款记录。"
    assert _counts(make_uow, jintiao) == [0, 0, 0, 0]
    assert _counts(make_uow, baitiao) == [1, 1, 12, 0]
    # The same button again (a double tap, or an old message): nothing more happens.
    again = forge_press(state, zh_user, question.raw, f"ddely:{zh_user.id}:{jintiao}")
    await zh_user.wait_for_answer(again)
    assert (await zh_user.next_message()).text == "这笔债务已经删除了。/debts 可查看你的债务。"
    keep = forge_press(state, zh_user, question.raw, f"ddeln:{zh_user.id}:{jintiao}")
    await zh_user.wait_for_answer(keep)
    assert (await zh_user.next_message()).text == "这笔债务已经删除了。/debts 可查看你的债务。"
    assert _counts(make_uow, baitiao) == [1, 1, 12, 0]
    assert "金条" not in ((await say(zh_user, "/status")).text or "")


async def test_keep_in_english_deletes_nothing(
    app: Any, en_user: SimUser, given_debt: Any, make_uow: MakeUow
) -> None:
    debt_id = given_debt(en_user, "Jintiao")
    listing = await say(en_user, "/debts")
    question = await press(en_user, listing, "🗑 delete")
    assert (question.text or "").splitlines() == [
        "Delete Jintiao? This cannot be undone.",
        "To hide it but keep its history, archive it instead.",
    ]
    kept = await press(en_user, question, "Keep it")
    assert kept.text == "OK, Jintiao stays."
    assert _counts(make_uow, debt_id) == [1, 1, 12, 0]


async def test_delete_in_english_counts_one_payment(
    app: Any, en_user: SimUser, given_debt: Any, make_uow: MakeUow
) -> None:
    debt_id = given_debt(en_user, "Jintiao")
    _pay(make_uow, en_user, debt_id, 1)
    question = await press(en_user, await say(en_user, "/debts"), "🗑 delete")
    assert (question.text or "").startswith("Delete Jintiao and its 1 payment?")
    done = await press(en_user, question, "🗑 Delete")
    assert done.text == "🗑 Deleted Jintiao with its 1 payment."
    assert _counts(make_uow, debt_id) == [0, 0, 0, 0]


# ---- the lender in one-line /adddebt ------------------------------------------------------------


async def test_one_line_adddebt_with_a_lender_in_both_languages(
    app: Any, zh_user: SimUser, en_user: SimUser, make_uow: MakeUow
) -> None:
    saved = await say(zh_user, "/adddebt 金条 20000 日息万五 12 等额本息 2027-01-20 机构:京东金融")
    assert (saved.text or "").startswith("✅ 已保存")
    (debt,) = stored_debts(make_uow, zh_user)
    assert (debt.name, debt.lender, debt.principal_minor) == ("金条", "京东金融", 2_000_000)

    saved = await say(en_user, "/adddebt Jintiao 20000 0.05%/day 12 annuity lender: JD Finance")
    assert (saved.text or "").startswith("✅ Saved.")
    (debt,) = stored_debts(make_uow, en_user)
    assert (debt.name, debt.lender) == ("Jintiao", "JD Finance")

    empty = (await say(en_user, "/adddebt Car 20000 18% 12 lender:")).text or ""
    assert empty.startswith("Problem with the lender: The lender needs a name.")


async def guided_to_summary(sim: SimUser, name: str, rate: str) -> ChatMessage:
    """/adddebt answered step by step up to the summary: 10000 over 12 annuity installments."""
    await say(sim, "/adddebt")
    await say(sim, name)
    await say(sim, "10000")
    await say(sim, rate)
    methods = await say(sim, "12")
    dates = await press(sim, methods, methods.button_texts[0][0])  # annuity
    return await press(sim, dates, dates.button_texts[0][0])


async def test_guided_flow_asks_the_lender_as_an_optional_term(
    app: Any, zh_user: SimUser, en_user: SimUser, make_uow: MakeUow
) -> None:
    summary = await guided_to_summary(zh_user, "金条", "日息万五")
    extras = await press(zh_user, summary, "⚙️ 机构、手续费、宽限期、罚息")
    assert "· 贷款机构：未填写（用名称代替）" in (extras.text or "")
    asked = await press(zh_user, extras, "贷款机构")
    assert "例如 京东金融 或 招商银行" in (asked.text or "")
    assert asked.button_texts == [["⏭ 跳过"]]
    extras = await say(zh_user, "京东金融")
    assert "· 贷款机构：京东金融" in (extras.text or "")
    summary = await press(zh_user, extras, "✅ 返回汇总")
    await press(zh_user, summary, "💾 保存")
    (debt,) = stored_debts(make_uow, zh_user)
    assert (debt.name, debt.lender) == ("金条", "京东金融")

    # Skipped, by the button or a skip word: no lender, the name stands in.
    summary = await guided_to_summary(en_user, "JD Finance", "0.05%/day")
    extras = await press(en_user, summary, "⚙️ Lender, fees, grace days, penalty")
    await press(en_user, extras, "Lender")
    extras = await say(en_user, "skip")
    assert "· Lender: not given (the name stands in)" in (extras.text or "")
    asked = await press(en_user, extras, "Lender")
    extras = await press(en_user, asked, "⏭ Skip")
    summary = await press(en_user, extras, "✅ Back to the summary")
    await press(en_user, summary, "💾 Save")
    (debt,) = stored_debts(make_uow, en_user)
    assert (debt.name, debt.lender) == ("JD Finance", None)
