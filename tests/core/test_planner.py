"""The hardship planner: options per debt, the split across debts, combinations and ranking."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from tests.core.factories_schedule import daily, make_terms, yearly
from tracker.dates import add_months
from tracker.errors import InvalidAmount
from tracker.money import ZERO
from tracker.planner import (
    DebtSituation,
    Hardship,
    Note,
    Option,
    OptionKind,
    PlanResult,
    SplitRule,
    plan_all,
    split_affordable,
)
from tracker.schedule import build_schedule
from tracker.schedule_types import LoanTerms, Method
from tracker.storage.enums import DebtKind

D = Decimal
TODAY = date(2024, 6, 20)
NEXT_DUE = date(2024, 7, 1)


def situation_from(
    terms: LoanTerms,
    *,
    paid: int = 0,
    late: int = 0,
    penalty: str = "0",
    **overrides: Any,
) -> DebtSituation:
    """A debt on TODAY: ``paid`` installments paid, the next ``late`` overdue, the rest ahead."""
    rows = build_schedule(terms)
    overdue_rows = rows[paid : paid + late]
    ahead = rows[paid + late :]
    fields: dict[str, Any] = {
        "debt_id": 1,
        "name": "金条",
        "kind": DebtKind.CONSUMER_LOAN,
        "currency": terms.currency,
        "principal": sum((r.principal for r in overdue_rows + ahead), ZERO),
        "overdue": sum((r.payment for r in overdue_rows), ZERO),
        "interest": sum((r.interest for r in overdue_rows), ZERO),
        "penalty": D(penalty),
        "fees": sum((r.fee for r in overdue_rows), ZERO),
        "rate": terms.rate,
        "method": terms.method,
        "remaining": tuple(ahead),
        "monthly_payment": ahead[0].payment if ahead else ZERO,
        "day_count": terms.day_count,
    }
    fields.update(overrides)
    return DebtSituation(**fields)


def make_situation(
    *, paid: int = 0, late: int = 0, penalty: str = "0", **overrides: Any
) -> DebtSituation:
    """A ¥12,000 12-month annuity at 12 % a year (terms or situation fields overridable)."""
    # The schedule is shifted so that the first installment not yet due falls on NEXT_DUE.
    term_fields = {
        k: overrides.pop(k)
        for k in ("principal", "rate", "term", "method", "currency")
        if k in overrides
    }
    if "principal" in term_fields:
        term_fields["principal"] = D(term_fields["principal"])
    terms = make_terms(first_due=add_months(NEXT_DUE, -(paid + late)), **term_fields)
    return situation_from(terms, paid=paid, late=late, penalty=penalty, **overrides)


def make_hardship(**overrides: Any) -> Hardship:
    """Income down to ¥5,000 against ¥3,500 of expenses, ¥3,000 saved: ¥1,000 affordable."""
    fields: dict[str, Any] = {
        "currency": "CNY",
        "monthly_income": D(5000),
        "fixed_expenses": D(3500),
        "savings": D(3000),
    }
    fields.update(overrides)
    return Hardship(**fields)


def plan(
    *debts: DebtSituation, rule: SplitRule = SplitRule.PRO_RATA, **hardship: Any
) -> PlanResult:
    return plan_all(list(debts), make_hardship(**hardship), TODAY, rule)


def option(result: PlanResult, kind: OptionKind, debt_id: int = 1) -> Option:
    debt = next(d for d in result.debts if d.debt_id == debt_id)
    return next(o for o in debt.options if o.kind is kind)


def kinds(result: PlanResult, debt_id: int = 1) -> set[OptionKind]:
    debt = next(d for d in result.debts if d.debt_id == debt_id)
    return {o.kind for o in debt.options}


# --- the budget -----------------------------------------------------------------------------


def test_affordable_comes_from_capacity_after_the_living_reserve() -> None:
    hardship = make_hardship(new_monthly_expense=D(200), one_off_expense=D(1000))
    capacity = hardship.capacity(D(2000))
    assert capacity.reserve == D(500)  # a tenth of income by default
    assert capacity.affordable == D(800)  # 5,000 − 3,500 − 200 − 500
    assert hardship.budget().savings == D(2000)  # the one-off comes off savings
    # A lump sum keeps a month of expenses back: 3,000 − 1,000 − (3,500 + 200) < 0.
    assert hardship.lump_available == 0
    assert make_hardship(savings=D(9000)).lump_available == D(5500)


def test_deferral_follows_the_hardship_capped_at_six_months() -> None:
    assert make_hardship(duration_months=2).deferral_months == 2
    assert make_hardship(duration_months=12).deferral_months == 6
    assert make_hardship(duration_months=None).deferral_months == 6


def test_max_term_by_kind_and_as_configured() -> None:
    assert make_situation(kind=DebtKind.CREDIT_CARD).max_term == 60  # art. 70
    assert make_situation(kind=DebtKind.CONSUMER_LOAN).max_term == 36
    assert make_situation(kind=DebtKind.OTHER).max_term == 60
    assert make_situation(max_term_months=24).max_term == 24
    # A current plan already longer than the limit is not cut short by the planner.
    assert make_situation(term=48, max_term_months=24).max_term == 48


def test_inconsistent_or_float_inputs_are_refused() -> None:
    with pytest.raises(InvalidAmount) as info:
        make_situation(remaining=())  # 12,000 of principal neither overdue nor scheduled
    assert info.value.code == "situation_inconsistent"
    with pytest.raises(TypeError):
        make_situation(monthly_payment=1000.0)
    with pytest.raises(InvalidAmount):
        make_situation(interest=D("1.005"))


# --- each option, hand-checked --------------------------------------------------------------


def test_waiver_is_principal_only_over_the_shortest_term_that_fits() -> None:
    result = plan(make_situation(), fixed_expenses=D(4125))  # affordable 375
    waiver = option(result, OptionKind.WAIVER)
    assert waiver.fits
    assert waiver.months == 32  # 12,000 / 375
    assert {r.payment for r in waiver.rows} == {D(375)}
    assert waiver.total_paid == D(12000)
    assert waiver.interest_and_fees == 0
    assert waiver.request["waived"] == D("794.23")  # all the plan's interest: 12,794.23 − 12,000
    assert {Note.NOT_A_RIGHT, Note.CREDIT_RECORD_STAYS} <= set(waiver.notes)


def test_waiver_beyond_the_max_term_does_not_fit_and_says_by_how_much() -> None:
    result = plan(make_situation(), fixed_expenses=D(4200))  # affordable 300
    waiver = option(result, OptionKind.WAIVER)
    assert not waiver.fits
    assert waiver.months == 36
    assert waiver.max_payment == D("333.34")  # 12,000 / 36, the odd cents first
    assert waiver.shortfall == D("33.34")


def test_lower_payment_is_the_shortest_longer_term_that_fits() -> None:
    debt = make_situation(principal="10000.00")
    lower = option(plan(debt, fixed_expenses=D(4000)), OptionKind.LOWER_PAYMENT)  # affordable 500
    assert lower.fits
    assert lower.months == 23  # 22 months would ask 508.64
    assert lower.max_payment == D("488.86")
    assert lower.total_paid == D("11243.74")
    assert lower.vs_current_total == D("11243.74") - D("10661.86")
    assert Note.COSTS_MORE in lower.notes


def test_lower_payment_is_not_offered_when_the_current_term_already_fits() -> None:
    assert OptionKind.LOWER_PAYMENT not in kinds(plan(make_situation(), fixed_expenses=D(2000)))


def test_lower_payment_for_a_card_may_reach_sixty_months_under_article_70() -> None:
    card = make_situation(kind=DebtKind.CREDIT_CARD, principal="20000.00", rate=yearly("0.18"))
    lower = option(plan(card, fixed_expenses=D(4000)), OptionKind.LOWER_PAYMENT)
    assert lower.months <= 60
    assert Note.PERSONALISED_INSTALLMENTS in lower.notes


def test_extension_variants_pause_three_months_then_resume_over_the_remaining_term() -> None:
    debt = make_situation(principal="1200.00")
    result = plan(debt, duration_months=3)
    pause = option(result, OptionKind.EXTENSION_PAUSE)
    interest_only = option(result, OptionKind.EXTENSION_INTEREST_ONLY)
    frozen = option(result, OptionKind.EXTENSION_FROZEN)
    for ext in (pause, interest_only, frozen):
        assert ext.months == 15
        assert ext.request["months"] == 3
        assert ext.rows[3].due_date == date(2024, 10, 1)
    assert [r.payment for r in pause.rows[:3]] == [D(0)] * 3
    # 1,200 × 1 % = 12.00 a month deferred, carried as 3.00 on each of the 12 resumed rows.
    assert pause.rows[3].payment == D("106.62") + D(3)
    assert pause.total_paid == D("1279.42") + D(36)
    assert [r.payment for r in interest_only.rows[:3]] == [D(12)] * 3
    assert interest_only.total_paid == D("1279.42") + D(36)
    assert frozen.total_paid == D("1279.42")  # the current plan, three months later
    assert frozen.vs_current_total == 0
    assert Note.INTEREST_FROZEN_IF_AGREED in frozen.notes
    assert Note.INTEREST_CONTINUES in pause.notes
    # Temporary hardship: the margin over its three months alone is reported too.
    assert pause.hardship_margin == frozen.hardship_margin == D(1000)


def test_overdue_installments_spread_arrears_beside_the_current_schedule() -> None:
    debt = make_situation(rate=yearly("0"), paid=2, late=1, penalty="20.00")
    assert debt.overdue == D(1000)
    result = plan(debt, fixed_expenses=D(3100))  # affordable 1,400
    spread = option(result, OptionKind.OVERDUE_INSTALLMENTS)
    assert spread.fits
    assert spread.request["months"] == 3  # 1,000 + 1,020 / 3 = 1,340; over 2 it would be 1,510
    assert [r.payment for r in spread.rows] == [D(1340)] * 3 + [D(1000)] * 6
    assert sum(r.principal for r in spread.rows) == debt.principal
    assert Note.CREDIT_RECORD_STAYS in spread.notes
    assert not option(result, OptionKind.CURRENT).fits  # 2,020 at once does not


def test_settlement_asks_the_smallest_discount_savings_cover() -> None:
    debt = make_situation(principal="10000.00", rate=yearly("0"), term=10)
    settle = option(plan(debt, savings=D(12000)), OptionKind.SETTLEMENT)  # 8,500 spare
    # 0 % would cost what the plan costs (no interest to save); 10 % is 9,000 > 8,500.
    assert settle.lump_sum == D(8000)
    assert settle.request["discount_percent"] == 20
    assert settle.request["saving"] == D(2000)
    assert settle.rows == ()
    assert settle.fits
    assert {Note.GET_IT_IN_WRITING, Note.NOT_A_RIGHT} <= set(settle.notes)


def test_settlement_in_full_is_offered_when_it_saves_future_interest() -> None:
    debt = make_situation(interest=D("40.00"))
    settle = option(plan(debt, savings=D(20000)), OptionKind.SETTLEMENT)
    assert settle.request["discount_percent"] == 0
    assert settle.lump_sum == D("12040.00") < debt.plan_total


def test_no_settlement_when_savings_cannot_cover_seventy_percent() -> None:
    assert OptionKind.SETTLEMENT not in kinds(plan(make_situation(), savings=D(11000)))


def test_current_plan_that_fits_needs_no_ask() -> None:
    result = plan(make_situation(), fixed_expenses=D(1000))
    assert option(result, OptionKind.CURRENT).fits
    assert not result.nothing_fits
    assert OptionKind.LOWER_PAYMENT not in kinds(result)


# --- across debts ---------------------------------------------------------------------------


def jintiao(**overrides: Any) -> DebtSituation:
    """The worked example's 金条: ¥12,000 at 0.05 % a day over 12 months, daily accrual."""
    fields: dict[str, Any] = {"rate": daily("0.0005"), "method": Method.DAILY_ACCRUAL}
    return make_situation(**(fields | overrides))


