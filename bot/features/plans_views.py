"""How the plans feature words things: labels, the new plan next to the old, the history."""

from __future__ import annotations

from decimal import Decimal

from bot.formatting import esc
from bot.i18n import N_
from bot.runtime import Turn
from bot.views import d, m
from tracker.rates import Rate, RateUnit
from tracker.schedule_types import Method, ScheduleRow
from tracker.services.plans import PlanFigures, PlanPreview, PlanRecord
from tracker.storage.enums import Channel, DocumentKind, PlanOrigin, PlanStatus

#: The methods offered as buttons (a list of installments is the other path).
METHODS = (
    Method.ANNUITY,
    Method.EQUAL_PRINCIPAL,
    Method.INTEREST_ONLY,
    Method.FLAT_FEE,
    Method.DAILY_ACCRUAL,
)
METHOD_LABELS = {
    Method.ANNUITY: N_("Equal payments (等额本息)"),
    Method.EQUAL_PRINCIPAL: N_("Equal principal (等额本金)"),
    Method.INTEREST_ONLY: N_("Interest first (先息后本)"),
    Method.FLAT_FEE: N_("Flat fee (分期手续费)"),
    Method.DAILY_ACCRUAL: N_("Daily interest (按日计息)"),
    Method.CUSTOM: N_("List of installments"),
}
CHANNEL_LABELS = {
    Channel.HOTLINE: N_("Hotline"),
    Channel.APP_CHAT: N_("App chat"),
    Channel.LETTER: N_("Letter / SMS"),
    Channel.BRANCH: N_("Branch"),
    Channel.OTHER: N_("Other"),
}
ORIGIN_LABELS = {
    PlanOrigin.ORIGINAL: N_("original contract"),
    PlanOrigin.RENEGOTIATED: N_("renegotiated"),
    PlanOrigin.PROPOSAL: N_("proposal"),
    PlanOrigin.PREPAYMENT: N_("after a prepayment"),
}
STATUS_LABELS = {
    PlanStatus.ACTIVE: N_("active"),
    PlanStatus.SUPERSEDED: N_("superseded"),
    PlanStatus.PROPOSED: N_("not agreed yet"),
    PlanStatus.REJECTED: N_("rejected"),
}
DOCUMENT_LABELS = {DocumentKind.PHOTO: N_("photo"), DocumentKind.PDF: N_("PDF")}

#: A schedule longer than this is shown by its first and last rows.
SHOWN_ROWS = 6


def rate_label(t: Turn, rate: Rate) -> str:
    """A rate as lenders say it: 0.05% a day, 18% a year."""
    if rate.value == 0:
        return t._("0% (no interest)")
    value = f"{rate.percent():f}"
    if rate.unit is RateUnit.DAY:
        return t._("{rate}% a day", rate=value)
    if rate.unit is RateUnit.MONTH:
        return t._("{rate}% a month", rate=value)
    return t._("{rate}% a year", rate=value)


def installments(t: Turn, count: int) -> str:
    """A count of installments: "12 installments"."""
    return t._.plural("{n} installment", "{n} installments", count)


def payment_text(t: Turn, figures: PlanFigures, currency: str) -> str:
    """The usual payment, with its range when the payments differ by more than 1 %."""
    usual = m(t, figures.typical_payment, currency)
    if figures.highest_payment - figures.lowest_payment <= figures.typical_payment / 100:
        return usual  # a rounding remainder in the last row is not worth a range
    return t._(
        "{usual} (from {low} to {high})",
        usual=usual,
        low=m(t, figures.lowest_payment, currency),
        high=m(t, figures.highest_payment, currency),
    )


def _rows(t: Turn, rows: tuple[ScheduleRow, ...], currency: str) -> list[str]:
    def line(row: ScheduleRow) -> str:
        return f"{row.number}. {d(t, row.due_date)} — {m(t, row.payment, currency)}"

    if len(rows) <= SHOWN_ROWS:
        return [line(row) for row in rows]
    return [*(line(row) for row in rows[:3]), "…", *(line(row) for row in rows[-2:])]


