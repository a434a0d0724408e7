"""A lender's own messages, pasted or forwarded, through the real Application (issue 14).

The debts here charge no interest, so every figure is checked by hand: ¥12,000 over 12 months
in equal principal is ¥1,000.00 a month, due on the 15th from 2026-12-15.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from bot.clock import Clock
from bot.i18n import translator
from bot.localapi import SimUser
from tracker.ledger import PenaltyMode, PenaltyPolicy
from tracker.rates import ZERO_RATE
from tracker.schedule_types import Method
from tracker.storage.uow import SqlUnitOfWork

D = Decimal
TODAY = date(2026, 12, 1)  # the frozen clock's day in Shanghai
MONTHLY = D(12000) / 12  # 1,000.00: no interest, equal principal
NO_INTEREST = {"rate": ZERO_RATE, "method": Method.EQUAL_PRINCIPAL}


def payments(make_uow: Callable[[], SqlUnitOfWork], sim: SimUser, debt_id: int) -> list[Any]:
    """(amount in fen, paid on, key) of the debt's payments."""
    with make_uow() as uow:
        user = uow.users.get_by_telegram_id(sim.id)
        assert user is not None
        assert user.id is not None
        return [
            (p.amount_minor, p.paid_on, p.idempotency_key)
            for p in uow.payments.list_for_debt(user.id, debt_id)
        ]


def user_id(make_uow: Callable[[], SqlUnitOfWork], sim: SimUser) -> int:
    with make_uow() as uow:
        user = uow.users.get_by_telegram_id(sim.id)
        assert user is not None
        assert user.id is not None
        return user.id


JD_CONFIRMATION = (
    "【京东金融】尊敬的客户，您的金条已于11月30日成功还款1,000.00元，感谢您的使用。退订回T"
)


async def test_a_pasted_confirmation_is_recorded_once_in_chinese(
    app: Any, zh_user: SimUser, given_debt: Any, make_uow: Callable[[], SqlUnitOfWork]
) -> None:
    debt_id = given_debt(zh_user, **NO_INTEREST)
    given_debt(zh_user, name="招行信用卡", **NO_INTEREST)
    zh_user.send_text(JD_CONFIRMATION)
    question = await zh_user.next_message()
    assert "京东金融" in question.text
    assert "要记下 2026年11月30日 向金条还款 ¥1,000.00 吗？" in question.text
    assert payments(make_uow, zh_user, debt_id) == []  # nothing before the tap

    zh_user.press_button(question, text="✅ 记下这笔还款")
    zh_user.press_button(question, text="✅ 记下这笔还款")  # a double tap
    first, second = await zh_user.next_messages(2)
    assert "✅ 已记下：2026年11月30日 向金条还款 ¥1,000.00。" in first.text
    assert "这笔还款之前已经记过了" in second.text

    zh_user.send_text(JD_CONFIRMATION)  # forwarded again
    again = await zh_user.next_message()
    zh_user.press_button(again, text="✅ 记下这笔还款")
    third = await zh_user.next_message()
    assert "这笔还款之前已经记过了" in third.text

    [(minor, paid_on, key)] = payments(make_uow, zh_user, debt_id)
    assert (minor, paid_on) == (100000, date(2026, 11, 30))
    assert key.startswith(f"lender:{user_id(make_uow, zh_user)}:{debt_id}:100000:20261130:")


async def test_a_confirmation_in_english_names_a_payment_already_logged(
    app: Any, en_user: SimUser, given_debt: Any, make_uow: Callable[[], SqlUnitOfWork]
) -> None:
    debt_id = given_debt(en_user, name="JD loan", lender="JD Finance", **NO_INTEREST)
    given_debt(en_user, name="Card", lender="Chase", **NO_INTEREST)
    en_user.send_text("/paid 1000 JD loan yesterday")
    await en_user.next_message()
    text = (
        "[JD Finance] Dear customer, your repayment of RMB 1,000.00 was received on Nov 30, 2026."
    )
    en_user.send_text(text)
    question = await en_user.next_message()
    assert "Record payment of CN¥1,000.00 to JD loan on Nov 30, 2026?" in question.text
    assert "You already logged CN¥1,000.00 to JD loan on Nov 30, 2026" in question.text
    en_user.press_button(question, text="Not now")
    assert "Nothing was recorded." in (await en_user.next_message()).text
    assert len(payments(make_uow, en_user, debt_id)) == 1  # only the /paid one


