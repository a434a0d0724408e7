"""Issue 10: options ranked honestly — what fits first, then the ask likeliest to be accepted
in the situation (overdue or not), then the cheapest; and why the first one is first."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal
from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st

from tests.core.test_planner import situation_from
from tests.core.test_planner_properties import FAST, cases, run
from tracker.planner import (
    DebtSituation,
    Hardship,
    OptionKind,
    SplitRule,
    Why,
    acceptance,
    plan_all,
    rank,
)
from tracker.rates import Rate, RateUnit
from tracker.schedule_types import LoanTerms, Method

D = Decimal
TODAY = date(2026, 12, 1)


def jintiao(*, paid: int = 0, late: int = 0, penalty: str = "0") -> DebtSituation:
    """¥12,000 at 0.05 % a day, 12 equal payments of 1,101.59 from 2026-12-15, as /adddebt
    stores it; ``late`` installments past due (the schedule starts earlier)."""
    terms = LoanTerms(
        principal=D(12000),
        rate=Rate(D("0.0005"), RateUnit.DAY),
        term=12,
        method=Method.ANNUITY,
        first_due=date(2026, 12 - paid - late, 15) if paid + late else date(2026, 12, 15),
    )
    return situation_from(terms, paid=paid, late=late, penalty=penalty)


def hardship(affordable: int, savings: int = 0) -> Hardship:
    """A month leaving exactly ``affordable`` (the living reserve set to 0)."""
    return Hardship(
        currency="CNY",
        monthly_income=D(affordable) + D(1500),
        fixed_expenses=D(1500),
        savings=D(savings),
        living_reserve=D(0),
    )


# ---- the order itself -----------------------------------------------------------------------


def test_the_acceptance_order_is_explicit_for_each_situation() -> None:
    def order(overdue: bool) -> list[str]:
        asks = [(k, False) for k in OptionKind if k is not OptionKind.MIXED]
        asks.append((OptionKind.SETTLEMENT, True))
        ranked = sorted(asks, key=lambda a: acceptance(a[0], overdue=overdue, discounted=a[1]))
        return [k.value + (" -%" if discounted else "") for k, discounted in ranked]

    assert order(overdue=False) == [
        "current",
        "settlement",
        "lower_payment",
        "extension_interest_only",
        "extension_pause",
        "settlement -%",
        "extension_frozen",
        "overdue_installments",
        "waiver",
    ]
    assert order(overdue=True) == [
        "current",
        "overdue_installments",
        "settlement",
        "lower_payment",
        "extension_interest_only",
        "extension_pause",
        "settlement -%",
        "waiver",
        "extension_frozen",
    ]


# ---- fitting first, always ------------------------------------------------------------------


@FAST
@given(case=cases(), seed=st.integers(0, 2**32 - 1))
def test_an_option_that_does_not_fit_never_ranks_above_one_that_does(
    case: tuple[list[DebtSituation], Hardship, SplitRule], seed: int
) -> None:
    result = run(case)
    overdue = {d.debt_id for d in case[0] if d.arrears > 0}
    for ranked in [result.ranked, *(p.options for p in result.debts)]:
        # The ranking of any order of the same options is the same ranking.
        shuffled = list(ranked)
        random.Random(seed).shuffle(shuffled)
        assert rank(shuffled, overdue) == ranked
        for above, below in pairwise(ranked):
            assert above.fits or not below.fits
    if result.ranked:
        assert (result.why_first is Why.CLOSEST) == (not result.ranked[0].fits)


@FAST
@given(case=cases())
def test_nothing_fitting_starts_from_the_closest_to_fitting(
    case: tuple[list[DebtSituation], Hardship, SplitRule],
) -> None:
    result = run(case)
    short = [o.shortfall for o in result.ranked if not o.fits]
    assert short == sorted(short)


# ---- the likeliest before the cheapest ------------------------------------------------------


def test_a_waiver_does_not_lead_when_nothing_is_overdue() -> None:
    # 750 a month against 1,101.59 asked. The waiver (12,000 of principal in 16 × 750) fits and
    # is the cheapest; a longer term fits too: at 0.05 % a day (about 1.521 % a month) an
    # 18-month annuity on 12,000 is about 767 > 750, a 19-month one 731.98. Nothing is overdue,
    # so the longer term leads.
    result = plan_all([jintiao()], hardship(750), TODAY)
    kinds = [o.kind for o in result.ranked]
    assert kinds[:2] == [OptionKind.LOWER_PAYMENT, OptionKind.WAIVER]
    lower, waiver = result.ranked[:2]
    assert (lower.fits, lower.months, lower.max_payment) == (True, 19, D("731.98"))
    assert (waiver.fits, waiver.months, waiver.total_paid) == (True, 16, D("12000.00"))
    assert waiver.total_paid < lower.total_paid  # cheaper, and still second
    assert result.why_first is Why.LIKELIEST
    assert not result.overdue


@FAST
@given(case=cases())
def test_a_waiver_leads_a_debt_with_nothing_overdue_only_when_nothing_else_fits(
    case: tuple[list[DebtSituation], Hardship, SplitRule],
) -> None:
    debts, _, _ = case
    result = run(case)
    for debt, plan in zip(
        [d for d in debts if d.debt_id in {p.debt_id for p in result.debts}],
        result.debts,
        strict=True,
    ):
        first = plan.options[0]
        if debt.arrears == 0 and first.kind is OptionKind.WAIVER and first.fits:
            assert [o.kind for o in plan.options if o.fits] == [OptionKind.WAIVER]


def test_the_overdue_amount_in_installments_leads_when_something_is_overdue() -> None:
    # One installment (1,101.59) overdue with 30.00 of penalty: catching up now asks 2,233.18
    # next month; 1,500 a month cannot. Spreading the 1,131.59 beside the plan fits within
    # 1,500 (1,101.59 + 377.20 over 3 months), and so does a waiver: the spread leads.
    result = plan_all([jintiao(late=1, penalty="30.00")], hardship(1500), TODAY)
    first = result.ranked[0]
    assert first.kind is OptionKind.OVERDUE_INSTALLMENTS
    assert first.fits
    assert first.request["months"] == 3
    assert first.request["extra"] == D("377.20")
    waiver = next(o for o in result.ranked if o.kind is OptionKind.WAIVER)
    assert waiver.fits
    assert result.overdue
    assert result.why_first is Why.LIKELIEST


def test_keeping_to_the_plan_leads_when_it_fits_and_says_it_asks_nothing() -> None:
    result = plan_all([jintiao()], hardship(1200), TODAY)
    assert result.ranked[0].kind is OptionKind.CURRENT
    assert result.why_first is Why.NO_ASK


def test_nothing_fits_says_the_first_is_the_closest() -> None:
    result = plan_all([jintiao()], hardship(100), TODAY)
    assert result.nothing_fits
    assert result.why_first is Why.CLOSEST
    assert result.ranked[0].shortfall == result.shortfall
