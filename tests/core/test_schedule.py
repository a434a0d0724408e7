"""Schedules reproduced to the cent from published or hand-computed figures."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest

from tests.core.factories_schedule import daily, make_custom, make_terms, monthly, yearly
from tracker.errors import InvalidAmount, InvalidRate, InvalidTerms
from tracker.schedule import build_schedule, reschedule_after_prepayment, totals
from tracker.schedule_types import Method, PrepaymentMode, ScheduleRow

D = Decimal
KEEP_TERM = PrepaymentMode.KEEP_TERM
KEEP_PAYMENT = PrepaymentMode.KEEP_PAYMENT
FLAT: dict[str, Any] = {"method": Method.FLAT_FEE, "rate": yearly("0")}


def half_up(x: Fraction, digits: int = 2) -> Decimal:
    """Exact rational rounded half up, independent of the code under test."""
    scaled = x * 10**digits
    whole = scaled.numerator // scaled.denominator
    if scaled - whole >= Fraction(1, 2):
        whole += 1
    return D(whole).scaleb(-digits)


def payments(rows: list[ScheduleRow]) -> list[Decimal]:
    return [r.payment for r in rows]


# --- published figures -------------------------------------------------------------------


def test_annuity_mortgage_one_million_at_4_9_percent_over_240_months() -> None:
    rows = build_schedule(
        make_terms(
            principal=D("1000000"), rate=yearly("0.049"), term=240, first_due=date(2024, 2, 1)
        )
    )
    assert len(rows) == 240
    first, second = rows[0], rows[1]
    assert (first.payment, first.interest, first.principal, first.balance) == (
        D("6544.44"),
        D("4083.33"),
        D("2461.11"),
        D("997538.89"),
    )
    assert (second.payment, second.interest, second.principal) == (
        D("6544.44"),
        D("4073.28"),
        D("2471.16"),
    )
    assert set(payments(rows[:-1])) == {D("6544.44")}
    assert rows[-1].balance == 0
    assert totals(rows).principal == D("1000000")
    assert rows[-1].due_date == date(2044, 1, 1)


def test_equal_principal_630k_at_4_9_percent_over_360_months() -> None:
    rows = build_schedule(
        make_terms(
            principal=D("630000"),
            rate=yearly("0.049"),
            term=360,
            method=Method.EQUAL_PRINCIPAL,
        )
    )
    assert payments(rows[:3]) == [D("4322.50"), D("4315.35"), D("4308.21")]
    assert {r.principal for r in rows} == {D("1750.00")}
    # Calculators quote (n+1)·P·i/2 = 464,336.25, the sum before rounding. Per-row rounding adds
    # a residue: a row with m steps left owes 8575·m/12 cents, whose fraction is (7m mod 12)/12;
    # over each 12 rows half up gives −(0+1+…+5)/12 + (6+5+…+1)/12 = +0.5 cent, × 30 = 15 cents.
    closed_form = Fraction(361 * 630000 * 49, 2 * 12 * 1000)
    assert closed_form == Fraction("464336.25")
    assert totals(rows).interest == D("464336.40")


# --- hand-computed cases ------------------------------------------------------------------


def test_daily_accrual_by_hand() -> None:
    # d = 0.07 %/day. Row 1: 265 × 0.0007 × 10 days = 1.855 → 1.86 (float arithmetic gives 1.85).
    # The level payment A is solved on the actual days (10, then 31): row 1 leaves
    # 265 − (A − 1.86) = 266.86 − A, and row 2 pays that plus 31 days, (266.86 − A) × 1.0217.
    # Equal to A at A = 266.86 × 1.0217 / 2.0217 = 134.862… → 134.86, leaving 132.00, whose
    # 132.00 × 0.0007 × 31 = 2.8644 → 2.86 makes row 2 exactly 134.86 as well. (The monthly
    # annuity formula, P(1+i)²/(2+i) = 136.75 with i = 0.0007·365/12, ignores the 10-day first
    # period: its row 2 would be 132.93.)
    rows = build_schedule(
        make_terms(
            principal=D("265.00"),
            rate=daily("0.0007"),
            term=2,
            method=Method.DAILY_ACCRUAL,
            start_date=date(2024, 1, 1),
            first_due=date(2024, 1, 11),
        )
    )
    assert rows[0] == ScheduleRow(
        1, date(2024, 1, 11), D("134.86"), D("1.86"), D("0"), D("133.00"), D("132.00")
    )
    assert rows[1] == ScheduleRow(
        2, date(2024, 2, 11), D("134.86"), D("2.86"), D("0"), D("132.00"), D("0")
    )


def test_daily_accrual_counts_actual_days_including_leap_february() -> None:
    rows = build_schedule(
        make_terms(
            principal=D("36500.00"),
            rate=daily("0.0001"),
            term=3,
            method=Method.DAILY_ACCRUAL,
            first_due=date(2024, 1, 31),  # start defaults to Dec 31: 31 days
        )
    )
    assert rows[0].interest == D("113.15")  # 36,500 × 0.0001 × 31
    # Jan 31 → Feb 29 is 29 days on the balance after row 1.
    assert rows[1].interest == half_up(Fraction(rows[0].balance) * Fraction(1, 10000) * 29)
    assert [r.due_date for r in rows] == [date(2024, 1, 31), date(2024, 2, 29), date(2024, 3, 31)]


def test_jan_31_loan_falls_on_month_ends() -> None:
    rows = build_schedule(make_terms(term=5, first_due=date(2023, 1, 31)))
    assert [r.due_date for r in rows] == [
        date(2023, 1, 31),
        date(2023, 2, 28),
        date(2023, 3, 31),
        date(2023, 4, 30),
        date(2023, 5, 31),
    ]


def test_jpy_annuity_has_no_minor_unit() -> None:
    # i = 1 %: A = 1,000,000 × 0.01 × 1.01¹² / (1.01¹² − 1) = 88,848.79 → ¥88,849.
    rows = build_schedule(make_terms(principal=D("1000000"), currency="JPY"))
    assert rows[0].payment == D("88849")
    assert (rows[0].interest, rows[0].principal, rows[0].balance) == (
        D("10000"),
        D("78849"),
        D("921151"),
    )
    assert rows[1].interest == D("9212")  # 9,211.51 → 9,212
    assert rows[1].principal == D("79637")
    for row in rows:
        for amount in (row.payment, row.interest, row.fee, row.principal, row.balance):
            assert amount == amount.to_integral_value()
            assert amount.as_tuple().exponent == 0


def test_annuity_at_zero_rate_splits_evenly_and_last_absorbs() -> None:
    rows = build_schedule(make_terms(principal=D("1000.00"), rate=yearly("0"), term=3))
    assert payments(rows) == [D("333.33"), D("333.33"), D("333.34")]
    assert {r.interest for r in rows} == {D("0")}


def test_annuity_formula_with_monthly_rate() -> None:
    i = Fraction(1, 100)
    expected = half_up(10000 * i * (1 + i) ** 12 / ((1 + i) ** 12 - 1))
    rows = build_schedule(make_terms(principal=D("10000"), rate=monthly("0.01")))
    assert rows[0].payment == expected == D("888.49")


def test_tiny_loan_is_paid_off_early_then_rows_are_zero() -> None:
    # 0.05 / 10 = 0.005 rounds up to 0.01, so five rows clear the loan; the term stays 10.
    rows = build_schedule(make_terms(principal=D("0.05"), rate=yearly("0"), term=10))
    assert payments(rows) == [D("0.01")] * 5 + [D("0")] * 5
    assert rows[-1].balance == 0


def test_interest_only() -> None:
    rows = build_schedule(
        make_terms(principal=D("100000"), rate=yearly("0.06"), method=Method.INTEREST_ONLY)
    )
    assert payments(rows) == [D("500.00")] * 11 + [D("100500.00")]
    assert rows[-1].principal == D("100000")


def test_flat_fee_half_percent_a_period() -> None:
    rows = build_schedule(make_terms(rate=yearly("0"), method=Method.FLAT_FEE, fee_rate=D("0.005")))
    assert {(r.payment, r.principal, r.fee, r.interest) for r in rows} == {
        (D("1060.00"), D("1000.00"), D("60.00"), D("0"))
    }


def test_flat_fee_last_row_absorbs_the_rounding_remainder() -> None:
    rows = build_schedule(
        make_terms(
            principal=D("10000"),
            rate=yearly("0"),
            term=3,
            method=Method.FLAT_FEE,
            fee_rate=D("0.006"),
        )
    )
    assert [r.principal for r in rows] == [D("3333.33"), D("3333.33"), D("3333.34")]
    assert payments(rows) == [D("3393.33"), D("3393.33"), D("3393.34")]


def test_equal_principal_payment_falls_by_step_times_rate() -> None:
    rows = build_schedule(
        make_terms(principal=D("1200"), rate=monthly("0.01"), method=Method.EQUAL_PRINCIPAL)
    )
    assert payments(rows) == [D(100 + 12 - k) for k in range(12)]


# --- custom plans ---------------------------------------------------------------------------


def test_custom_plan_without_interest() -> None:
    plan = [(date(2024, 3, 5), "300"), (date(2024, 4, 20), "300"), (date(2024, 7, 1), "400")]
    rows = build_schedule(make_custom("1000", plan))
    assert [r.principal for r in rows] == [D(300), D(300), D(400)]
    assert [r.balance for r in rows] == [D(700), D(400), D(0)]
    assert totals(rows).fee == 0


def test_custom_plan_excess_is_a_fee() -> None:
    rows = build_schedule(
        make_custom("1000", [(date(2024, 3, 5), "500"), (date(2024, 4, 5), "600")])
    )
    assert (rows[1].principal, rows[1].fee, rows[1].payment) == (D(500), D(100), D(600))


def test_custom_plan_with_interest_capped_at_the_amount() -> None:
    plan = [(date(2024, 3, 5), "5"), (date(2024, 4, 5), "1010")]
    rows = build_schedule(make_custom("1000", plan, rate=monthly("0.01")))
    assert (rows[0].interest, rows[0].principal, rows[0].balance) == (D(5), D(0), D(1000))
    assert (rows[1].interest, rows[1].principal, rows[1].fee) == (D(10), D(1000), D(0))


def test_custom_plan_short_of_the_principal() -> None:
    with pytest.raises(InvalidTerms) as err:
        build_schedule(make_custom("1000", [(date(2024, 3, 5), "300"), (date(2024, 4, 5), "300")]))
    assert err.value.code == "custom_short"
    assert err.value.params["shortfall"] == D(400)


@pytest.mark.parametrize(
    ("plan", "overrides", "code"),
    [
        ([(date(2024, 3, 5), "1"), (date(2024, 3, 5), "999")], {}, "custom_dates"),
        ([(date(2024, 3, 5), "1"), (date(2024, 2, 5), "999")], {}, "custom_dates"),
        ([(date(2024, 3, 5), "0"), (date(2024, 4, 5), "1000")], {}, "custom_amount"),
        ([(date(2024, 3, 5), "-1"), (date(2024, 4, 5), "1001")], {}, "custom_amount"),
        ([(date(2024, 3, 5), "0.001"), (date(2024, 4, 5), "1000")], {}, "custom_amount"),
        ([(date(2024, 3, 5), "1000")], {"term": 2}, "custom_term"),
        ([(date(2024, 3, 5), "1000")], {"first_due": date(2024, 3, 6)}, "custom_first_due"),
        ([(date(2024, 3, 5), "1000")], {"custom": ()}, "custom_missing"),
        ([(date(2024, 3, 5), "1000")], {"method": Method.ANNUITY}, "custom_method"),
    ],
)
def test_custom_plan_validation(
    plan: list[tuple[date, str]], overrides: dict[str, Any], code: str
) -> None:
    with pytest.raises(InvalidTerms) as err:
        build_schedule(make_custom("1000", plan, **overrides))
    assert err.value.code == code


# --- validation ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"term": 0}, "term_range"),
        ({"term": 601}, "term_range"),
        ({"due_day": 0}, "due_day_range"),
        ({"due_day": 32}, "due_day_range"),
        (
            {"fee_rate": D("-0.01"), "method": Method.FLAT_FEE, "rate": yearly("0")},
            "fee_rate_range",
        ),
        ({"fee_rate": D("1"), "method": Method.FLAT_FEE, "rate": yearly("0")}, "fee_rate_range"),
        ({"fee_rate": D("NaN"), "method": Method.FLAT_FEE, "rate": yearly("0")}, "fee_rate_range"),
        ({"fee_rate": D("0.005")}, "fee_rate_method"),
        ({"method": Method.FLAT_FEE, "fee_rate": D("0.005")}, "flat_fee_rate"),
        ({"start_date": date(2024, 2, 15)}, "start_date_order"),
        ({"start_date": date(2024, 3, 1)}, "start_date_order"),
        ({"principal": D("100.001")}, "principal_precision"),
        ({"principal": D("100.5"), "currency": "JPY"}, "principal_precision"),
        ({"upfront_fee": D("12000")}, "upfront_fee_range"),
        ({"upfront_fee": D("0.001")}, "upfront_fee_precision"),
        ({"day_count": 366}, "day_count"),
        ({"first_due": date(9999, 6, 1)}, "date_range"),
        ({"first_due": date(1, 1, 15)}, "date_range"),
    ],
)
def test_invalid_terms(overrides: dict[str, Any], code: str) -> None:
    with pytest.raises(InvalidTerms) as err:
        build_schedule(make_terms(**overrides))
    assert err.value.code == code


def test_principal_and_rate_use_the_shared_checks() -> None:
    with pytest.raises(InvalidAmount) as amount_err:
        build_schedule(make_terms(principal=D("0")))
    assert amount_err.value.code == "amount_zero"
    with pytest.raises(InvalidRate) as rate_err:
        build_schedule(make_terms(rate=yearly("10.5")))
    assert rate_err.value.code == "rate_too_high"


def test_float_money_is_refused() -> None:
    with pytest.raises(TypeError):
        build_schedule(make_terms(principal=12000.0))


def test_totals_sum_every_column() -> None:
    rows = build_schedule(
        make_terms(
            principal=D("12000"), rate=yearly("0"), method=Method.FLAT_FEE, fee_rate=D("0.005")
        )
    )
    t = totals(rows)
    assert (t.payment, t.interest, t.fee, t.principal) == (D(12720), D(0), D(720), D(12000))
    assert totals([]).payment == 0


# --- prepayment -----------------------------------------------------------------------------


def zero_rate_annuity() -> tuple[Any, list[ScheduleRow]]:
    terms = make_terms(principal=D("1200"), rate=yearly("0"))
    return terms, build_schedule(terms)


def test_prepayment_keep_term_lowers_the_payment() -> None:
    terms, rows = zero_rate_annuity()  # 12 × 100
    new = reschedule_after_prepayment(terms, rows, 2, D("300"), KEEP_TERM)
    assert new[0] == rows[0]
    assert new[1] == replace(rows[1], payment=D(400), principal=D(400), balance=D(700))
    assert payments(new[2:]) == [D(70)] * 10
    assert [r.due_date for r in new] == [r.due_date for r in rows]
    assert [r.number for r in new] == list(range(1, 13))


def test_prepayment_keep_payment_shortens_the_term() -> None:
    terms, rows = zero_rate_annuity()
    new = reschedule_after_prepayment(terms, rows, 2, D("300"), KEEP_PAYMENT)
    assert payments(new) == [D(100), D(400)] + [D(100)] * 7
    assert new[-1].balance == 0
    assert [r.due_date for r in new] == [r.due_date for r in rows[:9]]


def test_prepayment_keep_term_recomputes_the_annuity() -> None:
    terms = make_terms(principal=D("10000"), rate=monthly("0.01"))
    rows = build_schedule(terms)
    new = reschedule_after_prepayment(terms, rows, 3, D("2000"), KEEP_TERM)
    balance = Fraction(rows[2].balance - 2000)
    i = Fraction(1, 100)
    assert new[3].payment == half_up(balance * i * (1 + i) ** 9 / ((1 + i) ** 9 - 1))
    assert new[3].interest == half_up(balance * i)


def test_prepayment_on_equal_principal() -> None:
    terms = make_terms(principal=D("1200"), rate=monthly("0.01"), method=Method.EQUAL_PRINCIPAL)
    rows = build_schedule(terms)
    shorter = reschedule_after_prepayment(terms, rows, 2, D("250"), KEEP_PAYMENT)
    # Balance 1000 − 250 = 750: seven steps of 100, then 50.
    assert [r.principal for r in shorter[2:]] == [D(100)] * 7 + [D(50)]
    assert shorter[2].interest == D("7.50")
    same_term = reschedule_after_prepayment(terms, rows, 2, D("250"), KEEP_TERM)
    assert [r.principal for r in same_term[2:]] == [D(75)] * 10


def test_prepayment_on_interest_only_keeps_the_term() -> None:
    terms = make_terms(principal=D("100000"), rate=yearly("0.06"), method=Method.INTEREST_ONLY)
    new = reschedule_after_prepayment(terms, build_schedule(terms), 3, D("40000"), KEEP_TERM)
    assert payments(new[3:]) == [D(300)] * 8 + [D(60300)]
    with pytest.raises(InvalidTerms) as err:
        reschedule_after_prepayment(terms, build_schedule(terms), 3, D("1"), KEEP_PAYMENT)
    assert err.value.code == "prepay_mode"


def test_daily_accrual_after_prepayment_accrues_from_the_prepayment_date() -> None:
    terms = make_terms(principal=D("36500"), rate=daily("0.0001"), method=Method.DAILY_ACCRUAL)
    rows = build_schedule(terms)
    new = reschedule_after_prepayment(terms, rows, 1, D("10000"), KEEP_TERM)
    days = (new[1].due_date - new[0].due_date).days
    assert new[1].interest == half_up(Fraction(new[0].balance) * Fraction(1, 10000) * days)


def test_prepaying_the_whole_balance_ends_the_schedule() -> None:
    terms, rows = zero_rate_annuity()
    for mode in PrepaymentMode:
        new = reschedule_after_prepayment(terms, rows, 4, D("800"), mode)
        assert new[:3] == rows[:3]
        assert new[-1] == replace(rows[3], payment=D(900), principal=D(900), balance=D(0))
        assert len(new) == 4


@pytest.mark.parametrize(
    ("paid_through", "amount", "code"),
    [
        (4, D("800.01"), "prepay_exceeds_balance"),
        (12, D("1"), "prepay_exceeds_balance"),
        (0, D("1"), "prepay_row"),
        (13, D("1"), "prepay_row"),
        (4, D("0.001"), "prepay_precision"),
    ],
)
def test_prepayment_errors(paid_through: int, amount: Decimal, code: str) -> None:
    terms, rows = zero_rate_annuity()
    with pytest.raises(InvalidTerms) as err:
        reschedule_after_prepayment(terms, rows, paid_through, amount, KEEP_TERM)
    assert err.value.code == code


def test_prepayment_of_nothing_is_refused() -> None:
    terms, rows = zero_rate_annuity()
    with pytest.raises(InvalidAmount):
        reschedule_after_prepayment(terms, rows, 4, D("0"), KEEP_TERM)


def test_prepayment_on_custom_plan_is_refused() -> None:
    terms = make_custom("1000", [(date(2024, 3, 5), "500"), (date(2024, 4, 5), "500")])
    with pytest.raises(InvalidTerms) as err:
        reschedule_after_prepayment(terms, build_schedule(terms), 1, D("100"), KEEP_TERM)
    assert err.value.code == "prepay_custom"


def test_keep_term_never_raises_an_annuity_payment_rounded_down_before() -> None:
    # ¥100 at 1 %/month over 6: A = 17.25 → ¥17; four rows each pay ¥1 interest + ¥16, leaving ¥36.
    # Prepaying ¥1 leaves ¥35 over 2 rows: 35 × 1.01² × 0.01 / (1.01² − 1) = 17.76 → ¥18, above
    # the ¥17 paid so far, so the payment stays ¥17 and the last row takes the rest.
    terms = make_terms(principal=D("100"), currency="JPY", rate=monthly("0.01"), term=6)
    rows = build_schedule(terms)
    assert [r.balance for r in rows[:4]] == [D(84), D(68), D(52), D(36)]
    new = reschedule_after_prepayment(terms, rows, 4, D("1"), KEEP_TERM)
    assert payments(new[4:]) == [D(17), D(18)]  # interest 0.35 and 0.18 both round to ¥0


def test_keep_term_never_raises_an_equal_principal_step_rounded_down_before() -> None:
    # ¥151 over 24: step 6.29 → ¥6, so after 12 rows ¥79 is left. Prepaying ¥1 leaves ¥78 over
    # 12 rows: 6.5 would round up to ¥7, so the step stays ¥6 and the last row takes ¥12.
    terms = make_terms(
        principal=D("151"), currency="JPY", rate=yearly("0"), term=24, method=Method.EQUAL_PRINCIPAL
    )
    new = reschedule_after_prepayment(terms, build_schedule(terms), 12, D("1"), KEEP_TERM)
    assert [r.principal for r in new[12:]] == [D(6)] * 11 + [D(12)]
