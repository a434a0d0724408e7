"""Hardship: record what changed, plan options from the debts' real positions, and keep the
chosen option as a proposal for each lender until the borrower confirms what was agreed.

- ``report_hardship`` stores a HardshipReport and a Budget snapshot (source ``hardship``), so the
  budget every feature reads (/budget, the reminders' risk score) is the month after the change.
- ``hardship_options`` builds a DebtSituation from each active debt's position and runs the
  planner against the budget in force and the latest report's duration.
- ``propose`` stores the chosen option as a PROPOSED plan version per debt (origin
  ``proposal``, the option and the pack's figures in ``proposal_json``). A proposal never
  becomes active by itself: ``confirm_proposal`` (or /plan, through ``record_agreed_plan``)
  records what the lender agreed, which becomes active and supersedes the open proposals.
- ``set_fees_on_payoff`` stores the borrower's answer for a flat-fee debt: does paying it off
  early still owe the remaining per-period fees? (asked once; until then taken as yes).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from tracker.apr import schedule_apr
from tracker.calculator import Quote
from tracker.capacity import DEFAULT_RESERVE_SHARE, Budget
from tracker.errors import Conflict, DomainError, InvalidAmount, InvalidDate, NotFound
from tracker.ledger import Component, LedgerState, Status
from tracker.money import ZERO, check_amount, from_minor, quantize, to_minor
from tracker.parsing.hardship_text import Cause
from tracker.planner import (
    DebtSituation,
    Hardship,
    Note,
    Option,
    OptionKind,
    PlanResult,
    SplitRule,
    plan_all,
)
from tracker.planner.rows import first_due
from tracker.rates import ZERO_RATE, Rate, RateUnit
from tracker.schedule_types import CustomInstallment, Method, ScheduleRow
from tracker.services.budget import budget_of, budget_row, current_budget
from tracker.services.cards import is_revolving
from tracker.services.debts import (
    Position,
    add_plan,
    lender_of,
    policy_of,
    positions,
    terms_of,
)
from tracker.services.plans import custom_terms, last_payment_id, record_agreed_plan
from tracker.storage.enums import (
    BudgetSource,
    Channel,
    DocumentKind,
    HardshipKind,
    PlanOrigin,
    PlanStatus,
)
from tracker.storage.models import Budget as BudgetRow
from tracker.storage.models import Debt, HardshipReport, PlanVersion
from tracker.storage.uow import UnitOfWork

#: The longest hardship a report records, in months (longer is "for good").
MAX_DURATION_MONTHS = 120
#: How far back "since when" may go.
MAX_SINCE_YEARS = 10
#: How many of the latest reports are searched for one with figures (the reminders' "I can't
#: pay" button records reports without any).
_REPORTS_SEARCHED = 50
#: The version of ``proposal_json``'s layout.
PROPOSAL_FORMAT = 1


# ---- reporting ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HardshipAnswers:
    """What the borrower told the hardship flow, in one currency."""

    cause: Cause
    since: date
    currency: str
    income: Decimal  # a month, after the change (0 allowed)
    new_monthly_expense: Decimal = ZERO
    one_off_expense: Decimal = ZERO
    duration_months: int | None = None  # None: for good, or unknown
    savings: Decimal = ZERO
    #: Essential monthly expenses, asked only when no budget was given before.
    fixed_expenses: Decimal | None = None


@dataclass(frozen=True, slots=True)
class HardshipDefaults:
    """What the flow can prefill: the budget the borrower gave before, if any."""

    base: Budget | None  # the latest budget the borrower entered (not a hardship snapshot)
    savings: Decimal | None  # savings in the budget in force


def hardship_defaults(
    uow: UnitOfWork, *, user_id: int, today: date, currency: str
) -> HardshipDefaults:
    """The base budget (in ``currency``) and the savings to suggest."""
    base = _base_budget(uow, user_id, today, currency)
    found = current_budget(uow, user_id=user_id, today=today)
    savings = found[0].savings if found is not None and found[0].currency == currency else None
    return HardshipDefaults(base, savings)


def check_since(since: date, today: date) -> date:
    """Refuse a start of the hardship in the future or implausibly long ago."""
    if since > today:
        raise InvalidDate("the change cannot start in the future", code="date_hardship_future")
    if since.year < today.year - MAX_SINCE_YEARS:
        raise InvalidDate("the change is too long ago", code="date_out_of_range")
    return since


def check_duration(months: int) -> int:
    """A hardship's expected length in months: 1 to MAX_DURATION_MONTHS."""
    if not 1 <= months <= MAX_DURATION_MONTHS:
        raise InvalidAmount(
            "duration out of range", code="term_hardship_range", max=MAX_DURATION_MONTHS
        )
    return months


