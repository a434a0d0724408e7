"""What a borrower types about a plan agreed with a lender (tracker.parsing.plan_terms)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest

from tracker.errors import DomainError, InvalidTerms
from tracker.parsing.plan_terms import (
    MAX_AGENT_LENGTH,
    MAX_NOTE_LENGTH,
    MAX_REFERENCE_LENGTH,
    clean_agent,
    clean_note,
    clean_reference,
    parse_installments,
    parse_past_date,
    parse_plan_rate,
)
from tracker.rates import ZERO_RATE, Rate, RateUnit

D = Decimal
TODAY = date(2026, 12, 1)


def test_parsing_rates_lists_dates_and_references() -> None:
    assert parse_plan_rate("0%") == ZERO_RATE
    assert parse_plan_rate("免息") == ZERO_RATE
    assert parse_plan_rate("18%") == Rate(D("0.18"), RateUnit.YEAR)
    listed = parse_installments(
        "12月15日 1,000\n1月15日：1000元\n2027年2月15日 ¥1000.50", today=TODAY, currency="CNY"
    )
    assert [(i.due_date, i.amount) for i in listed] == [
        (date(2026, 12, 15), D(1000)),
        (date(2027, 1, 15), D(1000)),
        (date(2027, 2, 15), D("1000.50")),
    ]
    assert len(parse_installments("500×3 从2027-01-31起", today=TODAY, currency="CNY")) == 3
    assert len(parse_installments("1.2万 X 12 2027-01-31", today=TODAY, currency="CNY")) == 12
    assert [
        i.due_date
        for i in parse_installments("500 x 3 from 2027-01-31", today=TODAY, currency="CNY")
    ] == [
        date(2027, 1, 31),
        date(2027, 2, 28),
        date(2027, 3, 31),
    ]
    with pytest.raises(InvalidTerms) as info:
        parse_installments("2027-01-15 1000\nnext month 1000", today=TODAY, currency="CNY")
    assert (info.value.code, info.value.params["line"]) == ("custom_line", 2)
    # Past dates typed without a year mean the last such day.
    assert parse_past_date("11月28日", today=TODAY) == date(2026, 11, 28)
    assert parse_past_date("28号", today=TODAY) == date(2026, 11, 28)
    assert parse_past_date("12月1日", today=TODAY) == TODAY
    assert parse_past_date("昨天", today=TODAY) == date(2026, 11, 30)
    assert parse_past_date("明天", today=TODAY) == date(2026, 12, 2)  # refused later
    assert parse_past_date("2027-01-01", today=TODAY) == date(2027, 1, 1)
    assert clean_reference("  KF  42 ") == "KF 42"
    assert clean_reference("   ") is None


@pytest.mark.parametrize("text", ["interest-free", "Interest Free", "no interest", "停息", "无息"])
def test_ways_of_saying_no_interest_are_zero(text: str) -> None:
    assert parse_plan_rate(text) == ZERO_RATE


def test_a_plan_rate_that_is_no_rate_is_the_rates_own_error() -> None:
    with pytest.raises(DomainError) as info:
        parse_plan_rate("abc")
    assert info.value.code == "rate_garbage"


def test_a_repeated_installment_of_zero_or_too_many_is_refused() -> None:
    with pytest.raises(InvalidTerms) as info:
        parse_installments("1000 x 0 from 2027-01-15", today=TODAY, currency="CNY")
    assert info.value.code == "custom_missing"
    with pytest.raises(InvalidTerms) as info:
        parse_installments("1000 x 9999 from 2027-01-15", today=TODAY, currency="CNY")
    assert (info.value.code, info.value.params) == ("custom_term", {"count": 9999})
    with pytest.raises(InvalidTerms) as info:
        parse_installments("USD100 x 3 from 2027-01-15", today=TODAY, currency="CNY")
    assert (info.value.code, info.value.params["line"]) == ("custom_line", 1)
    with pytest.raises(InvalidTerms) as info:
        parse_installments(" \n \n", today=TODAY, currency="CNY")
    assert info.value.code == "custom_missing"


def test_a_list_without_years_runs_on_into_the_next_year() -> None:
    # Each date without a year is the next such day after the line before it.
    listed = parse_installments(
        "12月20日 500\n1月20日 500\n2月20日 500", today=TODAY, currency="CNY"
    )
    assert [i.due_date for i in listed] == [
        date(2026, 12, 20),
        date(2027, 1, 20),
        date(2027, 2, 20),
    ]


def test_a_past_month_and_day_typed_in_january_is_last_december() -> None:
    # On 5 January 2027, 12月30日 has not come yet this year: it means 30 December 2026.
    assert parse_past_date("12月30日", today=date(2027, 1, 5)) == date(2026, 12, 30)


@pytest.mark.parametrize(
    ("clean", "limit", "code"),
    [
        (clean_reference, MAX_REFERENCE_LENGTH, "reference_too_long"),
        (clean_agent, MAX_AGENT_LENGTH, "agent_too_long"),
        (clean_note, MAX_NOTE_LENGTH, "note_too_long"),
    ],
)
def test_details_are_trimmed_and_refused_only_when_too_long(
    clean: Callable[[str | None], str | None], limit: int, code: str
) -> None:
    assert clean(None) is None
    assert clean(" \t ") is None
    assert clean("  张  三\n 42 ") == "张 三 42"
    assert clean("x" * limit) == "x" * limit
    with pytest.raises(InvalidTerms) as info:
        clean("x" * (limit + 1))
    assert (info.value.code, info.value.params) == (code, {"limit": limit})
