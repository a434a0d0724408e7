"""Repayment schedules for the usual consumer-loan methods, and recomputing them after a prepayment.

Rounding: every amount is rounded half up to the currency's minor unit once per row, and the
rounding remainder lands in the last row, so principal sums to the loan exactly. Interest is
``balance × annual rate / 12`` (or ``× days / basis``) with the division done last, so an exact
half cent (x.xx5) rounds up as it should instead of landing just below half.

The first period runs from ``start_date`` (the money received; by default a month before
``first_due``) to ``first_due``; each method charges it the way the lender's method does:

* annuity, equal principal, interest-only: installment 1's interest is a regular month's,
  ``B·i``, plus the extra days at the daily rate, ``B × annual × extra / basis``, rounded once,
  where ``extra = days(start, first_due) − days(a month before first_due, first_due)``. It is
  negative when the first period is shorter than a month, so a short period costs less. Only
  installment 1's interest and payment change: the annuity's level payment and every row's
  principal are those of a regular first month.
* daily accrual: every period, the first included, accrues on its actual days. The level
  payment is the whole number of minor units that brings the last row nearest to it (a cent
  more a row moves the last row by the cent times every row after it, so it cannot always land
  within a cent), among the payments that do not repay the loan before its last row; ties go
  to the lower payment. Only a loan of fewer minor units than rows pays one minor unit a row
  and may end early.
* flat fee: the fee is per installment, whatever the length of the period.
* custom plans charge a month's interest per row, as agreed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal, localcontext
from fractions import Fraction
from itertools import pairwise

from tracker.dates import (
    add_months,
    days_between,
    days_in_month_before,
    monthly_due_dates,
)
from tracker.errors import InvalidTerms
from tracker.money import MAX_AMOUNT, ZERO, check_amount, from_minor, quantize, to_minor
from tracker.rates import DAY_COUNT_BASES, check_rate
from tracker.schedule_types import (
    LoanTerms,
    Method,
    PrepaymentMode,
    ScheduleRow,
    ScheduleTotals,
)

#: Fifty years of monthly installments: longer than any mortgage.
MAX_TERM = 600

#: Working precision for intermediate results; amounts are only rounded per row.
_PREC = 50

_LEVEL_PAYMENT = (Method.ANNUITY, Method.DAILY_ACCRUAL)

#: Secant steps before the level-payment search falls back to plain bisection.
_SECANT_STEPS = 8


@dataclass(frozen=True, slots=True)
class _Plan:
    """The shape of a regular row: a level payment, or a fixed principal step plus a fee."""

    payment: Decimal | None = None  # ANNUITY, DAILY_ACCRUAL
    step: Decimal = ZERO  # EQUAL_PRINCIPAL, FLAT_FEE; INTEREST_ONLY repays nothing until the end
    fee: Decimal = ZERO  # FLAT_FEE


def build_schedule(terms: LoanTerms) -> list[ScheduleRow]:
    """The installments for ``terms``, one row per period; raises InvalidTerms on bad terms."""
    start = validate_terms(terms)
    with localcontext(prec=_PREC):
        if terms.method is Method.CUSTOM:
            return _custom_rows(terms, start)
        dates = _due_dates(terms)
        plan = _fresh_plan(terms, terms.principal, dates, start)
        return _amortise(terms, terms.principal, dates, start, plan, 1, until_paid=False)


def totals(rows: Sequence[ScheduleRow]) -> ScheduleTotals:
    """Sums of payment, interest, fee and principal over ``rows``."""
    return ScheduleTotals(
        payment=sum((r.payment for r in rows), ZERO),
        interest=sum((r.interest for r in rows), ZERO),
        fee=sum((r.fee for r in rows), ZERO),
        principal=sum((r.principal for r in rows), ZERO),
    )


def reschedule_after_prepayment(
    terms: LoanTerms,
    rows: Sequence[ScheduleRow],
    paid_through: int,
    amount: Decimal,
    mode: PrepaymentMode,
) -> list[ScheduleRow]:
    """``rows`` after prepaying ``amount`` on row ``paid_through``'s due date, right after it.

    Rows before ``paid_through`` are unchanged. Row ``paid_through`` keeps its date, interest and
    fee, and its payment and principal grow by ``amount`` (its balance falls by it), so the
    rows still add up to the cash actually paid and principal still sums to the loan. The
    later rows are recomputed on their original dates: KEEP_TERM keeps their number and
    lowers the payment; KEEP_PAYMENT keeps the payment (the principal step for equal-principal
    and flat-fee plans) and drops the rows no longer needed. Prepaying the whole balance
    returns just rows 1..``paid_through``, the last with balance 0.
    """
    validate_terms(terms)
    check_amount(amount)
    _check_minor(amount, terms.currency, "prepay_precision")
    if terms.method is Method.CUSTOM:
        raise InvalidTerms("an agreed custom plan must be renegotiated", code="prepay_custom")
    if terms.method is Method.INTEREST_ONLY and mode is PrepaymentMode.KEEP_PAYMENT:
        # The principal is due at the end whatever is paid, so only the payment can fall.
        raise InvalidTerms("interest-only loans can only keep the term", code="prepay_mode")
    if not 1 <= paid_through <= len(rows):
        raise InvalidTerms(
            f"no installment {paid_through}", code="prepay_row", row=paid_through, rows=len(rows)
        )
    row = rows[paid_through - 1]
    if amount > row.balance:
        raise InvalidTerms(
            f"{amount} is more than the balance {row.balance}",
            code="prepay_exceeds_balance",
            balance=row.balance,
        )
    paid = replace(
        row,
        payment=row.payment + amount,
        principal=row.principal + amount,
        balance=row.balance - amount,
    )
    kept = [*rows[: paid_through - 1], paid]
    rest = rows[paid_through:]
    if paid.balance == 0 or not rest:
        return kept
    with localcontext(prec=_PREC):
        dates = [r.due_date for r in rest]
        plan = _plan_after(terms, rest, paid.balance, mode, row.due_date)
        until_paid = mode is PrepaymentMode.KEEP_PAYMENT
        new = _amortise(
            terms, paid.balance, dates, row.due_date, plan, paid_through + 1, until_paid
        )
    return kept + new


def validate_terms(terms: LoanTerms) -> date:
    """Raise InvalidTerms (or InvalidAmount/InvalidRate) unless ``terms`` make a schedule.

    Returns the effective start date (``start_date``, by default a month before ``first_due``).
    """
    term = terms.term
    if isinstance(term, bool) or not isinstance(term, int) or not 1 <= term <= MAX_TERM:
        raise InvalidTerms(
            f"term must be 1..{MAX_TERM}", code="term_range", term=term, max=MAX_TERM
        )
    _require_decimal(terms.principal, terms.fee_rate, terms.upfront_fee)
    check_amount(terms.principal)
    _check_minor(terms.principal, terms.currency, "principal_precision")
    if terms.day_count not in DAY_COUNT_BASES:
        raise InvalidTerms("day count must be 365 or 360", code="day_count", basis=terms.day_count)
    check_rate(terms.rate, terms.day_count)
    if not terms.fee_rate.is_finite() or not 0 <= terms.fee_rate < 1:
        raise InvalidTerms("fee rate must be at least 0 and below 1", code="fee_rate_range")
    check_amount(terms.upfront_fee, allow_zero=True)
    _check_minor(terms.upfront_fee, terms.currency, "upfront_fee_precision")
    if terms.upfront_fee >= terms.principal:
        raise InvalidTerms("the upfront fee swallows the loan", code="upfront_fee_range")
    if terms.due_day is not None and not 1 <= terms.due_day <= 31:
        raise InvalidTerms("due day must be 1..31", code="due_day_range", due_day=terms.due_day)
    _validate_method(terms)
    start = start_of(terms)
    if start >= terms.first_due:
        raise InvalidTerms(
            "the loan must start before the first due date",
            code="start_date_order",
            start=start,
            first_due=terms.first_due,
        )
    return start


def _validate_method(terms: LoanTerms) -> None:
    if terms.method is Method.FLAT_FEE and terms.rate.value > 0:
        # A flat-fee plan prices itself by fee_rate; silently dropping a rate would mislead.
        raise InvalidTerms("a flat-fee plan takes a fee rate, not a rate", code="flat_fee_rate")
    if terms.fee_rate > 0 and terms.method is not Method.FLAT_FEE:
        raise InvalidTerms("only flat-fee plans have a fee rate", code="fee_rate_method")
    if terms.method is not Method.CUSTOM:
        if terms.custom:
            raise InvalidTerms("installments given for a non-custom plan", code="custom_method")
        _due_dates(terms)  # raises date_range early
        return
    plan = terms.custom
    if not plan:
        raise InvalidTerms("a custom plan needs installments", code="custom_missing")
    if len(plan) != terms.term:
        raise InvalidTerms(
            "term must equal the number of installments", code="custom_term", count=len(plan)
        )
    if plan[0].due_date != terms.first_due:
        raise InvalidTerms("first_due must be the first installment", code="custom_first_due")
    for k, (a, b) in enumerate(pairwise(plan), start=2):
        if b.due_date <= a.due_date:
            raise InvalidTerms("installment dates must increase", code="custom_dates", index=k)
    for k, item in enumerate(plan, start=1):
        _require_decimal(item.amount)
        ok = item.amount.is_finite() and 0 < item.amount <= MAX_AMOUNT
        if not ok or item.amount != quantize(item.amount, terms.currency):
            raise InvalidTerms(
                f"installment {k} amount {item.amount} is invalid", code="custom_amount", index=k
            )


def _require_decimal(*values: object) -> None:
    for value in values:
        if not isinstance(value, Decimal):  # floats must never reach a money path
            raise TypeError(f"expected Decimal, got {type(value).__name__}")


def _check_minor(amount: Decimal, currency: str, code: str) -> None:
    if amount != quantize(amount, currency):
        raise InvalidTerms(f"{amount} has more digits than {currency} allows", code=code)


def start_of(terms: LoanTerms) -> date:
    """When the money was received: ``start_date``, by default a month before ``first_due``."""
    if terms.start_date is not None:
        return terms.start_date
    try:
        return add_months(terms.first_due, -1)
    except ValueError as exc:
        raise InvalidTerms(str(exc), code="date_range") from exc


def _due_dates(terms: LoanTerms) -> list[date]:
    try:
        return monthly_due_dates(terms.first_due, terms.term, terms.due_day)
    except ValueError as exc:
        raise InvalidTerms(str(exc), code="date_range") from exc


def _fresh_plan(terms: LoanTerms, balance: Decimal, dates: Sequence[date], prev: date) -> _Plan:
    """The plan that repays ``balance`` on ``dates`` from scratch, with interest from ``prev``."""
    if terms.method is Method.DAILY_ACCRUAL:
        return _Plan(payment=_daily_level_payment(terms, balance, dates, prev))
    if terms.method is Method.ANNUITY:
        return _Plan(payment=_annuity_payment(terms, balance, len(dates)))
    if terms.method is Method.INTEREST_ONLY:
        return _Plan()
    step = quantize(balance / len(dates), terms.currency)
    if terms.method is Method.FLAT_FEE:
        return _Plan(step=step, fee=quantize(terms.principal * terms.fee_rate, terms.currency))
    return _Plan(step=step)


def _plan_after(
    terms: LoanTerms,
    rest: Sequence[ScheduleRow],
    balance: Decimal,
    mode: PrepaymentMode,
    prepaid_on: date,
) -> _Plan:
    """The plan for the rows after a prepayment, taken from the next row where it is kept."""
    nxt = rest[0]
    if mode is PrepaymentMode.KEEP_PAYMENT:
        if terms.method in _LEVEL_PAYMENT:
            return _Plan(payment=nxt.payment)
        return _Plan(step=nxt.principal, fee=nxt.fee)
    plan = _fresh_plan(terms, balance, [r.due_date for r in rest], prepaid_on)
    # Rounding (an old step rounded down, drift in old balances) can put the recomputed
    # payment a minor unit above the old one; a prepayment must never raise it, so the last
    # row absorbs that unit instead.
    if plan.payment is not None:
        return _Plan(payment=min(plan.payment, nxt.payment))
    return _Plan(step=min(plan.step, nxt.principal), fee=nxt.fee)


def _annuity_payment(terms: LoanTerms, balance: Decimal, count: int) -> Decimal:
    """A = B·i(1+i)^n / ((1+i)^n − 1) rounded half up; B/n without interest."""
    i = terms.rate.annual(terms.day_count) / 12
    if i == 0:
        return quantize(balance / count, terms.currency)
    growth = (1 + i) ** count
    return quantize(balance * i * growth / (growth - 1), terms.currency)


def _daily_level_payment(
    terms: LoanTerms, balance: Decimal, dates: Sequence[date], prev: date
) -> Decimal:
    """The level payment whose last row on the actual days comes nearest to it.

    The annuity formula assumes equal months; on actual days its last row can end hundreds
    away from the others, or the loan is repaid years early. So the payment is solved on the
    schedule itself: ``_DailyRows`` replays ``_amortise`` exactly, and a safeguarded secant
    search on whole minor units finds where the last row crosses the payment.
    """
    guess = _annuity_payment(terms, balance, len(dates))
    if len(dates) == 1:
        return guess  # the only row is the last one: it pays whatever is owed
    rows = _DailyRows(terms, balance, dates, prev)
    cur = terms.currency
    level = _nearest_level(rows.last_payment, to_minor(guess, cur), rows.first_clearing())
    return from_minor(level, cur)


class _DailyRows:
    """A daily-accrual schedule in integer minor units, to try level payments quickly.

    For the annual rate a/b, ``round_half_up(B × a/b × days / basis)`` (what ``_interest``
    rounds) is ``(2·a·days·B + b·basis) // (2·b·basis)``: exact, with no Decimal per row.
    """

    __slots__ = ("balance", "factors", "half", "whole")

    def __init__(
        self, terms: LoanTerms, balance: Decimal, dates: Sequence[date], prev: date
    ) -> None:
        annual = Fraction(terms.rate.annual(terms.day_count))
        self.balance = to_minor(balance, terms.currency)
        self.half = annual.denominator * terms.day_count
        self.whole = 2 * self.half
        days = [days_between(a, b) for a, b in pairwise([prev, *dates])]
        self.factors = [2 * annual.numerator * d for d in days]

    def interest(self, balance: int, row: int) -> int:
        """Interest in minor units on ``balance`` for row ``row`` (0-based)."""
        return (balance * self.factors[row] + self.half) // self.whole

    def first_clearing(self) -> int:
        """A payment large enough to repay everything in row 1."""
        return self.balance + self.interest(self.balance, 0) + 1

    def last_payment(self, level: int) -> int:
        """The last row's payment when the rows before it pay ``level``; 0 if repaid early."""
        balance, half, whole = self.balance, self.half, self.whole
        for factor in self.factors[:-1]:
            interest = (balance * factor + half) // whole
            if interest < level:  # otherwise the row pays its interest and no principal
                balance -= min(level - interest, balance)
                if balance == 0:
                    return 0
        return balance + (balance * self.factors[-1] + half) // whole


