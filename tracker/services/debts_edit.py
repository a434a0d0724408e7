"""Changing a debt after it was added: its lender, name, rate or dates; finding, archiving and
deleting it (issue 10).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal

from tracker.calculator import Quote
from tracker.errors import Conflict, NotFound
from tracker.parsing import normalise_text
from tracker.parsing.debt_terms import DebtSpec, check_loan_date, clean_lender, clean_name
from tracker.rates import Rate
from tracker.schedule_types import Method
from tracker.services.debts_entry import check_spec
from tracker.services.debts_position import id_of, terms_columns, terms_of
from tracker.storage.enums import DebtKind, DebtStatus, PlanOrigin, PlanStatus
from tracker.storage.models import Debt, PlanVersion
from tracker.storage.uow import UnitOfWork


def set_lender(uow: UnitOfWork, *, user_id: int, debt_id: int, lender: str, now: datetime) -> Debt:
    """Store the company the user repays for one of their debts (issue 10); returns the debt."""
    debt = uow.debts.require_for_user(user_id, debt_id)
    debt.lender = clean_lender(lender)
    debt.updated_at = now
    return debt


def known_lenders(uow: UnitOfWork, *, user_id: int) -> list[str]:
    """The lenders the user named for their debts, each once, the most recently added first."""
    seen: dict[str, str] = {}
    for debt in reversed(uow.debts.list_for_user(user_id)):
        if debt.lender and debt.lender.casefold() not in seen:
            seen[debt.lender.casefold()] = debt.lender
    return list(seen.values())


# ---- finding, archiving and summing debts ---------------------------------------------------


def find_debts(uow: UnitOfWork, *, user_id: int, query: str) -> list[Debt]:
    """The user's active debts named ``query``: exact (case-insensitive) matches, else prefixes.

    Several results mean the name is ambiguous; none means no such debt.
    """
    wanted = normalise_text(query).casefold()
    if not wanted:
        return []
    debts = uow.debts.list_for_user(user_id, statuses=[DebtStatus.ACTIVE])
    exact = [d for d in debts if normalise_text(d.name).casefold() == wanted]
    if exact:
        return exact
    return [d for d in debts if normalise_text(d.name).casefold().startswith(wanted)]


def archive_debt(
    uow: UnitOfWork, *, user_id: int, debt_id: int, now: datetime
) -> tuple[Debt, bool]:
    """Hide one of the user's debts from /status (and from reminders, which read active debts).

    Returns (the debt, changed?). Its plans, installments and payments stay for the record;
    archiving twice changes nothing.
    """
    debt = uow.debts.require_for_user(user_id, debt_id)
    if debt.status is DebtStatus.ARCHIVED:
        return debt, False
    debt.status = DebtStatus.ARCHIVED
    debt.updated_at = now
    return debt, True


# ---- editing and deleting a debt (issue 10) --------------------------------------------------


def rename_debt(uow: UnitOfWork, *, user_id: int, debt_id: int, name: str, now: datetime) -> Debt:
    """Give one of the user's debts a new nickname; returns the debt."""
    debt = uow.debts.require_for_user(user_id, debt_id)
    debt.name = clean_name(name)
    debt.updated_at = now
    return debt


def change_lender(
    uow: UnitOfWork, *, user_id: int, debt_id: int, lender: str | None, now: datetime
) -> Debt:
    """Set (or with None, forget) the company repaid for one of the user's debts."""
    debt = uow.debts.require_for_user(user_id, debt_id)
    debt.lender = clean_lender(lender) if lender is not None else None
    debt.updated_at = now
    return debt