def report_hardship(
    uow: UnitOfWork, *, user_id: int, answers: HardshipAnswers, today: date, now: datetime
) -> tuple[HardshipReport, BudgetRow]:
    """Store the report and the budget of the month after the change (valid from today)."""
    cur = answers.currency
    amounts = [
        answers.income,
        answers.new_monthly_expense,
        answers.one_off_expense,
        answers.savings,
        answers.fixed_expenses if answers.fixed_expenses is not None else ZERO,
    ]
    for value in amounts:
        check_amount(value, allow_zero=True)
        if quantize(value, cur) != value:
            raise ValueError(f"{value} has more digits than {cur} allows")
    check_since(answers.since, today)
    if answers.duration_months is not None:
        check_duration(answers.duration_months)
    base = _base_budget(uow, user_id, today, cur)
    hardship = _hardship_from_answers(answers, base)
    budget = hardship.budget()
    income_before = base.monthly_income if base is not None else None
    report = uow.hardship.add(
        HardshipReport(
            user_id=user_id,
            created_at=now,
            kind=_stored_kind(answers, income_before),
            currency=cur,
            income_after_minor=to_minor(answers.income, cur),
            extra_expense_minor=to_minor(answers.new_monthly_expense, cur),
            one_off_minor=to_minor(answers.one_off_expense, cur),
            duration_months=answers.duration_months,
            savings_minor=to_minor(answers.savings, cur),
            cause=answers.cause,
            started_on=answers.since,
        )
    )
    row = uow.budgets.add(
        budget_row(
            budget, user_id=user_id, valid_from=today, source=BudgetSource.HARDSHIP, created_at=now
        )
    )
    return report, row


def _hardship_from_answers(answers: HardshipAnswers, base: Budget | None) -> Hardship:
    fixed = answers.fixed_expenses
    if fixed is None:
        fixed = base.fixed_expenses if base is not None else ZERO
    reserve: Decimal | None = None
    if base is not None and not _is_default_reserve(base):
        reserve = base.reserve  # the borrower chose it: a smaller income does not shrink it
    return Hardship(
        currency=answers.currency,
        monthly_income=answers.income,
        fixed_expenses=fixed,
        other_debt_payments=base.other_debt_payments if base is not None else ZERO,
        new_monthly_expense=answers.new_monthly_expense,
        one_off_expense=answers.one_off_expense,
        savings=answers.savings,
        duration_months=answers.duration_months,
        living_reserve=reserve,
    )


def _is_default_reserve(budget: Budget) -> bool:
    default = quantize(budget.monthly_income * DEFAULT_RESERVE_SHARE, budget.currency)
    return budget.living_reserve is None or budget.living_reserve == default


def _stored_kind(answers: HardshipAnswers, income_before: Decimal | None) -> HardshipKind:
    """The report's kind is what changed in money; the cause is kept in its text."""
    if answers.cause in (Cause.JOB_LOSS, Cause.INCOME_DROP):
        return HardshipKind.INCOME_DROP
    if answers.new_monthly_expense > 0:
        return HardshipKind.NEW_EXPENSE
    if answers.one_off_expense > 0:
        return HardshipKind.ONE_OFF
    if income_before is not None and answers.income < income_before:
        return HardshipKind.INCOME_DROP
    return HardshipKind.OTHER


