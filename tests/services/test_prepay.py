"""Prepaying: the payoff figure, the lender's recomputed plan, and recording it exactly once.

The debt: ¥12,000 at 0.05 % a day (18.25 % a year), 12 annuity installments from 2026-12-15, the
money received 2026-11-15; today is 2026-12-01, 16 days in. Expected figures are derived here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest

from tests.services.test_payments import NOW, TODAY, new_debt, new_user, pay, spec
from tracker.errors import Conflict, InvalidTerms
from tracker.rates import ZERO_RATE
from tracker.schedule import build_schedule
from tracker.schedule_types import LoanTerms, Method, PrepaymentMode
from tracker.services.debts import add_debt, position, terms_of
from tracker.services.payments import undo_payment
from tracker.services.prepay import payoff_preview, prepay_preview, record_prepayment
from tracker.storage.enums import PlanOrigin, PlanStatus
from tracker.storage.uow import SqlUnitOfWork

D = Decimal
#: 12,000 + 12,000 × 0.05 % × 16 days (Nov 15 → Dec 1) = 12,096.00
SETTLE_TODAY = D(12000) + D(12000) * D("0.0005") * 16
MONTHLY = Fraction(5, 10000) * 365 / 12  # the annuity's monthly rate


def annuity(principal: Fraction, n: int) -> Decimal:
    """The level payment P·i(1+i)^n / ((1+i)^n − 1), rounded half up to the cent."""
    growth = (1 + MONTHLY) ** n
    value = principal * MONTHLY * growth / (growth - 1)
    return (D(value.numerator) / D(value.denominator)).quantize(D("0.01"), ROUND_HALF_UP)


@pytest.fixture
def debt_of(make_uow: Callable[[], SqlUnitOfWork]) -> tuple[int, int]:
    with make_uow() as uow:
        user_id = new_user(uow, 1)
        debt_id = new_debt(uow, user_id, "金条")
        uow.commit()
    return user_id, debt_id


def test_the_payoff_figure_is_principal_and_sixteen_days_of_interest(
    make_uow: Callable[[], SqlUnitOfWork], debt_of: tuple[int, int]
) -> None:
    with make_uow() as uow:
        preview = payoff_preview(uow, user_id=debt_of[0], debt_id=debt_of[1], today=TODAY)
        assert D("12096.00") == SETTLE_TODAY
        assert preview.settle_today == SETTLE_TODAY
        assert preview.charges == D("96.00")
        # The whole schedule (12 installments, interest included) minus what settling takes.
        scheduled = sum((r.payment for r in build_schedule(_terms(uow, debt_of))), D(0))
        assert preview.saved == scheduled - SETTLE_TODAY
        assert preview.pays_off


def test_lower_installment_keeps_the_term_and_starts_from_settle_today_less_the_amount(
    make_uow: Callable[[], SqlUnitOfWork], debt_of: tuple[int, int]
) -> None:
    user_id, debt_id = debt_of
    with make_uow() as uow:
        preview = prepay_preview(
            uow,
            user_id=user_id,
            debt_id=debt_id,
            amount=D(5000),
            mode=PrepaymentMode.KEEP_TERM,
            today=TODAY,
        )
        assert preview.terms is not None
        assert preview.terms.principal == SETTLE_TODAY - 5000 == D("7096.00")
        assert (preview.terms.term, preview.terms.first_due) == (12, date(2026, 12, 15))
        assert preview.terms.start_date == TODAY  # interest runs from the prepayment on
        assert preview.charges == D("96.00")  # 16 days of interest, nothing due yet
        assert preview.to_principal == D("4904.00")
        # The regular installment is the annuity on 7,096 over 12 months.
        assert preview.rows[1].payment == annuity(Fraction(7096), 12)
        assert sum((r.principal for r in preview.rows), D(0)) == D("7096.00")


def test_shorter_term_keeps_the_installment_within_the_old_one(
    make_uow: Callable[[], SqlUnitOfWork], debt_of: tuple[int, int]
) -> None:
    user_id, debt_id = debt_of
    with make_uow() as uow:
        old = build_schedule(_terms(uow, debt_of))[0].payment
        preview = prepay_preview(
            uow,
            user_id=user_id,
            debt_id=debt_id,
            amount=D(5000),
            mode=PrepaymentMode.KEEP_PAYMENT,
            today=TODAY,
        )
        assert preview.terms is not None
        # The fewest months whose level payment on 7,096 is no more than the old installment.
        fewest = next(n for n in range(1, 13) if annuity(Fraction(7096), n) <= old)
        assert preview.terms.term == fewest
        assert fewest < 12
        assert preview.saved > 0


def test_recording_makes_the_new_plan_active_and_counts_the_payment_once(
    make_uow: Callable[[], SqlUnitOfWork], debt_of: tuple[int, int]
) -> None:
    user_id, debt_id = debt_of
    with make_uow() as uow:
        facts = {
            "user_id": user_id,
            "debt_id": debt_id,
            "amount": D(5000),
            "mode": PrepaymentMode.KEEP_TERM,
            "today": TODAY,
            "now": NOW,
            "idempotency_key": "tg:prepay:1:42",
        }
        _preview, payment, created = record_prepayment(uow, **facts)  # type: ignore[arg-type]
        assert created
        plan = uow.plans.active_for_debt(debt_id)
        assert plan is not None
        assert (plan.origin, plan.principal_minor) == (PlanOrigin.PREPAYMENT, 709600)
        assert plan.after_payment_id == payment.id
        # Settling now takes exactly 5,000 less than before, not 5,000 twice.
        assert position(
            uow, user_id=user_id, debt_id=debt_id, today=TODAY
        ).state.owed_today.total == D("7096.00")
        # A double tap records nothing more.
        _again, same, created_again = record_prepayment(uow, **facts)  # type: ignore[arg-type]
        assert (same.id, created_again) == (payment.id, False)
        plans = uow.plans.list_for_debt(debt_id)
        assert [p.status for p in plans].count(PlanStatus.ACTIVE) == 1
        assert len(plans) == 2
        assert len(uow.payments.list_for_debt(user_id, debt_id)) == 1


def test_paying_the_payoff_figure_settles_without_a_new_plan(
    make_uow: Callable[[], SqlUnitOfWork], debt_of: tuple[int, int]
) -> None:
    user_id, debt_id = debt_of
    with make_uow() as uow:
        record_prepayment(
            uow,
            user_id=user_id,
            debt_id=debt_id,
            amount=SETTLE_TODAY,
            mode=None,
            today=TODAY,
            now=NOW,
            idempotency_key="tg:prepay:1:7",
        )
        state = position(uow, user_id=user_id, debt_id=debt_id, today=TODAY).state
        assert state.is_settled
        assert state.owed_today.total == 0
        assert len(uow.plans.list_for_debt(debt_id)) == 1


def test_an_out_of_date_payoff_figure_is_refused(
    make_uow: Callable[[], SqlUnitOfWork], debt_of: tuple[int, int]
) -> None:
    user_id, debt_id = debt_of
    with make_uow() as uow, pytest.raises(Conflict) as info:
        record_prepayment(
            uow,
            user_id=user_id,
            debt_id=debt_id,
            amount=SETTLE_TODAY - D("0.50"),  # what it took a day earlier, say
            mode=None,
            today=TODAY,
            now=NOW,
            idempotency_key="tg:prepay:1:8",
        )
    assert info.value.code == "prepay_stale"


@pytest.mark.parametrize(
    ("amount", "code"),
    [("96", "prepay_too_small"), ("50", "prepay_too_small")],
)
def test_an_amount_that_does_not_reach_the_principal_is_refused(
    make_uow: Callable[[], SqlUnitOfWork], debt_of: tuple[int, int], amount: str, code: str
) -> None:
    user_id, debt_id = debt_of
    with make_uow() as uow, pytest.raises(InvalidTerms) as info:
        prepay_preview(
            uow,
            user_id=user_id,
            debt_id=debt_id,
            amount=D(amount),
            mode=PrepaymentMode.KEEP_TERM,
            today=TODAY,
        )
    assert info.value.code == code
    assert D(str(info.value.params["needed"])) == D("96.00")


def test_a_flat_fee_plan_is_only_paid_off_in_full(make_uow: Callable[[], SqlUnitOfWork]) -> None:
    base = spec("白条")
    flat = replace(
        base.terms, method=Method.FLAT_FEE, rate=ZERO_RATE, fee_rate=D("0.005"), principal=D(3000)
    )
    with make_uow() as uow:
        user_id = new_user(uow, 2)
        debt, _ = add_debt(uow, user_id=user_id, spec=replace(base, terms=flat), now=NOW)
        assert debt.id is not None
        with pytest.raises(InvalidTerms) as info:
            prepay_preview(
                uow,
                user_id=user_id,
                debt_id=debt.id,
                amount=D(1000),
                mode=PrepaymentMode.KEEP_TERM,
                today=TODAY,
            )
        assert info.value.code == "prepay_flat_fee"
        # In full it is fine: 3,000 principal plus the 12 fees of 15.00 still charged.
        assert payoff_preview(uow, user_id=user_id, debt_id=debt.id, today=TODAY).settle_today == D(
            3000
        ) + 12 * D(15)


def test_an_earlier_payment_held_in_advance_counts_towards_the_payoff(
    make_uow: Callable[[], SqlUnitOfWork], debt_of: tuple[int, int]
) -> None:
    user_id, debt_id = debt_of
    with make_uow() as uow:
        pay(uow, user_id, debt_id, "1000", "tg:update:1")
        assert (
            payoff_preview(uow, user_id=user_id, debt_id=debt_id, today=TODAY).settle_today
            == SETTLE_TODAY - 1000
        )


def _terms(uow: SqlUnitOfWork, ids: tuple[int, int]) -> LoanTerms:
    debt = uow.debts.require_for_user(*ids)
    plan = uow.plans.active_for_debt(ids[1])
    assert plan is not None
    return terms_of(debt, plan)


def test_undoing_the_prepayment_brings_back_the_plan_it_replaced(
    make_uow: Callable[[], SqlUnitOfWork], debt_of: tuple[int, int]
) -> None:
    user_id, debt_id = debt_of
    with make_uow() as uow:
        original = uow.plans.active_for_debt(debt_id)
        assert original is not None
        _preview, payment, _ = record_prepayment(
            uow,
            user_id=user_id,
            debt_id=debt_id,
            amount=D(5000),
            mode=PrepaymentMode.KEEP_TERM,
            today=TODAY,
            now=NOW,
            idempotency_key="tg:prepay:1:9",
        )
        assert payment.id is not None
        undo_payment(uow, user_id=user_id, payment_id=payment.id, now=NOW, today=TODAY)
        active = uow.plans.active_for_debt(debt_id)
        assert active is not None
        assert active.id == original.id
        # Back to the original figure: nothing assumes the 5,000 any more.
        assert (
            position(uow, user_id=user_id, debt_id=debt_id, today=TODAY).state.owed_today.total
            == SETTLE_TODAY
        )


def test_a_prepayment_after_money_paid_ahead_counts_both(
    make_uow: Callable[[], SqlUnitOfWork], debt_of: tuple[int, int]
) -> None:
    user_id, debt_id = debt_of
    with make_uow() as uow:
        pay(uow, user_id, debt_id, "500", "tg:update:1")  # held for installment 1
        preview = prepay_preview(
            uow,
            user_id=user_id,
            debt_id=debt_id,
            amount=D(3000),
            mode=PrepaymentMode.KEEP_TERM,
            today=TODAY,
        )
        assert preview.terms is not None
        # Settling today takes 12,096 − 500 = 11,596; the new plan starts from 11,596 − 3,000.
        assert preview.terms.principal == SETTLE_TODAY - 500 - 3000
        assert preview.charges == 0  # the 500 already covers the 96.00 of interest so far
        assert preview.to_principal == D(12000) - (SETTLE_TODAY - 500 - 3000)
