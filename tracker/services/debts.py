"""Debts: record one with its original plan, and say where it stands on a given day."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from tracker.calculator import Quote, quote
from tracker.dates import add_months
from tracker.errors import InvalidTerms, NotFound
from tracker.ledger import (
    DEFAULT_ORDER,
    Component,
    Ledger,
    LedgerPolicy,
    LedgerState,
    PenaltyPolicy,
    parse_order,
)
from tracker.ledger import Payment as LedgerPayment
from tracker.money import from_minor, to_minor
from tracker.rates import Rate
from tracker.schedule_types import LoanTerms, ScheduleRow
from tracker.storage.enums import DebtKind, DebtStatus, PlanOrigin, PlanStatus
from tracker.storage.models import Debt, Installment, PlanVersion
from tracker.storage.uow import UnitOfWork

MAX_NAME_LENGTH = 40
MAX_GRACE_DAYS = 60


@dataclass(frozen=True, slots=True)
class DebtSpec:
    """What a user tells us about a debt; defaults are the common contract terms."""

    name: str
    terms: LoanTerms
    kind: DebtKind = DebtKind.CONSUMER_LOAN
    grace_days: int = 0
    penalty: PenaltyPolicy = field(default_factory=PenaltyPolicy)
    order: tuple[Component, ...] = DEFAULT_ORDER
    max_term_months: int | None = None


@dataclass(frozen=True, slots=True)
class Position:
    """A debt, its active plan and the ledger's view of it on one day."""

    debt: Debt
    plan: PlanVersion
    rows: tuple[ScheduleRow, ...]
    state: LedgerState


def clean_name(name: str) -> str:
    """A debt's display name, trimmed; refuses empty and overlong names."""
    cleaned = " ".join(name.split())
    if not cleaned:
        raise InvalidTerms("the debt needs a name", code="name_empty")
    if len(cleaned) > MAX_NAME_LENGTH:
        raise InvalidTerms(
            f"the name is longer than {MAX_NAME_LENGTH} characters",
            code="name_too_long",
            limit=MAX_NAME_LENGTH,
        )
    return cleaned


def add_debt(uow: UnitOfWork, user_id: int, spec: DebtSpec, now: datetime) -> tuple[Debt, Quote]:
    """Store a debt with its original plan as the active one; returns the debt and its quote."""
    name = clean_name(spec.name)
    if not 0 <= spec.grace_days <= MAX_GRACE_DAYS:
        raise InvalidTerms(
            "grace days out of range", code="grace_range", max=MAX_GRACE_DAYS, value=spec.grace_days
        )
    result = quote(spec.terms)  # validates the terms before anything is written
    terms = spec.terms
    debt = uow.debts.add(
        Debt(
            user_id=user_id,
            name=name,
            kind=spec.kind,
            currency=terms.currency,
            principal_minor=to_minor(terms.principal, terms.currency),
            rate_value=terms.rate.value,
            rate_unit=terms.rate.unit,
            day_count=terms.day_count,
            method=terms.method,
            term_months=terms.term,
            start_date=terms.start_date,
            first_due=terms.first_due,
            due_day=terms.due_day,
            fee_rate=terms.fee_rate,
            upfront_fee_minor=to_minor(terms.upfront_fee, terms.currency),
            grace_days=spec.grace_days,
            penalty_mode=spec.penalty.mode,
            penalty_multiplier=spec.penalty.multiplier,
            penalty_daily_rate=spec.penalty.daily_rate or None,
            allocation_order=",".join(c.value for c in spec.order),
            max_term_months=spec.max_term_months,
            created_at=now,
            updated_at=now,
        )
    )
    plan = add_plan(uow, debt, terms, origin=PlanOrigin.ORIGINAL, now=now, rows=result.rows)
    uow.plans.activate(plan, now)
    return debt, result