def _base_budget(uow: UnitOfWork, user_id: int, today: date, currency: str) -> Budget | None:
    """The latest budget the borrower entered themselves (hardship snapshots derive from it)."""
    rows = [
        row
        for row in uow.budgets.history_for_user(user_id)
        if row.source is BudgetSource.BUDGET
        and row.valid_from <= today
        and row.currency == currency
    ]
    return budget_of(rows[-1]) if rows else None


def latest_report(uow: UnitOfWork, *, user_id: int) -> HardshipReport | None:
    """The user's latest report with figures (the hardship flow's, not a reminder button's)."""
    for report in uow.hardship.recent_for_user(user_id, limit=_REPORTS_SEARCHED):
        if report.income_after_minor is not None:
            return report
    return None


def report_cause(report: HardshipReport) -> tuple[Cause, date]:
    """The cause and the day it started, as the flow stored them (reports without them: other,
    since the report)."""
    return report.cause or Cause.OTHER, report.started_on or report.created_at.date()


# ---- options --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HardshipPlan:
    """The planner's options for the user's latest hardship, with what they were built from."""

    report: HardshipReport
    cause: Cause
    since: date
    budget: Budget  # in force today: the month after the change
    income_before: Decimal | None
    hardship: Hardship
    result: PlanResult
    positions: tuple[Position, ...]  # the planned debts' and the others'

    @property
    def report_id(self) -> int:
        """The report's id."""
        assert self.report.id is not None  # loaded from the database
        return self.report.id

    def position(self, debt_id: int) -> Position:
        """One debt's position."""
        return next(p for p in self.positions if p.debt.id == debt_id)

    def option(self, kind: OptionKind) -> Option:
        """The ranked option of this kind (each kind appears once)."""
        for option in self.result.ranked:
            if option.kind is kind:
                return option
        raise NotFound(f"no {kind} option", code="hardship_option_gone")


def hardship_options(
    uow: UnitOfWork, *, user_id: int, today: date, rule: SplitRule = SplitRule.PRO_RATA
) -> HardshipPlan:
    """Ranked options for every active debt, against the budget in force today."""
    report = latest_report(uow, user_id=user_id)
    if report is None:
        raise NotFound("no hardship report", code="hardship_missing")
    found = current_budget(uow, user_id=user_id, today=today)
    if found is None:
        raise NotFound("no budget", code="hardship_missing")
    budget = found[0]
    # The budget in force already holds the change (the new expense among the fixed ones, the
    # one-off taken off savings): the hardship adds only how long it lasts.
    hardship = Hardship(
        currency=budget.currency,
        monthly_income=budget.monthly_income,
        fixed_expenses=budget.fixed_expenses,
        other_debt_payments=budget.other_debt_payments,
        savings=budget.savings,
        duration_months=report.duration_months,
        living_reserve=budget.living_reserve,
    )
    found_positions = tuple(positions(uow, user_id=user_id, today=today))
    situations = [situation_of(pos) for pos in found_positions]
    result = plan_all(situations, hardship, today, rule)
    cause, since = report_cause(report)
    base = _base_budget(uow, user_id, today, budget.currency)
    return HardshipPlan(
        report=report,
        cause=cause,
        since=since,
        budget=budget,
        income_before=base.monthly_income if base is not None else None,
        hardship=hardship,
        result=result,
        positions=found_positions,
    )


def _count_advance_as_principal(
    remaining: list[ScheduleRow],
    state: LedgerState,
    rows: dict[int, ScheduleRow],
    owed_principal: Decimal,
) -> None:
    """Make the installments ahead agree with settle-today when money was paid ahead.

    The ledger shows money paid before its due date against the next installments' interest
    first (as the lender will take it on the due date), but settling today counts only the
    interest accrued so far, the rest off the principal. The planner needs one view: the part
    of the advance that settle-today counts as principal comes off the first rows' principal
    (their payments unchanged), so the rows' principal plus the overdue principal is exactly
    the principal owed today.
    """
    overdue_principal = sum(
        (
            rows[i.number].principal - i.paid_by_component.get(Component.PRINCIPAL, ZERO)
            for i in state.installments
            if i.status is Status.OVERDUE
        ),
        ZERO,
    )
    excess = sum((r.principal for r in remaining), ZERO) - (owed_principal - overdue_principal)
    for k, row in enumerate(remaining):
        if excess <= 0:
            break
        moved = min(excess, row.principal)
        remaining[k] = replace(row, principal=row.principal - moved, interest=row.interest + moved)
        excess -= moved


