"""/adddebt through the real Application and local Bot API: step by step, in one line, restarts."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction
from math import floor
from typing import Any

import pytest
from telegram.ext import Application

from bot.localapi import EmulatorState, SimUser
from bot.localapi.models import ChatMessage
from bot.runtime import Deps
from tests.bot.helpers import running
from tracker.ledger import PenaltyMode
from tracker.rates import RateUnit
from tracker.schedule_types import Method
from tracker.storage.enums import DebtStatus
from tracker.storage.models import Debt
from tracker.storage.uow import SqlUnitOfWork

AnyApplication = Application[Any, Any, Any, Any, Any, Any]
D = Decimal
CENT = D("0.01")
#: 0.05 % a day on a 365-day year, as a monthly rate: 0.0005 × 365 / 12.
DAILY_005_MONTHLY = D("0.0005") * 365 / 12


def annuity(principal: Decimal, monthly: Decimal, months: int) -> Decimal:
    """The textbook level payment P·i·(1+i)^n / ((1+i)^n − 1), rounded half up to cents."""
    with localcontext(prec=40):
        growth = (1 + monthly) ** months
        return (principal * monthly * growth / (growth - 1)).quantize(CENT, ROUND_HALF_UP)


def yuan(amount: Decimal) -> str:
    """An amount as the bot writes it (¥ in Chinese; English writes CN¥, which contains it)."""
    return f"¥{amount:,.2f}"


async def say(sim: SimUser, text: str) -> ChatMessage:
    sim.send_text(text)
    return await sim.next_message()


async def press(sim: SimUser, message: ChatMessage, text: str) -> ChatMessage:
    sim.press_button(message, text=text)
    return await sim.next_message()


def stored_debts(make_uow: Callable[[], SqlUnitOfWork], sim: SimUser) -> list[Debt]:
    with make_uow() as uow:
        user = uow.users.get_by_telegram_id(sim.id)
        if user is None:
            return []
        assert user.id is not None
        # Copies: the rows themselves expire when the unit of work closes.
        return [Debt(**debt.model_dump()) for debt in uow.debts.list_for_user(user.id)]


def installment_totals(make_uow: Callable[[], SqlUnitOfWork], sim: SimUser) -> list[int]:
    with make_uow() as uow:
        user = uow.users.get_by_telegram_id(sim.id)
        assert user is not None
        assert user.id is not None
        (debt,) = uow.debts.list_for_user(user.id)
        assert debt.id is not None
        return [i.total_minor for i in uow.installments.for_debt(user.id, debt.id)]


# ---- the guided flow --------------------------------------------------------------------------


async def test_guided_flow_in_chinese_re_asks_a_wrong_answer_and_saves(
    app: Any, zh_user: SimUser, make_uow: Callable[[], SqlUnitOfWork]
) -> None:
    first = await say(zh_user, "/adddebt")
    assert "/cancel" in (first.text or "")
    assert "1/6" in (first.text or "")
    assert "2/6" in ((await say(zh_user, "金条")).text or "")
    assert "3/6" in ((await say(zh_user, "1万")).text or "")

    wrong = await say(zh_user, "abc")  # not a rate: the error, an example, the same question
    assert "无法把“abc”识别为利率" in (wrong.text or "")
    assert "例如" in (wrong.text or "")
    assert "3/6" in (wrong.text or "")

    assert "4/6" in ((await say(zh_user, "日利率0.05%")).text or "")
    methods = await say(zh_user, "12期")
    assert ["等额本息"] in methods.button_texts
    assert not any("annuity" in label for row in methods.button_texts for label in row)
    dates = await press(zh_user, methods, "等额本息")
    assert dates.button_texts == [["2027年1月1日", "2027年2月1日"]]

    summary = await press(zh_user, dates, "2027年1月1日")
    payment = annuity(D(10000), DAILY_005_MONTHLY, 12)
    interest = (D(10000) * DAILY_005_MONTHLY).quantize(CENT, ROUND_HALF_UP)
    text = summary.text or ""
    assert f"1. 2027年1月1日：{yuan(payment)}（其中利息 {yuan(interest)}）" in text
    assert "2. 2027年2月1日" in text
    assert "4. " not in text  # only the first three installments
    with localcontext(prec=40):
        compound = ((1 + DAILY_005_MONTHLY) ** 12 - 1) * 100
    assert f"单利 {DAILY_005_MONTHLY * 1200:.2f}%" in text  # 18.25 %
    assert f"复利 {compound:.2f}%" in text
    assert "宽限期：0 天" in text
    assert "1.5 倍" in text
    assert summary.button_texts == [["💾 保存"], ["⚙️ 机构、手续费、宽限期、罚息"], ["✖️ 取消"]]
    assert not stored_debts(make_uow, zh_user)  # nothing is saved before Save

    saved = await press(zh_user, summary, "💾 保存")
    assert "已保存" in (saved.text or "")
    assert "/schedule" in (saved.text or "")
    assert "/status" in (saved.text or "")
    (debt,) = stored_debts(make_uow, zh_user)
    assert (debt.name, debt.principal_minor, debt.currency) == ("金条", 1_000_000, "CNY")
    assert (debt.rate_value, debt.rate_unit, debt.method) == (
        D("0.0005"),
        RateUnit.DAY,
        Method.ANNUITY,
    )
    assert (debt.term_months, debt.first_due, debt.grace_days) == (12, date(2027, 1, 1), 0)
    totals = installment_totals(make_uow, zh_user)
    assert totals[:11] == [int(payment * 100)] * 11
    assert sum(totals) == sum(totals[:11]) + totals[11]


async def test_guided_flow_in_english_with_flat_fee_and_optional_terms(
    app: Any, en_user: SimUser, make_uow: Callable[[], SqlUnitOfWork]
) -> None:
    await say(en_user, "/adddebt")
    await say(en_user, "Baitiao")
    await say(en_user, "6000")
    await say(en_user, "0")
    wrong = await say(en_user, "a dozen")
    assert "I couldn't read “a dozen” as a number of months." in (wrong.text or "")
    assert "<code>" not in (wrong.text or "")  # HTML was parsed, not shown
    assert "4/6" in (wrong.text or "")
    await say(en_user, "12")
    fee_question = await say(en_user, "flat fee")  # the method may be typed, too
    assert "per installment" in (fee_question.text or "")
    await say(en_user, "0.5%")
    summary = await say(en_user, "2027-01-15")
    text = summary.text or ""
    assert f"1. Jan 15, 2027: CN{yuan(D(530))} (fee CN{yuan(D(30))})" in text
    assert f"Total to repay: CN{yuan(D(6360))}" in text
    assert "late fee 0.05% a day on the overdue amount" in text  # the flat-fee default

    extras = await press(en_user, summary, "⚙️ Lender, fees, grace days, penalty")
    assert "Grace days: 0" in (extras.text or "")
    await press(en_user, extras, "Grace days")
    wrong = await say(en_user, "soon")
    assert "I couldn't read “soon” as a number of days." in (wrong.text or "")
    extras = await say(en_user, "3")
    assert "Grace days: 3" in (extras.text or "")
    await press(en_user, extras, "Upfront fee")
    extras = await say(en_user, "100")
    assert f"Upfront fee: CN{yuan(D(100))}" in (extras.text or "")
    # A flat-fee plan says whether paying off early still owes the remaining fees (issue 8).
    extras = await press(en_user, extras, "Paying off early still owes the remaining fees")
    assert ["Paying off early drops the remaining fees"] in extras.button_texts
    summary = await press(en_user, extras, "✅ Back to the summary")
    assert f"Cost of credit: CN{yuan(D(460))}" in (summary.text or "")

    saved = await press(en_user, summary, "💾 Save")
    assert "Saved" in (saved.text or "")
    (debt,) = stored_debts(make_uow, en_user)
    assert (debt.method, debt.fee_rate, debt.rate_value) == (Method.FLAT_FEE, D("0.005"), D(0))
    assert (debt.grace_days, debt.upfront_fee_minor) == (3, 10_000)
    assert (debt.penalty_mode, debt.penalty_daily_rate) == (
        PenaltyMode.DAILY_RATE_ON_OVERDUE,
        D("0.0005"),
    )
    assert (debt.fees_on_payoff, debt.penalty_on_interest) == (False, False)


async def test_cancel_in_the_middle_saves_nothing(
    app: Any, en_user: SimUser, make_uow: Callable[[], SqlUnitOfWork]
) -> None:
    await say(en_user, "/adddebt")
    await say(en_user, "Jintiao")
    await say(en_user, "10000")
    cancelled = await say(en_user, "/cancel")
    assert "Nothing was saved" in (cancelled.text or "")
    assert not stored_debts(make_uow, en_user)
    again = await say(en_user, "/adddebt")  # a fresh start, not the old draft
    assert "1/6" in (again.text or "")


async def test_cancel_button_on_the_summary_saves_nothing(
    app: Any, en_user: SimUser, make_uow: Callable[[], SqlUnitOfWork]
) -> None:
    await say(en_user, "/adddebt")
    for answer in ("Card", "20000", "18%", "24"):
        methods = await say(en_user, answer)
    dates = await press(en_user, methods, "equal principal")
    summary = await press(en_user, dates, dates.button_texts[0][1])
    assert "equal principal" in (summary.text or "")
    cancelled = await press(en_user, summary, "✖️ Cancel")
    assert "Nothing was saved" in (cancelled.text or "")
    assert not stored_debts(make_uow, en_user)


async def test_a_half_added_debt_survives_a_restart(
    state: EmulatorState, deps: Deps, zh_user: SimUser, make_uow: Callable[[], SqlUnitOfWork]
) -> None:
    async with running(state, deps, with_jobs=False):
        await say(zh_user, "/adddebt")
        await say(zh_user, "信用卡")
        rate_question = await say(zh_user, "20000")
        assert "3/6" in (rate_question.text or "")
    # A new process: its conversation state and draft come from the database.
    async with running(state, deps, with_jobs=False):
        assert "4/6" in ((await say(zh_user, "年化18%")).text or "")
        methods = await say(zh_user, "24")
        dates = await press(zh_user, methods, "等额本息")
        summary = await say(zh_user, "12月5日")
        payment = annuity(D(20000), D("0.18") / 12, 24)
        assert f"1. 2026年12月5日：{yuan(payment)}" in (summary.text or "")
        assert dates.button_texts  # the date could also have been pressed
        await press(zh_user, summary, "💾 保存")
    (debt,) = stored_debts(make_uow, zh_user)
    assert (debt.name, debt.principal_minor, debt.term_months) == ("信用卡", 2_000_000, 24)
    assert debt.first_due == date(2026, 12, 5)


# ---- the one-line form ------------------------------------------------------------------------


async def test_one_line_in_english_saves_and_shows_the_first_installments(
    app: Any, en_user: SimUser, make_uow: Callable[[], SqlUnitOfWork]
) -> None:
    saved = await say(en_user, "/adddebt 金条 10000 0.05%/day 12 annuity 2026-12-15")
    text = saved.text or ""
    payment = annuity(D(10000), DAILY_005_MONTHLY, 12)
    assert "Saved" in text
    assert f"1. Dec 15, 2026: CN{yuan(payment)} (interest CN{yuan(D('152.08'))})" in text
    assert "3. Feb 15, 2027" in text
    assert "Total to repay" in text
    assert "Cost of credit" in text
    assert "18.25%" in text
    assert "/schedule" in text
    (debt,) = stored_debts(make_uow, en_user)
    assert (debt.first_due, debt.method, debt.status) == (
        date(2026, 12, 15),
        Method.ANNUITY,
        DebtStatus.ACTIVE,
    )


async def test_one_line_in_chinese_with_chinese_method_names_and_defaults(
    app: Any, zh_user: SimUser, make_uow: Callable[[], SqlUnitOfWork]
) -> None:
    card = await say(zh_user, "/adddebt 信用卡 20000 年化18% 24 等额本息 2026-12-05")
    assert f"1. 2026年12月5日：{yuan(annuity(D(20000), D('0.015'), 24))}" in (card.text or "")
    # 日利率0.05%, no method (annuity) and no date (a month from today).
    loan = await say(zh_user, "/adddebt 金条 10000 日利率0.05% 12")
    assert f"1. 2027年1月1日：{yuan(annuity(D(10000), DAILY_005_MONTHLY, 12))}" in (loan.text or "")
    mortgage = await say(zh_user, "/adddebt 车贷 1.2万 年化6% 12 等额本金 15号")
    # Equal principal: 1000 of principal plus a month's interest on 12000 at 0.5 %.
    assert f"1. 2026年12月15日：{yuan(D(1060))}（其中利息 {yuan(D(60))}）" in (mortgage.text or "")
    white = await say(zh_user, "/adddebt 白条 6000 0.5%/期 12 分期手续费")
    assert f"{yuan(D(530))}（其中手续费 {yuan(D(30))}）" in (white.text or "")
    debts = stored_debts(make_uow, zh_user)
    assert [d.method for d in debts] == [
        Method.ANNUITY,
        Method.ANNUITY,
        Method.EQUAL_PRINCIPAL,
        Method.FLAT_FEE,
    ]
    assert debts[1].first_due == date(2027, 1, 1)
    assert (debts[3].fee_rate, debts[3].penalty_mode) == (
        D("0.005"),
        PenaltyMode.DAILY_RATE_ON_OVERDUE,
    )


async def test_one_line_flat_fee_reads_the_monthly_figure_as_the_fee(
    app: Any, en_user: SimUser, make_uow: Callable[[], SqlUnitOfWork]
) -> None:
    saved = await say(en_user, "/adddebt 白条 6000 0.5%/month 12 flat_fee")
    assert "fee 0.5% of the principal per installment" in (saved.text or "")
    (debt,) = stored_debts(make_uow, en_user)
    assert (debt.fee_rate, debt.rate_value) == (D("0.005"), D(0))


async def test_garbled_one_line_names_the_part_and_shows_the_example(
    app: Any, en_user: SimUser, zh_user: SimUser, make_uow: Callable[[], SqlUnitOfWork]
) -> None:
    example = "/adddebt Jintiao 10000 0.05%/day 12 annuity 2026-12-15"
    reply = (await say(en_user, "/adddebt 金条 10000 abc 12")).text or ""
    assert reply.startswith("Problem with the rate: I couldn't read “abc” as an interest rate.")
    assert example in reply
    reply = (await say(en_user, "/adddebt 10000 18% 12")).text or ""
    assert reply.startswith("Missing: the name.")
    reply = (await say(en_user, "/adddebt 金条 10000 18% 12 weekly")).text or ""
    assert reply.startswith("Problem with the repayment method:")
    reply = (await say(en_user, "/adddebt 金条 10000 18% 12 annuity 2026-02-30")).text or ""
    assert reply.startswith("Problem with the first due date: That date doesn't exist.")
    # Only a name and a principal: the questions go on from the rate (issue 9), no help page.
    reply = (await say(zh_user, "/adddebt 金条 10000")).text or ""
    assert reply.startswith("3/6 合同上的利率是多少？")
    await say(zh_user, "/cancel")
    reply = (await say(zh_user, "/adddebt 金条 10000 18% ")).text or ""
    assert reply.startswith("缺少：期数。")
    assert "/adddebt 金条 10000 日利率0.05% 12 等额本息 2026-12-15" in reply
    reply = (await say(zh_user, "/adddebt 金条 10000 18%/day 12")).text or ""
    assert reply.startswith("利率有误：这个利率高得不合常理")
    assert not stored_debts(make_uow, en_user)
    assert not stored_debts(make_uow, zh_user)


async def test_adddebt_help_explains_the_one_line_form(app: Any, en_user: SimUser) -> None:
    reply = (await say(en_user, "/adddebt help")).text or ""
    assert "With flat_fee the rate is the fee per installment" in reply
    assert "/adddebt Card 20000 18%/year 24 annuity 2026-12-05" in reply
    # The lender term (issue 10), in each language's own words.
    assert "2026-11-15 lender: JD Finance" in reply
    assert "goes last, after lender:" in reply


async def test_adddebt_help_in_chinese_names_the_lender_term(app: Any, zh_user: SimUser) -> None:
    reply = (await say(zh_user, "/adddebt 帮助")).text or ""
    assert "放款日2026-11-15 机构:京东金融" in reply
    assert "前面加 机构:" in reply


# ---- a rate without its period is asked about (issue 8, item 3) -------------------------------

#: Words that may appear in a Chinese reply: commands, and the IRR abbreviation.
ZH_ALLOWED_LATIN = {"adddebt", "schedule", "status", "cancel", "IRR"}


def latin_words(message: ChatMessage) -> set[str]:
    """Latin-script words of three letters or more in a message and its buttons."""
    texts = [message.text or "", *(label for row in message.button_texts for label in row)]
    return {word for text in texts for word in re.findall(r"[A-Za-z]{3,}", text)}


def han(message: ChatMessage) -> str:
    """The Chinese characters of a message and its buttons."""
    texts = [message.text or "", *(label for row in message.button_texts for label in row)]
    return "".join(ch for text in texts for ch in text if "\u4e00" <= ch <= "\u9fff")


def pct(value: Decimal) -> str:
    """A percentage as the bot writes it: no trailing zeros (0.60 → 0.6%)."""
    return f"{value.normalize():f}%"


def cents(value: Fraction) -> Decimal:
    """A positive amount rounded half up to cents."""
    return Decimal(floor(value * 100 + Fraction(1, 2))) / 100


def annuity_interest(principal: int, monthly: Fraction, months: int) -> Decimal:
    """Total interest of a level-payment loan, each row's interest rounded half up.

    The level payment is P·i(1+i)^n / ((1+i)^n − 1) rounded to cents; every row but the last
    repays payment − interest, and the last repays what is left.
    """
    growth = (1 + monthly) ** months
    payment = cents(principal * monthly * growth / (growth - 1))
    balance, total = Decimal(principal), Decimal(0)
    for row in range(1, months + 1):
        interest = cents(Fraction(balance) * monthly)
        total += interest
        balance -= balance if row == months else payment - interest
    return total


#: 0.05 % a day on a 365-day year, as an exact monthly rate.
DAILY_005 = Fraction(5, 10000) * 365 / 12


async def test_issue_8_bare_005_percent_is_asked_not_read_as_yearly(
    app: Any, zh_user: SimUser, make_uow: Callable[[], SqlUnitOfWork]
) -> None:
    # JD shows 金条's daily rate as a bare "0.05%"; read as 0.05 % a year the loan cost ¥5.43.
    asked = await say(zh_user, "/adddebt 金条 20000 0.05% 12")
    assert "“0.05%”是日利率、月利率还是年利率？" in (asked.text or "")
    assert asked.button_texts == [
        [f"日利率 0.05%（年化 {pct(D('0.05') * 365)}）"],  # 18.25 %
        [f"月利率 0.05%（年化 {pct(D('0.05') * 12)}）"],  # 0.6 %
        ["年利率 0.05%"],
    ]
    assert len((asked.text or "").splitlines()) <= 12
    assert not stored_debts(make_uow, zh_user)  # nothing is guessed or saved yet
    assert latin_words(asked) <= ZH_ALLOWED_LATIN

    saved = await press(zh_user, asked, asked.button_texts[0][0])
    interest = annuity_interest(20000, DAILY_005, 12)
    assert f"借款成本：{yuan(interest)}（利息 {yuan(interest)}，手续费 ¥0.00）" in (
        saved.text or ""
    )
    assert "¥5.43" not in (saved.text or "")
    assert latin_words(saved) <= ZH_ALLOWED_LATIN
    (debt,) = stored_debts(make_uow, zh_user)
    assert (debt.rate_value, debt.rate_unit, debt.principal_minor) == (
        D("0.0005"),
        RateUnit.DAY,
        2_000_000,
    )


async def test_one_line_period_question_in_english_saves_the_chosen_month(
    app: Any, en_user: SimUser, make_uow: Callable[[], SqlUnitOfWork]
) -> None:
    asked = await say(en_user, "/adddebt Card 6000 1.5% 12")
    assert "Is “1.5%” a rate per day, per month or per year?" in (asked.text or "")
    assert asked.button_texts == [
        [f"1.5% a day ({pct(D('1.5') * 365)} a year)"],  # 547.5 %: offered, and shown as such
        [f"1.5% a month ({pct(D('1.5') * 12)} a year)"],
        ["1.5% a year"],
    ]
    assert not han(asked)
    typed = await say(en_user, "1.5%/month")  # the line waits for a button
    assert "Please choose with the buttons below." in (typed.text or "")
    saved = await press(en_user, typed, "1.5% a month (18% a year)")
    first = annuity(D(6000), D("0.015"), 12)
    assert f"1. Jan 1, 2027: CN{yuan(first)}" in (saved.text or "")
    assert not han(saved)
    (debt,) = stored_debts(make_uow, en_user)
    assert (debt.rate_value, debt.rate_unit) == (D("0.015"), RateUnit.MONTH)


async def test_guided_flow_asks_the_period_then_carries_on_in_chinese(
    app: Any, zh_user: SimUser, make_uow: Callable[[], SqlUnitOfWork]
) -> None:
    await say(zh_user, "/adddebt")
    await say(zh_user, "金条")
    await say(zh_user, "两万")  # Chinese numerals are amounts too
    asked = await say(zh_user, "0.05%")
    assert "3/6" in (asked.text or "")
    assert "<code>" not in (asked.text or "")
    assert "日利率0.05%" in (asked.text or "")  # the example to type instead
    assert len(asked.button_texts) == 3
    again = await say(zh_user, "1%")  # typing another bare rate asks about that one
    assert "“1%”是日利率" in (again.text or "")
    term = await press(zh_user, again, "月利率 1%（年化 12%）")
    assert "4/6" in (term.text or "")
    methods = await say(zh_user, "十二期")
    dates = await press(zh_user, methods, "等额本息")
    summary = await press(zh_user, dates, "2027年1月1日")
    payment = annuity(D(20000), D("0.01"), 12)
    assert f"1. 2027年1月1日：{yuan(payment)}" in (summary.text or "")
    await press(zh_user, summary, "💾 保存")
    (debt,) = stored_debts(make_uow, zh_user)
    assert (debt.principal_minor, debt.rate_value, debt.rate_unit) == (
        2_000_000,
        D("0.01"),
        RateUnit.MONTH,
    )


@pytest.mark.parametrize(
    ("rate", "value", "unit"),
    [
        ("月息1分", "0.01", RateUnit.MONTH),
        ("2分利", "0.02", RateUnit.MONTH),
        ("日息5厘", "0.0005", RateUnit.DAY),
        ("年息一分八", "0.18", RateUnit.YEAR),
    ],
)
async def test_one_line_reads_chinese_rate_and_amount_words(
    app: Any,
    zh_user: SimUser,
    make_uow: Callable[[], SqlUnitOfWork],
    rate: str,
    value: str,
    unit: RateUnit,
) -> None:
    saved = await say(zh_user, f"/adddebt 借呗 一万二千 {rate} 12")
    assert "已保存" in (saved.text or "")
    (debt,) = stored_debts(make_uow, zh_user)
    assert (debt.principal_minor, debt.rate_value, debt.rate_unit) == (1_200_000, D(value), unit)


# ---- the loan date (放款日) and first due dates without a year ---------------------------------


async def test_one_line_loan_date_in_english_is_stored_and_shown(
    app: Any, en_user: SimUser, make_uow: Callable[[], SqlUnitOfWork]
) -> None:
    saved = await say(en_user, "/adddebt Jintiao 10000 0.05%/day 12 2026-12-15 loan 2026-11-15")
    assert "First installments (loan paid out Nov 15, 2026):" in (saved.text or "")
    assert not han(saved)
    (debt,) = stored_debts(make_uow, en_user)
    assert (debt.start_date, debt.first_due) == (date(2026, 11, 15), date(2026, 12, 15))


async def test_one_line_loan_date_mistakes_in_both_languages(
    app: Any, en_user: SimUser, zh_user: SimUser, make_uow: Callable[[], SqlUnitOfWork]
) -> None:
    reply = (await say(en_user, "/adddebt Jintiao 10000 18% 12 from 2026-12-20")).text or ""
    assert reply.startswith("Problem with the loan date: The loan date 2026-12-20 is in the future")
    assert "For example: 2026-11-01 or 11月1日" in reply
    reply = (await say(zh_user, "/adddebt 金条 10000 18% 12 11月20日 放款日11月25日")).text or ""
    assert reply.startswith("放款日有误：放款日（2026-11-25）必须早于首个还款日（2026-11-20）。")
    assert "例如：2026-11-01 或 11月1日" in reply
    reply = (await say(zh_user, "/adddebt 金条 10000 18% 12 放款日")).text or ""
    assert reply.startswith("放款日有误：请在“放款日”后面写上日期")
    assert not stored_debts(make_uow, en_user)
    assert not stored_debts(make_uow, zh_user)


async def test_issue_9_a_month_and_day_long_past_stays_this_year(
    app: Any, zh_user: SimUser, make_uow: Callable[[], SqlUnitOfWork]
) -> None:
    # On 1 December 2026, 8月20日 is the August just gone: the loan is already running.
    asked = await say(zh_user, "/adddebt 金条 10000 日息万五 12 8月20日 放款 7月20日")
    assert "1. 2026年8月20日" in (asked.text or "")
    assert "（2026年7月20日 放款）" in (asked.text or "")
    # Issue 9: a running loan is asked what has happened since, before it is saved.
    saved = await press(zh_user, asked, "✅ 到期的都已还")
    assert "已保存" in (saved.text or "")
    soon = await say(zh_user, "/adddebt 白条 6000 年化18% 6 1月15日")  # next month: next year
    assert "1. 2027年1月15日" in (soon.text or "")
    first, second = stored_debts(make_uow, zh_user)
    assert (first.first_due, first.start_date) == (date(2026, 8, 20), date(2026, 7, 20))
    assert (second.first_due, second.start_date) == (date(2027, 1, 15), None)


async def test_guided_loan_date_under_the_optional_terms_in_english(
    app: Any, en_user: SimUser, make_uow: Callable[[], SqlUnitOfWork]
) -> None:
    await say(en_user, "/adddebt")
    for answer in ("Jintiao", "10000", "0.05%/day", "12"):
        methods = await say(en_user, answer)
    dates = await press(en_user, methods, "annuity (equal payments)")
    summary = await press(en_user, dates, "Jan 1, 2027")
    assert "First installments:" in (summary.text or "")  # no loan date given: not shown
    extras = await press(en_user, summary, "⚙️ Lender, fees, grace days, penalty")
    assert "Loan date: Dec 1, 2026 (a month before the first due date)" in (extras.text or "")
    asked = await press(en_user, extras, "Loan date")
    assert "loan date" in (asked.text or "")
    assert asked.button_texts == [["Default: Dec 1, 2026"]]
    wrong = await say(en_user, "2026-12-20")
    assert "The loan date 2026-12-20 is in the future" in (wrong.text or "")
    assert "For example: 2026-11-01" in (wrong.text or "")
    assert wrong.button_texts == [["Default: Dec 1, 2026"]]  # the same question again
    extras = await say(en_user, "11/20")
    assert "Loan date: Nov 20, 2026" in (extras.text or "")
    summary = await press(en_user, extras, "✅ Back to the summary")
    assert "First installments (loan paid out Nov 20, 2026):" in (summary.text or "")
    assert not han(summary)
    await press(en_user, summary, "💾 Save")
    (debt,) = stored_debts(make_uow, en_user)
    assert (debt.start_date, debt.first_due) == (date(2026, 11, 20), date(2027, 1, 1))


async def test_guided_loan_date_default_button_in_chinese(
    app: Any, zh_user: SimUser, make_uow: Callable[[], SqlUnitOfWork]
) -> None:
    await say(zh_user, "/adddebt")
    for answer in ("金条", "1万", "日利率0.05%", "12"):
        methods = await say(zh_user, answer)
    dates = await press(zh_user, methods, "等额本息")
    summary = await press(zh_user, dates, "2027年1月1日")
    extras = await press(zh_user, summary, "⚙️ 机构、手续费、宽限期、罚息")
    asked = await press(zh_user, extras, "放款日")
    assert "放款日" in (asked.text or "")
    assert latin_words(asked) <= ZH_ALLOWED_LATIN
    extras = await say(zh_user, "11月1日")
    assert "放款日：2026年11月1日" in (extras.text or "")
    asked = await press(zh_user, extras, "放款日")
    extras = await press(zh_user, asked, "用默认：2026年12月1日")  # back to the default
    assert "放款日：2026年12月1日（按首个还款日前一个月计）" in (extras.text or "")
    assert latin_words(extras) <= ZH_ALLOWED_LATIN
    # Compound penalty (复利) is off unless the contract has it; one tap turns it on.
    extras = await press(zh_user, extras, "逾期利息也计罚息（复利）：关")
    assert "逾期本金和利息按合同利率的 1.5 倍计罚息" in (extras.text or "")
    assert ["提前结清时仍收剩余手续费"] not in extras.button_texts  # only for 分期手续费
    summary = await press(zh_user, extras, "✅ 返回汇总")
    await press(zh_user, summary, "💾 保存")
    (debt,) = stored_debts(make_uow, zh_user)
    assert debt.start_date is None
    assert (debt.penalty_on_interest, debt.fees_on_payoff) == (True, None)