def card(**overrides: Any) -> DebtSituation:
    """The worked example's card: ¥20,000 at 18 % a year over 24 months."""
    fields: dict[str, Any] = {
        "debt_id": 2,
        "name": "信用卡",
        "kind": DebtKind.CREDIT_CARD,
        "principal": "20000.00",
        "rate": yearly("0.18"),
        "term": 24,
    }
    return make_situation(**(fields | overrides))


def test_pro_rata_split_to_balances_sums_exactly() -> None:
    assert split_affordable(D(1000), [jintiao(), card()], SplitRule.PRO_RATA) == {
        1: D(375),
        2: D(625),
    }
    three = [make_situation(debt_id=i, principal="1000.00") for i in (1, 2, 3)]
    shares = split_affordable(D(100), three, SplitRule.PRO_RATA)
    assert list(shares.values()) == [D("33.34"), D("33.33"), D("33.33")]


def test_a_share_never_exceeds_the_need_and_the_surplus_moves_on() -> None:
    # By balance the long loan would get 750, but it only asks 308.58 a month.
    long = make_situation(debt_id=1, principal="30000.00", term=360)
    short = make_situation(debt_id=2, principal="10000.00")
    assert (long.need, short.need) == (D("308.58"), D("888.49"))
    shares = split_affordable(D(1000), [long, short], SplitRule.PRO_RATA)
    assert shares == {1: D("308.58"), 2: D("691.42")}
    everything = split_affordable(D(100000), [long, short], SplitRule.PRO_RATA)
    assert everything == {1: long.need, 2: short.need}