def situation_of(pos: Position) -> DebtSituation:
    """A debt's position as the planner sees it: what is overdue, and the installments ahead."""
    debt, plan, state = pos.debt, pos.plan, pos.state
    cur = debt.currency
    rows = {row.number: row for row in pos.rows}
    remaining: list[ScheduleRow] = []
    for item in state.installments:
        if item.status is Status.OVERDUE or item.remaining <= 0:
            continue
        row = rows[item.number]
        paid = item.paid_by_component
        remaining.append(
            ScheduleRow(
                number=len(remaining) + 1,
                due_date=row.due_date,
                payment=item.remaining,
                interest=max(ZERO, row.interest - paid.get(Component.INTEREST, ZERO)),
                fee=max(ZERO, row.fee - paid.get(Component.FEE, ZERO)),
                principal=max(ZERO, row.principal - paid.get(Component.PRINCIPAL, ZERO)),
                balance=ZERO,
            )
        )
    owed = state.owed_today
    fees = quantize(max(ZERO, owed.fees), cur)
    fees_ahead, later_fees = _fees_ahead(pos, fees)
    _count_advance_as_principal(remaining, state, rows, owed.principal)
    terms = terms_of(debt, plan)
    period_fee = ZERO
    if terms.method is Method.FLAT_FEE:
        period_fee = quantize(terms.principal * terms.fee_rate, cur)  # P·f, as the schedule
    assert debt.id is not None  # loaded from the database
    return DebtSituation(
        debt_id=debt.id,
        name=debt.name,
        kind=debt.kind,
        currency=cur,
        principal=quantize(max(ZERO, owed.principal), cur),
        overdue=quantize(max(ZERO, state.overdue_amount), cur),
        interest=quantize(max(ZERO, owed.interest), cur),
        penalty=quantize(max(ZERO, owed.penalty), cur),
        fees=fees,
        rate=_planning_rate(pos),
        method=plan.method,
        remaining=tuple(remaining),
        monthly_payment=remaining[0].payment if remaining else quantize(ZERO, cur),
        day_count=plan.day_count,
        due_day=plan.due_day or plan.first_due.day,
        max_term_months=debt.max_term_months,
        period_fee=quantize(period_fee, cur),
        fees_ahead=fees_ahead,
        later_fees=later_fees,
        fees_on_payoff=debt.fees_on_payoff,
        revolving=is_revolving(debt, plan),
    )


def _fees_ahead(pos: Position, fees: Decimal) -> tuple[Decimal, Decimal]:
    """The part of settle-today's ``fees`` for installments not yet due, and the later fees.

    As the ledger counts them: the current period's fee is owed on any payoff; the fees of the
    installments after it (the later fees) only when the lender still charges them
    (``LedgerPolicy.fees_on_payoff``). Money held in advance lowers settle-today's fees first,
    so both figures are capped at ``fees``.
    """
    state = pos.state
    cur = pos.debt.currency
    if state.paid_off_on is not None:
        return quantize(ZERO, cur), quantize(ZERO, cur)
    rows = {row.number: row for row in pos.rows}
    ahead = [item for item in state.installments if item.due_date > state.today]
    left = [
        max(ZERO, rows[item.number].fee - item.paid_by_component.get(Component.FEE, ZERO))
        for item in ahead
    ]
    current = left[0] if left else ZERO
    later = sum(left[1:], ZERO)
    charged_later = later if policy_of(pos.debt, pos.plan).fees_on_payoff else ZERO
    fees_ahead = min(fees, current + charged_later)
    if charged_later:
        later = min(later, fees_ahead)
    return quantize(fees_ahead, cur), quantize(later, cur)


