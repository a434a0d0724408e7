"""Building blocks for option schedules: spreading amounts, re-amortising, summing up."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from tracker.dates import add_months, days_between, monthly_due_dates
from tracker.money import ZERO, from_minor, quantize, to_minor
from tracker.planner.types import DebtSituation, Note, Option, OptionKind, Params, totals_of
from tracker.schedule import build_schedule
from tracker.schedule_types import LoanTerms, Method, ScheduleRow

#: Methods a proposal keeps; a flat fee is priced by its period fee (``flat_fee_total``), and
#: the rest are re-amortised as annuities at their rate (a balloon or a hand-made list cannot
#: be stretched meaningfully).
KEPT_METHODS = (Method.ANNUITY, Method.EQUAL_PRINCIPAL, Method.DAILY_ACCRUAL)


@dataclass(frozen=True, slots=True)
class DebtContext:
    """What the option builders need besides the debt itself."""

    today: date
    budget: Decimal
    lump_available: Decimal
    deferral_months: int
    duration_months: int | None


def spread(amount: Decimal, count: int, currency: str) -> list[Decimal]:
    """``amount`` in ``count`` shares at most a minor unit apart, the larger ones first."""
    base, extra = divmod(to_minor(amount, currency), count)
    return [from_minor(base + (1 if k < extra else 0), currency) for k in range(count)]


def first_due(debt: DebtSituation, today: date) -> date:
    """When a new plan's first installment falls: the next scheduled date, or in a month."""
    if debt.remaining:
        return debt.remaining[0].due_date
    return add_months(today, 1, debt.due_day)


def period_interest(debt: DebtSituation, balance: Decimal, prev: date, due: date) -> Decimal:
    """Interest on ``balance`` for the period ending ``due``, as tracker.schedule charges it."""
    annual = debt.rate.annual(debt.day_count)
    if debt.method is Method.DAILY_ACCRUAL:
        raw = balance * annual * days_between(prev, due) / debt.day_count
    else:
        raw = balance * annual / 12
    return quantize(raw, debt.currency)


def period_cost(debt: DebtSituation, balance: Decimal, prev: date, due: date) -> Decimal:
    """What one more month of the debt costs: its period fee (flat fee), else its interest."""
    if debt.is_flat_fee:
        return debt.period_fee
    return period_interest(debt, balance, prev, due)


def flat_fee_total(debt: DebtSituation, count: int) -> Decimal:
    """The fees a flat-fee re-plan of the whole outstanding principal over ``count`` months
    charges: the remaining installments' fees, plus one period fee for each month beyond them.

    The pricing rule for 分期手续费 debts (白条, card installments): the fee is P·f on the
    ORIGINAL principal, so what the current plan still costs is the remaining principal plus
    the remaining installments' fees, and a re-plan never costs less than that: the lender
    keeps charging P·f a period, as 白条 and card re-installments are charged. Re-amortising
    the balance at the plan's annualised rate (what the planner used to do) charges interest
    on a falling balance instead, and comes out cheaper than the installments it replaces.
    Pauses are priced by their builders (a month's ``period_cost`` each, or nothing when the
    lender agrees to freeze it); only a waiver asks the lender to drop the remaining fees.
    """
    extra = max(0, count - len(debt.remaining))
    return debt.remaining_fees + debt.period_fee * extra


