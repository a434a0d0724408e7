"""Exact money: Decimal in code, integer minor units in storage, ROUND_HALF_UP everywhere."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from babel.numbers import format_currency, get_currency_precision

from tracker.errors import InvalidAmount

ZERO = Decimal(0)

#: The largest amount we accept anywhere (10^12 major units): beyond any consumer debt, and it
#: keeps minor units well inside a signed 64-bit integer column.
MAX_AMOUNT = Decimal(10) ** 12


@lru_cache(maxsize=64)
def minor_digits(currency: str) -> int:
    """Digits after the decimal point for a currency (CNY 2, JPY 0), from CLDR via Babel."""
    return int(get_currency_precision(currency.upper()))


@lru_cache(maxsize=64)
def _exponent(currency: str) -> Decimal:
    return Decimal(1).scaleb(-minor_digits(currency))


def quantize(amount: Decimal, currency: str) -> Decimal:
    """Round to the currency's minor unit, half up (1.855 → 1.86)."""
    if not isinstance(amount, Decimal):  # floats must never reach a money path
        raise TypeError(f"money must be Decimal, got {type(amount).__name__}")
    return amount.quantize(_exponent(currency), rounding=ROUND_HALF_UP)


def to_minor(amount: Decimal, currency: str) -> int:
    """Convert an amount to integer minor units (¥12.34 → 1234), rounding half up first."""
    return int(quantize(amount, currency).scaleb(minor_digits(currency)))


def from_minor(units: int, currency: str) -> Decimal:
    """Convert integer minor units back to a Decimal amount of the currency's precision."""
    if not isinstance(units, int) or isinstance(units, bool):
        raise TypeError(f"minor units must be int, got {type(units).__name__}")
    return quantize(Decimal(units).scaleb(-minor_digits(currency)), currency)


def check_amount(amount: Decimal, *, allow_zero: bool = False) -> Decimal:
    """Reject negative, zero (unless allowed), non-finite and absurdly large amounts."""
    if not amount.is_finite():
        raise InvalidAmount(f"{amount} is not a number", code="amount_not_number")
    if amount < 0:
        raise InvalidAmount(f"{amount} is negative", code="amount_negative")
    if amount == 0 and not allow_zero:
        raise InvalidAmount("the amount is zero", code="amount_zero")
    if amount > MAX_AMOUNT:
        raise InvalidAmount(f"{amount} is too large", code="amount_too_large", limit=MAX_AMOUNT)
    return amount


def format_money(amount: Decimal, currency: str, locale: str = "en") -> str:
    """Format an amount for a person in their locale (¥1,234.50 / CN¥1,234.50)."""
    return str(format_currency(quantize(amount, currency), currency.upper(), locale=locale))
