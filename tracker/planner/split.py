"""Sharing the affordable amount across debts: pro rata, avalanche or snowball."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from fractions import Fraction

from tracker.money import ZERO, from_minor, to_minor
from tracker.planner.types import DebtSituation, SplitRule


def split_affordable(
    affordable: Decimal,
    debts: Sequence[DebtSituation],
    rule: SplitRule,
    floors: Mapping[int, Decimal] | None = None,
) -> dict[int, Decimal]:
    """Each debt's share of ``affordable`` by debt id: exact to the cent, never above its need."""
    # No share exceeds the debt's need (arrears + current monthly payment); what a debt cannot
    # use goes to the others, so the shares sum to ``affordable`` whenever the needs reach it.
    # PRO_RATA follows the balances owed. AVALANCHE (highest rate first) and SNOWBALL (smallest
    # balance first) give each debt its floor (the lowest payment it could ask, by debt id) in
    # their order while money lasts, then fill the needs in that order. Work is in integer
    # minor units, pro-rata rounded by largest remainder, so no cent is lost or invented.
    if not debts:
        return {}
    currency = debts[0].currency
    if any(d.currency != currency for d in debts):
        raise ValueError("split_affordable needs debts in one currency")
    if len({d.debt_id for d in debts}) != len(debts):
        raise ValueError("debt ids must be unique")
    total = to_minor(affordable, currency)
    needs = [to_minor(d.need, currency) for d in debts]
    if total >= sum(needs):
        units = needs
    elif rule is SplitRule.PRO_RATA:
        units = _pro_rata(total, needs, [to_minor(d.owed_today, currency) for d in debts])
    else:
        order = priority(debts, rule)
        given = floors or {}
        lows = [
            min(to_minor(given.get(d.debt_id, ZERO), currency), n)
            for d, n in zip(debts, needs, strict=True)
        ]
        # Floors first so every debt can make its smallest ask, then the rule's favourite.
        units = _in_order(total, lows, order)
        rest = _in_order(
            total - sum(units), [n - u for n, u in zip(needs, units, strict=True)], order
        )
        units = [u + r for u, r in zip(units, rest, strict=True)]
    return {d.debt_id: from_minor(u, currency) for d, u in zip(debts, units, strict=True)}


def priority(debts: Sequence[DebtSituation], rule: SplitRule) -> list[int]:
    """Indexes of ``debts`` in the order ``rule`` serves them (input order for pro rata)."""
    order = range(len(debts))
    if rule is SplitRule.AVALANCHE:
        return sorted(order, key=lambda i: (-_annual(debts[i]), debts[i].owed_today, i))
    if rule is SplitRule.SNOWBALL:
        return sorted(order, key=lambda i: (debts[i].owed_today, -_annual(debts[i]), i))
    return list(order)


def _annual(debt: DebtSituation) -> Decimal:
    return debt.rate.annual(debt.day_count)


def _in_order(total: int, needs: list[int], order: list[int]) -> list[int]:
    """Fill each need in ``order`` until ``total`` runs out."""
    units = [0] * len(needs)
    left = total
    for i in order:
        units[i] = min(needs[i], left)
        left -= units[i]
    return units


def _pro_rata(total: int, needs: list[int], weights: list[int]) -> list[int]:
    """``total`` shared in proportion to ``weights``, capped at ``needs``; ``total < Σ needs``."""
    units = [0] * len(needs)
    active = [i for i, need in enumerate(needs) if need > 0]
    left = total
    ideal: dict[int, Fraction] = {}
    while active:
        weight = sum(weights[i] for i in active)
        # Zero balances with a need (a fee-only debt) share equally rather than get nothing.
        ideal = {
            i: Fraction(left * weights[i], weight) if weight else Fraction(left, len(active))
            for i in active
        }
        capped = [i for i in active if ideal[i] >= needs[i]]
        if not capped:
            break
        for i in capped:
            units[i] = needs[i]
            left -= needs[i]
        active = [i for i in active if i not in capped]
    floors = {i: int(ideal[i]) for i in active}
    spare = left - sum(floors.values())
    # Largest remainder first; an uncapped ideal is below its whole need, so +1 stays within it.
    for rank, i in enumerate(sorted(active, key=lambda i: (floors[i] - ideal[i], i))):
        units[i] = floors[i] + (1 if rank < spare else 0)
    return units