async def test_a_confirmation_naming_no_debt_asks_which_and_the_choice_records_it(
    app: Any, en_user: SimUser, given_debt: Any, make_uow: Callable[[], SqlUnitOfWork]
) -> None:
    given_debt(en_user, name="Loan A", **NO_INTEREST)
    card = given_debt(en_user, name="Loan B", **NO_INTEREST)
    en_user.send_text(
        "Dear customer, we have received your payment of ¥250.50 on 11/28. Thank you."
    )
    picker = await en_user.next_message()
    assert "It confirms a repayment of CN¥250.50. Which debt was it for?" in picker.text
    en_user.press_button(picker, text="Loan B")
    en_user.press_button(picker, text="Loan B")
    first, second = await en_user.next_messages(2)
    assert "✅ Recorded CN¥250.50 to Loan B, paid Nov 28, 2026." in first.text
    assert "already recorded" in second.text
    assert [p[:2] for p in payments(make_uow, en_user, card)] == [(25050, date(2026, 11, 28))]


async def test_a_matching_due_notice_in_chinese(
    app: Any, zh_user: SimUser, given_debt: Any, make_uow: Callable[[], SqlUnitOfWork]
) -> None:
    given_debt(zh_user, **NO_INTEREST)
    given_debt(zh_user, name="白条", **NO_INTEREST)
    zh_user.send_text(
        "【京东金融】尊敬的用户，您的金条借款本期应还款1,000.00元，最后还款日12月15日，"
        "请确保还款账户资金充足，以免逾期影响征信。退订回T"
    )
    reply = await zh_user.next_message()
    assert f"✅ 与你的还款计划一致：金条第 1 期，2026年12月15日 应还 ¥{MONTHLY:,.2f}。" in (
        reply.text
    )
    assert not reply.buttons


async def test_a_differing_due_notice_in_english_says_what_differs(
    app: Any, en_user: SimUser, given_debt: Any
) -> None:
    given_debt(en_user, name="JD loan", lender="JD Finance", **NO_INTEREST)
    en_user.send_text(
        "Your JD Finance loan payment of CNY 1,035.98 is due on Dec 20. "
        "Please ensure sufficient funds to avoid late fees."
    )
    reply = await en_user.next_message()
    diff = D("1035.98") - MONTHLY
    assert "⚠️ It differs from your schedule for JD loan:" in reply.text
    assert (
        f"· amount: the lender says CN¥1,035.98, your schedule CN¥{MONTHLY:,.2f}"
        f" (installment 1, a difference of CN¥{diff:,.2f})." in reply.text
    )
    assert (
        "· due date: the lender says Dec 20, 2026, your schedule Dec 15, 2026 (installment 1)."
        in reply.text
    )
    assert "/plan" in reply.text
    en_user.press_button(reply, text="Keep mine")
    assert "Kept: your records stay as they are." in (await en_user.next_message()).text


async def test_a_differing_due_notice_in_chinese_names_the_other_lender(
    app: Any, zh_user: SimUser, given_debt: Any
) -> None:
    given_debt(zh_user, name="房贷", lender="建设银行", **NO_INTEREST)
    zh_user.send_text("【招商银行】您的借款本期应还款1,000.00元，到期还款日12/15，请按时还款。")
    reply = await zh_user.next_message()
    assert "⚠️ 与你记录的房贷还款计划不一致：" in reply.text
    assert "· 欠款：消息说的是招商银行，而房贷记录的不是这家出借方" in reply.text
    assert "金额：" not in reply.text  # the amount and the date agree
    assert "还款日：" not in reply.text


async def test_an_overdue_notice_matches_the_ledger_in_chinese(
    app: Any, zh_user: SimUser, given_debt: Any, clock: Clock
) -> None:
    penalty = PenaltyPolicy(mode=PenaltyMode.DAILY_RATE_ON_OVERDUE, daily_rate=D("0.0005"))
    given_debt(zh_user, penalty=penalty, **NO_INTEREST)
    clock.advance(timedelta(days=24))  # 25 Dec: installment 1 (15 Dec) is 10 days overdue
    # 1,000.00 overdue × 0.05 % a day × 10 days = 5.00
    expected_penalty = MONTHLY * D("0.0005") * 10
    zh_user.send_text(
        f"【京东金融】您的金条借款已逾期10天，逾期金额1,000.00元，已产生罚息{expected_penalty:.2f}元，"
        "请尽快还款。"
    )
    reply = await zh_user.next_message()
    assert (
        f"✅ 与你的记录一致：金条自 2026年12月15日 起逾期 ¥{MONTHLY:,.2f}，"
        f"目前罚息 ¥{expected_penalty:.2f}。" in reply.text
    )


