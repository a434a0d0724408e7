"""Progress and calendar: the stored plans, payments and ledgers gathered for /progress and
/calendar (the series themselves are computed by tracker.progress)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from tracker.money import from_minor
from tracker.progress import DebtProgress, Span, debt_progress, on_time_streak, total
from tracker.services.debts import Position, ledger_payments, loan_began, positions, rows_of
from tracker.storage.enums import PlanStatus
from tracker.storage.models import Debt, Installment, PlanVersion
from tracker.storage.uow import UnitOfWork

#: The plan versions that were in force at some time (not proposals nor rejected ones).
_IN_FORCE = (PlanStatus.ACTIVE, PlanStatus.SUPERSEDED)


@dataclass(frozen=True, slots=True)
class Progress:
    """Every active debt's progress, the totals by currency, and the on-time streak."""

    debts: tuple[DebtProgress, ...]
    totals: tuple[DebtProgress, ...]  # one per currency, in the order debts first use it
    streak: int


def _took_effect(debt: Debt, plan: PlanVersion, first: bool) -> date:
    """When a plan version started to count: the loan date, or the day a change was agreed."""
    if first:
        return loan_began(debt)
    if plan.confirmed_on is not None:
        return plan.confirmed_on
    if plan.activated_at is not None:
        return plan.activated_at.date()
    return plan.first_due


def _spans(uow: UnitOfWork, user_id: int, pos: Position) -> list[Span]:
    debt = pos.debt
    assert debt.id is not None
    plans = [p for p in uow.plans.list_for_debt(debt.id) if p.status in _IN_FORCE]
    payments = uow.payments.list_for_debt(user_id, debt.id)
    spans: list[Span] = []
    for index, plan in enumerate(plans):
        assert plan.id is not None
        counted = ledger_payments(plan, payments)
        if index + 1 < len(plans):  # the next plan counts these itself: leave them to it
            later = {p.ref for p in ledger_payments(plans[index + 1], payments)}
            counted = [p for p in counted if p.ref not in later]
        rows = (
            pos.rows
            if plan.id == pos.plan.id
            else rows_of(uow.installments.for_plan(plan.id), debt.currency)
        )
        spans.append(Span(_took_effect(debt, plan, index == 0), rows, counted))
    return spans


def progress(uow: UnitOfWork, *, user_id: int, today: date) -> Progress:
    """Where each active debt stands against its plans, on ``today``."""
    current = positions(uow, user_id=user_id, today=today)
    debts = tuple(
        debt_progress(pos.debt.name, pos.debt.currency, _spans(uow, user_id, pos), pos.state, today)
        for pos in current
    )
    currencies = list(dict.fromkeys(debt.currency for debt in debts))
    totals = tuple(total([d for d in debts if d.currency == cur], today) for cur in currencies)
    streak = on_time_streak(((pos.state, pos.debt.grace_days) for pos in current), today)
    return Progress(debts, totals, streak)


@dataclass(frozen=True, slots=True)
class CalendarItem:
    """An installment as a calendar event: open (with what is left to pay) or cancelled."""

    installment_id: int
    debt: str
    lender: str | None
    currency: str
    due_date: date
    amount: Decimal
    cancelled: bool


def calendar_items(uow: UnitOfWork, *, user_id: int, today: date) -> list[CalendarItem]:
    """Every open installment of the active plans, and the installments still to come that a
    plan change cancelled or a payment ahead covered (so a calendar that imported them drops
    them and their alarms)."""
    items: list[CalendarItem] = []
    for pos in positions(uow, user_id=user_id, today=today):
        debt = pos.debt
        assert debt.id is not None
        assert pos.plan.id is not None
        stored = {i.seq: i for i in uow.installments.for_plan(pos.plan.id)}
        for state in pos.state.installments:
            if (stored_item := stored.get(state.number)) is None:
                continue
            if state.remaining > 0:
                items.append(_item(debt, stored_item, state.remaining, cancelled=False))
            elif state.due_date >= today:  # paid ahead: the calendar drops it and its alarm
                items.append(_item(debt, stored_item, state.scheduled, cancelled=True))
        for plan in uow.plans.list_for_debt(debt.id):
            if plan.status is not PlanStatus.SUPERSEDED or plan.id is None:
                continue
            for old in uow.installments.for_plan(plan.id):
                if old.due_date >= today:
                    amount = from_minor(old.total_minor, debt.currency)
                    items.append(_item(debt, old, amount, cancelled=True))
    return sorted(items, key=lambda i: (i.due_date, i.installment_id))


def _item(
    debt: Debt, installment: Installment, amount: Decimal, *, cancelled: bool
) -> CalendarItem:
    assert installment.id is not None
    return CalendarItem(
        installment_id=installment.id,
        debt=debt.name,
        lender=debt.lender,
        currency=debt.currency,
        due_date=installment.due_date,
        amount=amount,
        cancelled=cancelled,
    )
