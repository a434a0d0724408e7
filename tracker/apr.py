"""The true cost of a loan as an annualised rate: IRR over the real cash flows, fees included.

PBOC announcement 〔2021〕No. 3 asks lenders to quote this figure: solve
``net disbursed = Σ payment_k / (1 + r)^k``, then simple = 12·r and compound = (1 + r)^12 − 1.

The announcement counts periods, as if every row fell a month after the one before. A
schedule's rows do not always (a 45-day first period, an agreed plan on arbitrary dates), so
``schedule_apr`` solves on the actual dates, an XIRR: ``net = Σ payment_k / (1 + r)^t_k`` with
``t_k`` the time from the money received to row k in months, whole calendar months plus the
days left over at 12/365 of a month each (actual/365; ``tracker.dates.months_and_days``).
Then simple = 12·r is the nominal annual rate and compound = (1 + r)^12 − 1 the effective
annual rate, the XIRR with years of 12 months or 365 days. When the rows are whole months after
the start, t_k = k and this is the announcement's equation, so its published figures hold to
the digit (the same code path computes them). A pure actual/365 XIRR would not: months of 28 to
31 days move the published 13.58 % compound figure between 13.54 % and 13.69 % with the start date.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, localcontext

from tracker.dates import months_and_days
from tracker.errors import InvalidTerms
from tracker.schedule import start_of
from tracker.schedule_types import LoanTerms, ScheduleRow

#: Working precision; the rate is solved to well below 1e-12 and reported to 1e-15.
_PREC = 50
_STEP = Decimal("1e-16")
_PLACES = Decimal("1e-15")

#: Bracket search limit: 2^60 per period is no loan, and −1 + 2^−60 repays almost nothing.
_MAX_DOUBLINGS = 60

#: Days in the year that leftover days are counted against (actual/365).
_YEAR_DAYS = 365

#: A flow's time from the start: whole calendar months and the days left over.
_When = tuple[int, int]


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
    _check_flows(net_disbursed, payments)
    return _solve(net_disbursed, payments, lambda rate: _present_value(payments, rate))


def dated_irr(
    net_disbursed: Decimal, start: date, flows: Sequence[tuple[date, Decimal]]
) -> Decimal:
    """The monthly rate r with ``net_disbursed = Σ amount / (1 + r)^t``, t in months from ``start``.

    ``t`` is whole calendar months plus leftover days at 12/365 of a month (module docstring);
    for flows whole months after ``start`` this is ``periodic_irr`` exactly. Raises
    InvalidTerms as ``periodic_irr`` does, and for a flow dated before ``start``.
    """
    payments = [amount for _, amount in flows]
    _check_flows(net_disbursed, payments)
    if any(when < start for when, _ in flows):
        raise InvalidTerms("a payment before the money", code="irr_no_solution", reason="dates")
    times = [months_and_days(start, when) for when, _ in flows]
    if times == [(k, 0) for k in range(1, len(times) + 1)]:
        return periodic_irr(net_disbursed, payments)
    return _solve(net_disbursed, payments, _dated_value(payments, times))


def annualised_rate(
    net_disbursed: Decimal, payments: Sequence[Decimal], periods_per_year: int = 12
) -> AnnualisedRate:
    """The IRR of the cash flows, as simple and compound annual rates."""
    if isinstance(periods_per_year, bool) or not isinstance(periods_per_year, int):
        raise TypeError("periods_per_year must be int")
    if periods_per_year < 1:
        raise InvalidTerms("periods per year must be positive", code="periods_per_year")
    return _annual_forms(periodic_irr(net_disbursed, payments), periods_per_year)


def schedule_apr(terms: LoanTerms, rows: Sequence[ScheduleRow]) -> AnnualisedRate:
    """The annualised rate of a schedule: principal less upfront fee in, row payments out.

    Solved on the rows' actual dates from the day the money was received (``dated_irr``):
    a 45-day first period counts as a month and 14 days, not as a month.
    """
    net = terms.principal - terms.upfront_fee
    r = dated_irr(net, start_of(terms), [(row.due_date, row.payment) for row in rows])
    return _annual_forms(r, 12)


def _check_flows(net_disbursed: Decimal, payments: Sequence[Decimal]) -> None:
    if not isinstance(net_disbursed, Decimal) or not all(isinstance(p, Decimal) for p in payments):
        raise TypeError("money must be Decimal")
    if not net_disbursed.is_finite() or net_disbursed <= 0:
        raise InvalidTerms("nothing was received", code="irr_no_solution", reason="net")
    if not payments or any(not p.is_finite() or p < 0 for p in payments) or not any(payments):
        raise InvalidTerms("no repayments to solve for", code="irr_no_solution", reason="payments")


def _solve(
    net: Decimal, payments: Sequence[Decimal], value: Callable[[Decimal], Decimal]
) -> Decimal:
    """The rate where ``value`` (present value, falling as the rate rises) meets ``net``."""
    total = sum(payments, Decimal(0))
    if total == net:
        return Decimal(0)
    with localcontext(prec=_PREC):
        lo, hi = _bracket(net, value, above=total > net)
        # Present value falls as the rate rises, so plain bisection cannot miss the root.
        while hi - lo > _STEP:
            mid = (lo + hi) / 2
            if value(mid) > net:
                lo = mid
            else:
                hi = mid
        return ((lo + hi) / 2).quantize(_PLACES)


def _annual_forms(r: Decimal, periods_per_year: int) -> AnnualisedRate:
    with localcontext(prec=_PREC):
        compound = ((1 + r) ** periods_per_year - 1).quantize(_PLACES)
    return AnnualisedRate(r, r * periods_per_year, compound, periods_per_year)


def _present_value(payments: Sequence[Decimal], rate: Decimal) -> Decimal:
    """Σ payments[k-1]·v^k with v = 1/(1+rate), by Horner's rule."""
    v = 1 / (1 + rate)
    acc = Decimal(0)
    for p in reversed(payments):
        acc = (acc + p) * v
    return acc