async def test_an_overdue_notice_with_another_penalty_in_english(
    app: Any, en_user: SimUser, given_debt: Any, clock: Clock
) -> None:
    penalty = PenaltyPolicy(mode=PenaltyMode.DAILY_RATE_ON_OVERDUE, daily_rate=D("0.0005"))
    given_debt(en_user, name="JD loan", lender="JD Finance", penalty=penalty, **NO_INTEREST)
    clock.advance(timedelta(days=24))  # 25 Dec: 10 days overdue, 5.00 penalty
    ours = MONTHLY * D("0.0005") * 10
    en_user.send_text(
        "JD Finance: your account is past due. Overdue amount RMB 1,040.00, "
        "including a late fee of RMB 40.00."
    )
    reply = await en_user.next_message()
    assert "⚠️ It differs from your records for JD loan:" in reply.text
    assert (
        f"· overdue: the lender says CN¥1,040.00, your records CN¥{MONTHLY:,.2f} overdue"
        f" and CN¥{ours:.2f} penalty." in reply.text
    )
    assert f"· penalty: the lender says CN¥40.00, your records CN¥{ours:.2f}." in reply.text


async def test_an_overdue_notice_when_nothing_is_overdue(
    app: Any, en_user: SimUser, given_debt: Any
) -> None:
    given_debt(en_user, name="JD loan", **NO_INTEREST)
    en_user.send_text("Dear customer, your loan is overdue. Please repay RMB 1,000.00 today.")
    reply = await en_user.next_message()
    assert "· overdue: the lender says CN¥1,000.00, your records nothing." in reply.text


async def test_ordinary_text_still_reaches_payments_hardship_and_the_fallback(
    app: Any, zh_user: SimUser, en_user: SimUser, given_debt: Any
) -> None:
    given_debt(zh_user, **NO_INTEREST)
    zh_user.send_text("还了500")
    assert "✅ 已记下：2026年12月1日 向金条还款 ¥500.00。" in (await zh_user.next_message()).text
    zh_user.send_text("我失业了")
    hardship = await zh_user.next_message()
    assert hardship.buttons  # the hardship feature's "Get options"
    assert "📩" not in hardship.text
    en_user.send_text("Dear bot, your buttons are nice.")
    fallback = translator("en")(
        "I didn't understand that. To log a payment write <code>/paid 500</code>;"
        " /help lists everything."
    )
    reply = await en_user.next_message()
    assert reply.text == re.sub(r"</?code>", "", fallback)  # the tags are formatting


async def test_a_notice_that_fits_two_debts_asks_which_then_compares(
    app: Any, en_user: SimUser, given_debt: Any
) -> None:
    given_debt(en_user, name="Loan A", **NO_INTEREST)
    given_debt(en_user, name="Loan B", **NO_INTEREST)
    en_user.send_text("Dear customer, your payment of CNY 1,000.00 is due on Dec 15.")
    picker = await en_user.next_message()
    assert "It speaks of CN¥1,000.00. Which debt is it about?" in picker.text
    assert all(len(data.encode()) <= 64 for data in picker.callback_data)
    en_user.press_button(picker, text="Loan B")
    reply = await en_user.next_message()
    assert (
        f"✅ It matches your schedule: Loan B, installment 1, CN¥{MONTHLY:,.2f} due Dec 15, 2026."
        in reply.text
    )


async def test_a_due_notice_for_an_installment_paid_ahead_says_so(
    app: Any, en_user: SimUser, given_debt: Any
) -> None:
    given_debt(en_user, name="JD loan", lender="JD Finance", **NO_INTEREST)
    en_user.send_text(f"/paid {MONTHLY}")  # Dec 1: held for installment 1 (Dec 15)
    await en_user.next_message()
    en_user.send_text("[JD Finance] Your payment of CNY 1,000.00 is due on Dec 15, 2026.")
    reply = await en_user.next_message()
    assert "✅ It matches your schedule: JD loan, installment 1" in reply.text
    assert "Your records show it paid already" in reply.text
