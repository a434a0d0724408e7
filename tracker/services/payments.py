"""Payments: record one exactly once, undo the last one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from tracker.errors import InvalidDate, NotFound
from tracker.ledger import Allocation
from tracker.money import check_amount, from_minor, to_minor
from tracker.services.debts import Position, position
from tracker.storage.enums import PaymentSource
from tracker.storage.models import Payment
from tracker.storage.uow import UnitOfWork

MAX_NOTE_LENGTH = 200


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
    """Record a payment once per idempotency key; a repeat returns the first with created=False."""
    debt = uow.debts.require_for_user(user_id, debt_id)
    check_amount(amount)
    if paid_on > today:
        raise InvalidDate("a payment cannot be in the future", code="date_in_future", today=today)
    payment, created = uow.payments.add_once(
        Payment(
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
    )
    after = position(uow, user_id, payment.debt_id, today)
    mine = tuple(a for a in after.state.allocations if a.payment_ref == payment.id)
    return PaymentOutcome(payment, created, mine, after)


def undo_last_payment(uow: UnitOfWork, user_id: int, now: datetime) -> Payment:
    """Take back the user's most recent payment (kept, marked undone, for the record)."""
    payment = uow.payments.last_for_user(user_id)
    if payment is None:
        raise NotFound("there is no payment to undo", code="no_payment_to_undo")
    uow.payments.undo(payment, now)
    return payment
