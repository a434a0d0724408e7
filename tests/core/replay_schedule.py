"""Independent arithmetic for schedule tests: exact rationals, written apart from tracker."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from fractions import Fraction

D = Decimal


def half_up(x: Fraction, digits: int = 2) -> Fraction:
    """``x`` rounded half up to ``digits`` decimals, as an exact rational."""
    scaled = x * 10**digits
    whole = scaled.numerator // scaled.denominator
    if scaled - whole >= Fraction(1, 2):
        whole += 1
    return Fraction(whole, 10**digits)


def as_decimal(x: Fraction, digits: int = 2) -> Decimal:
    """An exact rational with at most ``digits`` decimals as a Decimal."""
    scaled = x * 10**digits
    assert scaled.denominator == 1, f"{x} has more than {digits} decimals"
    return D(scaled.numerator).scaleb(-digits)


def daily_last_payment(
    principal: Fraction,
    annual: Fraction,
    basis: int,
    start: date,
    dates: Sequence[date],
    level: Fraction,
    digits: int = 2,
) -> Fraction:
    """The last row of a daily-accrual schedule whose earlier rows pay ``level``.

    Each period accrues ``balance × annual × actual days / basis``, rounded half up; a row
    whose interest is above the level pays its interest and no principal. 0 when the loan is
    repaid before the last row.
    """
    balance, prev = principal, start
    for due in dates[:-1]:
        interest = half_up(balance * annual * (due - prev).days / basis, digits)
        balance -= min(max(level - interest, Fraction(0)), balance)
        prev = due
    return balance + half_up(balance * annual * (dates[-1] - prev).days / basis, digits)


def assert_nearest_level(
    principal: Fraction,
    annual: Fraction,
    basis: int,
    start: date,
    dates: Sequence[date],
    level: Fraction,
    last: Fraction,
    digits: int = 2,
) -> None:
    """``level`` is the payment whose last row comes nearest to it (module rule of schedule.py).

    f(A) = last(A) − A falls as A rises; the level sits at the crossing f(lo) ≥ 0 > f(lo + 1),
    on the side with the smaller |f| (the lower on a tie), and never where the loan would be
    repaid before its last row.
    """
    unit = Fraction(1, 10**digits)

    def last_for(a: Fraction) -> Fraction:
        return daily_last_payment(principal, annual, basis, start, dates, a, digits)

    assert last_for(level) == last, "the rows do not replay"
    assert last > 0, "repaid before the last row"
    gap = last - level
    if gap >= 0:
        above = level + unit
        above_last = last_for(above)
        assert above_last - above < 0, "a larger payment still leaves the last row above it"
        assert above_last == 0 or gap <= above - above_last
    else:
        below = level - unit
        below_gap = last_for(below) - below
        assert below_gap >= 0, "a smaller payment still leaves the last row below it"
        assert -gap < below_gap
