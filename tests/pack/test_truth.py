"""Issue 10, "the pack must be true (it goes to the lender)": packs built from stored proposals
(real debts, the real planner) state the request's own figures in the statement, word every
option's terms in the request, and total the debts as their schedules have them.

Every expected figure is worked out here by hand (fractions.Fraction), never read off the output.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from types import SimpleNamespace
from typing import Any

import pytest

from bot.features.hardship_pack import pack_input
from bot.i18n import translator
from bot.pack import Pack, build_pack, plain_text
from bot.pack.content import Facts, Table
from tracker.ledger import PenaltyPolicy
from tracker.parsing.hardship_text import Cause
from tracker.planner import OptionKind
from tracker.rates import Rate, RateUnit
from tracker.schedule_types import LoanTerms, Method
from tracker.services.cards import add_card
from tracker.services.debts import DebtSpec, add_debt
from tracker.services.hardship import (
    HardshipAnswers,
    hardship_options,
    proposal,
    propose,
    report_hardship,
)
from tracker.storage.models import User
from tracker.storage.uow import SqlUnitOfWork

D = Decimal
NOW = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
TODAY = date(2026, 12, 1)
MakeUow = Callable[[], SqlUnitOfWork]
CENT = Fraction(1, 100)


def cents(value: Fraction) -> Decimal:
    """A Fraction rounded half up to cents."""
    return (D(value.numerator) / D(value.denominator)).quantize(D("0.01"), rounding=ROUND_HALF_UP)


def yuan(value: Decimal) -> str:
    """¥1,234.56 as the Chinese pack prints money."""
    return f"¥{value:,.2f}"


@pytest.fixture
def user_id(make_uow: MakeUow) -> int:
    with make_uow() as uow:
        user = uow.users.add(User(telegram_user_id=4001, chat_id=4001))
        uow.commit()
        assert user.id is not None
        return user.id


def add_loan(make_uow: MakeUow, user_id: int) -> int:
    """金条: ¥12,000 over 12 at 1 % a month (annuity), due on the 15th from 2026-12-15."""
    terms = LoanTerms(
        principal=D(12000),
        rate=Rate(D("0.01"), RateUnit.MONTH),
        term=12,
        method=Method.ANNUITY,
        first_due=date(2026, 12, 15),
        start_date=date(2026, 11, 15),
    )
    with make_uow() as uow:
        debt, _ = add_debt(uow, user_id=user_id, spec=DebtSpec(name="金条", terms=terms), now=NOW)
        uow.commit()
        assert debt.id is not None
        return debt.id


def add_baitiao(make_uow: MakeUow, user_id: int) -> int:
    """白条: ¥3,000 over 12 at a fee of 0.5 % a period: 250 + 15 = 265.00 each month."""
    terms = LoanTerms(
        principal=D(3000),
        rate=Rate(D(0), RateUnit.MONTH),
        term=12,
        method=Method.FLAT_FEE,
        fee_rate=D("0.005"),
        first_due=date(2026, 12, 15),
        start_date=date(2026, 11, 15),
    )
    with make_uow() as uow:
        spec = DebtSpec(name="白条", terms=terms, penalty=PenaltyPolicy())
        debt, _ = add_debt(uow, user_id=user_id, spec=spec, now=NOW)
        uow.commit()
        assert debt.id is not None
        return debt.id


def add_cmb_card(make_uow: MakeUow, user_id: int) -> None:
    """招行信用卡: a ¥15,000 statement; the bank's minimum is 10 % of it."""
    with make_uow() as uow:
        add_card(
            uow,
            user_id=user_id,
            name="招行信用卡",
            balance=D(15000),
            statement_day=5,
            due_day=23,
            currency="CNY",
            today=TODAY,
            now=NOW,
        )
        uow.commit()


def report(make_uow: MakeUow, user_id: int, income: Decimal, savings: Decimal) -> None:
    answers = HardshipAnswers(
        cause=Cause.JOB_LOSS,
        since=date(2026, 11, 20),
        currency="CNY",
        income=income,
        savings=savings,
        fixed_expenses=D(1500),
        duration_months=3,
    )
    with make_uow() as uow:
        report_hardship(uow, user_id=user_id, answers=answers, today=TODAY, now=NOW)
        uow.commit()