def _nearest_level(last_payment: Callable[[int], int], guess: int, clearing: int) -> int:
    """The level payment in minor units by the rule in the module docstring.

    With ``f(A) = last_payment(A) − A`` strictly decreasing (a larger payment leaves less for
    the last row), find the crossing ``f(lo) ≥ 0 > f(lo + 1)``, then keep the nearer side.
    """
    seen: dict[int, int] = {}

    def last(level: int) -> int:
        if level not in seen:
            seen[level] = last_payment(level)
        return seen[level]

    # Paying nothing leaves the whole loan to the last row; ``clearing`` repays it in row 1.
    lo, hi = 0, clearing
    x, previous, steps = guess, (guess, 0), 0
    while hi - lo > 1:
        x = min(max(x, lo + 1), hi - 1)  # strictly inside the bracket, so each step narrows it
        fx = last(x) - x
        if fx >= 0:
            lo = x
        else:
            hi = x
        px, pf = previous
        if steps >= _SECANT_STEPS:
            nxt = (lo + hi) // 2  # the secant is for near-linear stretches; this always ends
        elif steps == 0 or pf == fx:
            nxt = x + 1 if fx >= 0 else x - 1  # a neighbour, to measure the slope
        else:
            nxt = x + (-fx * (x - px)) // (fx - pf)  # floor of the secant's root
        previous, x, steps = (x, fx), nxt, steps + 1
    if lo == 0:
        return 1  # fewer minor units than rows: a unit a row, repaid early
    if last(hi) == 0:
        return lo  # a unit more would repay the loan before its last row
    return hi if hi - last(hi) < last(lo) - lo else lo


