"""A lender's own messages, reconciled with the user's records (issue 14).

A repayment confirmation becomes a payment proposal (recorded once per message, debt, amount
and date: ``record_confirmed``); a due or an overdue notice is compared with where the debt
stands by the ledger (``position``), and every difference is named.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from tracker.errors import InvalidAmount, InvalidDate, NotFound
from tracker.ledger import InstallmentState
from tracker.money import ZERO, check_amount, from_minor, to_minor
from tracker.parsing.lender_messages import Kind, LenderMessage, lender_score
from tracker.services.debts import Position, position
from tracker.services.payments import PaymentOutcome, record_payment
from tracker.storage.enums import DebtStatus, PaymentSource
from tracker.storage.models import Debt, Payment
from tracker.storage.uow import UnitOfWork


class Difference(StrEnum):
    """What a lender's notice and the user's records disagree on."""

    AMOUNT = "amount"
    DATE = "date"
    DEBT = "debt"  # the message names a lender none of the user's debts has
    PENALTY = "penalty"
    NOTHING_OVERDUE = "nothing_overdue"  # the lender says overdue, the records say not


@dataclass(frozen=True, slots=True)
class Choice:
    """The message fits several debts (or none by name): which one, asked with buttons."""

    message: LenderMessage
    candidates: tuple[Debt, ...]


@dataclass(frozen=True, slots=True)
class Proposal:
    """A repayment confirmation as a payment to record, and payments like it already there."""

    message: LenderMessage
    debt: Debt
    amount: Decimal
    paid_on: date
    same_day: tuple[Payment, ...]  # the same amount to the same debt on the same day
    unnamed: bool = False  # the message names a lender, and this debt is not it

    @property
    def minor_units(self) -> int:
        """The amount in the debt's minor units (what a button carries)."""
        return to_minor(self.amount, self.debt.currency)


@dataclass(frozen=True, slots=True)
class DueCheck:
    """A due notice next to the schedule's installment it speaks of."""

    message: LenderMessage
    position: Position
    installment: InstallmentState | None  # None: no installment is left to pay
    expected: Decimal  # what the schedule asks on that installment (what is left of it)
    differences: tuple[Difference, ...]
    unnamed: bool = False  # the message names a lender, and this debt is not it


@dataclass(frozen=True, slots=True)
class OverdueCheck:
    """An overdue notice next to the ledger's overdue amount and penalty."""

    message: LenderMessage
    position: Position
    overdue: Decimal
    penalty: Decimal
    since: date | None  # the oldest overdue installment's due date
    differences: tuple[Difference, ...]


Reconciliation = Choice | Proposal | DueCheck | OverdueCheck


def reconcile(
    uow: UnitOfWork,
    *,
    user_id: int,
    message: LenderMessage,
    today: date,
    debt_id: int | None = None,
) -> Reconciliation:
    """What a lender's message means for the user's debts; ``debt_id`` once the user chose."""
    if debt_id is None:
        choice = _choose(uow, user_id, message, today)
        if isinstance(choice, Choice):
            return choice
        debt = choice
    else:
        debt = uow.debts.require_for_user(user_id, debt_id)
    amount = _in_currency(message, debt)
    unnamed = bool(message.lenders) and lender_score(message.lenders, _names(debt)) == 0
    if message.kind is Kind.CONFIRMATION:
        paid_on = message.on or today
        if paid_on > today:
            raise InvalidDate(
                "a payment cannot be in the future", code="date_in_future", today=today
            )
        same_day = tuple(
            p
            for p in uow.payments.list_for_debt(user_id, _id(debt))
            if p.paid_on == paid_on and p.amount_minor == to_minor(amount, debt.currency)
        )
        return Proposal(message, debt, amount, paid_on, same_day, unnamed)
    pos = position(uow, user_id=user_id, debt_id=_id(debt), today=today)
    if message.kind is Kind.DUE:
        return _due(message, pos, amount, unnamed)
    return _overdue(message, pos, amount, unnamed)


def record_confirmed(
    uow: UnitOfWork,
    *,
    user_id: int,
    debt_id: int,
    minor_units: int,
    paid_on: date,
    digest: str,
    today: date,
    now: datetime,
) -> PaymentOutcome:
    """Record a confirmed payment once: the key is the user, debt, amount, date and message."""
    debt = uow.debts.require_for_user(user_id, debt_id)
    key = payment_key(user_id, debt_id, minor_units, paid_on, digest)
    return record_payment(
        uow,
        user_id=user_id,
        debt_id=debt_id,
        amount=from_minor(minor_units, debt.currency),
        paid_on=paid_on,
        today=today,
        idempotency_key=key,
        now=now,
        source=PaymentSource.BUTTON,  # the key's "lender:" prefix says where it came from
    )


