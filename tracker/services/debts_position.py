"""Where a debt stands: its stored plan read back as terms and rows, and the ledger's view of it.

Also the sums over several debts (what falls due soon, what settling everything takes).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import Any, Protocol

from tracker.dates import add_months
from tracker.errors import NotFound
from tracker.ledger import (
    InstallmentState,
    Ledger,
    LedgerPolicy,
    LedgerState,
    PenaltyPolicy,
    parse_order,
)
from tracker.ledger import Payment as LedgerPayment
from tracker.money import ZERO, from_minor, to_minor
from tracker.rates import Rate
from tracker.schedule import start_of
from tracker.schedule_types import LoanTerms, ScheduleRow
from tracker.storage.enums import DebtStatus, PlanOrigin
from tracker.storage.models import Debt, PlanVersion
from tracker.storage.uow import UnitOfWork


class StoredInstallment(Protocol):
    """What the ledger reads of a stored installment: an ``Installment``, or its figures alone
    (``PaymentRepository.ledger_figures``)."""

    @property
    def seq(self) -> int: ...
    @property
    def due_date(self) -> date: ...
    @property
    def principal_minor(self) -> int: ...
    @property
    def interest_minor(self) -> int: ...
    @property
    def fee_minor(self) -> int: ...
    @property
    def total_minor(self) -> int: ...


class StoredPayment(Protocol):
    """What the ledger reads of a stored payment: a ``Payment``, or its figures alone
    (``PaymentRepository.ledger_figures``)."""

    @property
    def id(self) -> int | None: ...
    @property
    def paid_on(self) -> date: ...
    @property
    def amount_minor(self) -> int: ...
    @property
    def currency(self) -> str: ...


@dataclass(frozen=True, slots=True)
class Position:
    """A debt, its active plan and the ledger's view of it on one day."""

    debt: Debt
    plan: PlanVersion
    rows: tuple[ScheduleRow, ...]
    state: LedgerState


def lender_of(debt: Debt) -> str:
    """Who a lender-facing text addresses: the debt's lender, or its name until one is said."""
    return debt.lender or debt.name


def terms_columns(terms: LoanTerms) -> dict[str, Any]:
    """The loan-term columns debts and plan versions share (terms_of reads them back)."""
    return {
        "principal_minor": to_minor(terms.principal, terms.currency),
        "rate_value": terms.rate.value,
        "rate_unit": terms.rate.unit,
        "day_count": terms.day_count,
        "method": terms.method,
        "term_months": terms.term,
        "start_date": terms.start_date,
        "first_due": terms.first_due,
        "due_day": terms.due_day,
        "fee_rate": terms.fee_rate,
        "upfront_fee_minor": to_minor(terms.upfront_fee, terms.currency),
    }


def terms_of(debt: Debt, plan: PlanVersion) -> LoanTerms:
    """The loan terms a stored plan version was computed from."""
    return LoanTerms(
        principal=from_minor(plan.principal_minor, debt.currency),
        rate=Rate(plan.rate_value, plan.rate_unit),
        term=plan.term_months,
        method=plan.method,
        first_due=plan.first_due,
        currency=debt.currency,
        day_count=plan.day_count,
        due_day=plan.due_day,
        start_date=plan.start_date,
        fee_rate=plan.fee_rate,
        upfront_fee=from_minor(plan.upfront_fee_minor, debt.currency),
    )


@lru_cache(maxsize=4096)
def _cached_from_minor(units: int, currency: str) -> Decimal:
    return from_minor(units, currency)


def _amount(units: int, currency: str) -> Decimal:
    """``from_minor``, remembered: a position converts the same few amounts again and again."""
    if type(units) is not int:  # a bool (refused) would share 1's cache entry: not cached
        return from_minor(units, currency)
    return _cached_from_minor(units, currency)


def rows_of(installments: Sequence[StoredInstallment], currency: str) -> tuple[ScheduleRow, ...]:
    """Stored installments back as schedule rows, with running balances."""
    balance = sum((_amount(i.principal_minor, currency) for i in installments), Decimal(0))
    rows = []
    for item in sorted(installments, key=lambda i: i.seq):
        principal = _amount(item.principal_minor, currency)
        balance -= principal
        rows.append(
            ScheduleRow(
                number=item.seq,
                due_date=item.due_date,
                payment=_amount(item.total_minor, currency),
                interest=_amount(item.interest_minor, currency),
                fee=_amount(item.fee_minor, currency),
                principal=principal,
                balance=balance,
            )
        )
    return tuple(rows)


def loan_began(debt: Debt) -> date:
    """When the money was received: the loan date given, else a month before the first due date.

    The debt's own (original) start, also when a later plan replaced its schedule.
    """
    return debt.start_date or add_months(debt.first_due, -1)


