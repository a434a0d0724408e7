"""Recording a debt: check what the borrower told us, store it with its original plan.

Also a loan already running when tracking began (issue 9): the installments paid before, or the
remaining schedule rebuilt from what the lender's app shows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal

from tracker.calculator import Quote, quote
from tracker.errors import InvalidTerms
from tracker.money import ZERO
from tracker.parsing.debt_terms import MAX_GRACE_DAYS, DebtSpec, clean_lender, clean_name
from tracker.schedule_types import LoanTerms, Method, ScheduleRow
from tracker.services.debts_position import id_of, terms_columns
from tracker.storage.enums import PlanOrigin, PlanStatus
from tracker.storage.models import Debt, PlanVersion
from tracker.storage.uow import UnitOfWork


def check_spec(spec: DebtSpec, *, today: date | None = None) -> Quote:
    """Validate a debt as add_debt would, without storing it; returns its quote.

    With ``today`` (the user's local date), installments paid before tracking must all have
    been due by then.
    """
    clean_name(spec.name)
    if spec.lender is not None:
        clean_lender(spec.lender)
    if not 0 <= spec.grace_days <= MAX_GRACE_DAYS:
        raise InvalidTerms(
            "grace days out of range", code="grace_range", max=MAX_GRACE_DAYS, value=spec.grace_days
        )
    result = quote(spec.terms)
    count = spec.paid_before_tracking
    due = len(result.rows) if today is None else _due_count(result.rows, today)
    if not 0 <= count <= due:
        raise InvalidTerms(
            f"{count} installments paid before tracking, {due} due",
            code="paid_count_too_many",
            count=count,
            due=due,
        )
    return result


def add_debt(
    uow: UnitOfWork, *, user_id: int, spec: DebtSpec, now: datetime, today: date | None = None
) -> tuple[Debt, Quote]:
    """Store a debt with its original plan as the active one; returns the debt and its quote.

    ``today`` (the user's local date) checks that installments paid before tracking were due.
    """
    name = clean_name(spec.name)
    result = check_spec(spec, today=today)  # validates the terms before anything is written
    terms = spec.terms
    debt = uow.debts.add(
        Debt(
            user_id=user_id,
            name=name,
            lender=clean_lender(spec.lender) if spec.lender is not None else None,
            kind=spec.kind,
            currency=terms.currency,
            **terms_columns(terms),
            grace_days=spec.grace_days,
            penalty_mode=spec.penalty.mode,
            penalty_multiplier=spec.penalty.multiplier,
            penalty_daily_rate=spec.penalty.daily_rate or None,
            allocation_order=",".join(c.value for c in spec.order),
            fees_on_payoff=spec.fees_on_payoff,
            penalty_on_interest=spec.penalty.on_interest,
            max_term_months=spec.max_term_months,
            paid_before_tracking=spec.paid_before_tracking,
            created_at=now,
            updated_at=now,
        )
    )
    plan = add_plan(
        uow, debt=debt, terms=terms, origin=PlanOrigin.ORIGINAL, now=now, rows=result.rows
    )
    uow.plans.activate(plan, now)
    return debt, result


def add_plan(
    uow: UnitOfWork,
    *,
    debt: Debt,
    terms: LoanTerms,
    origin: PlanOrigin,
    now: datetime,
    rows: tuple[ScheduleRow, ...] | None = None,
) -> PlanVersion:
    """Store a plan version (proposed until activated) with its computed installments."""
    plan = uow.plans.add(
        PlanVersion(
            debt_id=id_of(debt),
            status=PlanStatus.PROPOSED,
            origin=origin,
            **terms_columns(terms),
            created_at=now,
        )
    )
    uow.installments.replace_for_plan(plan, rows if rows is not None else quote(terms).rows)
    return plan


def _due_count(rows: Sequence[ScheduleRow], today: date) -> int:
    return sum(1 for row in rows if row.due_date <= today)


def due_so_far(spec: DebtSpec, today: date) -> tuple[ScheduleRow, ...]:
    """The installments of ``spec``'s plan due on or before ``today`` (the user's local date)."""
    return tuple(row for row in quote(spec.terms).rows if row.due_date <= today)


def paid_before_tracking(spec: DebtSpec, count: int, today: date) -> DebtSpec:
    """``spec`` with installments 1..``count`` paid before tracking; all must be due by today."""
    running = replace(spec, paid_before_tracking=count)
    check_spec(running, today=today)
    return running


def from_app_figures(spec: DebtSpec, principal: Decimal, term: int, next_due: date) -> DebtSpec:
    """The remaining schedule built from what the lender's app shows (issue 9).

    A new plan from the remaining principal over the remaining installments, the first due on
    the next due date, at the same rate and method; nothing of it was paid before tracking.
    A flat-fee plan keeps its fee per installment, which is charged on the original principal.
    The upfront fee was taken long ago: it is not part of what remains.
    """
    terms = spec.terms
    if principal > terms.principal:
        raise InvalidTerms(
            f"remaining principal {principal} is more than the loan {terms.principal}",
            code="remaining_principal_above_loan",
            remaining=principal,
            principal=terms.principal,
        )
    fee_rate = terms.fee_rate
    if terms.method is Method.FLAT_FEE and principal > 0:
        fee_rate = terms.fee_rate * terms.principal / principal
    rebuilt = replace(
        terms,
        principal=principal,
        term=term,
        first_due=next_due,
        due_day=None,
        start_date=None,
        fee_rate=fee_rate,
        upfront_fee=ZERO,
    )
    result = replace(spec, terms=rebuilt, paid_before_tracking=0)
    check_spec(result)
    return result