def _planning_rate(pos: Position) -> Rate:
    """The debt's rate; for a flat-fee or custom plan its annualised rate (IRR) instead.

    A card repaid by its minimum keeps its own daily rate: its plan's rows are a projection,
    whose first month is interest-free, not a price anyone agreed.
    """
    terms = terms_of(pos.debt, pos.plan)
    if is_revolving(pos.debt, pos.plan):
        return terms.rate
    if terms.method not in (Method.FLAT_FEE, Method.CUSTOM):
        return terms.rate
    try:
        simple = schedule_apr(terms, pos.rows).simple
    except DomainError:
        return ZERO_RATE
    return Rate(max(ZERO, simple), RateUnit.YEAR)


# ---- proposals ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ProposalDebt:
    """A debt as the pack's statement lists it."""

    name: str
    outstanding: Decimal
    monthly: Decimal
    overdue: Decimal
    rate: Rate
    day_count: int
    #: A flat-fee debt (分期手续费): the fee a period on the original principal, as a fraction,
    #: and its annualised rate (simple, tracker.apr; None if it has none). Its ``rate`` is 0:
    #: never print that as the debt's cost.
    fee_rate: Decimal = ZERO
    annual: Decimal | None = None
    #: The stored debt (None in proposals stored before it was kept).
    debt_id: int | None = None


@dataclass(frozen=True, slots=True)
class Proposal:
    """A stored proposal: what to ask one lender, and the borrower's figures behind it."""

    plan_id: int
    debt_id: int
    version: int
    status: PlanStatus
    lender: str
    currency: str
    created: date
    kind: OptionKind  # this debt's part
    chosen: OptionKind  # the option the borrower picked (MIXED across debts, say)
    rule: SplitRule
    report_id: int
    monthly_payment: Decimal  # the usual payment (pauses left out)
    months: int
    first_payment: date
    total_paid: Decimal
    interest_and_fees: Decimal
    difference: Decimal  # total against the current plan; negative: less
    lump_sum: Decimal
    schedule: tuple[tuple[date, Decimal], ...]  # every month, pauses (0) included
    notes: tuple[Note, ...]
    request: dict[str, str]
    affordable: Decimal  # what the borrower can pay this lender a month
    fits: bool
    margin: Decimal
    cause: Cause
    since: date
    income_now: Decimal
    income_before: Decimal | None
    fixed_expenses: Decimal
    other_debt_payments: Decimal  # the budget's: debts not tracked here
    savings: Decimal
    duration_months: int | None
    debts: tuple[ProposalDebt, ...]

    @property
    def other_payments(self) -> Decimal:
        """What the borrower pays a month on every debt but this one: the budget's untracked
        debts and the regular payments of the other debts the statement lists."""
        others = (
            d.monthly for d in self.debts if d.debt_id is not None and d.debt_id != self.debt_id
        )
        return self.other_debt_payments + sum(others, ZERO)


def lender_unknown(plan: HardshipPlan, option: Option) -> Debt | None:
    """The first debt ``option`` would ask something of whose lender is not said yet (issue 10):
    its pack is addressed to the lender, so the borrower is asked before it is built."""
    for part in option.parts or (option,):
        if part.kind is OptionKind.CURRENT:
            continue
        debt = plan.position(part.debt_ids[0]).debt
        if debt.lender is None:
            return debt
    return None


def propose(
    uow: UnitOfWork,
    *,
    user_id: int,
    plan: HardshipPlan,
    option: Option,
    now: datetime,
    today: date,
) -> list[PlanVersion]:
    """Store ``option`` as a proposal for each debt it asks something of (not yet agreed).

    A debt's earlier open proposal is superseded by the new one; choosing the same option
    again keeps the stored proposal. Debts the option leaves on their current plan get none.
    """
    parts = option.parts or (option,)
    debts = tuple(_proposal_debt(plan.position(p.debt_ids[0])) for p in parts)
    stored: list[PlanVersion] = []
    for part in parts:
        if part.kind is OptionKind.CURRENT:
            continue
        debt_id = part.debt_ids[0]
        pos = plan.position(debt_id)
        rows = _proposal_rows(pos, part, today)
        payload = _payload(plan, option, part, rows, debts, today)
        text = json.dumps(payload, sort_keys=True, ensure_ascii=False)
        existing = open_proposal(uow, user_id=user_id, debt_id=debt_id)
        if existing is not None and existing.proposal_json == text:
            stored.append(existing)
            continue
        if existing is not None:
            existing.status = PlanStatus.SUPERSEDED
        stored.append(_store_proposal(uow, pos.debt, rows, text, today, now))
    return stored