def _interest(
    terms: LoanTerms, balance: Decimal, prev: date, due: date, *, first: bool = False
) -> Decimal:
    """Interest for the period ending ``due``: actual days for daily accrual, else a month.

    ``first`` marks installment 1, whose odd days are charged at the daily rate (see the module
    docstring); ``prev`` is then the start date.
    """
    if terms.method is Method.FLAT_FEE:
        return quantize(ZERO, terms.currency)
    annual = terms.rate.annual(terms.day_count)
    basis = terms.day_count
    if terms.method is Method.DAILY_ACCRUAL:
        raw = balance * annual * days_between(prev, due) / basis
    elif first:
        extra = days_between(prev, due) - days_in_month_before(due)
        # B·a/12 + B·a·extra/basis as one fraction, divided last like the regular month.
        raw = balance * annual * (basis + 12 * extra) / (12 * basis)
    else:
        raw = balance * annual / 12
    return quantize(raw, terms.currency)


def _amortise(
    terms: LoanTerms,
    balance: Decimal,
    dates: Sequence[date],
    prev: date,
    plan: _Plan,
    first_number: int,
    until_paid: bool,
) -> list[ScheduleRow]:
    """Rows repaying ``balance`` on ``dates``; the last row takes whatever balance is left."""
    rows: list[ScheduleRow] = []
    for k, due in enumerate(dates):
        interest = split = _interest(terms, balance, prev, due)
        if k == 0 and first_number == 1 and terms.method is not Method.DAILY_ACCRUAL:
            # Odd days change installment 1's interest only; principal follows a regular month.
            interest = _interest(terms, balance, prev, due, first=True)
        if k == len(dates) - 1:
            principal = balance
        elif plan.payment is not None:
            # Interest above the payment (extreme daily rates) must not grow the balance.
            principal = min(max(plan.payment - split, ZERO), balance)
        else:
            principal = min(plan.step, balance)
        balance -= principal
        fee = quantize(plan.fee, terms.currency)  # "0.00", not "0", in every row
        payment = principal + interest + fee
        rows.append(ScheduleRow(first_number + k, due, payment, interest, fee, principal, balance))
        prev = due
        if until_paid and balance == 0:
            break
    return rows


def _custom_rows(terms: LoanTerms, prev: date) -> list[ScheduleRow]:
    """Agreed installments: interest first (capped), then principal, any excess is a fee."""
    balance = terms.principal
    rows: list[ScheduleRow] = []
    for k, item in enumerate(terms.custom, start=1):
        interest = min(_interest(terms, balance, prev, item.due_date), item.amount)
        principal = min(item.amount - interest, balance)
        fee = item.amount - interest - principal
        balance -= principal
        rows.append(ScheduleRow(k, item.due_date, item.amount, interest, fee, principal, balance))
        prev = item.due_date
    if balance > 0:
        raise InvalidTerms(
            f"the plan leaves {balance} unpaid", code="custom_short", shortfall=balance
        )
    return rows