def _total_line(t: Turn, preview: PlanPreview) -> str:
    cur, terms, totals = preview.debt.currency, preview.quote.terms, preview.quote.totals
    extra = preview.new.total - terms.principal
    if terms.method is Method.CUSTOM and extra:  # amounts only: nobody split that cost
        return t._(
            "Total to pay: <b>{total}</b> ({extra} above the amount repaid: interest and fees, not itemised)",
            total=m(t, preview.new.total, cur),
            extra=m(t, extra, cur),
        )
    return t._(
        "Total to pay: <b>{total}</b> (interest {interest}, fees {fees})",
        total=m(t, preview.new.total, cur),
        interest=m(t, totals.interest, cur),
        fees=m(t, totals.fee + terms.upfront_fee, cur),
    )


def preview_text(t: Turn, preview: PlanPreview) -> str:
    """The new plan's schedule in short, next to what the current plan still asks."""
    cur = preview.debt.currency
    new, current = preview.new, preview.current
    assert new.first_due is not None
    assert new.last_due is not None
    lines = [
        t._("<b>New plan for {debt}</b>", debt=esc(preview.debt.name)),
        t._(
            "{installments}, {first} to {last}",
            installments=installments(t, new.installments),
            first=d(t, new.first_due),
            last=d(t, new.last_due),
        ),
        t._("Monthly payment: <b>{payment}</b>", payment=payment_text(t, new, cur)),
        _total_line(t, preview),
        *_rows(t, preview.quote.rows, cur),
        "",
        t._("<b>Current plan, from today</b>"),
    ]
    if current.installments:
        lines += [
            t._(
                "{installments} left, monthly payment {payment}",
                installments=installments(t, current.installments),
                payment=payment_text(t, current, cur),
            ),
            t._("Still to pay: {total}", total=m(t, current.total, cur)),
            "",
            _difference(t, preview.difference, cur),
            _monthly_difference(t, preview.monthly_difference, cur),
        ]
    else:
        lines.append(t._("Nothing is left to pay on the current plan."))
    return "\n".join(lines)


def _difference(t: Turn, amount: Decimal, currency: str) -> str:
    if amount > 0:
        return t._(
            "In total the new plan costs <b>{amount} more</b>.", amount=m(t, amount, currency)
        )
    if amount < 0:
        return t._(
            "In total the new plan costs <b>{amount} less</b>.", amount=m(t, -amount, currency)
        )
    return t._("In total both plans cost the same.")


def _monthly_difference(t: Turn, amount: Decimal, currency: str) -> str:
    if amount > 0:
        return t._("The usual payment is {amount} higher.", amount=m(t, amount, currency))
    if amount < 0:
        return t._("The usual payment is {amount} lower.", amount=m(t, -amount, currency))
    return t._("The usual payment stays the same.")


def _number(t: Turn, number: int | None) -> str:
    return t._("draft") if number is None else t._("v{version}", version=number)


def history_text(t: Turn, debt_name: str, currency: str, records: list[PlanRecord]) -> str:
    """Every version of a debt's plan: how it came about, whether it is in force, the proof."""
    lines = [t._("<b>{debt}</b>: plan history", debt=esc(debt_name))]
    for record in records:
        plan, figures = record.plan, record.figures
        lines.append("")
        lines.append(
            f"<b>{_number(t, record.number)}</b> · {t._(ORIGIN_LABELS[plan.origin])} · "
            f"{t._(STATUS_LABELS[plan.status])}"
        )
        details = []
        if plan.confirmed_on is not None:
            details.append(t._("confirmed on {date}", date=d(t, plan.confirmed_on)))
        if plan.channel is not None:
            details.append(t._(CHANNEL_LABELS[plan.channel]))
        if plan.reference:
            details.append(t._("ref. <code>{reference}</code>", reference=esc(plan.reference)))
        if plan.agent:
            details.append(t._("agent {agent}", agent=esc(plan.agent)))
        if details:
            lines.append(" · ".join(details))
        shape = [
            installments(t, figures.installments),
            t._("{payment} a month", payment=payment_text(t, figures, currency)),
            t._("{total} in total", total=m(t, figures.total, currency)),
        ]
        if plan.document_kind is not None:
            shape.append(f"📎 {t._(DOCUMENT_LABELS[plan.document_kind])}")
        lines.append(" · ".join(shape))
    return "\n".join(lines)
