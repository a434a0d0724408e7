"""Payments: choose the debt, record a payment exactly once, undo one, list them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from tracker.errors import Conflict, InvalidDate, NotFound
from tracker.ledger import Allocation, Component
from tracker.ledger import Payment as LedgerPayment
from tracker.money import ZERO, check_amount, from_minor, to_minor
from tracker.parsing.text import normalise_text
from tracker.services.debts import Position, loan_began, position
from tracker.storage.enums import DebtStatus, PaymentSource, PlanOrigin, PlanStatus
from tracker.storage.models import Debt, Payment
from tracker.storage.uow import UnitOfWork

MAX_NOTE_LENGTH = 200
#: /history shows at most this many payments.
HISTORY_LIMIT = 50


@dataclass(frozen=True, slots=True)
class PaymentOutcome:
    """A recorded (or already recorded) payment, how it was allocated, and the debt after it."""

    payment: Payment
    created: bool
    allocations: tuple[Allocation, ...]
    position: Position

    @property
    def amount(self) -> Decimal:
        """The payment's amount in major units."""
        return from_minor(self.payment.amount_minor, self.payment.currency)

    @property
    def installments(self) -> tuple[int, ...]:
        """The installments this payment went to, or is counted towards, in order."""
        return tuple(dict.fromkeys(a.installment for a in self.allocations))

    @property
    def paid_ahead(self) -> tuple[int, ...]:
        """Installments not due yet that this payment is held for: counted on their due dates."""
        return tuple(dict.fromkeys(a.installment for a in self.allocations if a.ahead))

    @property
    def ahead_amount(self) -> Decimal:
        """How much of this payment is held in advance for installments not due yet."""
        return sum((a.amount for a in self.allocations if a.ahead), ZERO)

    @property
    def paid_off(self) -> bool:
        """True when this payment paid the debt off ahead of its schedule."""
        state = self.position.state
        return state.paid_off_on is not None and state.paid_off_on == self.payment.paid_on

    def paid_by_component(self) -> dict[Component, Decimal]:
        """What this payment paid (not held in advance) of each component."""
        out: dict[Component, Decimal] = {}
        for a in self.allocations:
            if not a.ahead:
                out[a.component] = out.get(a.component, ZERO) + a.amount
        return out

    @property
    def credit(self) -> Decimal:
        """What this payment left over once the whole debt was paid (zero if undone since)."""
        if self.payment.undone_at is not None:
            return ZERO
        return self.amount - sum((a.amount for a in self.allocations), ZERO)


@dataclass(frozen=True, slots=True)
class DebtChoice:
    """Which debt a payment is for: ``debt`` when that is clear, else ``candidates`` to ask."""

    debt: Debt | None
    candidates: tuple[Debt, ...] = ()
    unmatched: bool = False  # a name was given and no debt has it: all debts are candidates


@dataclass(frozen=True, slots=True)
class UndoOutcome:
    """An undone payment and where its debt stands without it."""

    payment: Payment
    position: Position

    @property
    def amount(self) -> Decimal:
        """The payment's amount in major units."""
        return from_minor(self.payment.amount_minor, self.payment.currency)


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One payment and the debt it went to."""

    payment: Payment
    debt: Debt

    @property
    def amount(self) -> Decimal:
        """The payment's amount in major units."""
        return from_minor(self.payment.amount_minor, self.payment.currency)


@dataclass(frozen=True, slots=True)
class History:
    """Payments newest first (at most the limit), and how many there are in all."""

    entries: tuple[HistoryEntry, ...]
    total: int


def _key(name: str) -> str:
    return normalise_text(name).casefold()


def match_debts(debts: Sequence[Debt], name: str) -> list[Debt]:
    """Debts called ``name`` (ignoring case and spacing), else those whose name starts with it."""
    key = _key(name)
    if not key:
        return []
    exact = [debt for debt in debts if _key(debt.name) == key]
    return exact or [debt for debt in debts if _key(debt.name).startswith(key)]


