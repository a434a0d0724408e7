"""Flat-fee debts (分期手续费: 白条, card installments) in the hardship planner.

The fee is P·f a period on the ORIGINAL principal, so what the current plan still costs is the
remaining principal plus the remaining installments' fees. A re-plan keeps charging P·f for each
month it runs (the remaining installments' fees stay, each month beyond them adds one); only a
waiver, or a settlement at a discount, asks the lender to drop what it would otherwise charge.
A settlement costs the ledger's settle-today figure, which holds the later periods' fees only
when the lender still charges them on an early payoff (``fees_on_payoff``, None taken as yes).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.dates import add_months
from tracker.money import ZERO, from_minor, minor_digits, quantize
from tracker.planner import (
    DebtSituation,
    Hardship,
    Note,
    Option,
    OptionKind,
    PlanResult,
    SplitRule,
    plan_all,
)
from tracker.rates import Rate, RateUnit
from tracker.schedule import build_schedule
from tracker.schedule_types import LoanTerms, Method, ScheduleRow
from tracker.storage.enums import DebtKind

D = Decimal
TODAY = date(2024, 6, 20)
NEXT_DUE = date(2024, 7, 1)


def baitiao(*, fees_on_payoff: bool | None = None, **overrides: Any) -> DebtSituation:
    """白条: ¥3,000 over 12 at 0.5 % a month, 4 installments paid, the 5th due on NEXT_DUE.

    By hand: the fee is 3,000 × 0.5 % = 15.00 a period on the original principal and the
    principal 3,000 / 12 = 250.00, so every installment is 265.00. Eight are left: 2,000.00 of
    principal and 8 × 15 = 120.00 of fees, 2,120.00 in all. Settling today (nothing is due
    yet) owes the principal, the current period's fee (15.00) and, when the lender still
    charges them on payoff, the seven later periods' fees (7 × 15 = 105.00).
    """
    remaining = tuple(
        ScheduleRow(
            n,
            add_months(NEXT_DUE, n - 1),
            D("265.00"),
            D("0.00"),
            D("15.00"),
            D("250.00"),
            D(250 * (8 - n)),
        )
        for n in range(1, 9)
    )
    charged = fees_on_payoff is not False
    later = D("105.00")
    ahead = D("15.00") + (later if charged else ZERO)
    fields: dict[str, Any] = {
        "debt_id": 1,
        "name": "白条",
        "kind": DebtKind.CONSUMER_LOAN,
        "currency": "CNY",
        "principal": D("2000.00"),
        "overdue": D("0.00"),
        "interest": D("0.00"),
        "penalty": D("0.00"),
        "fees": ahead,
        "rate": Rate(D("0.109"), RateUnit.YEAR),  # its annualised rate: only ranks it
        "method": Method.FLAT_FEE,
        "remaining": remaining,
        "monthly_payment": D("265.00"),
        "period_fee": D("15.00"),
        "fees_ahead": ahead,
        "later_fees": later,
        "fees_on_payoff": fees_on_payoff,
    }
    fields.update(overrides)
    return DebtSituation(**fields)


def plan(debt: DebtSituation, **hardship: Any) -> PlanResult:
    fields: dict[str, Any] = {
        "currency": "CNY",
        "monthly_income": D(2000),
        "fixed_expenses": D(1620),  # 2,000 − 1,620 − 200 reserve (a tenth): 180 affordable
        "savings": D(0),
    }
    fields.update(hardship)
    return plan_all([debt], Hardship(**fields), TODAY)


def option(result: PlanResult, kind: OptionKind) -> Option:
    return next(o for o in result.debts[0].options if o.kind is kind)


def kinds(result: PlanResult) -> set[OptionKind]:
    return {o.kind for o in result.debts[0].options}


@pytest.mark.parametrize("answer", [None, True, False])
def test_flat_fee_lower_payment_option_is_never_cheaper_than_its_remaining_installments(
    answer: bool | None,
) -> None:
    debt = baitiao(fees_on_payoff=answer)
    assert debt.plan_total == D("2120.00")  # 8 × 265
    lower = option(plan(debt), OptionKind.LOWER_PAYMENT)
    # Over n months: 2,000 / n of principal, and the 120.00 of fees left plus 15.00 for each
    # month past the eight left, i.e. 15.00 every month. n = 12: 166.67 + 15 = 181.67 > 180;
    # n = 13: 2,000 / 13 = 153.846… so 200,000 cents = 8 × 15,385 + 5 × 15,384.
    assert lower.months == 13
    assert [r.principal for r in lower.rows] == [D("153.85")] * 8 + [D("153.84")] * 5
    assert [r.fee for r in lower.rows] == [D("15.00")] * 13
    assert [r.interest for r in lower.rows] == [D("0.00")] * 13
    assert lower.max_payment == D("168.85")
    assert lower.fits
    assert lower.total_paid == D("2195.00")  # 2,000 + 13 × 15
    assert lower.interest_and_fees == D("195.00")  # never "0 %": 120 left + 5 × 15 more
    assert lower.total_paid >= debt.principal + debt.remaining_fees
    assert lower.vs_current_total == D("75.00")  # five more months of the period fee
    assert Note.COSTS_MORE in lower.notes
    assert lower.request["payment"] == D("168.85")


def test_flat_fee_extensions_charge_the_period_fee_for_each_paused_month() -> None:
    result = plan(baitiao(), duration_months=3)  # a three-month pause, then the eight left
    pause = option(result, OptionKind.EXTENSION_PAUSE)
    interest_only = option(result, OptionKind.EXTENSION_INTEREST_ONLY)
    frozen = option(result, OptionKind.EXTENSION_FROZEN)
    for ext in (pause, interest_only, frozen):
        assert ext.months == 11
        assert ext.rows[3].due_date == date(2024, 10, 1)
    # Paused: 3 × 15 = 45.00 deferred into the eight resumed rows, 4,500 cents = 4 × 563 +
    # 4 × 562, on top of the 265.00 each of them asks.
    assert [r.payment for r in pause.rows] == [D(0)] * 3 + [D("270.63")] * 4 + [D("270.62")] * 4
    assert pause.total_paid == D("2165.00")  # 2,120 + 45
    # The fee only (15.00) while paused, then the eight installments as they are.
    assert [r.payment for r in interest_only.rows] == [D(15)] * 3 + [D(265)] * 8
    assert interest_only.request["interest_payment"] == D("15.00")
    assert interest_only.total_paid == D("2165.00")
    # Frozen (if the lender agrees): the pause costs nothing, the remaining fees stay.
    assert [r.payment for r in frozen.rows] == [D(0)] * 3 + [D(265)] * 8
    assert frozen.total_paid == D("2120.00")
    assert frozen.vs_current_total == 0


def test_flat_fee_waiver_drops_the_fees_not_yet_charged() -> None:
    waiver = option(plan(baitiao()), OptionKind.WAIVER)
    # Nothing is charged yet: the principal only, 2,000 / 180 → 12 months (11 × 180 < 2,000),
    # 200,000 cents = 8 × 16,667 + 4 × 16,666.
    assert waiver.months == 12
    assert [r.payment for r in waiver.rows] == [D("166.67")] * 8 + [D("166.66")] * 4
    assert waiver.total_paid == D("2000.00")
    assert waiver.request["waived"] == D("120.00")  # the eight fees left


@pytest.mark.parametrize(
    ("answer", "said", "amount", "discount"),
    [
        # 2,000 + 15 + 105 = 2,120: what the plan costs, so only a discount saves anything:
        # 10 % off is 1,908.00.
        (None, "unknown", D("1908.00"), 10),
        (True, "yes", D("1908.00"), 10),
        # 2,000 + 15 = 2,015.00 settles it outright, 105.00 less than the plan.
        (False, "no", D("2015.00"), 0),
    ],
)
def test_settlement_states_the_remaining_fees_assumption(
    answer: bool | None, said: str, amount: Decimal, discount: int
) -> None:
    settle = option(plan(baitiao(fees_on_payoff=answer), savings=D(5000)), OptionKind.SETTLEMENT)
    assert settle.lump_sum == amount
    assert settle.request["discount_percent"] == discount
    assert settle.request["payoff_fees"] == D("105.00")
    assert settle.request["fees_on_payoff"] == said
    assert settle.request["owed"] == (D("2015.00") if answer is False else D("2120.00"))


def test_no_assumption_is_stated_without_later_fees() -> None:
    # The last installment only: 250.00 + its fee 15.00, owed on any payoff; nothing later.
    last = baitiao(
        principal=D("250.00"),
        remaining=(ScheduleRow(1, NEXT_DUE, D("265.00"), D(0), D("15.00"), D("250.00"), D(0)),),
        fees=D("15.00"),
        fees_ahead=D("15.00"),
        later_fees=D("0.00"),
    )
    settle = option(plan(last, savings=D(5000)), OptionKind.SETTLEMENT)
    assert settle.lump_sum == D("238.50")  # 265.00 is the plan's cost: 10 % off
    assert "payoff_fees" not in settle.request
    assert "fees_on_payoff" not in settle.request


# ---- whatever the flat-fee debt: never priced below what the lender would still charge ------

FAST = settings(deadline=None, max_examples=60)


def money(currency: str, low: int, high: int) -> st.SearchStrategy[Decimal]:
    scale = 10 ** minor_digits(currency)
    return st.integers(low * scale, high * scale).map(lambda u: from_minor(u, currency))


@st.composite
def flat_fee_debts(draw: st.DrawFn, debt_id: int, currency: str) -> DebtSituation:
    """A flat-fee debt part-way through, with its settle-today fees as the ledger counts them."""
    term = draw(st.integers(1, 36))
    done = draw(st.integers(0, term))  # installments already due
    late = draw(st.integers(0, min(done, 3)))
    fee_rate = D(draw(st.integers(0, 150))).scaleb(-4)  # up to 1.5 % a period
    terms = LoanTerms(
        principal=draw(money(currency, term, 60_000)),
        rate=Rate(D(0), RateUnit.MONTH),
        term=term,
        method=Method.FLAT_FEE,
        first_due=add_months(NEXT_DUE, -done),
        currency=currency,
        fee_rate=fee_rate,
    )
    rows = build_schedule(terms)
    overdue, ahead = rows[done - late : done], rows[done:]
    answer = draw(st.none() | st.booleans())
    current = ahead[0].fee if ahead else ZERO
    later = sum((r.fee for r in ahead[1:]), ZERO)
    fees_ahead = current + (later if answer is not False else ZERO)
    charged = sum((r.fee for r in overdue), ZERO)
    return DebtSituation(
        debt_id=debt_id,
        name=f"白条 {debt_id}",
        kind=draw(st.sampled_from(list(DebtKind))),
        currency=currency,
        principal=sum((r.principal for r in overdue + ahead), ZERO),
        overdue=sum((r.payment for r in overdue), ZERO),
        interest=quantize(ZERO, currency),
        penalty=draw(money(currency, 0, 500)) if late else quantize(ZERO, currency),
        fees=charged + fees_ahead,
        rate=Rate(fee_rate * 2, RateUnit.MONTH),  # about its annualised rate: ranks it only
        method=Method.FLAT_FEE,
        remaining=tuple(ahead),
        monthly_payment=ahead[0].payment if ahead else quantize(ZERO, currency),
        max_term_months=draw(st.none() | st.integers(1, 60)),
        period_fee=quantize(terms.principal * fee_rate, currency),
        fees_ahead=fees_ahead,
        later_fees=later,
        fees_on_payoff=answer,
    )


@st.composite
def cases(draw: st.DrawFn) -> tuple[list[DebtSituation], Hardship]:
    currency = draw(st.sampled_from(["CNY", "JPY"]))
    debts = [draw(flat_fee_debts(i, currency)) for i in range(1, draw(st.integers(1, 2)) + 1)]
    hardship = Hardship(
        currency=currency,
        monthly_income=draw(money(currency, 0, 30_000)),
        fixed_expenses=draw(money(currency, 0, 15_000)),
        savings=draw(money(currency, 0, 80_000)),
        duration_months=draw(st.none() | st.integers(1, 12)),
    )
    return debts, hardship


def options_of(result: PlanResult) -> Iterator[tuple[int, Option]]:
    for debt_plan in result.debts:
        for o in debt_plan.options:
            yield debt_plan.debt_id, o


@FAST
@given(case=cases(), rule=st.sampled_from(list(SplitRule)))
def test_a_flat_fee_option_never_costs_less_than_the_lender_would_still_charge(
    case: tuple[list[DebtSituation], Hardship], rule: SplitRule
) -> None:
    debts, hardship = case
    by_id = {d.debt_id: d for d in debts}
    result = plan_all(debts, hardship, TODAY, rule)
    for debt_id, o in options_of(result):
        debt = by_id[debt_id]
        # The remaining principal and the fees a payoff today would still owe: those charged,
        # the current period's, and the later ones' unless the lender drops them.
        floor = debt.principal + debt.fees
        if o.kind is OptionKind.WAIVER:  # asks the lender to drop the fees not yet charged
            assert o.total_paid >= debt.principal + debt.fees - debt.fees_ahead
        elif o.kind is OptionKind.SETTLEMENT:
            percent = o.request["discount_percent"]
            assert isinstance(percent, int)
            # Rounded half up to the minor unit from the discounted settle-today figure.
            asked = Fraction(debt.owed_today) * (100 - percent) / 100
            half_unit = Fraction(1, 2 * 10 ** minor_digits(debt.currency))
            assert asked - half_unit <= Fraction(o.lump_sum) <= asked + half_unit
            if percent == 0:  # a discount is an ask; in full it is settle-today exactly
                assert o.total_paid == debt.owed_today >= floor
            if debt.later_fees > 0:
                assert o.request["payoff_fees"] == debt.later_fees
        else:
            # Keeping, stretching or pausing the plan never drops a remaining installment's fee.
            assert o.total_paid >= debt.plan_total >= floor
            if o.kind in (OptionKind.LOWER_PAYMENT, OptionKind.EXTENSION_PAUSE):
                extra = o.months - max(len(debt.remaining), 1)
                assert o.total_paid >= debt.plan_total + extra * debt.period_fee
