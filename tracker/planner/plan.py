"""Planning every debt at once: shares, per-debt options, combinations and the ranking."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal

from tracker.money import ZERO
from tracker.planner.options import debt_options, lowest_payment
from tracker.planner.rows import Baseline, DebtContext, merge_by_month, summarise
from tracker.planner.split import priority, split_affordable
from tracker.planner.types import (
    DebtPlan,
    DebtSituation,
    Hardship,
    NotPlanned,
    Option,
    OptionKind,
    PlanResult,
    SplitRule,
    kind_order,
)

#: Kinds combined across debts (each debt without one keeps its current plan). Settlements are
#: left to the mixed option, which keeps their lump sums within the savings available.
_COMBINED_KINDS = (
    OptionKind.CURRENT,
    OptionKind.WAIVER,
    OptionKind.OVERDUE_INSTALLMENTS,
    OptionKind.LOWER_PAYMENT,
    OptionKind.EXTENSION_FROZEN,
    OptionKind.EXTENSION_INTEREST_ONLY,
    OptionKind.EXTENSION_PAUSE,
)


def rank(options: Iterable[Option]) -> tuple[Option, ...]:
    """Fitting options first, then the cheapest in total, then the fewest months."""
    return tuple(
        sorted(options, key=lambda o: (not o.fits, o.total_paid, o.months, kind_order(o.kind)))
    )


def plan_all(
    situations: Sequence[DebtSituation],
    hardship: Hardship,
    today: date,
    rule: SplitRule = SplitRule.PRO_RATA,
) -> PlanResult:
    """Options for every debt in the hardship's currency, combined and ranked."""
    if len({s.debt_id for s in situations}) != len(situations):
        raise ValueError("debt ids must be unique")
    planned: list[DebtSituation] = []
    skipped: list[NotPlanned] = []
    for s in situations:
        if s.currency != hardship.currency:
            skipped.append(NotPlanned(s.debt_id, s.name, s.currency, "other_currency"))
        elif s.owed_today == 0 and not s.remaining:
            skipped.append(NotPlanned(s.debt_id, s.name, s.currency, "nothing_owed"))
        else:
            planned.append(s)
    capacity = hardship.capacity(sum((s.monthly_payment for s in planned), ZERO))
    affordable = capacity.affordable
    floors = None
    if rule is not SplitRule.PRO_RATA:
        floors = {s.debt_id: lowest_payment(s, today) for s in planned}
    shares = split_affordable(affordable, planned, rule, floors)
    # Only when every need is met is anything left; any one debt may then use all of it.
    leftover = affordable - sum(shares.values(), ZERO)
    plans: list[DebtPlan] = []
    for s in planned:
        ctx = DebtContext(
            today=today,
            budget=shares[s.debt_id] + leftover,
            lump_available=hardship.lump_available,
            deferral_months=hardship.deferral_months,
            duration_months=hardship.duration_months,
        )
        options = rank(debt_options(s, ctx))
        current = next(o for o in options if o.kind is OptionKind.CURRENT)
        plans.append(
            DebtPlan(s.debt_id, s.name, shares[s.debt_id], ctx.budget, s.max_term, current, options)
        )
    combined: tuple[Option, ...] = ()
    if len(plans) > 1:
        order = [plans[i] for i in priority(planned, rule)]
        combined = _combine(plans, order, affordable, hardship)
        ranked = rank(combined)
    else:
        ranked = plans[0].options if plans else ()
    nothing_fits = bool(ranked) and not any(o.fits for o in ranked)
    shortfall = min(o.shortfall for o in ranked) if nothing_fits else ZERO
    return PlanResult(
        today=today,
        currency=hardship.currency,
        rule=rule,
        capacity=capacity,
        affordable=affordable,
        lump_available=hardship.lump_available,
        debts=tuple(plans),
        combined=combined,
        ranked=ranked,
        nothing_fits=nothing_fits,
        shortfall=shortfall,
        not_planned=tuple(skipped),
    )


def _combine(
    plans: Sequence[DebtPlan], order: Sequence[DebtPlan], affordable: Decimal, hardship: Hardship
) -> tuple[Option, ...]:
    """One option per kind across all debts, plus each debt's best option together."""
    out: list[Option] = []
    seen: set[tuple[OptionKind, ...]] = set()
    for kind in _COMBINED_KINDS:
        parts = [next((o for o in p.options if o.kind is kind), p.current) for p in plans]
        key = tuple(o.kind for o in parts)
        if kind is OptionKind.CURRENT or kind in key:
            seen.add(key)
            out.append(_joined(kind, parts, affordable, hardship))
    best = _best_parts(order, hardship.lump_available)
    mixed = [best[p.debt_id] for p in plans]
    if tuple(o.kind for o in mixed) not in seen:
        out.append(_joined(OptionKind.MIXED, mixed, affordable, hardship))
    return tuple(out)


def _best_parts(order: Sequence[DebtPlan], lump_available: Decimal) -> dict[int, Option]:
    """Each debt's best fitting option, savings spent once, in the split rule's order."""
    savings = lump_available
    best: dict[int, Option] = {}
    for plan in order:
        usable = [o for o in plan.options if o.lump_sum <= savings]
        fitting = [o for o in usable if o.fits]
        # With nothing fitting, the option closest to fitting (then the cheapest) is the ask.
        choice = fitting[0] if fitting else min(usable, key=lambda o: (o.shortfall, o.total_paid))
        savings -= choice.lump_sum
        best[plan.debt_id] = choice
    return best


def _joined(
    kind: OptionKind, parts: Sequence[Option], affordable: Decimal, hardship: Hardship
) -> Option:
    """The parts as one option: month totals judged against the whole affordable amount."""
    currents = [p.total_paid - p.vs_current_total for p in parts]
    monthlies = [p.typical_payment - p.vs_current_monthly for p in parts]
    lump = sum((p.lump_sum for p in parts), ZERO)
    repaid = sum((p.total_paid - p.interest_and_fees for p in parts), ZERO)
    rows_principal = sum((r.principal for p in parts for r in p.rows), ZERO)
    notes = tuple(dict.fromkeys(n for p in parts for n in p.notes))
    return summarise(
        kind,
        tuple(d for p in parts for d in p.debt_ids),
        parts[0].currency,
        merge_by_month(parts),
        budget=affordable,
        baseline=Baseline(sum(currents, ZERO), sum(monthlies, ZERO)),
        duration=hardship.duration_months,
        notes=notes,
        request={"debts": len(parts)},
        lump_sum=lump,
        lump_principal=repaid - rows_principal,
        lump_available=hardship.lump_available,
        parts=tuple(parts),
    )