def choose_debt(uow: UnitOfWork, *, user_id: int, name: str | None) -> DebtChoice:
    """The active debt a payment is for: the only one, the one named, or candidates to ask."""
    debts = uow.debts.list_for_user(user_id, statuses=[DebtStatus.ACTIVE])
    if not debts:
        raise NotFound("the user has no active debt", code="nodebt")
    if name is None or not _key(name):
        return DebtChoice(debts[0]) if len(debts) == 1 else DebtChoice(None, tuple(debts))
    matches = match_debts(debts, name)
    if len(matches) == 1:
        return DebtChoice(matches[0])
    if matches:
        return DebtChoice(None, tuple(matches))
    return DebtChoice(None, tuple(debts), unmatched=True)


def record_payment(
    uow: UnitOfWork,
    *,
    user_id: int,
    debt_id: int,
    amount: Decimal,
    paid_on: date,
    today: date,
    idempotency_key: str,
    now: datetime,
    source: PaymentSource = PaymentSource.COMMAND,
    note: str | None = None,
) -> PaymentOutcome:
    """Record a payment once per idempotency key; a repeat returns the first with created=False.

    Refuses a payment dated after ``today`` or before the loan began (the debt's original
    start, even when a later plan replaced its schedule). ``prepare_payment`` then
    ``store_payment``, for a caller with nothing to do in between.
    """
    outcome = prepare_payment(
        uow,
        user_id=user_id,
        debt_id=debt_id,
        amount=amount,
        paid_on=paid_on,
        today=today,
        idempotency_key=idempotency_key,
        now=now,
        source=source,
        note=note,
    )
    return store_payment(uow, outcome=outcome, user_id=user_id, today=today)


def prepare_payment(
    uow: UnitOfWork,
    *,
    user_id: int,
    debt_id: int,
    amount: Decimal,
    paid_on: date,
    today: date,
    idempotency_key: str,
    now: datetime,
    source: PaymentSource = PaymentSource.COMMAND,
    note: str | None = None,
) -> PaymentOutcome:
    """Check a payment and cost it, reading only: the outcome of storing it (its payment not
    stored yet), or of the payment recorded under this key before (created=False).

    A caller that read with ``uow.reading()`` (``bot.features.payments``) builds its reply from
    this outcome before ``store_payment`` takes the write lock, so the lock is held only for the
    writes; the user's debts change only through the user's own updates, handled one at a time.
    """
    debt = uow.debts.require_for_user(user_id, debt_id)
    check_amount(amount)
    if paid_on > today:
        raise InvalidDate("a payment cannot be in the future", code="date_in_future", today=today)
    began = loan_began(debt)
    if debt.start_date is None:
        # Without a loan date the start is only a default: a loan added today may have begun
        # today or earlier, so a payment up to the day it was added is never refused.
        began = min(began, debt.created_at.date(), today)
    if paid_on < began:
        raise InvalidDate(
            f"a payment on {paid_on} is before the loan began on {began}",
            code="paydate_before_loan",
            date=paid_on,
            start=began,
            debt=debt.name,
        )
    earlier = uow.payments.get_by_key(idempotency_key)
    if earlier is not None:
        return _recorded_before(uow, earlier, user_id=user_id, today=today)
    payment = Payment(
        debt_id=debt_id,
        user_id=user_id,
        amount_minor=to_minor(amount, debt.currency),
        currency=debt.currency,
        paid_on=paid_on,
        recorded_at=now,
        note=(note or "").strip()[:MAX_NOTE_LENGTH] or None,
        source=source,
        idempotency_key=idempotency_key,
    )
    # The ledger takes it as the newest payment, with no ref until it is stored.
    pending = LedgerPayment(
        paid_on=paid_on, amount=from_minor(payment.amount_minor, payment.currency), ref=None
    )
    after = position(uow, user_id=user_id, debt_id=debt_id, today=today, pending=pending)
    mine = tuple(a for a in after.state.allocations if a.payment_ref is None)
    return PaymentOutcome(payment, True, mine, after)


