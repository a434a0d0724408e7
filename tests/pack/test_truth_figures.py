"""Issue 10, "re-derive each number printed in the pack": the statement's budget lines, each
debt's line (a daily-rate loan, an annual-rate loan with two overdue installments, a
per-period-fee loan and a credit card), the totals, the overdue amount spread in installments,
and the dates and counts, in both languages, for packs built from stored proposals.

Every expected figure is worked out here by hand from the inputs below (fractions.Fraction),
never read off the output; the output is only searched for it.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest

from bot.pack import Pack, plain_text
from tests.pack.test_truth import (
    NOW,
    MakeUow,
    add_baitiao,
    add_cmb_card,
    cents,
    packs,
    report,
    user_id,
)
from tracker.ledger import PenaltyMode, PenaltyPolicy
from tracker.planner import OptionKind
from tracker.rates import Rate, RateUnit
from tracker.schedule_types import LoanTerms, Method
from tracker.services.debts import DebtSpec, add_debt

__all__ = ["user_id"]  # the fixture, shared with test_truth

D = Decimal
F = Fraction


def money(value: Decimal, language: str) -> str:
    """¥1,234.56 in Chinese, CN¥1,234.56 in English, as the pack prints money."""
    return f"{'¥' if language == 'zh' else 'CN¥'}{value:,.2f}"


# ---- the inputs, and what follows from them by hand -------------------------------------------

#: 借呗: ¥10,000 at 0.05 % a day, 12 annuity installments on the 20th from 2026-12-20 (money
#: received 2026-11-20). A month's interest is balance × 0.0005 × 365 / 12.
JIEBEI_MONTHLY_RATE = F(5, 10000) * 365 / 12
JIEBEI_PAYMENT = cents(10000 * JIEBEI_MONTHLY_RATE / (1 - 1 / (1 + JIEBEI_MONTHLY_RATE) ** 12))
#: Settling on 2026-12-01: the principal and 11 days' interest (Nov 20 to Dec 1).
JIEBEI_OUTSTANDING = cents(F(10000) + 10000 * F(5, 10000) * 11)

#: 银行贷: ¥24,000 at 12 % a year, 24 equal-principal installments of 1,000 on the 10th from
#: 2026-10-10, no penalty interest. Nothing was paid: October's and November's are overdue.
BANK_RATE = F(12, 100) / 12
BANK_OVERDUE_ROWS = [1000 + 24000 * BANK_RATE, 1000 + 23000 * BANK_RATE]  # 1,240 and 1,230
BANK_OVERDUE = cents(sum(BANK_OVERDUE_ROWS, F(0)))
BANK_PAYMENT = cents(1000 + 22000 * BANK_RATE)  # December's: 1,000 + 1 % of 22,000
#: Settling today: the principal, the overdue rows' interest (240 + 230) and the 21 days since
#: November 10 on the 22,000 not yet due, at 12 % / 365 a day.
BANK_OUTSTANDING = cents(F(24000) + 240 + 230 + 22000 * F(12, 100) * 21 / 365)

#: 白条: ¥3,000 over 12 at a fee of 0.5 % a period: 250 + 15 a month; settling today takes the
#: principal, this period's fee and the 11 later ones (test_truth's settlement works it out).
BAITIAO_PAYMENT = D(250 + 15)
BAITIAO_OUTSTANDING = D(3000 + 15 + 11 * 15)

#: 招行信用卡: a ¥15,000 statement; the minimum is 10 % of it; the card rate is 0.05 % a day.
CARD_PAYMENT = cents(F(15000) / 10)
CARD_OUTSTANDING = D(15000)

INCOME, EXPENSES, SAVINGS = D(6000), D(1500), D(3000)  # the hardship report (report())


def baitiao_annual_percent() -> str:
    """The fee loan's real yearly cost: 12 × the monthly rate i at which 12 payments of 265
    repay 3,000 (3,000 = Σ 265 / (1 + i)^k), to one decimal of a percent."""

    def present_value(i: Fraction) -> Fraction:
        return sum((F(265) / (1 + i) ** k for k in range(1, 13)), F(0))

    low, high = F(0), F(1, 10)
    for _ in range(50):  # present value falls as i rises
        mid = (low + high) / 2
        low, high = (mid, high) if present_value(mid) > 3000 else (low, mid)
    annual = 12 * low * 100
    return str((D(annual.numerator) / D(annual.denominator)).quantize(D("0.1"), ROUND_HALF_UP))


def add_jiebei(make_uow: MakeUow, user_id: int) -> None:
    terms = LoanTerms(
        principal=D(10000),
        rate=Rate(D("0.0005"), RateUnit.DAY),
        term=12,
        method=Method.ANNUITY,
        first_due=date(2026, 12, 20),
        start_date=date(2026, 11, 20),
    )
    with make_uow() as uow:
        add_debt(uow, user_id=user_id, spec=DebtSpec(name="借呗", terms=terms), now=NOW)
        uow.commit()


def add_bank_loan(make_uow: MakeUow, user_id: int) -> None:
    terms = LoanTerms(
        principal=D(24000),
        rate=Rate(D("0.12"), RateUnit.YEAR),
        term=24,
        method=Method.EQUAL_PRINCIPAL,
        first_due=date(2026, 10, 10),
        start_date=date(2026, 9, 10),
    )
    no_penalty = PenaltyPolicy(mode=PenaltyMode.DAILY_RATE_ON_OVERDUE, daily_rate=D(0))
    with make_uow() as uow:
        add_debt(
            uow,
            user_id=user_id,
            spec=DebtSpec(name="银行贷", terms=terms, penalty=no_penalty),
            now=NOW,
        )
        uow.commit()


@pytest.fixture
def four_debts(make_uow: MakeUow, user_id: int) -> int:
    """The four debts, and a job lost on 2026-11-20: income 6,000, expenses 1,500, savings
    3,000, for 3 months. Returns the user id."""
    add_jiebei(make_uow, user_id)
    add_bank_loan(make_uow, user_id)
    add_baitiao(make_uow, user_id)
    add_cmb_card(make_uow, user_id)
    report(make_uow, user_id, income=INCOME, savings=SAVINGS)
    return user_id


def pack_for(found: list[Pack], lender: str) -> Pack:
    [pack] = [p for p in found if p.lender == lender]
    return pack


# ---- 1. the statement's budget lines ------------------------------------------------------------


def test_the_statement_states_income_expenses_other_debts_left_over_and_savings(
    make_uow: MakeUow, four_debts: int, language: str
) -> None:
    found = packs(make_uow, four_debts, OptionKind.EXTENSION_FROZEN, language)
    assert {p.lender for p in found} >= {"借呗", "银行贷", "白条"}
    # Each letter's "other debts" are the other three it lists, at their regular payments (the
    # report gave no debts beyond the four tracked here).
    own = {"借呗": JIEBEI_PAYMENT, "银行贷": BANK_PAYMENT, "白条": BAITIAO_PAYMENT}
    everything = JIEBEI_PAYMENT + BANK_PAYMENT + BAITIAO_PAYMENT + CARD_PAYMENT
    labels = {
        "zh": (
            "- 目前的月收入：",
            "- 每月必要支出（房租、水电、饮食、交通）：",
            "- 每月其他债务还款：",
            "- 扣除支出和其他债务后的每月结余：",
            "- 可动用的存款：",
        ),
        "en": (
            "- Monthly income now: ",
            "- Essential monthly expenses (rent, utilities, food, transport): ",
            "- Monthly payments on other debts: ",
            "- Left each month after expenses and other debts: ",
            "- Savings I can use: ",
        ),
    }[language]
    for pack in found:
        if pack.lender not in own:
            continue
        other = everything - own[pack.lender]
        left = INCOME - EXPENSES - other
        lines = plain_text(pack, full=True).splitlines()
        for label, value in zip(labels, (INCOME, EXPENSES, other, left, SAVINGS), strict=True):
            assert f"{label}{money(value, language)}" in lines, (pack.lender, label)


def test_other_debts_in_the_statement_include_the_other_debts_it_lists(
    make_uow: MakeUow, four_debts: int
) -> None:
    """The letter to 借呗 lists 银行贷, 白条 and the card at 1,220 + 265 + 1,500 a month: they
    are its "other debts", so what is left is 6,000 − 1,500 − 2,985 = 1,515, not 4,500."""
    jiebei = pack_for(packs(make_uow, four_debts, OptionKind.EXTENSION_FROZEN, "en"), "借呗")
    other = BANK_PAYMENT + BAITIAO_PAYMENT + CARD_PAYMENT
    assert other == D("2985.00")
    text = plain_text(jiebei, full=True)
    assert f"- Monthly payments on other debts: {money(other, 'en')}" in text
    left = INCOME - EXPENSES - other
    assert f"- Left each month after expenses and other debts: {money(left, 'en')}" in text


# ---- 2. each debt's line, with its rate, and the totals ---------------------------------------


def test_each_debt_is_described_by_its_own_rate_and_figures(
    make_uow: MakeUow, four_debts: int, language: str
) -> None:
    found = packs(make_uow, four_debts, OptionKind.EXTENSION_FROZEN, language)
    annual = baitiao_annual_percent()
    assert annual == "10.9"  # 265 × 12 = 3,180 for 3,000 over a year: far from free
    zero = money(D(0), language)
    if language == "zh":
        expected = {
            "借呗": f"借呗：未还 {money(JIEBEI_OUTSTANDING, 'zh')}，每月 "
            f"{money(JIEBEI_PAYMENT, 'zh')}，逾期 {zero}；利率 日利率 0.05%",
            "银行贷": f"银行贷：未还 {money(BANK_OUTSTANDING, 'zh')}，每月 "
            f"{money(BANK_PAYMENT, 'zh')}，逾期 {money(BANK_OVERDUE, 'zh')}；利率 年利率 12%",
            "白条": f"白条：未还 {money(BAITIAO_OUTSTANDING, 'zh')}，每月 "
            f"{money(BAITIAO_PAYMENT, 'zh')}，逾期 {zero}；手续费每期 0.5%（年化约 {annual}%）",
            "招行信用卡": f"招行信用卡：未还 {money(CARD_OUTSTANDING, 'zh')}，每月 "
            f"{money(CARD_PAYMENT, 'zh')}，逾期 {zero}；利率 日利率 0.05%",
        }
    else:
        expected = {
            "借呗": f"借呗: {money(JIEBEI_OUTSTANDING, 'en')} outstanding, "
            f"{money(JIEBEI_PAYMENT, 'en')} a month, {zero} overdue; rate 0.05% a day",
            "银行贷": f"银行贷: {money(BANK_OUTSTANDING, 'en')} outstanding, "
            f"{money(BANK_PAYMENT, 'en')} a month, {money(BANK_OVERDUE, 'en')} overdue; "
            "rate 12% a year",
            "白条": f"白条: {money(BAITIAO_OUTSTANDING, 'en')} outstanding, "
            f"{money(BAITIAO_PAYMENT, 'en')} a month, {zero} overdue; "
            f"fee 0.5% a period (about {annual}% a year)",
            "招行信用卡": f"招行信用卡: {money(CARD_OUTSTANDING, 'en')} outstanding, "
            f"{money(CARD_PAYMENT, 'en')} a month, {zero} overdue; rate 0.05% a day",
        }
    outstanding = JIEBEI_OUTSTANDING + BANK_OUTSTANDING + BAITIAO_OUTSTANDING + CARD_OUTSTANDING
    monthly = JIEBEI_PAYMENT + BANK_PAYMENT + BAITIAO_PAYMENT + CARD_PAYMENT
    total = {
        "zh": f"合计：未还 {money(outstanding, 'zh')}，每月 {money(monthly, 'zh')}，"
        f"逾期 {money(BANK_OVERDUE, 'zh')}",
        "en": f"Total: {money(outstanding, 'en')} outstanding, {money(monthly, 'en')} a month, "
        f"{money(BANK_OVERDUE, 'en')} overdue",
    }[language]
    for pack in found:
        lines = plain_text(pack, full=True).splitlines()
        for debt, line in expected.items():
            assert line in lines, (pack.lender, debt)
        assert total in lines, pack.lender
        [fee_line] = [line for line in lines if line.startswith("白条")]
        assert "0%" not in fee_line.replace("0.5%", "")  # never "0 %" for a fee loan


# ---- 3. the overdue installments, counted and summed ------------------------------------------


def test_the_overdue_amount_is_the_two_missed_installments_spread_over_the_schedule(
    make_uow: MakeUow, four_debts: int, language: str
) -> None:
    bank = pack_for(
        packs(make_uow, four_debts, OptionKind.OVERDUE_INSTALLMENTS, language), "银行贷"
    )
    text = plain_text(bank, full=True)
    assert BANK_OVERDUE_ROWS == [1240, 1230]  # two installments overdue, October's and November's
    overdue = money(BANK_OVERDUE, language)
    if language == "zh":
        assert f"恳请银行贷允许我将逾期欠款 {overdue} 分 5 个月偿还" in bank.request
        spread = "5 个月"
    else:
        assert f"to let me repay the overdue amount of {overdue} in installments" in bank.request
        spread = "over 5 months"
    assert spread in bank.request
    extra = cents(F(2470) / 5)  # 494.00 on top of each of the next five regular payments
    assert money(extra, language) in bank.request
    # The 22 installments not yet due, December's first, with 494 more on the first five;
    # the whole plan repays the 24,000 and the contract's interest, 1 % of each balance from
    # 24,000 down to 1,000: 0.01 × 300,000 = 3,000.
    regular = [1000 + (22000 - 1000 * k) * BANK_RATE for k in range(22)]
    rows = [cents(r + (494 if k < 5 else 0)) for k, r in enumerate(regular)]
    table = [line for line in text.splitlines() if line[:1].isdigit() and "—" in line]
    assert len(table) == 22
    assert [line.rsplit("— ", 1)[1] for line in table] == [money(r, language) for r in rows]
    total = cents(sum(regular, F(0)) + 2470)
    assert total == cents(F(24000) + F(3, 100) * 100000)
    assert money(total, language) in bank.request
    count = {"zh": "- 还款期数：22", "en": "- Number of payments: 22"}[language]
    assert count in text.splitlines()
    first = {"zh": "2026年12月10日", "en": "Dec 10, 2026"}[language]
    assert first in bank.request


# ---- 4. dates and counts ----------------------------------------------------------------------


def test_dates_and_counts_follow_the_debt_and_the_report(
    make_uow: MakeUow, four_debts: int, language: str
) -> None:
    """借呗's next payment is due 2026-12-20: a 3-month pause (the report's 3 months) runs
    from then, and its 12 installments resume 3 months later, on 2027-03-20: 15 rows."""
    jiebei = pack_for(packs(make_uow, four_debts, OptionKind.EXTENSION_FROZEN, language), "借呗")
    text = plain_text(jiebei, full=True)
    lines = text.splitlines()
    payment = money(JIEBEI_PAYMENT, language)
    zero = money(D(0), language)
    if language == "zh":
        assert "准备日期：2026年12月1日" in lines
        assert "我于2026年11月20日失业。预计这种情况将持续约 3 个月。" in lines
        assert "自2026年12月20日起暂停还款 3 个月" in jiebei.request
        assert f"之后自2027年3月20日起每月还款 {payment}，分 12 个月还清" in jiebei.request
        assert "- 还款期数：15" in lines
        assert "- 首期还款日：2027年3月20日" in lines
        assert f"- 每月可用于偿还借呗的金额：3 个月内每月 {zero}，之后每月 {payment}" in lines
    else:
        assert "Prepared on Dec 1, 2026" in lines
        assert "I lost my job on Nov 20, 2026. I expect this to last about 3 months." in lines
        assert "no payments for 3 months from Dec 20, 2026" in jiebei.request
        assert f"then {payment} a month over 12 months from Mar 20, 2027" in jiebei.request
        assert "- Number of payments: 15" in lines
        assert "- First payment: Mar 20, 2027" in lines
        assert (
            f"- What I can pay 借呗 each month: {zero} a month for 3 months, "
            f"then {payment} a month" in lines
        )
    # The frozen pause adds nothing: the 12 installments are the contract's own, so the plan
    # costs what the contract does: 11 payments of the annuity and a last one that closes it.
    table = [line for line in lines if line[:1].isdigit() and "—" in line]
    assert len(table) == 15
    assert [line.rsplit("— ", 1)[1] for line in table[:3]] == [zero] * 3
    assert [line.rsplit("— ", 1)[1] for line in table[3:14]] == [payment] * 11
