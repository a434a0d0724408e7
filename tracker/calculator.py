"""The loan calculator behind ``repaybot schedule``: a schedule, its totals and its true cost."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from tracker.apr import AnnualisedRate, schedule_apr
from tracker.money import format_money
from tracker.schedule import build_schedule, start_of, totals
from tracker.schedule_types import LoanTerms, ScheduleRow, ScheduleTotals

PERCENT_PLACES = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class Quote:
    """A computed schedule with its totals and annualised rate."""

    terms: LoanTerms
    rows: tuple[ScheduleRow, ...]
    totals: ScheduleTotals
    apr: AnnualisedRate

    @property
    def cost(self) -> Decimal:
        """Everything paid beyond the principal: interest, fees and any upfront fee."""
        return self.totals.interest + self.totals.fee + self.terms.upfront_fee


def quote(terms: LoanTerms) -> Quote:
    """The schedule, totals and annualised rate (on the rows' actual dates) for ``terms``."""
    rows = tuple(build_schedule(terms))
    return Quote(terms, rows, totals(rows), schedule_apr(terms, list(rows)))


def percent(value: Decimal) -> str:
    """A fraction as a percentage with two decimals (0.128 → "12.80%")."""
    return f"{(value * 100).quantize(PERCENT_PLACES)}%"


def to_json(q: Quote) -> dict[str, Any]:
    """A JSON-ready view: amounts as decimal strings so no reader turns them into floats."""
    t = q.terms
    return {
        "terms": {
            "principal": str(t.principal),
            "currency": t.currency,
            "rate": str(t.rate),
            "day_count": t.day_count,
            "term": t.term,
            "method": t.method.value,
            "start_date": start_of(t).isoformat(),
            "first_due": t.first_due.isoformat(),
            "fee_rate": str(t.fee_rate),
            "upfront_fee": str(t.upfront_fee),
        },
        "rows": [
            {
                "number": r.number,
                "due_date": r.due_date.isoformat(),
                "payment": str(r.payment),
                "interest": str(r.interest),
                "fee": str(r.fee),
                "principal": str(r.principal),
                "balance": str(r.balance),
            }
            for r in q.rows
        ],
        "totals": {
            "payment": str(q.totals.payment),
            "interest": str(q.totals.interest),
            "fee": str(q.totals.fee),
            "principal": str(q.totals.principal),
            "cost": str(q.cost),
        },
        "annualised_rate": {"simple": percent(q.apr.simple), "compound": percent(q.apr.compound)},
    }


def to_text(q: Quote, locale: str = "en") -> str:
    """A plain-text table for a terminal."""
    cur = q.terms.currency

    def m(amount: Decimal) -> str:
        return format_money(amount, cur, locale)

    header = ("#", "due", "payment", "interest", "fee", "principal", "balance")
    body = [
        (
            str(r.number),
            r.due_date.isoformat(),
            m(r.payment),
            m(r.interest),
            m(r.fee),
            m(r.principal),
            m(r.balance),
        )
        for r in q.rows
    ]
    widths = [max(len(line[i]) for line in [header, *body]) for i in range(len(header))]
    lines = [
        "  ".join(cell.rjust(w) for cell, w in zip(line, widths, strict=True))
        for line in [header, *body]
    ]
    lines += [
        "",
        f"Total paid:      {m(q.totals.payment + q.terms.upfront_fee)}",
        f"Total interest:  {m(q.totals.interest)}",
        f"Total fees:      {m(q.totals.fee + q.terms.upfront_fee)}",
        f"Cost of credit:  {m(q.cost)}",
        f"Money received:  {start_of(q.terms).isoformat()}",
        # The IRR is solved on the actual dates (tracker.apr), so an odd first period counts.
        f"Annualised rate (IRR, PBOC 2021 No. 3): {percent(q.apr.simple)} simple, "
        f"{percent(q.apr.compound)} compound",
    ]
    return "\n".join(lines)
