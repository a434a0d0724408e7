"""What a borrower types about a debt besides the one-line form (tracker.parsing.debt_terms)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from tracker.errors import DomainError, InvalidRate, InvalidTerms
from tracker.parsing.debt_terms import (
    MAX_NAME_LENGTH,
    DebtSpec,
    check_loan_date,
    clean_lender,
    clean_name,
    parse_daily_late_fee,
    parse_fee_rate,
    parse_first_due,
    parse_grace_days,
    parse_loan_date,
    parse_paid_count,
    parse_penalty_multiplier,
    parse_rate_per,
    read_pricing,
    remaining_principal,
)
from tracker.rates import Rate, RateUnit
from tracker.schedule_types import LoanTerms, Method

D = Decimal
TODAY = date(2026, 12, 1)
#: A loan of ¥12,000 taken on 20 July 2026, its first installment due on 20 August.
RUNNING = DebtSpec(
    name="Jintiao",
    terms=LoanTerms(
        principal=D(12000),
        rate=Rate(D("0.0005"), RateUnit.DAY),
        term=12,
        method=Method.ANNUITY,
        first_due=date(2026, 8, 20),
        start_date=date(2026, 7, 20),
    ),
)

# ---- optional terms -------------------------------------------------------------------------


def test_fee_rates() -> None:
    assert parse_fee_rate("0.6%") == D("0.006")
    assert parse_fee_rate("手续费率 0.6%") == D("0.006")
    for text, code in (("0.05%/day", "fee_rate_period"), ("abc", "rate_garbage")):
        with pytest.raises(DomainError) as info:
            parse_fee_rate(text)
        assert (info.value.code, info.value.params["text"]) == (code, text)


def test_daily_late_fee_is_per_day_unless_it_says_otherwise() -> None:
    assert parse_daily_late_fee("0.05%") == D("0.0005")
    assert parse_daily_late_fee("万五") == D("0.0005")
    assert parse_daily_late_fee("18.25%/year") == D("0.0005")


@pytest.mark.parametrize(("text", "days"), [("3", 3), ("3天", 3), ("三天", 3), ("无", 0), ("0", 0)])
def test_grace_days(text: str, days: int) -> None:
    assert parse_grace_days(text) == days


@pytest.mark.parametrize(("text", "code"), [("61", "grace_range"), ("soon", "grace_garbage")])
def test_bad_grace_days(text: str, code: str) -> None:
    with pytest.raises(DomainError) as info:
        parse_grace_days(text)
    assert info.value.code == code


def test_penalty_multipliers() -> None:
    assert parse_penalty_multiplier("1.5倍") == D("1.5")
    assert parse_penalty_multiplier("x1.3") == D("1.3")
    for text, code in (("5", "penalty_multiplier_range"), ("half", "penalty_multiplier_garbage")):
        with pytest.raises(DomainError) as info:
            parse_penalty_multiplier(text)
        assert info.value.code == code


# ---- a loan already running (issue 9) --------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("4", 4),
        ("4期", 4),
        ("前4期", 4),
        ("前4期已经还了", 4),
        ("前四期都按时还了", 4),
        ("已还4期", 4),
        ("还了两期", 2),
        ("十二期", 12),
        ("第4期", 4),
        ("４", 4),
        ("4 paid", 4),
        ("I've paid 4", 4),
        ("4 installments paid", 4),
        ("0", 0),
        ("none", 0),
        ("没有", 0),
        ("一期都没还", 0),
    ],
)
def test_paid_count_words(text: str, count: int) -> None:
    assert parse_paid_count(text) == count


@pytest.mark.parametrize(
    "text", ["", "abc", "4期没还", "paid 4 of 12", "4.5", "-1", "前期", "some", "还了好多"]
)
def test_paid_count_garbage(text: str) -> None:
    with pytest.raises(DomainError) as info:
        parse_paid_count(text)
    assert info.value.code == "paid_count_garbage"


def test_remaining_principal_from_the_app_is_at_most_the_loan() -> None:
    assert remaining_principal("8000", RUNNING) == D(8000)
    assert remaining_principal("1.2万", RUNNING) == D(12000)
    with pytest.raises(DomainError) as info:
        remaining_principal("12000.01", RUNNING)
    assert info.value.code == "remaining_principal_above_loan"
    assert info.value.params == {"remaining": D("12000.01"), "principal": D(12000)}
    with pytest.raises(DomainError) as info:
        remaining_principal("USD500", RUNNING)
    assert info.value.code == "amount_currency_conflict"


# ---- names, rates with a period, dates (moved from the services; issue 13) -------------------


def test_names_and_lenders_are_trimmed_and_bounded() -> None:
    assert clean_name("  京东   金条 ") == "京东 金条"
    assert clean_name("x" * MAX_NAME_LENGTH) == "x" * MAX_NAME_LENGTH
    assert clean_lender(" JD\tFinance ") == "JD Finance"
    for clean, what in ((clean_name, "name"), (clean_lender, "lender")):
        with pytest.raises(InvalidTerms) as info:
            clean(" \n ")
        assert info.value.code == f"{what}_empty"
        with pytest.raises(InvalidTerms) as info:
            clean("x" * (MAX_NAME_LENGTH + 1))
        assert (info.value.code, info.value.params) == (f"{what}_too_long", {"limit": 40})


def test_a_rate_without_a_period_is_per_the_unit_given() -> None:
    assert parse_rate_per("0.05%", RateUnit.DAY) == Rate(D("0.0005"), RateUnit.DAY)
    assert parse_rate_per("1.5%", RateUnit.MONTH) == Rate(D("0.015"), RateUnit.MONTH)
    # A rate that names its own period keeps it.
    assert parse_rate_per("1.5%/month", RateUnit.DAY) == Rate(D("0.015"), RateUnit.MONTH)
    with pytest.raises(InvalidRate) as info:
        parse_rate_per("abc", RateUnit.DAY)
    assert (info.value.code, info.value.params["text"]) == ("rate_garbage", "abc")


def test_pricing_is_a_fee_for_flat_fee_plans_and_a_rate_otherwise() -> None:
    assert read_pricing(Method.FLAT_FEE, "0.6%") == (Rate(D(0), RateUnit.MONTH), D("0.006"))
    assert read_pricing(Method.ANNUITY, "日息万三") == (Rate(D("0.0003"), RateUnit.DAY), D(0))
    assert read_pricing(Method.EQUAL_PRINCIPAL, "18% a year") == (
        Rate(D("0.18"), RateUnit.YEAR),
        D(0),
    )
    with pytest.raises(DomainError) as info:
        read_pricing(Method.ANNUITY, "18%/day")
    assert info.value.code == "rate_too_high"
    with pytest.raises(DomainError) as info:
        read_pricing(Method.FLAT_FEE, "18%/year")
    assert info.value.code == "fee_rate_period"


def test_a_first_due_date_without_a_year_is_at_most_two_months_ahead() -> None:
    # On 1 December 2026 two months ahead is 1 February 2027: that day is still ahead, the
    # next is taken as last February's (a loan already running).
    assert parse_first_due("2月1日", today=TODAY) == date(2027, 2, 1)
    assert parse_first_due("2月2日", today=TODAY) == date(2026, 2, 2)
    assert parse_first_due("2027-03-01", today=TODAY) == date(2027, 3, 1)  # a year: as typed


def test_a_loan_date_without_a_year_is_the_latest_so_far() -> None:
    assert parse_loan_date("11月1日", today=TODAY) == date(2026, 11, 1)
    assert parse_loan_date("12月1日", today=TODAY) == TODAY
    assert parse_loan_date("12月20日", today=TODAY) == date(2025, 12, 20)
    assert parse_loan_date("2027-01-01", today=TODAY) == date(2027, 1, 1)  # refused later


def test_the_loan_date_is_before_the_first_due_date_and_not_after_today() -> None:
    start, first_due = date(2026, 11, 1), date(2026, 12, 1)
    assert check_loan_date(start, first_due, TODAY) == start
    with pytest.raises(InvalidTerms) as info:
        check_loan_date(date(2026, 12, 2), date(2027, 1, 2), TODAY)
    assert (info.value.code, info.value.params) == (
        "loan_date_future",
        {"start": date(2026, 12, 2), "today": TODAY},
    )
    with pytest.raises(InvalidTerms) as info:
        check_loan_date(first_due, first_due, TODAY)
    assert (info.value.code, info.value.params) == (
        "loan_date_order",
        {"start": first_due, "first_due": first_due},
    )