def test_avalanche_and_snowball_serve_floors_then_their_favourite() -> None:
    debts = [jintiao(), card()]  # 金条 18.25 %, card 18 %; 金条 is also the smaller
    floors = {1: D(400), 2: D(500)}
    avalanche = split_affordable(D(1000), debts, SplitRule.AVALANCHE, floors)
    assert avalanche == {1: D(500), 2: D(500)}
    # Without floors the favourite takes all it needs first.
    assert split_affordable(D(1000), debts, SplitRule.AVALANCHE) == {1: D(1000), 2: D(0)}
    small_card = card(rate=yearly("0.30"), principal="10000.00", term=12)
    snowball = split_affordable(D(1000), [jintiao(), small_card], SplitRule.SNOWBALL, floors)
    assert snowball == {1: D(400), 2: D(600)}
    # Floors beyond the money: served in the rule's order.
    assert split_affordable(D(450), debts, SplitRule.AVALANCHE, floors) == {1: D(400), 2: D(50)}


def test_worked_example_two_debts_pro_rata() -> None:
    result = plan(jintiao(), card())
    assert result.affordable == D(1000)
    assert [d.share for d in result.debts] == [D(375), D(625)]
    # Issue 10: among options that fit, the likeliest to be accepted leads, not the cheapest.
    # Both fit and both ask 金条 for a waiver (nothing else of it fits 375), but the mixed one
    # asks the card only for a longer term (its 625 covers that): one waiver is a likelier
    # ask than two. It used to rank the all-waiver option first because it was cheaper.
    best = result.ranked[0]
    assert best.kind is OptionKind.MIXED
    assert best.fits
    assert [p.kind for p in best.parts] == [OptionKind.WAIVER, OptionKind.LOWER_PAYMENT]
    waiver = result.ranked[1]
    assert waiver.kind is OptionKind.WAIVER
    assert waiver.fits
    assert waiver.months == 32
    assert waiver.max_payment == D(1000)
    assert waiver.total_paid == D(32000)
    lower = next(o for o in result.ranked if o.kind is OptionKind.LOWER_PAYMENT)
    assert not lower.fits  # the 金条 cannot get below 435.34 within 36 months
    assert [p.kind for p in lower.parts] == [OptionKind.LOWER_PAYMENT] * 2