def packs(make_uow: MakeUow, user_id: int, kind: OptionKind, language: str = "zh") -> list[Pack]:
    """The packs of the ranked option of ``kind`` (one per lender it asks something of)."""
    t: Any = SimpleNamespace(_=translator(language))
    with make_uow() as uow:
        found = hardship_options(uow, user_id=user_id, today=TODAY)
        option = found.option(kind)
        stored = propose(uow, user_id=user_id, plan=found, option=option, now=NOW, today=TODAY)
        uow.commit()
        return [
            build_pack(pack_input(t, proposal(uow, user_id=user_id, plan_id=s.id or 0)))
            for s in stored
        ]


def annuity_payment() -> Decimal:
    """12,000 at 1 % a month over 12: P·r / (1 − (1 + r)^−12)."""
    r = Fraction(1, 100)
    return cents(12000 * r / (1 - 1 / (1 + r) ** 12))


# ---- 1. the statement and the request state one figure ----------------------------------------


def test_the_statement_never_claims_less_than_the_request_asks(
    make_uow: MakeUow, user_id: int
) -> None:
    """Income 1,500 = expenses 1,500: nothing is left, yet the lower payment asks for money a
    month; the statement must say the request's figure, not ¥0.00."""
    add_loan(make_uow, user_id)
    report(make_uow, user_id, income=D(1500), savings=D(0))
    [pack] = packs(make_uow, user_id, OptionKind.LOWER_PAYMENT)
    statement = plain_text(pack, full=True).split("【2.")[0]
    [facts_block] = [b for b in pack.section("plan").blocks if isinstance(b, Facts)]
    facts = dict(facts_block.rows)
    monthly = facts["月还款额"]
    assert monthly in pack.request
    assert f"每月可用于偿还金条的金额：{monthly}" in statement
    assert f"我每月能稳定用于偿还这笔欠款的金额是 {monthly}。" in statement
    assert "金额是 ¥0.00" not in statement
    # Nothing fits, so the lower payment runs the consumer-loan maximum, 36 months: the annuity
    # of 12,000 at 1 % a month over 36, with interest as in the contract.
    r = Fraction(1, 100)
    assert monthly == yuan(cents(12000 * r / (1 - 1 / (1 + r) ** 36)))
    plan = next(b for b in pack.section("plan").blocks if isinstance(b, Table))
    total = sum((D(row[2].lstrip("¥").replace(",", "")) for row in plan.rows), D(0))
    assert len(plan.rows) == 36
    assert "分 36 个月偿还" in pack.request
    assert f"整个方案共 {yuan(total - 12000)}，合计 {yuan(total)}" in pack.request