def _dated_value(
    payments: Sequence[Decimal], times: Sequence[_When]
) -> Callable[[Decimal], Decimal]:
    """rate ↦ Σ payments[k]·v^t_k with v = 1/(1+rate), t_k = months + days·12/365 (Horner).

    Each Horner step multiplies by v^(t_k − t_{k−1}); a schedule's rows take one or two
    distinct steps, so each is raised once per rate, and the fractional power once per rate.
    """
    gaps = [
        (months - before[0], days - before[1])
        for (months, days), before in zip(times, [(0, 0), *times[:-1]], strict=True)
    ]
    distinct = sorted(set(gaps))
    index = [distinct.index(gap) for gap in gaps]
    steps = list(zip(reversed(payments), reversed(index), strict=True))

    def value(rate: Decimal) -> Decimal:
        grow = (1 + rate).ln()
        v = 1 / (1 + rate)
        day = (grow * Decimal(-12) / _YEAR_DAYS).exp()  # v^(12/365): one day's discount
        factors = [v**months * day**days for months, days in distinct]
        acc = Decimal(0)
        for payment, k in steps:
            acc = (acc + payment) * factors[k]
        return acc

    return value


def _bracket(
    net: Decimal, value: Callable[[Decimal], Decimal], *, above: bool
) -> tuple[Decimal, Decimal]:
    """Rates lo < hi with value(lo) > net ≥ value(hi); ``above`` when the root is positive."""
    if above:
        hi = Decimal(1)
        for _ in range(_MAX_DOUBLINGS):
            if value(hi) <= net:
                return Decimal(0), hi
            hi *= 2
    else:
        gap = Decimal(1) / 2  # lo = −1 + gap, halving the gap towards −1
        for _ in range(_MAX_DOUBLINGS):
            if value(gap - 1) > net:
                return gap - 1, Decimal(0)
            gap /= 2
    raise InvalidTerms("no rate matches these cash flows", code="irr_no_solution", reason="range")
