"""Issue 10: what is overdue is in every option's total exactly once.

One hand-made debt at 12 % a year (1 % a month) is a month behind: ¥3,000 of principal owed,
¥1,000 of it in the overdue installment (¥1,030 with its interest) plus ¥20 of penalty, and two
installments ahead (¥1,020 and ¥1,010). So the arrears are ¥1,050, of which ¥50 are charges.
Each option's total is computed below by hand from those figures, never from the planner.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest

from tracker.planner import DebtSituation, Hardship, Option, OptionKind, PlanResult, plan_all
from tracker.rates import Rate, RateUnit
from tracker.schedule_types import Method, ScheduleRow
from tracker.storage.enums import DebtKind

D = Decimal
TODAY = date(2026, 12, 1)
CENT = Fraction(1, 100)

PRINCIPAL = D(3000)  # all outstanding, the overdue ¥1,000 included
ARREARS = D(1050)  # 1,000 principal + 30 interest overdue + 20 penalty
CHARGES = D(50)  # the arrears that are not principal
AHEAD = (D(1020), D(1010))  # the two installments not yet due


def cents(x: Fraction) -> Fraction:
    """Half up to the cent, as the money rules say."""
    return Fraction(int(x / CENT + Fraction(1, 2)), 100)


def annuity_total(principal: int, months: int) -> Fraction:
    """What an annuity at 1 % a month repays in all: a level payment rounded to the cent each
    month, each month's interest rounded, the last payment clearing the balance."""
    i = Fraction(1, 100)
    growth = (1 + i) ** months
    payment = cents(principal * i * growth / (growth - 1))
    balance, total = Fraction(principal), Fraction(0)
    for k in range(months):
        interest = cents(balance * i)
        pay = balance + interest if k == months - 1 else payment
        balance -= pay - interest
        total += pay
    return total


def money(x: Fraction) -> Decimal:
    return (D(x.numerator) / D(x.denominator)).quantize(D("0.01"), rounding=ROUND_HALF_UP)


def behind() -> DebtSituation:
    row = [
        ScheduleRow(1, date(2026, 12, 15), AHEAD[0], D(20), D(0), D(1000), D(1000)),
        ScheduleRow(2, date(2027, 1, 15), AHEAD[1], D(10), D(0), D(1000), D(0)),
    ]
    return DebtSituation(
        debt_id=1,
        name="金条",
        kind=DebtKind.CONSUMER_LOAN,
        currency="CNY",
        principal=PRINCIPAL,
        overdue=D(1030),
        interest=D(30),
        penalty=D(20),
        fees=D(0),
        rate=Rate(D("0.12"), RateUnit.YEAR),
        method=Method.ANNUITY,
        remaining=tuple(row),
        monthly_payment=AHEAD[0],
    )


@pytest.fixture(scope="module")
def result() -> PlanResult:
    # 5,000 − 3,700 − a 500 reserve: 800 a month; 7,000 saved less a month's 3,700 leaves 3,300
    # for a settlement; the hardship lasts 2 months, so an extension pauses 2.
    hardship = Hardship(
        currency="CNY",
        monthly_income=D(5000),
        fixed_expenses=D(3700),
        savings=D(7000),
        duration_months=2,
    )
    return plan_all([behind()], hardship, TODAY)


def option(result: PlanResult, kind: OptionKind) -> Option:
    return next(o for o in result.ranked if o.kind is kind)


def test_the_situation_is_what_the_figures_say() -> None:
    debt = behind()
    assert debt.arrears == ARREARS
    assert debt.arrears_charges == CHARGES
    assert debt.plan_total == ARREARS + sum(AHEAD)  # 3,080


def test_keeping_to_the_plan_pays_the_arrears_with_the_next_installment(
    result: PlanResult,
) -> None:
    current = option(result, OptionKind.CURRENT)
    assert current.first_payment == D(2070)  # 1,050 overdue + the 1,020 due on the 15th
    assert current.total_paid == D(3080)  # 1,050 + 1,020 + 1,010, the arrears once
    assert current.interest_and_fees == D(80)  # 30 + 20 behind, 20 + 10 ahead
    assert current.vs_current_total == 0


def test_the_overdue_amount_in_installments_costs_what_the_plan_does(result: PlanResult) -> None:
    spread = option(result, OptionKind.OVERDUE_INSTALLMENTS)
    assert spread.total_paid == D(3080)  # the same arrears, only later
    assert sum(r.payment for r in spread.rows) == D(3080)
    assert not spread.fits  # the 1,020 due on the 15th alone is more than 800


def test_a_lower_payment_re_amortises_all_the_principal_and_carries_the_charges(
    result: PlanResult,
) -> None:
    lower = option(result, OptionKind.LOWER_PAYMENT)
    # 3 months would ask 1,020.07 + 50/3 > 800; 4 months 768.84 + 12.50 = 781.34.
    assert lower.months == 4
    assert lower.total_paid == money(annuity_total(3000, 4) + 50)
    assert lower.first_payment == D("781.34")
    assert lower.interest_and_fees == lower.total_paid - PRINCIPAL


@pytest.mark.parametrize(
    ("kind", "paid_in_pause", "carried"),
    [
        # 2 months' interest of 1 % on 3,000 (30 each): paid, deferred, or frozen.
        (OptionKind.EXTENSION_INTEREST_ONLY, 60, 50),
        (OptionKind.EXTENSION_PAUSE, 0, 50 + 60),
        (OptionKind.EXTENSION_FROZEN, 0, 50),
    ],
)
def test_an_extension_resumes_with_the_overdue_principal_and_charges_inside(
    result: PlanResult, kind: OptionKind, paid_in_pause: int, carried: int
) -> None:
    extension = option(result, kind)
    assert extension.months == 4  # 2 paused, then the 2 months left
    expected = paid_in_pause + annuity_total(3000, 2) + carried
    assert extension.total_paid == money(expected)


def test_a_waiver_repays_the_overdue_principal_once_and_drops_its_charges(
    result: PlanResult,
) -> None:
    waiver = option(result, OptionKind.WAIVER)
    assert waiver.total_paid == PRINCIPAL  # the ¥1,000 overdue inside; 30 + 20 waived
    assert waiver.request["waived"] == D(80)  # 3,080 − 3,000


def test_a_settlement_pays_the_arrears_with_everything_owed_today(result: PlanResult) -> None:
    settlement = option(result, OptionKind.SETTLEMENT)
    assert settlement.lump_sum == D(3050)  # 3,000 + 30 interest + 20 penalty
    assert settlement.total_paid == D(3050)
    assert settlement.vs_current_total == D(-30)  # the 20 + 10 interest ahead saved


def test_the_result_says_how_much_is_overdue(result: PlanResult) -> None:
    assert result.overdue
    assert result.arrears == ARREARS
    assert result.capacity.planned == D(1020)  # the regular monthly payment, arrears apart
