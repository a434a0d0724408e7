"""The options for one debt: keep paying, extend, lower the payment, waive, spread, settle."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date
from decimal import Decimal

from tracker.dates import add_months, monthly_due_dates
from tracker.money import ZERO, quantize, to_minor
from tracker.planner.rows import (
    Baseline,
    DebtContext,
    first_due,
    period_cost,
    reamortise,
    renumber,
    spread,
    summarise,
)
from tracker.planner.types import DISCOUNT_TIERS, DebtSituation, Note, Option, OptionKind, Params
from tracker.schedule_types import ScheduleRow
from tracker.storage.enums import DebtKind

_CONSENT = (Note.NEEDS_LENDER_CONSENT, Note.NOT_A_RIGHT)
_EXTENSIONS = {
    OptionKind.EXTENSION_PAUSE: (*_CONSENT, Note.INTEREST_CONTINUES),
    OptionKind.EXTENSION_INTEREST_ONLY: (*_CONSENT, Note.INTEREST_CONTINUES),
    OptionKind.EXTENSION_FROZEN: (*_CONSENT, Note.INTEREST_FROZEN_IF_AGREED),
}


def debt_options(debt: DebtSituation, ctx: DebtContext) -> list[Option]:
    """Every option for ``debt`` judged against ``ctx.budget``, the current plan first."""
    options = [current_option(debt, ctx), *extension_options(debt, ctx)]
    for build in (lower_payment_option, waiver_option, overdue_option, settlement_option):
        option = build(debt, ctx)
        if option is not None:
            options.append(option)
    return options


def lowest_payment(debt: DebtSituation, today: date) -> Decimal:
    """The smallest monthly ask that repays everything: the lot over the maximum term."""
    first = first_due(debt, today)
    day = _due_day(debt, first)
    rows = reamortise(debt, debt.principal, debt.max_term, first, debt.arrears_charges, day)
    return min(debt.need, max(r.payment for r in rows))


def current_option(debt: DebtSituation, ctx: DebtContext) -> Option:
    """Keep to the current plan, paying the arrears with the next installment."""
    rows = list(debt.remaining)
    if not rows:
        zero = quantize(ZERO, debt.currency)
        rows = [ScheduleRow(1, ctx.today, zero, zero, zero, zero, zero)]
    rows = _with_catch_up(debt, rows, [debt.arrears])
    return _option(debt, ctx, OptionKind.CURRENT, rows, (), {"lender": debt.name})


def extension_options(debt: DebtSituation, ctx: DebtContext) -> list[Option]:
    """Pause N months (nothing, interest only, or interest frozen), then re-amortise the rest.

    A flat-fee debt's "interest" is its period fee: each paused month costs one more P·f
    (deferred, paid, or frozen if the lender agrees), and the resumed rows still carry the
    remaining installments' fees (``rows.flat_fee_total``).
    """
    months = min(ctx.deferral_months, debt.max_term - 1)
    if months < 1:
        return []
    resume = min(max(len(debt.remaining), 1), debt.max_term - months)
    first = first_due(debt, ctx.today)
    day = _due_day(debt, first)
    dates = monthly_due_dates(first, months + resume, day)
    principal = debt.principal
    interests: list[Decimal] = []
    prev = add_months(first, -1, day)
    for due in dates[:months]:
        interests.append(period_cost(debt, principal, prev, due))
        prev = due
    zero = quantize(ZERO, debt.currency)
    options: list[Option] = []
    for kind, notes in _EXTENSIONS.items():
        paying = kind is OptionKind.EXTENSION_INTEREST_ONLY
        pause = [
            ScheduleRow(0, due, i if paying else zero, i if paying else zero, zero, zero, zero)
            for due, i in zip(dates[:months], interests, strict=True)
        ]
        # Paused interest is deferred, not forgiven: it is carried into the resumed rows.
        deferred = sum(interests, ZERO) if kind is OptionKind.EXTENSION_PAUSE else ZERO
        carry = debt.arrears_charges + deferred
        tail = reamortise(debt, principal, resume, dates[months], carry, day)
        request: Params = {
            "lender": debt.name,
            "months": months,
            "then_payment": max(r.payment for r in tail),
            "then_months": resume,
        }
        if paying:
            request["interest_payment"] = max(interests)
        rows = renumber(pause + tail, principal)
        options.append(_option(debt, ctx, kind, rows, notes, request))
    return options


def lower_payment_option(debt: DebtSituation, ctx: DebtContext) -> Option | None:
    """The shortest longer term whose every payment fits; at the maximum term if none does.

    A card repaid by its minimum (``revolving``) has no term to lengthen: when the minimums do
    not fit, this is the shortest fixed plan up to its maximum that does (个性化分期).
    """
    shortest = 1 if debt.revolving else max(len(debt.remaining), 1)
    if debt.max_term <= shortest:
        return None  # nothing to lengthen
    if debt.revolving and current_option(debt, ctx).fits:
        return None  # the minimums (and any arrears) already fit: nothing to ask
    first = first_due(debt, ctx.today)
    day = _due_day(debt, first)

    built: dict[int, list[ScheduleRow]] = {}

    def build(months: int) -> list[ScheduleRow]:
        if months not in built:
            rows = reamortise(debt, debt.principal, months, first, debt.arrears_charges, day)
            built[months] = renumber(rows, debt.principal)
        return built[months]

    def fits(months: int) -> bool:
        return max(r.payment for r in build(months)) <= ctx.budget

    if not debt.revolving and fits(shortest):
        return None  # the current term already fits once arrears are spread: nothing to ask
    months = _shortest(fits, shortest + 1, debt.max_term)
    rows = build(months)
    notes: tuple[Note, ...] = _CONSENT
    if debt.kind is DebtKind.CREDIT_CARD:
        notes += (Note.PERSONALISED_INSTALLMENTS,)
    request: Params = {
        "lender": debt.name,
        "payment": max(r.payment for r in rows),
        "months": months,
    }
    return _option(debt, ctx, OptionKind.LOWER_PAYMENT, rows, notes, request)


def waiver_option(debt: DebtSituation, ctx: DebtContext) -> Option | None:
    """Principal and fees only, interest and penalty waived, over the shortest term that fits.

    The fees kept are those already charged; fees of installments not yet due are waived with
    the interest (a flat-fee debt's period fees are its price of credit, as interest is).
    """
    owed = debt.principal + debt.charged_fees
    if owed == 0 or debt.plan_total <= owed:
        return None  # nothing to waive
    cur = debt.currency
    budget = to_minor(ctx.budget, cur)
    # ceil(owed / budget) equal shares are the fewest whose largest share fits the budget.
    months = -(-to_minor(owed, cur) // budget) if budget > 0 else debt.max_term
    months = min(max(months, 1), debt.max_term)
    first = first_due(debt, ctx.today)
    dates = monthly_due_dates(first, months, _due_day(debt, first))
    zero = quantize(ZERO, cur)
    fees_left = debt.charged_fees
    rows: list[ScheduleRow] = []
    for due, share in zip(dates, spread(owed, months, cur), strict=True):
        fee = min(fees_left, share)  # costs before principal (Civil Code art. 561)
        fees_left -= fee
        rows.append(ScheduleRow(0, due, share, zero, fee, share - fee, zero))
    notes = (*_CONSENT, Note.CREDIT_RECORD_STAYS)
    request: Params = {
        "lender": debt.name,
        "principal": owed,
        "payment": max(r.payment for r in rows),
        "months": months,
        "waived": debt.plan_total - owed,
    }
    rows = renumber(rows, debt.principal)
    return _option(debt, ctx, OptionKind.WAIVER, rows, notes, request)


def overdue_option(debt: DebtSituation, ctx: DebtContext) -> Option | None:
    """The arrears (penalty included) spread over the fewest months that fit beside the plan."""
    arrears = debt.arrears
    if arrears == 0 or debt.max_term < 2:
        return None
    cur = debt.currency
    base = [to_minor(r.payment, cur) for r in debt.remaining]
    units, budget = to_minor(arrears, cur), to_minor(ctx.budget, cur)

    def peak(months: int) -> int:
        share, extra = divmod(units, months)
        spread_peak = max(
            (base[j] if j < len(base) else 0) + share + (1 if j < extra else 0)
            for j in range(months)
        )
        return max(spread_peak, *base[months:], 0)

    if peak(1) <= budget:
        return None  # catching up at once fits: that is the current plan
    months = _shortest(lambda k: peak(k) <= budget, 2, debt.max_term)
    rows = list(debt.remaining)
    # Months past the current plan's end continue monthly after it (or from the next due date).
    anchor, offset = (rows[-1].due_date, 1) if rows else (first_due(debt, ctx.today), 0)
    day = _due_day(debt, rows[0].due_date if rows else anchor)
    zero = quantize(ZERO, cur)
    for k in range(months - len(rows)):
        due = add_months(anchor, offset + k, day)
        rows.append(ScheduleRow(0, due, zero, zero, zero, zero, zero))
    shares = spread(arrears, months, cur)
    rows = _with_catch_up(debt, rows, shares)
    notes = (Note.NEEDS_LENDER_CONSENT, Note.PENALTY_MAY_CONTINUE)
    request: Params = {
        "lender": debt.name,
        "overdue": arrears,
        "months": months,
        "extra": shares[0],
    }
    return _option(debt, ctx, OptionKind.OVERDUE_INSTALLMENTS, rows, notes, request)


def settlement_option(debt: DebtSituation, ctx: DebtContext) -> Option | None:
    """One lump sum from savings at the smallest discount they cover, if it saves anything.

    ``owed_today`` is the ledger's settle-today figure, which includes the later periods' fees
    of a flat-fee debt only when the lender charges them on payoff (``fees_on_payoff``, None
    taken as yes): the request states that assumption (``fees_on_payoff``: yes, no or unknown)
    and the fees it is about (``payoff_fees``), so the option can say what it assumed.
    """
    owed = debt.owed_today
    for percent in DISCOUNT_TIERS:
        amount = quantize(owed * (100 - percent) / 100, debt.currency)
        # Never offer a settlement that costs as much as simply keeping to the plan.
        if 0 < amount <= ctx.lump_available and amount < debt.plan_total:
            notes: tuple[Note, ...] = (Note.NEEDS_LENDER_CONSENT, Note.GET_IT_IN_WRITING)
            if percent:
                notes += (Note.NOT_A_RIGHT,)
            request: Params = {
                "lender": debt.name,
                "owed": owed,
                "amount": amount,
                "discount_percent": percent,
                "saving": debt.plan_total - amount,
            }
            if debt.later_fees > 0:
                request["payoff_fees"] = debt.later_fees
                request["fees_on_payoff"] = _answer(debt.fees_on_payoff)
            return _option(
                debt,
                ctx,
                OptionKind.SETTLEMENT,
                [],
                notes,
                request,
                lump_sum=amount,
                lump_principal=min(amount, debt.principal),
            )
    return None


def _answer(value: bool | None) -> str:
    return "unknown" if value is None else "yes" if value else "no"


def _shortest(fits: Callable[[int], bool], low: int, high: int) -> int:
    """The smallest k in low..high with fits(k), by bisection; ``high`` if none fits."""
    if low > high or not fits(high):
        return high
    while low < high:
        mid = (low + high) // 2
        if fits(mid):
            high = mid
        else:
            low = mid + 1
    return high


def _due_day(debt: DebtSituation, first: date) -> int:
    return debt.due_day or first.day


def _with_catch_up(
    debt: DebtSituation, rows: Sequence[ScheduleRow], shares: Sequence[Decimal]
) -> list[ScheduleRow]:
    """``rows`` with the arrears ``shares`` added, charges first, then overdue principal."""
    charges = debt.arrears_charges
    out: list[ScheduleRow] = []
    for k, row in enumerate(rows):
        share = shares[k] if k < len(shares) else ZERO
        charge = min(charges, share)
        charges -= charge
        out.append(
            replace(
                row,
                payment=row.payment + share,
                fee=row.fee + charge,
                principal=row.principal + share - charge,
            )
        )
    return renumber(out, debt.principal)


def _option(
    debt: DebtSituation,
    ctx: DebtContext,
    kind: OptionKind,
    rows: Sequence[ScheduleRow],
    notes: tuple[Note, ...],
    request: Params,
    *,
    lump_sum: Decimal = ZERO,
    lump_principal: Decimal = ZERO,
) -> Option:
    option = summarise(
        kind,
        (debt.debt_id,),
        debt.currency,
        rows,
        budget=ctx.budget,
        baseline=Baseline(debt.plan_total, debt.monthly_payment),
        duration=ctx.duration_months,
        notes=notes,
        request=request,
        lump_sum=lump_sum,
        lump_principal=lump_principal,
        lump_available=ctx.lump_available if lump_sum else None,
    )
    extra: tuple[Note, ...] = ()
    if debt.overdue > 0 and Note.CREDIT_RECORD_STAYS not in notes:
        extra += (Note.CREDIT_RECORD_STAYS,)  # the lateness is already on the credit report
    if kind is not OptionKind.CURRENT and option.vs_current_total > 0:
        extra += (Note.COSTS_MORE,)
    return replace(option, notes=notes + extra) if extra else option