def reamortise(
    debt: DebtSituation,
    principal: Decimal,
    count: int,
    first: date,
    carry: Decimal,
    due_day: int,
) -> list[ScheduleRow]:
    """``principal`` repaid over ``count`` months from ``first``; ``carry`` spread as fees.

    A flat-fee debt (``principal`` is then all it owes) repays equal principal shares with
    ``flat_fee_total`` spread as fees on top; any other is rebuilt by its method at its rate.
    """
    # Carried charges (arrears, deferred interest, penalty) bear no interest: the plan asks the
    # lender to roll them in, not to compound them, and principal stays exactly ``principal``.
    cur = debt.currency
    if debt.is_flat_fee:
        dates = monthly_due_dates(first, count, due_day)
        zero = quantize(ZERO, cur)
        fees = spread(flat_fee_total(debt, count), count, cur)
        parts = zip(dates, spread(principal, count, cur), fees, strict=True)
        rows = [ScheduleRow(k, d, p + f, zero, f, p, zero) for k, (d, p, f) in enumerate(parts, 1)]
    elif principal > 0:
        method = debt.method if debt.method in KEPT_METHODS else Method.ANNUITY
        terms = LoanTerms(
            principal=principal,
            rate=debt.rate,
            term=count,
            method=method,
            first_due=first,
            currency=cur,
            day_count=debt.day_count,
            due_day=due_day,
        )
        rows = build_schedule(terms)
    else:
        zero = quantize(ZERO, cur)
        dates = monthly_due_dates(first, count, due_day)
        rows = [ScheduleRow(k, d, zero, zero, zero, zero, zero) for k, d in enumerate(dates, 1)]
    shares = spread(carry, count, cur)
    return [
        replace(r, payment=r.payment + c, fee=r.fee + c) for r, c in zip(rows, shares, strict=True)
    ]


def renumber(rows: Sequence[ScheduleRow], principal: Decimal) -> list[ScheduleRow]:
    """``rows`` numbered from 1 with balances recomputed from ``principal``."""
    out: list[ScheduleRow] = []
    balance = principal
    for number, row in enumerate(rows, 1):
        balance -= row.principal
        out.append(replace(row, number=number, balance=balance))
    return out


def typical(payments: Sequence[Decimal]) -> Decimal:
    """The payment most months ask (the larger on a tie); zero without payments."""
    if not payments:
        return ZERO
    counts = Counter(payments)
    return max(counts, key=lambda p: (counts[p], p))


@dataclass(frozen=True, slots=True)
class Baseline:
    """The current plan's figures that every option is compared with."""

    total: Decimal
    monthly: Decimal


def summarise(
    kind: OptionKind,
    debt_ids: tuple[int, ...],
    currency: str,
    rows: Sequence[ScheduleRow],
    *,
    budget: Decimal,
    baseline: Baseline,
    duration: int | None,
    notes: tuple[Note, ...],
    request: Params,
    lump_sum: Decimal = ZERO,
    lump_principal: Decimal = ZERO,
    lump_available: Decimal | None = None,
    parts: tuple[Option, ...] = (),
) -> Option:
    """An Option with its figures computed from ``rows`` and the lump sum."""
    payments = [r.payment for r in rows]
    paid, principal = totals_of(rows)
    total = paid + lump_sum
    highest = max(payments, default=ZERO)
    margin = budget - highest
    hardship_margin = None
    if duration is not None:
        hardship_margin = budget - max(payments[:duration], default=ZERO)
    lump_ok = lump_available is None or lump_sum <= lump_available
    common = typical(payments)
    return Option(
        kind=kind,
        debt_ids=debt_ids,
        currency=currency,
        rows=tuple(rows),
        lump_sum=lump_sum,
        budget=budget,
        typical_payment=common,
        first_payment=payments[0] if payments else ZERO,
        max_payment=highest,
        months=len(rows),
        total_paid=total,
        interest_and_fees=total - principal - lump_principal,
        vs_current_total=total - baseline.total,
        vs_current_monthly=common - baseline.monthly,
        fits=margin >= 0 and lump_ok,
        margin=margin,
        hardship_margin=hardship_margin,
        notes=notes,
        request=request,
        parts=parts,
    )


def merge_by_month(parts: Sequence[Option]) -> list[ScheduleRow]:
    """The parts' rows summed per calendar month, dated on the month's last due date."""
    buckets: dict[tuple[int, int], list[ScheduleRow]] = {}
    for part in parts:
        for row in part.rows:
            buckets.setdefault((row.due_date.year, row.due_date.month), []).append(row)
    merged: list[ScheduleRow] = []
    for key in sorted(buckets):
        group = buckets[key]
        merged.append(
            ScheduleRow(
                number=0,
                due_date=max(r.due_date for r in group),
                payment=sum((r.payment for r in group), ZERO),
                interest=sum((r.interest for r in group), ZERO),
                fee=sum((r.fee for r in group), ZERO),
                principal=sum((r.principal for r in group), ZERO),
                balance=ZERO,
            )
        )
    repaid = sum((r.principal for r in merged), ZERO)
    return renumber(merged, repaid)