def store_payment(
    uow: UnitOfWork, *, outcome: PaymentOutcome, user_id: int, today: date
) -> PaymentOutcome:
    """Store the payment ``prepare_payment`` costed (in ``uow``, not committed); the outcome as
    stored. If its key was taken in between (a twin stored by another process), the payment
    stored first stands and is returned, created=False, read again under the write lock."""
    if not outcome.created:
        return outcome  # recorded before: nothing to write
    uow.writing()  # the write lock from here to the commit
    payment, created = uow.payments.add_once(outcome.payment)
    if created:
        return outcome
    return _recorded_before(uow, payment, user_id=user_id, today=today)


def _recorded_before(
    uow: UnitOfWork, payment: Payment, *, user_id: int, today: date
) -> PaymentOutcome:
    """The outcome of a payment stored before under the same key."""
    if payment.user_id != user_id:
        # Keys are per Telegram update; only forged button data can name someone else's.
        raise Conflict("the idempotency key belongs to another user", code="payment_key_conflict")
    after = position(uow, user_id=user_id, debt_id=payment.debt_id, today=today)
    mine = tuple(a for a in after.state.allocations if a.payment_ref == payment.id)
    return PaymentOutcome(payment, False, mine, after)


def last_payment(uow: UnitOfWork, *, user_id: int) -> HistoryEntry:
    """The payment /undo would take back, with its debt."""
    payment = uow.payments.last_for_user(user_id)
    if payment is None:
        raise NotFound("there is no payment to undo", code="no_payment_to_undo")
    return HistoryEntry(payment, uow.debts.require_for_user(user_id, payment.debt_id))


def undo_payment(
    uow: UnitOfWork, *, user_id: int, payment_id: int, now: datetime, today: date
) -> UndoOutcome:
    """Take back one payment (kept, marked undone); a second undo is refused, not repeated."""
    payment = uow.payments.get_for_user(user_id, payment_id)
    if payment is None:
        raise NotFound(f"payment {payment_id} not found", code="no_payment_to_undo")
    uow.payments.undo(payment, now)  # Conflict if it was already undone
    _restore_plan_before_prepayment(uow, payment, now)
    return UndoOutcome(
        payment, position(uow, user_id=user_id, debt_id=payment.debt_id, today=today)
    )


def _restore_plan_before_prepayment(uow: UnitOfWork, payment: Payment, now: datetime) -> None:
    """A plan the lender recomputed after this payment (/prepay) stands on it: undoing the
    payment brings back the plan it replaced, so the figures never assume money not paid."""
    plan = uow.plans.active_for_debt(payment.debt_id)
    if plan is None or plan.origin is not PlanOrigin.PREPAYMENT:
        return
    if plan.after_payment_id != payment.id:
        return
    earlier = [
        p
        for p in uow.plans.list_for_debt(payment.debt_id)
        if p.status is PlanStatus.SUPERSEDED and p.version < plan.version
    ]
    if earlier:
        uow.plans.activate(earlier[-1], now)


def undo_last_payment(uow: UnitOfWork, *, user_id: int, now: datetime) -> Payment:
    """Take back the user's most recent payment (kept, marked undone, for the record)."""
    payment = uow.payments.last_for_user(user_id)
    if payment is None:
        raise NotFound("there is no payment to undo", code="no_payment_to_undo")
    uow.payments.undo(payment, now)
    return payment


def find_debts(uow: UnitOfWork, *, user_id: int, name: str) -> list[Debt]:
    """Any of the user's debts (also closed or archived ones) by name, as ``match_debts``."""
    return match_debts(uow.debts.list_for_user(user_id), name)


def payment_history(
    uow: UnitOfWork, *, user_id: int, debt_id: int | None = None, limit: int = HISTORY_LIMIT
) -> History:
    """The user's payments, undone ones included, newest first; at most ``limit`` of them."""
    if debt_id is None:
        debts = uow.debts.list_for_user(user_id)
    else:
        debts = [uow.debts.require_for_user(user_id, debt_id)]
    entries = [
        HistoryEntry(payment, debt)
        for debt in debts
        if debt.id is not None
        for payment in uow.payments.list_for_debt(user_id, debt.id, include_undone=True)
    ]
    entries.sort(
        key=lambda e: (e.payment.paid_on, e.payment.recorded_at, e.payment.id or 0), reverse=True
    )
    return History(tuple(entries[:limit]), len(entries))