def add_plan(
    uow: UnitOfWork,
    debt: Debt,
    terms: LoanTerms,
    *,
    origin: PlanOrigin,
    now: datetime,
    rows: tuple[ScheduleRow, ...] | None = None,
) -> PlanVersion:
    """Store a plan version (proposed until activated) with its computed installments."""
    plan = uow.plans.add(
        PlanVersion(
            debt_id=_id(debt),
            status=PlanStatus.PROPOSED,
            origin=origin,
            method=terms.method,
            rate_value=terms.rate.value,
            rate_unit=terms.rate.unit,
            day_count=terms.day_count,
            term_months=terms.term,
            principal_minor=to_minor(terms.principal, terms.currency),
            start_date=terms.start_date,
            first_due=terms.first_due,
            due_day=terms.due_day,
            fee_rate=terms.fee_rate,
            upfront_fee_minor=to_minor(terms.upfront_fee, terms.currency),
            created_at=now,
        )
    )
    uow.installments.replace_for_plan(plan, rows if rows is not None else quote(terms).rows)
    return plan


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


def rows_of(installments: list[Installment], currency: str) -> tuple[ScheduleRow, ...]:
    """Stored installments back as schedule rows, with running balances."""
    balance = sum((from_minor(i.principal_minor, currency) for i in installments), Decimal(0))
    rows = []
    for item in sorted(installments, key=lambda i: i.seq):
        principal = from_minor(item.principal_minor, currency)
        balance -= principal
        rows.append(
            ScheduleRow(
                number=item.seq,
                due_date=item.due_date,
                payment=from_minor(item.total_minor, currency),
                interest=from_minor(item.interest_minor, currency),
                fee=from_minor(item.fee_minor, currency),
                principal=principal,
                balance=balance,
            )
        )
    return tuple(rows)


def policy_of(debt: Debt, plan: PlanVersion) -> LedgerPolicy:
    """The ledger rules stored with a debt."""
    terms = terms_of(debt, plan)
    start = terms.start_date or add_months(terms.first_due, -1)
    return LedgerPolicy(
        currency=debt.currency,
        contract_daily_rate=terms.rate.daily(terms.day_count),
        start_date=start,
        grace_days=debt.grace_days,
        penalty=PenaltyPolicy(
            mode=debt.penalty_mode,
            multiplier=debt.penalty_multiplier,
            daily_rate=debt.penalty_daily_rate or Decimal(0),
        ),
        order=parse_order(debt.allocation_order),
    )


def position(uow: UnitOfWork, user_id: int, debt_id: int, today: date) -> Position:
    """Where one of the user's debts stands on ``today``."""
    debt = uow.debts.require_for_user(user_id, debt_id)
    plan = uow.plans.active_for_debt(debt_id)
    if plan is None:
        raise NotFound(f"debt {debt_id} has no active plan", code="plan_not_found")
    rows = rows_of(uow.installments.for_plan(_id(plan)), debt.currency)
    policy = policy_of(debt, plan)
    payments = [
        LedgerPayment(paid_on=p.paid_on, amount=from_minor(p.amount_minor, p.currency), ref=p.id)
        for p in uow.payments.list_for_debt(user_id, debt_id)
        # A renegotiated plan starts from what was owed when it was agreed: earlier payments
        # were already counted in that figure.
        if plan.origin is PlanOrigin.ORIGINAL or p.paid_on >= policy.start_date
    ]
    state = Ledger(rows, policy).state(payments, today)
    return Position(debt, plan, rows, state)


def positions(uow: UnitOfWork, user_id: int, today: date) -> list[Position]:
    """Every active debt of the user, in the order they were added."""
    return [
        position(uow, user_id, _id(debt), today)
        for debt in uow.debts.list_for_user(user_id, statuses=[DebtStatus.ACTIVE])
    ]


def _id(row: Debt | PlanVersion) -> int:
    if row.id is None:  # only unsaved objects lack an id: a programming error
        raise RuntimeError(f"{type(row).__name__} has not been saved")
    return row.id