# ---- 2. every extension words its own terms ---------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "zh_words", "en_words"),
    [
        (OptionKind.EXTENSION_FROZEN, "期间停止计息", "with the interest frozen"),
        (OptionKind.EXTENSION_PAUSE, "利息照常计算", "interest continuing to run"),
        (OptionKind.EXTENSION_INTEREST_ONLY, "只还利息", "only the interest"),
    ],
)
def test_each_extension_asks_for_its_own_pause_and_interest(
    make_uow: MakeUow, user_id: int, kind: OptionKind, zh_words: str, en_words: str
) -> None:
    add_loan(make_uow, user_id)
    report(make_uow, user_id, income=D(1800), savings=D(0))
    [zh] = packs(make_uow, user_id, kind, "zh")
    [en] = packs(make_uow, user_id, kind, "en")
    assert zh_words in zh.request
    assert en_words in en.request
    # The pause is the hardship's 3 months from the next due date, 2026-12-15; the 12
    # installments resume three months later, on 2027-03-15.
    assert "自2026年12月15日起" in zh.request
    assert "3 个月" in zh.request
    assert "自2027年3月15日起每月还款" in zh.request
    assert "for 3 months from Dec 15, 2026" in en.request
    assert "from Mar 15, 2027" in en.request
    # The figures are the schedule's: the resumed payment and the total to be paid.
    plan = next(b for b in zh.section("plan").blocks if isinstance(b, Table))
    amounts = [D(row[2].lstrip("¥").replace(",", "")) for row in plan.rows]
    assert len(amounts) == 15  # 3 paused months + the 12 installments
    after = amounts[3:]
    typical = max(set(after), key=lambda a: (after.count(a), a))
    assert f"每月还款 {yuan(typical)}" in zh.request
    assert f"分 12 个月还清，合计 {yuan(sum(amounts, D(0)))}" in zh.request
    if kind is not OptionKind.EXTENSION_PAUSE:
        # Nothing deferred: the resumed installments are the contract's annuity.
        assert typical == annuity_payment()
    paused = amounts[:3]
    if kind is OptionKind.EXTENSION_INTEREST_ONLY:
        # A paused month's interest: 12,000 at 1 % a month.
        assert paused == [cents(12000 * Fraction(1, 100))] * 3
        assert f"每月不超过 {yuan(max(paused))}" in zh.request
    else:
        assert paused == [D(0)] * 3
    # The statement and the script say the same: what is paid in the pause, then the payment.
    assert f"之后自2027年3月15日起每月能还 {yuan(typical)}" in plain_text(zh, full=True)


def test_a_settlement_says_what_it_settles_and_the_discount(
    make_uow: MakeUow, user_id: int
) -> None:
    add_baitiao(make_uow, user_id)
    report(make_uow, user_id, income=D(2500), savings=D(10000))
    [zh] = packs(make_uow, user_id, OptionKind.SETTLEMENT)
    # Settling today: 3,000 + 15 (this period) + 11 × 15 (later fees, taken as owed) = 3,180;
    # the plan costs 12 × 265 = 3,180 too, so only 10 % off saves anything: 2,862.00.
    owed = Fraction(3000) + 15 + 11 * 15
    assert owed == 12 * 265
    amount = cents(owed * Fraction(90, 100))
    assert f"一次性还款 {yuan(amount)}" in zh.request
    assert f"今天结清需要 {yuan(cents(owed))}，减少 10%" in zh.request


def test_a_waiver_says_what_is_waived_and_what_is_repaid(make_uow: MakeUow, user_id: int) -> None:
    add_baitiao(make_uow, user_id)
    report(make_uow, user_id, income=D(1600), savings=D(0))
    [en] = packs(make_uow, user_id, OptionKind.WAIVER, "en")
    # Repaid: the principal, 3,000 (no fee charged yet); waived: the plan's 12 × 265 less it.
    assert "repay the CN¥3,000.00 I owe without further interest" in en.request
    assert f"CN¥{Decimal(12 * 265 - 3000):,.2f} less than my current plan" in en.request


# ---- 3. the debts table: regular payments, and arrears in the totals -------------------------


def test_the_debts_table_totals_each_debts_regular_payment(make_uow: MakeUow, user_id: int) -> None:
    add_loan(make_uow, user_id)
    add_baitiao(make_uow, user_id)
    add_cmb_card(make_uow, user_id)
    report(make_uow, user_id, income=D(2500), savings=D(0))
    found = packs(make_uow, user_id, OptionKind.WAIVER)
    assert found
    table = next(b for b in found[0].section("statement").blocks if isinstance(b, Table))
    monthly = {row[0]: row[2] for row in table.rows}
    loan_payment = annuity_payment()
    assert monthly["金条"] == yuan(loan_payment)
    assert monthly["白条"] == yuan(D(250 + 15))
    assert monthly["招行信用卡"] == yuan(cents(Fraction(15000) / 10))
    total = loan_payment + D(265) + cents(Fraction(15000) / 10)
    assert table.total is not None
    assert table.total[2] == yuan(total)
    # Nothing is overdue: the arrears column totals to zero, as each row says.
    assert [row[3] for row in table.rows] == ["¥0.00"] * 3
    assert table.total[3] == "¥0.00"