def payment_key(user_id: int, debt_id: int, minor_units: int, paid_on: date, digest: str) -> str:
    """The idempotency key of a payment confirmed from a lender's message."""
    return f"lender:{user_id}:{debt_id}:{minor_units}:{paid_on:%Y%m%d}:{digest}"


# ---- which debt -----------------------------------------------------------------------------


def _choose(uow: UnitOfWork, user_id: int, message: LenderMessage, today: date) -> Debt | Choice:
    """The debt the message is about: the one its lender names, or the only one; else ask."""
    debts = uow.debts.list_for_user(user_id, statuses=[DebtStatus.ACTIVE])
    if not debts:
        raise NotFound("the user has no active debt", code="nodebt")
    if message.currency is not None:
        # A message in yuan is about a debt in yuan; with none, it is refused as such.
        same = [d for d in debts if d.currency.upper() == message.currency]
        if not same:
            _in_currency(message, debts[0])  # raises amount_currency_mismatch
        debts = same
    if len(debts) == 1:
        return debts[0]
    scores = [(lender_score(message.lenders, _names(d)), d) for d in debts]
    best = max(score for score, _ in scores)
    named = [d for score, d in scores if score == best and score > 0]
    if len(named) == 1:
        return named[0]
    candidates = named or debts
    if message.kind is Kind.DUE and message.on is not None:
        # Several fit by name: the one whose schedule has this amount on this day.
        fitting = [d for d in candidates if _has_installment(uow, user_id, d, message, today)]
        if len(fitting) == 1:
            return fitting[0]
    return Choice(message, tuple(candidates))


def _has_installment(
    uow: UnitOfWork, user_id: int, debt: Debt, message: LenderMessage, today: date
) -> bool:
    state = position(uow, user_id=user_id, debt_id=_id(debt), today=today).state
    return any(
        i.due_date == message.on and message.amount in (i.scheduled, i.remaining)
        for i in state.installments
    )


def _names(debt: Debt) -> tuple[str | None, ...]:
    return (debt.name, debt.lender)


def _in_currency(message: LenderMessage, debt: Debt) -> Decimal:
    """The message's amount, refused when it names another currency than the debt's."""
    if message.currency is not None and message.currency != debt.currency.upper():
        raise InvalidAmount(
            f"{message.amount_text!r} is in {message.currency}, the debt in {debt.currency}",
            code="amount_currency_mismatch",
            text=message.amount_text,
            currency=debt.currency.upper(),
            named=message.currency,
        )
    check_amount(message.amount)
    return message.amount


# ---- comparing ------------------------------------------------------------------------------


def _due(message: LenderMessage, pos: Position, amount: Decimal, unnamed: bool) -> DueCheck:
    """The installment the notice speaks of: the one due that day, else the nearest open one."""
    installments = pos.state.installments
    open_ = [i for i in installments if i.remaining > 0]
    installment: InstallmentState | None
    on = message.on
    if on is not None:
        same_day = [i for i in installments if i.due_date == on]
        pool = same_day or open_
        installment = (
            min(pool, key=lambda i: (abs((i.due_date - on).days), i.number)) if pool else None
        )
    else:
        installment = pos.state.next_due
    differences: list[Difference] = []
    expected = ZERO
    if installment is not None:
        expected = installment.remaining if installment.remaining > 0 else installment.scheduled
        if amount not in (installment.scheduled, installment.remaining):
            differences.append(Difference.AMOUNT)
        if message.on is not None and installment.due_date != message.on:
            differences.append(Difference.DATE)
    else:
        differences.append(Difference.AMOUNT)
    if unnamed:
        differences.append(Difference.DEBT)
    return DueCheck(message, pos, installment, expected, tuple(differences), unnamed)


def _overdue(message: LenderMessage, pos: Position, amount: Decimal, unnamed: bool) -> OverdueCheck:
    """The ledger's overdue amount and unpaid penalty next to the notice's figures.

    The notice's amount matches the overdue amount alone or with the penalty (lenders show
    either); a penalty it states is compared with the ledger's.
    """
    state = pos.state
    overdue = state.overdue_amount
    penalty = sum((i.penalty_unpaid for i in state.overdue), ZERO)
    since = min((i.due_date for i in state.overdue), default=None)
    differences: list[Difference] = []
    if overdue == 0:
        differences.append(Difference.NOTHING_OVERDUE)
    elif amount not in (overdue, overdue + penalty):
        differences.append(Difference.AMOUNT)
    if message.penalty is not None and overdue > 0 and message.penalty != penalty:
        differences.append(Difference.PENALTY)
    if unnamed:
        differences.append(Difference.DEBT)
    return OverdueCheck(message, pos, overdue, penalty, since, tuple(differences))


def _id(debt: Debt) -> int:
    if debt.id is None:  # only unsaved objects lack an id: a programming error
        raise RuntimeError("the debt has not been saved")
    return debt.id