def _proposal_debt(pos: Position) -> ProposalDebt:
    situation = situation_of(pos)
    terms = terms_of(pos.debt, pos.plan)
    fee_rate, annual = ZERO, None
    if terms.method is Method.FLAT_FEE:
        fee_rate = terms.fee_rate
        yearly = _planning_rate(pos)
        annual = yearly.value if yearly.value > 0 else None
    return ProposalDebt(
        debt_id=pos.debt.id,
        name=pos.debt.name,
        outstanding=situation.owed_today,
        monthly=regular_payment(pos, situation.monthly_payment),
        overdue=situation.arrears,
        rate=_planning_rate(pos) if terms.method is Method.CUSTOM else terms.rate,
        day_count=terms.day_count,
        fee_rate=fee_rate,
        annual=annual,
    )


def regular_payment(pos: Position, fallback: Decimal) -> Decimal:
    """The debt's regular monthly payment as its schedule has it: the whole scheduled payment of
    the first installment due today or later (a card: its minimum), whatever was paid towards
    it already; ``fallback`` when no installment is ahead."""
    today = pos.state.today
    ahead = [row for row in pos.rows if row.due_date >= today]
    return ahead[0].payment if ahead else fallback


def _proposal_rows(pos: Position, part: Option, today: date) -> list[ScheduleRow]:
    """The part's monthly rows; a settlement is one payment on the next due date."""
    if part.rows:
        return list(part.rows)
    situation = situation_of(pos)
    principal = min(part.lump_sum, situation.principal)
    return [
        ScheduleRow(
            1,
            first_due(situation, today),
            part.lump_sum,
            ZERO,
            part.lump_sum - principal,
            principal,
            ZERO,
        )
    ]


def _typical(payments: list[Decimal]) -> Decimal:
    paying = [p for p in payments if p > 0]
    if not paying:
        return ZERO
    counts = Counter(paying)
    return max(counts, key=lambda p: (counts[p], p))


def _money(value: Decimal) -> str:
    return str(value)


def _payload(
    plan: HardshipPlan,
    chosen: Option,
    part: Option,
    rows: list[ScheduleRow],
    debts: tuple[ProposalDebt, ...],
    today: date,
) -> dict[str, Any]:
    budget = plan.budget
    paying = [r for r in rows if r.payment > 0]
    first = paying[0].due_date if paying else rows[0].due_date
    return {
        "format": PROPOSAL_FORMAT,
        "created": today.isoformat(),
        "kind": part.kind.value,
        "chosen": chosen.kind.value,
        "rule": plan.result.rule.value,
        "report_id": plan.report_id,
        "currency": part.currency,
        "monthly_payment": _money(_typical([r.payment for r in rows])),
        "months": len(rows),
        "first_payment": first.isoformat(),
        "total_paid": _money(part.total_paid),
        "interest_and_fees": _money(part.interest_and_fees),
        "difference": _money(part.vs_current_total),
        "lump_sum": _money(part.lump_sum),
        "schedule": [[r.due_date.isoformat(), _money(r.payment)] for r in rows],
        "notes": [note.value for note in part.notes],
        "request": {key: str(value) for key, value in part.request.items()},
        "affordable": _money(part.budget),
        "fits": part.fits,
        "margin": _money(part.margin),
        "cause": plan.cause.value,
        "since": plan.since.isoformat(),
        "income_now": _money(budget.monthly_income),
        "income_before": _money(plan.income_before) if plan.income_before is not None else None,
        "fixed_expenses": _money(budget.fixed_expenses),
        "other_debt_payments": _money(budget.other_debt_payments),
        "savings": _money(budget.savings),
        "duration_months": plan.hardship.duration_months,
        "debts": [
            {
                "debt_id": d.debt_id,
                "name": d.name,
                "outstanding": _money(d.outstanding),
                "monthly": _money(d.monthly),
                "overdue": _money(d.overdue),
                "rate": [str(d.rate.value), d.rate.unit.value],
                "day_count": d.day_count,
                "fee_rate": str(d.fee_rate),
                "annual": str(d.annual) if d.annual is not None else None,
            }
            for d in debts
        ],
    }


