"""Paying a debt early: what a prepayment does to the plan, and recording it once the lender has.

A prepayment on ``today`` first pays what is due and the interest of the current period so far
(Civil Code art. 677: interest only for the days used), and the rest comes off the principal.
The lender then recomputes the remaining installments one of two ways (the choices lenders
offer): keep the installment and shorten the term, or keep the term and lower the installment.
The new plan starts today from what settling would then take — exactly settle-today less the
prepayment — so its figures and the ledger's always agree. Paying at least settle-today pays
the debt off; no new plan is needed.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal

from tracker.calculator import quote
from tracker.errors import Conflict, InvalidTerms
from tracker.money import ZERO, check_amount, to_minor
from tracker.schedule_types import LoanTerms, Method, PrepaymentMode, ScheduleRow
from tracker.services.debts import Position, add_plan, position, terms_of
from tracker.services.plans import supersede_proposals
from tracker.storage.enums import DebtKind, PaymentSource, PlanOrigin
from tracker.storage.models import Debt, Payment
from tracker.storage.uow import UnitOfWork


@dataclass(frozen=True, slots=True)
class PrepayPreview:
    """What paying ``amount`` today does: the payoff, or the new plan the lender would make."""

    debt: Debt
    amount: Decimal
    mode: PrepaymentMode | None  # None when the amount pays the debt off
    settle_today: Decimal
    #: Paid first: what is due, penalty, and the current period's interest so far.
    charges: Decimal
    #: The principal of the installments still to come, before the prepayment.
    principal_before: Decimal
    terms: LoanTerms | None  # the new plan's terms; None when the debt is paid off
    rows: tuple[ScheduleRow, ...]
    #: What the current plan still asks from today (installments left and penalty).
    current_total: Decimal
    current_payment: Decimal  # the current plan's next regular installment
    current_count: int  # its installments still to come
    method: Method  # the current plan's method
    fees: Decimal  # the fees settling today owes (for 分期手续费: per Debt.fees_on_payoff)

    @property
    def pays_off(self) -> bool:
        """True when the amount settles the whole debt today."""
        return self.terms is None

    @property
    def to_principal(self) -> Decimal:
        """How much comes off the principal (money already paid ahead included)."""
        if self.terms is None:
            return min(self.amount, self.settle_today) - self.charges
        return self.principal_before - self.terms.principal

    @property
    def credit(self) -> Decimal:
        """Paid beyond settling the debt: a credit to ask the lender for."""
        return max(ZERO, self.amount - self.settle_today)

    @property
    def new_total(self) -> Decimal:
        """What the borrower pays from today on: the prepayment and the new installments."""
        return min(self.amount, self.settle_today) + sum((r.payment for r in self.rows), ZERO)

    @property
    def saved(self) -> Decimal:
        """Interest and fees the prepayment saves compared with keeping the current plan."""
        return self.current_total - self.new_total


def payoff_preview(uow: UnitOfWork, *, user_id: int, debt_id: int, today: date) -> PrepayPreview:
    """What paying the debt off today takes (settle-today) and saves."""
    pos = _open_position(uow, user_id, debt_id, today)
    return _preview(pos, pos.state.owed_today.total, None, today)


def prepay_preview(
    uow: UnitOfWork,
    *,
    user_id: int,
    debt_id: int,
    amount: Decimal,
    mode: PrepaymentMode,
    today: date,
) -> PrepayPreview:
    """The plan after prepaying ``amount`` today the way ``mode`` says (or the payoff)."""
    check_amount(amount)
    return _preview(_open_position(uow, user_id, debt_id, today), amount, mode, today)


def record_prepayment(
    uow: UnitOfWork,
    *,
    user_id: int,
    debt_id: int,
    amount: Decimal,
    mode: PrepaymentMode | None,
    today: date,
    now: datetime,
    idempotency_key: str,
) -> tuple[PrepayPreview, Payment, bool]:
    """Record the prepayment and, unless it paid the debt off, the lender's new plan.

    Exactly once per idempotency key: a repeat returns the stored payment with created=False
    and changes nothing. Returns (the preview it followed, the payment, created?).
    """
    existing = uow.payments.get_by_key(idempotency_key)
    if existing is not None:
        if existing.user_id != user_id:
            raise Conflict(
                "the idempotency key belongs to another user", code="payment_key_conflict"
            )
        pos = position(uow, user_id=user_id, debt_id=existing.debt_id, today=today)
        return _preview(pos, pos.state.owed_today.total, None, today), existing, False
    pos = _open_position(uow, user_id, debt_id, today)
    check_amount(amount)
    if mode is None and amount < pos.state.owed_today.total:
        # A payoff figure shown on an earlier day: interest has run since.
        raise Conflict(
            "the payoff figure is out of date", code="prepay_stale", owed=pos.state.owed_today.total
        )
    preview = _preview(pos, amount, mode, today)
    payment, created = uow.payments.add_once(
        Payment(
            debt_id=debt_id,
            user_id=user_id,
            amount_minor=to_minor(amount, pos.debt.currency),
            currency=pos.debt.currency,
            paid_on=today,
            recorded_at=now,
            note="prepayment",
            source=PaymentSource.BUTTON,
            idempotency_key=idempotency_key,
        )
    )
    if not created or preview.terms is None:
        return preview, payment, created
    plan = add_plan(uow, debt=pos.debt, terms=preview.terms, origin=PlanOrigin.PREPAYMENT, now=now)
    plan.after_payment_id = payment.id  # the new plan starts after the prepayment
    plan.confirmed_on = today
    uow.plans.activate(plan, now)
    supersede_proposals(uow, debt=pos.debt, active=plan)
    pos.debt.updated_at = now
    return preview, payment, True


# ---- helpers --------------------------------------------------------------------------------


def _open_position(uow: UnitOfWork, user_id: int, debt_id: int, today: date) -> Position:
    pos = position(uow, user_id=user_id, debt_id=debt_id, today=today)
    if pos.state.is_settled:
        raise Conflict("the debt is repaid", code="prepay_settled")
    return pos


def _preview(
    pos: Position, amount: Decimal, mode: PrepaymentMode | None, today: date
) -> PrepayPreview:
    state = pos.state
    settle = state.owed_today.total
    future = [r for r in pos.rows if r.due_date > today]
    payoff = PrepayPreview(
        debt=pos.debt,
        amount=amount,
        mode=None,
        settle_today=settle,
        charges=settle - state.owed_today.principal,
        principal_before=state.owed_today.principal,
        terms=None,
        rows=(),
        current_total=sum((i.remaining + i.penalty_unpaid for i in state.installments), ZERO),
        current_payment=future[0].payment if future else ZERO,
        current_count=len(future),
        method=pos.plan.method,
        fees=state.owed_today.fees,
    )
    if amount >= settle:
        return payoff
    if not future:  # everything left is due already: pay that, there is no plan to recompute
        raise InvalidTerms("nothing is left to prepay", code="prepay_nothing_ahead")
    terms = terms_of(pos.debt, pos.plan)
    if pos.debt.kind is DebtKind.CREDIT_CARD:
        # A card has no term to shorten: any payment simply counts towards the statement.
        raise InvalidTerms("a card takes any amount as a payment", code="prepay_card")
    if terms.method is Method.CUSTOM:
        raise InvalidTerms("an agreed custom plan must be renegotiated", code="prepay_custom")
    if terms.method is Method.FLAT_FEE:
        raise InvalidTerms("installment plans are paid off in full", code="prepay_flat_fee")
    if terms.method is Method.INTEREST_ONLY and mode is PrepaymentMode.KEEP_PAYMENT:
        raise InvalidTerms("interest-only loans can only keep the term", code="prepay_mode")
    # Everything but the installments still to come must be paid first; only the rest can
    # come off their principal.
    principal_before = sum((r.principal for r in future), ZERO)
    # Money paid ahead already counts towards what settling takes: then nothing comes first.
    charges = max(ZERO, settle - principal_before)
    if amount <= charges:
        raise InvalidTerms(
            "the amount does not reach the principal", code="prepay_too_small", needed=charges
        )
    base = LoanTerms(
        principal=settle - amount,
        rate=terms.rate,
        term=len(future),
        method=terms.method,
        first_due=future[0].due_date,
        currency=terms.currency,
        day_count=terms.day_count,
        due_day=terms.due_day or terms.first_due.day,
        start_date=today,
    )
    if mode is PrepaymentMode.KEEP_PAYMENT:
        base = _shorter(base, future[0], future[0].payment)
    return replace(
        payoff,
        mode=mode,
        charges=charges,
        principal_before=principal_before,
        terms=base,
        rows=quote(base).rows,
    )


def _shorter(base: LoanTerms, first: ScheduleRow, payment: Decimal) -> LoanTerms:
    """The fewest installments whose regular payment (or principal step) stays within the old."""
    if base.method is Method.EQUAL_PRINCIPAL:
        step = first.principal
        count = -(-base.principal // step)  # ceiling: no step larger than the old one
        return replace(base, term=max(1, min(base.term, int(count))))
    low, high = 1, base.term
    while low < high:  # the payment falls as the term grows: find the first term that fits
        middle = (low + high) // 2
        if _regular(quote(replace(base, term=middle)).rows) <= payment:
            high = middle
        else:
            low = middle + 1
    return replace(base, term=low)


def _regular(rows: tuple[ScheduleRow, ...]) -> Decimal:
    """The level payment of a schedule: its rows but the first (odd period) and the last."""
    middle = rows[1:-1]
    return max(r.payment for r in middle) if middle else max(r.payment for r in rows)
