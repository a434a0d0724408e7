"""Planning every debt at once: shares, per-debt options, combinations and the ranking."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
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
    Why,
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


#: How likely a lender is to accept each kind of ask, likeliest first (``acceptance``).
#: "settlement" is a full payoff at no discount; "settlement_discounted" one that asks a discount.
_LIKELIEST_NOT_OVERDUE: tuple[str, ...] = (
    OptionKind.CURRENT,
    "settlement",
    OptionKind.LOWER_PAYMENT,
    OptionKind.EXTENSION_INTEREST_ONLY,
    OptionKind.EXTENSION_PAUSE,
    "settlement_discounted",
    OptionKind.EXTENSION_FROZEN,
    OptionKind.OVERDUE_INSTALLMENTS,
    OptionKind.WAIVER,
)
_LIKELIEST_OVERDUE: tuple[str, ...] = (
    OptionKind.CURRENT,
    OptionKind.OVERDUE_INSTALLMENTS,
    "settlement",
    OptionKind.LOWER_PAYMENT,
    OptionKind.EXTENSION_INTEREST_ONLY,
    OptionKind.EXTENSION_PAUSE,
    "settlement_discounted",
    OptionKind.WAIVER,
    OptionKind.EXTENSION_FROZEN,
)


def acceptance(kind: OptionKind, *, overdue: bool, discounted: bool = False) -> int:
    """How likely a lender is to accept ``kind`` for one debt: 0 is likeliest.

    The order follows ../shared/domain-notes.md, "Hardship arrangements": keeping to the plan
    asks nothing; paying off in full from savings (no discount) is an early repayment the
    lender takes; an extension (展期) or a longer plan (个性化分期 for cards, art. 70) needs
    consent (Civil Code art. 678) but keeps the lender's interest, so it comes before asks
    that give interest up; penalty or interest waivers and settlement discounts are
    discretionary, and 停息挂账-style freezes the last resort.

    - Nothing overdue: current plan; full settlement; lower payment over a longer term;
      interest only for a while; a pause with interest running; a discounted settlement (the
      lender gets cash now); a pause with interest frozen (it gives interest up and waits);
      (arrears in installments: none to spread); a waiver of all future interest — the least
      likely ask from a borrower who is not behind.
    - Something overdue: current plan (catching up at once); the overdue amount in
      installments beside the plan, which lenders agree to most readily; full settlement;
      lower payment; interest only; pause; a discounted settlement (common on arrears); a
      waiver of interest and penalty; a freeze.

    A settlement exists only when the savings cover it (``options.settlement_option``).
    """
    order = _LIKELIEST_OVERDUE if overdue else _LIKELIEST_NOT_OVERDUE
    if kind is OptionKind.SETTLEMENT:
        return order.index("settlement_discounted" if discounted else "settlement")
    if kind is OptionKind.MIXED:
        return len(order)  # a combination: judged by its parts (``likelihood``)
    return order.index(kind)


def likelihood(option: Option, overdue: Collection[int] = ()) -> tuple[int, ...]:
    """``acceptance`` of each debt's part, hardest ask first (smaller sorts likelier).

    ``overdue`` holds the ids of the debts with something past due. Across debts the hardest
    ask decides, then the next hardest: asking one lender for a waiver is likelier to work out
    than asking two.
    """
    parts = option.parts or (option,)
    return tuple(
        sorted(
            (
                acceptance(
                    p.kind,
                    overdue=p.debt_ids[0] in overdue,
                    discounted=int(p.request.get("discount_percent", 0)) > 0,
                )
                for p in parts
            ),
            reverse=True,
        )
    )


def rank(options: Iterable[Option], overdue: Collection[int] = ()) -> tuple[Option, ...]:
    """Fitting options first, likeliest to be accepted first, then cheapest, then shortest.

    An option that does not fit never ranks above one that does. Among those that do not fit,
    the closest to fitting (the smallest monthly shortfall) comes first: that is the ask to
    start from. ``overdue``: the ids of the debts with something past due (``acceptance``).
    """

    def key(o: Option) -> tuple[object, ...]:
        if o.fits:
            return (0, ZERO, likelihood(o, overdue), o.total_paid, o.months, kind_order(o.kind))
        return (1, o.shortfall, likelihood(o, overdue), o.total_paid, o.months, kind_order(o.kind))

    return tuple(sorted(options, key=key))


def why_first(ranked: Sequence[Option], overdue: Collection[int] = ()) -> Why | None:
    """Why ``ranked[0]`` (as ``rank`` orders them) is first."""
    if not ranked:
        return None
    first = ranked[0]
    if not first.fits:
        return Why.CLOSEST
    if first.kind is OptionKind.CURRENT:
        return Why.NO_ASK
    fitting = [o for o in ranked if o.fits]
    if len(fitting) == 1:
        return Why.ONLY_FIT
    if likelihood(fitting[1], overdue) == likelihood(first, overdue):
        return Why.CHEAPEST
    return Why.LIKELIEST


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
    overdue = frozenset(s.debt_id for s in planned if s.arrears > 0)
    # The regular monthly payments: the arrears are due now besides them (``PlanResult.arrears``),
    # and the next installments of different debts may fall in different calendar months.
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
        options = rank(debt_options(s, ctx), overdue)
        current = next(o for o in options if o.kind is OptionKind.CURRENT)
        plans.append(
            DebtPlan(
                s.debt_id,
                s.name,
                shares[s.debt_id],
                ctx.budget,
                s.max_term,
                current,
                options,
                arrears=s.arrears,
            )
        )
    combined: tuple[Option, ...] = ()
    if len(plans) > 1:
        order = [plans[i] for i in priority(planned, rule)]
        combined = _combine(plans, order, affordable, hardship)
        ranked = rank(combined, overdue)
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
        why_first=why_first(ranked, overdue),
        overdue=bool(overdue),
        arrears=sum((s.arrears for s in planned), ZERO),
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
    """Each debt's best fitting option (its ranking's first: the likeliest to be accepted),
    savings spent once, in the split rule's order."""
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