def editable_plan(uow: UnitOfWork, *, user_id: int, debt_id: int) -> tuple[Debt, PlanVersion]:
    """The debt and its original plan, if changing its rate or dates can recompute it.

    Refused (``Conflict``) when the schedule is not the contract's own: a credit card (its
    statement sets its dates), a plan agreed with the lender or recomputed after a prepayment
    (those terms replaced the contract's; recomputing the original would discard them), or
    installments listed one by one (nothing to recompute them from).
    """
    debt = uow.debts.require_for_user(user_id, debt_id)
    plan = uow.plans.active_for_debt(debt_id)
    if plan is None:
        raise NotFound(f"debt {debt_id} has no active plan", code="plan_not_found")
    if debt.kind is DebtKind.CREDIT_CARD and debt.card_statement_day is not None:
        raise Conflict("a card's terms follow its statement", code="debt_edit_card")
    agreed = [
        p
        for p in uow.plans.list_for_debt(debt_id)
        if p.origin is not PlanOrigin.ORIGINAL
        and p.status in (PlanStatus.ACTIVE, PlanStatus.SUPERSEDED)
    ]
    if agreed or plan.origin is not PlanOrigin.ORIGINAL:
        raise Conflict("the debt follows an agreed plan", code="debt_edit_agreed")
    if plan.method is Method.CUSTOM:
        raise Conflict("the installments were listed one by one", code="debt_edit_custom")
    return debt, plan


def change_terms(
    uow: UnitOfWork,
    *,
    user_id: int,
    debt_id: int,
    now: datetime,
    today: date,
    pricing: tuple[Rate, Decimal] | None = None,
    first_due: date | None = None,
) -> Quote:
    """Correct a debt's rate (``read_pricing``) or first due date and recompute its schedule.

    The original plan is recomputed as ``add_debt`` computed it, from the corrected terms; the
    day of month follows the new first due date. Payments stay recorded and count against the
    new installments, as of their dates. Pending reminders of the old installments are dropped
    (the scan plans the new ones). Refused as ``editable_plan`` refuses; returns the new quote.
    """
    debt, plan = editable_plan(uow, user_id=user_id, debt_id=debt_id)
    terms = terms_of(debt, plan)
    if pricing is not None:
        terms = replace(terms, rate=pricing[0], fee_rate=pricing[1])
    if first_due is not None:
        terms = replace(terms, first_due=first_due, due_day=None)
        if terms.start_date is not None:
            check_loan_date(terms.start_date, first_due, max(today, terms.start_date))
    spec = DebtSpec(name=debt.name, terms=terms, paid_before_tracking=debt.paid_before_tracking)
    result = check_spec(spec, today=today)
    old = [i.id for i in uow.installments.for_plan(id_of(plan)) if i.id is not None]
    for column, value in terms_columns(terms).items():
        setattr(debt, column, value)
        setattr(plan, column, value)
    uow.installments.replace_for_plan(plan, result.rows)
    uow.debts.drop_pending_reminders(user_id, old)
    debt.updated_at = now
    return result


@dataclass(frozen=True, slots=True)
class DebtFootprint:
    """What deleting a debt takes with it: the name and the payments recorded."""

    name: str
    payments: int


def debt_footprint(uow: UnitOfWork, *, user_id: int, debt_id: int) -> DebtFootprint | None:
    """The debt's name and payment count (undone ones aside); None if it is gone."""
    debt = uow.debts.get_for_user(user_id, debt_id)
    if debt is None:
        return None
    return DebtFootprint(debt.name, len(uow.payments.list_for_debt(user_id, debt_id)))


def delete_debt(uow: UnitOfWork, *, user_id: int, debt_id: int) -> DebtFootprint | None:
    """Delete one of the user's debts and all that belongs to it; None if it is already gone.

    Its plan versions (agreed ones, hardship proposals), installments, payments (undone ones
    too) and reminder outbox rows go with it, in the caller's unit of work. Archiving is the
    way to hide a debt and keep its history.
    """
    footprint = debt_footprint(uow, user_id=user_id, debt_id=debt_id)
    if footprint is not None:
        uow.debts.delete_with_history(user_id, debt_id)
    return footprint