def _store_proposal(
    uow: UnitOfWork,
    debt: Debt,
    rows: list[ScheduleRow],
    text: str,
    today: date,
    now: datetime,
) -> PlanVersion:
    """A PROPOSED custom plan version holding the proposal's payments as its installments."""
    paying = [r for r in rows if r.payment > 0]
    principal = sum((r.principal for r in paying), ZERO)
    items = tuple(CustomInstallment(r.due_date, r.payment) for r in paying)
    terms = custom_terms(debt, principal=principal, installments=items, start=today)
    stored_rows = tuple(
        ScheduleRow(n, r.due_date, r.payment, r.interest, r.fee, r.principal, r.balance)
        for n, r in enumerate(paying, start=1)
    )
    plan = add_plan(
        uow, debt=debt, terms=terms, origin=PlanOrigin.PROPOSAL, now=now, rows=stored_rows
    )
    plan.proposal_json = text
    # Its figures start from what is owed after the payments recorded so far.
    plan.after_payment_id = last_payment_id(uow, debt=debt)
    return plan


def open_proposal(uow: UnitOfWork, *, user_id: int, debt_id: int) -> PlanVersion | None:
    """The debt's proposal not yet answered (agreed, refused or replaced), if any."""
    uow.debts.require_for_user(user_id, debt_id)
    proposed = [
        plan
        for plan in uow.plans.list_for_debt(debt_id)
        if plan.status is PlanStatus.PROPOSED and plan.origin is PlanOrigin.PROPOSAL
    ]
    return proposed[-1] if proposed else None


def proposal(uow: UnitOfWork, *, user_id: int, plan_id: int) -> Proposal:
    """One of the user's stored proposals, read back."""
    plan = uow.plans.get_for_user(user_id, plan_id)
    if plan is None or plan.origin is not PlanOrigin.PROPOSAL or not plan.proposal_json:
        raise NotFound(f"proposal {plan_id} not found", code="plan_not_found")
    debt = uow.debts.require_for_user(user_id, plan.debt_id)
    return _read_proposal(plan, debt)


def _read_proposal(plan: PlanVersion, debt: Debt) -> Proposal:
    assert plan.id is not None
    assert plan.proposal_json is not None
    data = json.loads(plan.proposal_json)
    money = Decimal
    before = data.get("income_before")
    return Proposal(
        plan_id=plan.id,
        debt_id=plan.debt_id,
        version=plan.version,
        status=plan.status,
        lender=lender_of(debt),
        currency=data["currency"],
        created=date.fromisoformat(data["created"]),
        kind=OptionKind(data["kind"]),
        chosen=OptionKind(data["chosen"]),
        rule=SplitRule(data["rule"]),
        report_id=int(data["report_id"]),
        monthly_payment=money(data["monthly_payment"]),
        months=int(data["months"]),
        first_payment=date.fromisoformat(data["first_payment"]),
        total_paid=money(data["total_paid"]),
        interest_and_fees=money(data["interest_and_fees"]),
        difference=money(data["difference"]),
        lump_sum=money(data["lump_sum"]),
        schedule=tuple((date.fromisoformat(a), money(b)) for a, b in data["schedule"]),
        notes=tuple(Note(n) for n in data["notes"]),
        request={str(k): str(v) for k, v in data["request"].items()},
        affordable=money(data["affordable"]),
        fits=bool(data["fits"]),
        margin=money(data["margin"]),
        cause=Cause(data["cause"]),
        since=date.fromisoformat(data["since"]),
        income_now=money(data["income_now"]),
        income_before=money(before) if before is not None else None,
        fixed_expenses=money(data["fixed_expenses"]),
        other_debt_payments=money(data["other_debt_payments"]),
        savings=money(data["savings"]),
        duration_months=data.get("duration_months"),
        debts=tuple(
            ProposalDebt(
                debt_id=d.get("debt_id"),
                name=d["name"],
                outstanding=money(d["outstanding"]),
                monthly=money(d["monthly"]),
                overdue=money(d["overdue"]),
                rate=Rate(money(d["rate"][0]), RateUnit(d["rate"][1])),
                day_count=int(d["day_count"]),
                fee_rate=money(d.get("fee_rate", "0")),
                annual=money(d["annual"]) if d.get("annual") is not None else None,
            )
            for d in data["debts"]
        ),
    )