def policy_of(debt: Debt, plan: PlanVersion) -> LedgerPolicy:
    """The ledger rules stored with a debt."""
    terms = terms_of(debt, plan)
    start = start_of(terms)
    return LedgerPolicy(
        currency=debt.currency,
        contract_daily_rate=terms.rate.daily(terms.day_count),
        start_date=start,
        grace_days=debt.grace_days,
        penalty=PenaltyPolicy(
            mode=debt.penalty_mode,
            multiplier=debt.penalty_multiplier,
            daily_rate=debt.penalty_daily_rate or Decimal(0),
            on_interest=debt.penalty_on_interest,
        ),
        order=parse_order(debt.allocation_order),
        fees_on_payoff=debt.fees_on_payoff is not False,  # not asked yet: the safe answer
        # Only the original plan's numbering is the lender's: a later plan starts after them.
        paid_before_tracking=debt.paid_before_tracking if plan.origin is PlanOrigin.ORIGINAL else 0,
    )


def counts(plan: PlanVersion, payment: StoredPayment) -> bool:
    """Whether ``plan``'s ledger counts ``payment``.

    A renegotiated plan starts from what was owed when it was agreed, after every payment
    recorded until then (``after_payment_id`` is the last of them); it counts only the payments
    recorded after, so no payment is counted twice or lost, whatever day it is dated.
    """
    if plan.origin is PlanOrigin.ORIGINAL or plan.after_payment_id is None:
        return True
    return payment.id is not None and payment.id > plan.after_payment_id


def ledger_payments(plan: PlanVersion, payments: Iterable[StoredPayment]) -> list[LedgerPayment]:
    """The stored payments ``plan`` counts, as the ledger takes them."""
    return [
        LedgerPayment(paid_on=p.paid_on, amount=_amount(p.amount_minor, p.currency), ref=p.id)
        for p in payments
        if counts(plan, p)
    ]


def position(
    uow: UnitOfWork,
    *,
    user_id: int,
    debt_id: int,
    today: date,
    pending: LedgerPayment | None = None,
) -> Position:
    """Where one of the user's debts stands on ``today`` (with ``pending``: a payment about to
    be stored, the newest; its allocations carry ``ref`` None)."""
    debt = uow.debts.require_for_user(user_id, debt_id)
    plan = uow.plans.active_for_debt(debt_id)
    if plan is None:
        raise NotFound(f"debt {debt_id} has no active plan", code="plan_not_found")
    # The figures alone, in one statement: the ledger reads nothing else, and loading objects
    # costs more than the query.
    installments, payments = uow.payments.ledger_figures(user_id, debt_id, id_of(plan))
    return position_of(debt, plan, installments, payments, today, pending=pending)


def position_of(
    debt: Debt,
    plan: PlanVersion,
    installments: Sequence[StoredInstallment],
    payments: Iterable[StoredPayment],
    today: date,
    *,
    pending: LedgerPayment | None = None,
) -> Position:
    """Where ``debt`` stands on ``today``, from its active plan's rows and its payments (loaded
    by the caller: one debt here, a batch of users in the reminder scan), and ``pending``."""
    rows = rows_of(installments, debt.currency)
    counted = ledger_payments(plan, payments)
    if pending is not None:  # stored next, it will be the newest: the active plan counts it
        counted.append(pending)
    state = Ledger(rows, policy_of(debt, plan)).state(counted, today)
    return Position(debt, plan, rows, state)


def positions(uow: UnitOfWork, *, user_id: int, today: date) -> list[Position]:
    """Every active debt of the user, in the order they were added."""
    return [
        position(uow, user_id=user_id, debt_id=id_of(debt), today=today)
        for debt in uow.debts.list_for_user(user_id, statuses=[DebtStatus.ACTIVE])
    ]


def id_of(row: Debt | PlanVersion) -> int:
    """A stored row's id; an unsaved one is a programming error."""
    if row.id is None:  # only unsaved objects lack an id: a programming error
        raise RuntimeError(f"{type(row).__name__} has not been saved")
    return row.id


@dataclass(frozen=True, slots=True)
class DueSoon:
    """An installment of a debt with something left to pay, due within a window."""

    debt: Debt
    installment: InstallmentState

    @property
    def amount(self) -> Decimal:
        """What is still unpaid of it."""
        return self.installment.remaining


def due_within(positions_: Iterable[Position], today: date, days: int) -> list[DueSoon]:
    """Unpaid installments due from ``today`` to ``today + days`` inclusive, earliest first."""
    end = today + timedelta(days=days)
    items = [
        DueSoon(pos.debt, item)
        for pos in positions_
        for item in pos.state.installments
        if item.remaining > 0 and today <= item.due_date <= end
    ]
    return sorted(items, key=lambda i: (i.installment.due_date, i.debt.name))


def owed_by_currency(positions_: Iterable[Position]) -> dict[str, Decimal]:
    """What settling every debt today would take, per currency (amounts never mix currencies)."""
    totals: dict[str, Decimal] = {}
    for pos in positions_:
        totals[pos.debt.currency] = totals.get(pos.debt.currency, ZERO) + pos.state.owed_today.total
    return totals
