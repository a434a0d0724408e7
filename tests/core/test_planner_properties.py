"""Invariants of the hardship planner, whatever the debts and the budget (Hypothesis)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.core.test_planner import TODAY, situation_from
from tracker.dates import add_months
from tracker.money import ZERO, from_minor, minor_digits, quantize
from tracker.planner import (
    DebtSituation,
    Hardship,
    Option,
    OptionKind,
    PlanResult,
    SplitRule,
    likelihood,
    plan_all,
    split_affordable,
)
from tracker.rates import Rate, RateUnit
from tracker.schedule_types import LoanTerms, Method
from tracker.storage.enums import DebtKind

D = Decimal
FAST = settings(deadline=None, max_examples=40)
METHODS = [Method.ANNUITY, Method.EQUAL_PRINCIPAL, Method.DAILY_ACCRUAL, Method.INTEREST_ONLY]


def money(currency: str, low: int, high: int) -> st.SearchStrategy[Decimal]:
    """Whole major units low..high, with minor units where the currency has them."""
    scale = 10 ** minor_digits(currency)
    return st.integers(low * scale, high * scale).map(lambda u: from_minor(u, currency))


@st.composite
def situations(draw: st.DrawFn, debt_id: int, currency: str) -> DebtSituation:
    """A debt part-way through a plan, maybe with overdue installments and a penalty."""
    method = draw(st.sampled_from(METHODS))
    term = draw(st.integers(1, 36))
    done = draw(st.integers(0, term))  # installments already due
    late = draw(st.integers(0, min(done, 3)))
    yearly = st.integers(0, 3600).map(lambda bp: Rate(D(bp).scaleb(-4), RateUnit.YEAR))
    daily = st.integers(0, 100).map(lambda x: Rate(D(x).scaleb(-5), RateUnit.DAY))
    terms = LoanTerms(
        principal=draw(money(currency, term, 60_000)),
        rate=draw(st.one_of(yearly, daily)),
        term=term,
        method=method,
        first_due=add_months(date(2024, 7, 1), -done),
        currency=currency,
        day_count=draw(st.sampled_from([365, 360])),
    )
    kind = draw(st.sampled_from(list(DebtKind)))
    limit = draw(st.none() | st.integers(1, 60))
    return situation_from(
        terms,
        paid=done - late,
        late=late,
        penalty=str(draw(money(currency, 0, 500)) if late else 0),
        debt_id=debt_id,
        name=f"debt {debt_id}",
        kind=kind,
        max_term_months=limit,
    )


@st.composite
def hardships(draw: st.DrawFn, currency: str) -> Hardship:
    """A month after a change: any income, expenses up to it, some savings."""
    income = draw(money(currency, 0, 30_000))
    return Hardship(
        currency=currency,
        monthly_income=income,
        fixed_expenses=draw(money(currency, 0, 15_000)),
        new_monthly_expense=draw(money(currency, 0, 2_000)),
        one_off_expense=draw(money(currency, 0, 5_000)),
        savings=draw(money(currency, 0, 60_000)),
        duration_months=draw(st.none() | st.integers(1, 12)),
        living_reserve=draw(st.none() | money(currency, 0, 1_000)),
    )


@st.composite
def cases(draw: st.DrawFn) -> tuple[list[DebtSituation], Hardship, SplitRule]:
    currency = draw(st.sampled_from(["CNY", "JPY"]))
    count = draw(st.integers(1, 3))
    debts = [draw(situations(i, currency)) for i in range(1, count + 1)]
    return debts, draw(hardships(currency)), draw(st.sampled_from(list(SplitRule)))


def all_options(result: PlanResult) -> Iterator[Option]:
    """Every option: each debt's, then the combined ones."""
    for plan in result.debts:
        yield from plan.options
    yield from result.combined


def run(case: tuple[list[DebtSituation], Hardship, SplitRule]) -> PlanResult:
    debts, hardship, rule = case
    return plan_all(debts, hardship, TODAY, rule)


@FAST
@given(case=cases())
def test_an_affordable_option_never_asks_more_than_its_budget_in_any_month(
    case: tuple[list[DebtSituation], Hardship, SplitRule],
) -> None:
    result = run(case)
    for o in all_options(result):
        if o.fits:
            assert all(r.payment <= o.budget for r in o.rows)
            assert o.lump_sum <= result.lump_available
        assert o.margin == o.budget - max((r.payment for r in o.rows), default=ZERO)
    for o in result.combined:
        assert o.budget == result.affordable


