"""The true cost of a loan as an annualised rate: IRR over the real cash flows, fees included.

PBOC announcement 〔2021〕No. 3 asks lenders to quote this figure: solve
``net disbursed = Σ payment_k / (1 + r)^k``, then simple = 12·r and compound = (1 + r)^12 − 1.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, localcontext

from tracker.errors import InvalidTerms
from tracker.schedule_types import LoanTerms, ScheduleRow

#: Working precision; the rate is solved to well below 1e-12 and reported to 1e-15.
_PREC = 50
_STEP = Decimal("1e-16")
_PLACES = Decimal("1e-15")

#: Bracket search limit: 2^60 per period is no loan, and −1 + 2^−60 repays almost nothing.
_MAX_DOUBLINGS = 60


@dataclass(frozen=True, slots=True)
class AnnualisedRate:
    """A periodic IRR and its annual forms, as fractions (0.128 is 12.8 %)."""

    periodic: Decimal
    simple: Decimal  # periodic × periods_per_year, the figure lenders must quote
    compound: Decimal  # (1 + periodic)^periods_per_year − 1
    periods_per_year: int = 12


def periodic_irr(net_disbursed: Decimal, payments: Sequence[Decimal]) -> Decimal:
    """The rate r per period with ``net_disbursed = Σ payments[k-1] / (1 + r)^k``.

    Negative when less is repaid than received. Raises InvalidTerms when no rate exists
    (nothing received, nothing repaid, or a negative payment).
    """
    if not isinstance(net_disbursed, Decimal) or not all(isinstance(p, Decimal) for p in payments):
        raise TypeError("money must be Decimal")
    if not net_disbursed.is_finite() or net_disbursed <= 0:
        raise InvalidTerms("nothing was received", code="irr_no_solution", reason="net")
    if not payments or any(not p.is_finite() or p < 0 for p in payments) or not any(payments):
        raise InvalidTerms("no repayments to solve for", code="irr_no_solution", reason="payments")
    total = sum(payments, Decimal(0))
    if total == net_disbursed:
        return Decimal(0)
    with localcontext(prec=_PREC):
        lo, hi = _bracket(net_disbursed, payments, above=total > net_disbursed)
        # Present value falls as the rate rises, so plain bisection cannot miss the root.
        while hi - lo > _STEP:
            mid = (lo + hi) / 2
            if _present_value(payments, mid) > net_disbursed:
                lo = mid
            else:
                hi = mid
        return ((lo + hi) / 2).quantize(_PLACES)


def annualised_rate(
    net_disbursed: Decimal, payments: Sequence[Decimal], periods_per_year: int = 12
) -> AnnualisedRate:
    """The IRR of the cash flows, as simple and compound annual rates."""
    if isinstance(periods_per_year, bool) or not isinstance(periods_per_year, int):
        raise TypeError("periods_per_year must be int")
    if periods_per_year < 1:
        raise InvalidTerms("periods per year must be positive", code="periods_per_year")
    r = periodic_irr(net_disbursed, payments)
    with localcontext(prec=_PREC):
        compound = ((1 + r) ** periods_per_year - 1).quantize(_PLACES)
    return AnnualisedRate(r, r * periods_per_year, compound, periods_per_year)


def schedule_apr(terms: LoanTerms, rows: Sequence[ScheduleRow]) -> AnnualisedRate:
    """The annualised rate of a schedule: principal less upfront fee in, row payments out.

    Rows are taken as monthly periods even when their dates are not a month apart (custom
    plans, a short first period): the announcement's method is periodic, and the error of a
    few days is far below the gap between a quoted and a true rate this is meant to expose.
    """
    return annualised_rate(terms.principal - terms.upfront_fee, [r.payment for r in rows])


def _present_value(payments: Sequence[Decimal], rate: Decimal) -> Decimal:
    """Σ payments[k-1]·v^k with v = 1/(1+rate), by Horner's rule."""
    v = 1 / (1 + rate)
    acc = Decimal(0)
    for p in reversed(payments):
        acc = (acc + p) * v
    return acc


def _bracket(net: Decimal, payments: Sequence[Decimal], *, above: bool) -> tuple[Decimal, Decimal]:
    """Rates lo < hi with PV(lo) > net ≥ PV(hi); ``above`` when the root is positive."""
    if above:
        hi = Decimal(1)
        for _ in range(_MAX_DOUBLINGS):
            if _present_value(payments, hi) <= net:
                return Decimal(0), hi
            hi *= 2
    else:
        gap = Decimal(1) / 2  # lo = −1 + gap, halving the gap towards −1
        for _ in range(_MAX_DOUBLINGS):
            if _present_value(payments, gap - 1) > net:
                return gap - 1, Decimal(0)
            gap /= 2
    raise InvalidTerms("no rate matches these cash flows", code="irr_no_solution", reason="range")