@dataclass(frozen=True, slots=True)
class ProposalTerms:
    """Where confirming a proposal starts: what it repays and its payments."""

    debt: Debt
    plan: PlanVersion
    principal: Decimal
    installments: tuple[CustomInstallment, ...]


def proposal_terms(uow: UnitOfWork, *, user_id: int, plan_id: int) -> ProposalTerms:
    """A proposal's payments, to start the confirmation of what the lender agreed from."""
    plan = uow.plans.get_for_user(user_id, plan_id)
    if plan is None or plan.origin is not PlanOrigin.PROPOSAL:
        raise NotFound(f"proposal {plan_id} not found", code="plan_not_found")
    if plan.status is PlanStatus.REJECTED:
        raise Conflict("the proposal was refused", code="plan_rejected")
    if plan.status is not PlanStatus.PROPOSED:
        raise Conflict("the proposal was already answered", code="proposal_closed")
    debt = uow.debts.require_for_user(user_id, plan.debt_id)
    assert plan.id is not None
    cur = debt.currency
    items = uow.installments.for_plan(plan.id)
    return ProposalTerms(
        debt=debt,
        plan=plan,
        principal=from_minor(plan.principal_minor, cur),
        installments=tuple(
            CustomInstallment(i.due_date, from_minor(i.total_minor, cur)) for i in items
        ),
    )


def confirm_proposal(
    uow: UnitOfWork,
    *,
    user_id: int,
    plan_id: int,
    confirmed_on: date | None,
    channel: Channel | None,
    reference: str | None,
    agent: str | None,
    now: datetime,
    today: date,
    installments: tuple[CustomInstallment, ...] | None = None,
    principal: Decimal | None = None,
    document_file_id: str | None = None,
    document_kind: DocumentKind | None = None,
) -> tuple[PlanVersion, Quote]:
    """Record what the lender agreed to, starting from the proposal's terms (which may differ).

    The agreed plan becomes active (the old one superseded, reminders follow the new
    installments) and the proposal is superseded by it.
    """
    start = proposal_terms(uow, user_id=user_id, plan_id=plan_id)
    terms = custom_terms(
        start.debt,
        principal=start.principal if principal is None else principal,
        installments=start.installments if installments is None else installments,
        start=today,
    )
    assert start.debt.id is not None
    return record_agreed_plan(
        uow,
        user_id=user_id,
        debt_id=start.debt.id,
        terms=terms,
        confirmed_on=confirmed_on,
        channel=channel,
        reference=reference,
        agent=agent,
        document_file_id=document_file_id,
        document_kind=document_kind,
        note=None,
        now=now,
        today=today,
        proposal=start.plan,
    )


def reject_proposal(uow: UnitOfWork, *, user_id: int, plan_id: int) -> PlanVersion:
    """The lender said no: the proposal is marked rejected (the current plan stays)."""
    start = proposal_terms(uow, user_id=user_id, plan_id=plan_id)
    uow.plans.reject(start.plan)
    return start.plan


# ---- fees on an early payoff ----------------------------------------------------------------


def set_fees_on_payoff(
    uow: UnitOfWork, *, user_id: int, debt_id: int, charged: bool, now: datetime
) -> Debt:
    """Store the borrower's answer for one of their debts: does paying it off early still owe
    the remaining per-period fees? (``Debt.fees_on_payoff``; None until asked, taken as yes.)

    The ledger's settle-today figure follows it from then on, everywhere the debt is shown.
    """
    debt = uow.debts.require_for_user(user_id, debt_id)
    if debt.fees_on_payoff is not charged:
        debt.fees_on_payoff = charged
        debt.updated_at = now
    return debt
