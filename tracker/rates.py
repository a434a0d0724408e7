"""Interest and fee rates kept in the unit the lender quoted, converted with a day-count basis."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from tracker.errors import InvalidRate

#: Above this an annual rate is certainly a typing mistake (1000 % a year).
MAX_ANNUAL_RATE = Decimal(10)

#: The day-count bases lenders use: consumer apps quote daily × 365, banks and courts often 360.
DAY_COUNT_BASES = (365, 360)


class RateUnit(StrEnum):
    """The period a rate is quoted for."""

    DAY = "day"
    MONTH = "month"
    YEAR = "year"


@dataclass(frozen=True, slots=True)
class Rate:
    """A rate as a fraction per unit: ``Rate(Decimal("0.0005"), RateUnit.DAY)`` is 0.05 % a day."""

    value: Decimal
    unit: RateUnit

    def __post_init__(self) -> None:
        if not isinstance(self.value, Decimal) or not self.value.is_finite():
            raise InvalidRate(f"{self.value!r} is not a rate", code="rate_not_number")
        if self.value < 0:
            raise InvalidRate(f"{self.value} is negative", code="rate_negative")

    def annual(self, basis: int = 365) -> Decimal:
        """The nominal annual rate: daily × basis, monthly × 12."""
        _check_basis(basis)
        if self.unit is RateUnit.DAY:
            return self.value * basis
        if self.unit is RateUnit.MONTH:
            return self.value * 12
        return self.value

    def monthly(self, basis: int = 365) -> Decimal:
        """The nominal monthly rate (annual / 12); a monthly quote is returned unchanged."""
        if self.unit is RateUnit.MONTH:
            return self.value
        return self.annual(basis) / 12

    def daily(self, basis: int = 365) -> Decimal:
        """The daily rate (annual / basis); a daily quote is returned unchanged."""
        if self.unit is RateUnit.DAY:
            return self.value
        return self.annual(basis) / basis

    def percent(self) -> Decimal:
        """The quoted value in percent, normalised (0.0005 → 0.05)."""
        return (self.value * 100).normalize()

    def __str__(self) -> str:
        return f"{self.percent():f}%/{self.unit.value}"


ZERO_RATE = Rate(Decimal(0), RateUnit.YEAR)


def _check_basis(basis: int) -> None:
    if basis not in DAY_COUNT_BASES:
        raise InvalidRate(f"day-count basis must be 365 or 360, not {basis}", code="rate_basis")


def check_rate(rate: Rate, basis: int = 365) -> Rate:
    """Reject rates no lawful consumer lender charges (above 1000 % a year)."""
    if rate.annual(basis) > MAX_ANNUAL_RATE:
        raise InvalidRate(f"{rate} is implausibly high", code="rate_too_high")
    return rate
