"""A flat-fee debt's situation from the ledger (fees charged, ahead and later; the period fee),
the borrower's answer about fees on an early payoff, and the pack's figures for such a debt."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest

from tracker.errors import NotFound
from tracker.ledger import PenaltyPolicy
from tracker.parsing.hardship_text import Cause
from tracker.planner import OptionKind
from tracker.rates import Rate, RateUnit
from tracker.schedule_types import LoanTerms, Method
from tracker.services.debts import DebtSpec, add_debt, position
from tracker.services.hardship import (
    HardshipAnswers,
    hardship_options,
    proposal,
    propose,
    report_hardship,
    set_fees_on_payoff,
    situation_of,
)
from tracker.storage.models import Debt, User
from tracker.storage.uow import SqlUnitOfWork

D = Decimal
NOW = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
TODAY = date(2026, 12, 1)
MakeUow = Callable[[], SqlUnitOfWork]


@pytest.fixture
def user_id(make_uow: MakeUow) -> int:
    with make_uow() as uow:
        user = uow.users.add(User(telegram_user_id=3001, chat_id=3001))
        uow.commit()
        assert user.id is not None
        return user.id


def add_baitiao(make_uow: MakeUow, user_id: int, **overrides: Any) -> int:
    """白条: ¥3,000 over 12 at 0.5 % a period, due on the 15th (no late charges, to keep it hand-
    checkable): each installment 250.00 of principal + a 15.00 fee (3,000 × 0.5 %)."""
    fields: dict[str, Any] = {
        "principal": D(3000),
        "rate": Rate(D(0), RateUnit.MONTH),
        "term": 12,
        "method": Method.FLAT_FEE,
        "fee_rate": D("0.005"),
        "first_due": date(2026, 12, 15),
        "start_date": date(2026, 11, 15),
    }
    fields.update(overrides)
    with make_uow() as uow:
        spec = DebtSpec(name="白条", terms=LoanTerms(**fields), penalty=PenaltyPolicy())
        debt, _ = add_debt(uow, user_id=user_id, spec=spec, now=NOW)
        uow.commit()
        assert debt.id is not None
        return debt.id


def report(make_uow: MakeUow, user_id: int, savings: Decimal) -> None:
    answers = HardshipAnswers(
        cause=Cause.JOB_LOSS,
        since=date(2026, 11, 20),
        currency="CNY",
        income=D(2500),
        savings=savings,
        fixed_expenses=D(1500),
    )
    with make_uow() as uow:
        report_hardship(uow, user_id=user_id, answers=answers, today=TODAY, now=NOW)
        uow.commit()


def answer(make_uow: MakeUow, user_id: int, debt_id: int, charged: bool) -> None:
    with make_uow() as uow:
        set_fees_on_payoff(uow, user_id=user_id, debt_id=debt_id, charged=charged, now=NOW)
        uow.commit()


def test_the_situation_splits_the_fees_as_the_ledger_owes_them(
    make_uow: MakeUow, user_id: int
) -> None:
    # First due 2026-11-15 and unpaid: installment 1 (265.00, of which a 15.00 fee) is overdue,
    # installment 2 (due 12-15) is the current period, 3..12 come later: 10 × 15 = 150.00.
    debt_id = add_baitiao(make_uow, user_id, first_due=date(2026, 11, 15), start_date=None)
    with make_uow() as uow:
        situation = situation_of(position(uow, user_id=user_id, debt_id=debt_id, today=TODAY))
        assert situation.period_fee == D("15.00")
        assert situation.principal == D("3000.00")
        assert situation.overdue == D("265.00")
        assert situation.later_fees == D("150.00")
        assert situation.fees_on_payoff is None
        # Not asked yet, taken as yes: 15 charged + 15 current + 150 later.
        assert situation.fees == D("180.00")
        assert situation.fees_ahead == D("165.00")
        assert situation.charged_fees == D("15.00")
        assert situation.owed_today == D("3180.00")
        assert situation.remaining_fees == D("165.00")  # 11 installments not yet due
    answer(make_uow, user_id, debt_id, False)
    with make_uow() as uow:
        situation = situation_of(position(uow, user_id=user_id, debt_id=debt_id, today=TODAY))
        assert situation.fees_on_payoff is False
        assert situation.fees == D("30.00")  # the later 150.00 are dropped on a payoff
        assert situation.fees_ahead == D("15.00")
        assert situation.later_fees == D("150.00")
        assert situation.owed_today == D("3030.00")


def test_fees_on_payoff_is_stored_on_the_debt_and_only_for_its_owner(
    make_uow: MakeUow, user_id: int
) -> None:
    debt_id = add_baitiao(make_uow, user_id)
    answer(make_uow, user_id, debt_id, False)
    with make_uow() as uow:
        debt = uow.session.get(Debt, debt_id)
        assert debt is not None
        assert debt.fees_on_payoff is False
        # The ledger follows it: settle-today is the principal and the current fee only.
        assert position(
            uow, user_id=user_id, debt_id=debt_id, today=TODAY
        ).state.owed_today.total == D("3015.00")
        other = uow.users.add(User(telegram_user_id=3002, chat_id=3002))
        assert other.id is not None
        with pytest.raises(NotFound):
            set_fees_on_payoff(uow, user_id=other.id, debt_id=debt_id, charged=True, now=NOW)
    answer(make_uow, user_id, debt_id, True)
    with make_uow() as uow:
        assert position(
            uow, user_id=user_id, debt_id=debt_id, today=TODAY
        ).state.owed_today.total == D("3180.00")


@pytest.mark.parametrize(
    ("charged", "said", "amount"),
    [
        # 3,000 + 15 (current) + 165 (11 later fees) = 3,180 = the plan's 12 × 265: only a
        # discount saves anything, 10 % off is 2,862.00.
        (None, "unknown", D("2862.00")),
        (True, "yes", D("2862.00")),
        # 3,000 + 15 = 3,015.00 settles it outright.
        (False, "no", D("3015.00")),
    ],
)
def test_the_settlement_uses_settle_today_and_says_what_it_assumed(
    make_uow: MakeUow, user_id: int, charged: bool | None, said: str, amount: Decimal
) -> None:
    debt_id = add_baitiao(make_uow, user_id)
    if charged is not None:
        answer(make_uow, user_id, debt_id, charged)
    report(make_uow, user_id, savings=D(10000))  # 10,000 − a month's 1,500: 8,500 to use
    with make_uow() as uow:
        settle = hardship_options(uow, user_id=user_id, today=TODAY).option(OptionKind.SETTLEMENT)
        assert settle.lump_sum == amount
        assert settle.request["payoff_fees"] == D("165.00")
        assert settle.request["fees_on_payoff"] == said


def test_the_pack_gets_the_fee_and_its_annualised_rate_not_zero(
    make_uow: MakeUow, user_id: int
) -> None:
    add_baitiao(make_uow, user_id)
    report(make_uow, user_id, savings=D(0))
    with make_uow() as uow:
        found = hardship_options(uow, user_id=user_id, today=TODAY)
        waiver = found.option(OptionKind.WAIVER)
        [stored] = propose(uow, user_id=user_id, plan=found, option=waiver, now=NOW, today=TODAY)
        uow.commit()
        assert stored.id is not None
        [debt] = proposal(uow, user_id=user_id, plan_id=stored.id).debts
    assert debt.name == "白条"
    assert debt.rate.value == 0  # the contract has no rate: the fee is the price
    assert debt.fee_rate == D("0.005")
    assert debt.annual is not None
    # The annualised rate is the IRR of 3,000 received and 12 × 265 repaid monthly: at
    # r = annual / 12 the payments are worth the 3,000 (about 10.9 % a year, domain notes).
    r = Fraction(debt.annual) / 12
    worth = sum(Fraction(265) / (1 + r) ** k for k in range(1, 13))
    assert abs(worth - 3000) < Fraction(1, 100)
    assert D("0.1085") < debt.annual < D("0.1095")