@FAST
@given(case=cases())
def test_terms_never_exceed_the_debt_types_maximum(
    case: tuple[list[DebtSituation], Hardship, SplitRule],
) -> None:
    debts, _, _ = case
    result = run(case)
    by_id = {d.debt_id: d for d in debts}
    for plan in result.debts:
        debt = by_id[plan.debt_id]
        limit = (
            debt.max_term_months or {"credit_card": 60, "consumer_loan": 36, "other": 60}[debt.kind]
        )
        assert plan.max_term == max(limit, len(debt.remaining), 1)
        for o in plan.options:
            assert o.months <= plan.max_term
            if len(debt.remaining) <= limit:
                assert o.months <= limit


@FAST
@given(case=cases())
def test_every_schedule_conserves_principal_and_is_well_formed(
    case: tuple[list[DebtSituation], Hardship, SplitRule],
) -> None:
    debts, _, _ = case
    result = run(case)
    by_id = {d.debt_id: d for d in debts}
    for plan in result.debts:
        debt = by_id[plan.debt_id]
        for o in plan.options:
            if o.kind is OptionKind.SETTLEMENT:
                assert o.rows == ()
                continue
            assert sum((r.principal for r in o.rows), ZERO) == debt.principal
            balance = debt.principal
            for number, row in enumerate(o.rows, 1):
                assert row.number == number
                assert row.payment == row.principal + row.interest + row.fee
                for amount in (row.payment, row.interest, row.fee, row.principal, row.balance):
                    assert amount >= 0
                    assert amount == quantize(amount, debt.currency)
                balance -= row.principal
                assert row.balance == balance
            assert all(a.due_date < b.due_date for a, b in pairwise(o.rows))


@FAST
@given(case=cases())
def test_a_settlement_never_costs_more_than_the_plan(
    case: tuple[list[DebtSituation], Hardship, SplitRule],
) -> None:
    debts, _, _ = case
    result = run(case)
    by_id = {d.debt_id: d for d in debts}
    for plan in result.debts:
        for o in plan.options:
            if o.kind is OptionKind.SETTLEMENT:
                assert 0 < o.lump_sum < by_id[plan.debt_id].plan_total
                assert o.lump_sum <= by_id[plan.debt_id].owed_today
                assert o.vs_current_total < 0


@FAST
@given(case=cases())
def test_ranking_puts_fitting_first_then_likeliest_then_cheapest(
    case: tuple[list[DebtSituation], Hardship, SplitRule],
) -> None:
    # Issue 10 changed "fitting first, then cheapest" to "fitting first, then the likeliest to
    # be accepted, then cheapest": the cheapest ask (a waiver) is often the least likely one.
    result = run(case)
    overdue = {d.debt_id for d in case[0] if d.arrears > 0}
    for ranked in [result.ranked, *(p.options for p in result.debts)]:
        fits = [o.fits for o in ranked]
        assert fits == sorted(fits, reverse=True)
        fitting = [(likelihood(o, overdue), o.total_paid) for o in ranked if o.fits]
        assert fitting == sorted(fitting)


@FAST
@given(case=cases())
def test_nothing_fits_reports_the_smallest_shortfall(
    case: tuple[list[DebtSituation], Hardship, SplitRule],
) -> None:
    result = run(case)
    # With nothing to plan there is nothing that fails to fit either.
    assert result.nothing_fits == (bool(result.ranked) and not any(o.fits for o in result.ranked))
    if result.nothing_fits:
        assert result.shortfall > 0
        assert result.shortfall == min(o.max_payment - result.affordable for o in result.ranked)
    else:
        assert result.shortfall == 0


@FAST
@given(
    case=cases(),
    affordable_units=st.integers(0, 10**7),
    floor_units=st.lists(st.integers(0, 10**6), min_size=3, max_size=3),
)
def test_the_split_sums_exactly_and_no_share_exceeds_the_need(
    case: tuple[list[DebtSituation], Hardship, SplitRule],
    affordable_units: int,
    floor_units: list[int],
) -> None:
    debts, _, rule = case
    currency = debts[0].currency
    affordable = from_minor(affordable_units, currency)
    floors = {d.debt_id: from_minor(f, currency) for d, f in zip(debts, floor_units, strict=False)}
    shares = split_affordable(affordable, debts, rule, floors)
    assert list(shares) == [d.debt_id for d in debts]
    need = sum((d.need for d in debts), ZERO)
    assert sum(shares.values(), ZERO) == min(affordable, need)
    for d in debts:
        assert 0 <= shares[d.debt_id] <= d.need
        assert shares[d.debt_id] == quantize(shares[d.debt_id], currency)