def test_worked_example_avalanche_finds_a_lower_payment_plan_that_fits() -> None:
    result = plan(jintiao(), card(), rule=SplitRule.AVALANCHE)
    lower = next(o for o in result.ranked if o.kind is OptionKind.LOWER_PAYMENT)
    assert lower.fits
    assert all(r.payment <= result.affordable for r in lower.rows)
    assert sum(d.share for d in result.debts) == result.affordable


def test_only_debts_in_the_hardship_currency_are_planned() -> None:
    dollars = make_situation(debt_id=7, name="Visa", currency="USD")
    result = plan(make_situation(), dollars)
    assert [d.debt_id for d in result.debts] == [1]
    assert [(n.debt_id, n.reason) for n in result.not_planned] == [(7, "other_currency")]


def test_nothing_fits_reports_the_smallest_shortfall() -> None:
    result = plan(jintiao(), card(), fixed_expenses=D(4400))  # affordable 100
    assert result.nothing_fits
    assert result.shortfall > 0
    assert result.shortfall == min(o.max_payment - result.affordable for o in result.ranked)


def test_savings_are_spent_once_across_debts() -> None:
    a = make_situation(debt_id=1, principal="3000.00", term=3)
    b = make_situation(debt_id=2, principal="3000.00", term=3)
    result = plan(a, b, savings=D(8000), fixed_expenses=D(4400))  # 4,500 spare, affordable 100
    assert option(result, OptionKind.SETTLEMENT, 1).fits
    assert option(result, OptionKind.SETTLEMENT, 2).fits
    for combined in result.combined:
        assert combined.lump_sum <= result.lump_available
    mixed = next(o for o in result.combined if o.kind is OptionKind.MIXED)
    assert [p.kind for p in mixed.parts].count(OptionKind.SETTLEMENT) == 1
