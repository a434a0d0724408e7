"""Money: exact Decimal, half-up rounding, minor units and locale formatting."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracker.errors import InvalidAmount
from tracker.money import (
    MAX_AMOUNT,
    check_amount,
    format_money,
    from_minor,
    minor_digits,
    quantize,
    to_minor,
)


def test_half_up_where_float_goes_wrong() -> None:
    # 265 × 0.07 % × 10 days = 1.855: float arithmetic gives 1.85, the lender charges 1.86.
    assert quantize(Decimal(265) * Decimal("0.0007") * 10, "CNY") == Decimal("1.86")
    assert round(265 * 0.0007 * 10, 2) == 1.85  # the float trap this module exists to avoid


@pytest.mark.parametrize(("currency", "digits"), [("CNY", 2), ("USD", 2), ("JPY", 0), ("KWD", 3)])
def test_minor_digits_come_from_cldr(currency: str, digits: int) -> None:
    assert minor_digits(currency) == digits


@pytest.mark.parametrize(
    ("amount", "currency", "units"),
    [("12.34", "CNY", 1234), ("0.005", "CNY", 1), ("1234.5", "JPY", 1235), ("1.0005", "KWD", 1001)],
)
def test_to_minor_rounds_half_up(amount: str, currency: str, units: int) -> None:
    assert to_minor(Decimal(amount), currency) == units


def test_float_is_refused() -> None:
    with pytest.raises(TypeError):
        quantize(1.5, "CNY")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        from_minor(1.5, "CNY")  # type: ignore[arg-type]


@given(units=st.integers(min_value=-(10**14), max_value=10**14))
def test_minor_units_round_trip(units: int) -> None:
    for currency in ("CNY", "JPY"):
        assert to_minor(from_minor(units, currency), currency) == units


@pytest.mark.parametrize(
    ("amount", "code"),
    [
        ("-1", "amount_negative"),
        ("0", "amount_zero"),
        ("1E+13", "amount_too_large"),
        ("NaN", "amount_not_number"),
    ],
)
def test_check_amount_names_the_problem(amount: str, code: str) -> None:
    with pytest.raises(InvalidAmount) as info:
        check_amount(Decimal(amount))
    assert info.value.code == code


def test_check_amount_limits() -> None:
    assert check_amount(MAX_AMOUNT) == MAX_AMOUNT
    assert check_amount(Decimal(0), allow_zero=True) == 0


def test_format_by_locale() -> None:
    assert format_money(Decimal("1234.5"), "CNY", "zh_CN") == "¥1,234.50"
    assert format_money(Decimal("1234.5"), "CNY", "en") == "CN¥1,234.50"
    assert format_money(Decimal("1234.5"), "JPY", "en") == "¥1,235"
