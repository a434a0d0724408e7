"""Plans agreed with a lender: preview new terms against the current plan, record and activate
them together with the proof of the agreement, and list a debt's plan versions.

A renegotiated plan repays what was owed when it was agreed: the settle-today figure after every
payment recorded until then. It counts only the payments recorded after (``counts`` in
``tracker.services.debts``), so a payment made the same day is neither lost nor counted twice.

What the borrower types about a plan is read first, in ``tracker.parsing.plan_terms``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal

from tracker.calculator import Quote, quote
from tracker.dates import add_months
from tracker.errors import Conflict, InvalidDate, InvalidTerms, NotFound
from tracker.ledger import LedgerState
from tracker.money import ZERO, from_minor
from tracker.parsing.plan_terms import clean_agent, clean_note, clean_reference

# Read in tracker.parsing, named here for bot.features.hardship_flow until it imports it there.
from tracker.rates import ZERO_RATE, Rate
from tracker.schedule_types import CustomInstallment, LoanTerms, Method
from tracker.services.debts_entry import add_plan
from tracker.services.debts_position import loan_began, policy_of, position
from tracker.storage.enums import (
    Channel,
    DebtKind,
    DebtStatus,
    DocumentKind,
    PlanOrigin,
    PlanStatus,
)
from tracker.storage.models import Debt, Installment, PlanVersion
from tracker.storage.uow import UnitOfWork

MAX_FILE_ID_LENGTH = 256


@dataclass(frozen=True, slots=True)
class PlanFigures:
    """The shape of a schedule: how many installments, the usual payment, the total."""

    installments: int
    first_due: date | None
    last_due: date | None
    typical_payment: Decimal  # the most frequent amount (the first one on a tie)
    lowest_payment: Decimal
    highest_payment: Decimal
    total: Decimal

    @classmethod
    def of(cls, dated: Sequence[tuple[date, Decimal]], total: Decimal | None = None) -> PlanFigures:
        """Figures for (due date, payment) pairs in date order; ``total`` defaults to their sum."""
        amounts = [amount for _, amount in dated]
        if not amounts:
            return cls(0, None, None, ZERO, ZERO, ZERO, total if total is not None else ZERO)
        counts = Counter(amounts)
        typical = max(amounts, key=lambda a: (counts[a], -amounts.index(a)))
        return cls(
            installments=len(amounts),
            first_due=dated[0][0],
            last_due=dated[-1][0],
            typical_payment=typical,
            lowest_payment=min(amounts),
            highest_payment=max(amounts),
            total=sum(amounts, ZERO) if total is None else total,
        )


@dataclass(frozen=True, slots=True)
class PlanDefaults:
    """What a new plan for a debt usually starts from."""

    debt: Debt
    plan: PlanVersion
    #: What the new plan repays unless the lender waived part: what settling today takes,
    #: after every payment recorded so far (the plan counts only later ones).
    owed_today: Decimal
    first_due: date  # the current plan's due day, next month or this one
    current: PlanFigures  # what the current plan still asks from today


@dataclass(frozen=True, slots=True)
class PlanPreview:
    """New terms next to what the current plan still asks."""

    debt: Debt
    quote: Quote
    new: PlanFigures
    current: PlanFigures
    owed_today: Decimal  # as in PlanDefaults

    @property
    def difference(self) -> Decimal:
        """How much more (positive) or less the new plan costs in total from today."""
        return self.new.total - self.current.total

    @property
    def monthly_difference(self) -> Decimal:
        """How much more (positive) or less the usual monthly payment is."""
        return self.new.typical_payment - self.current.typical_payment


@dataclass(frozen=True, slots=True)
class PlanRecord:
    """One version of a debt's plan, with the figures of its stored installments."""

    plan: PlanVersion
    figures: PlanFigures
    number: int | None  # as plan_numbers shows it; None for a draft


@dataclass(frozen=True, slots=True)
class PlanDocument:
    """The stored written confirmation of a plan version."""

    file_id: str
    kind: DocumentKind
    number: int | None  # as plan_numbers shows it; None for a draft
    debt_name: str


# ---- building the terms ---------------------------------------------------------------------


def agreed_terms(
    debt: Debt,
    *,
    principal: Decimal,
    rate: Rate,
    months: int,
    method: Method,
    first_due: date,
    start: date,
) -> LoanTerms:
    """New terms for a debt; for a flat-fee plan the rate given is its monthly fee."""
    if method is Method.CUSTOM:
        raise InvalidTerms("a custom plan is a list of installments", code="custom_method")
    fee_rate = ZERO
    if method is Method.FLAT_FEE:
        fee_rate, rate = rate.monthly(debt.day_count), ZERO_RATE
    return LoanTerms(
        principal=principal,
        rate=rate,
        term=months,
        method=method,
        first_due=first_due,
        currency=debt.currency,
        day_count=debt.day_count,
        start_date=start,
        fee_rate=fee_rate,
    )


def custom_terms(
    debt: Debt, *, principal: Decimal, installments: Sequence[CustomInstallment], start: date
) -> LoanTerms:
    """A list of agreed installments repaying ``principal``; what is above it is the plan's cost.

    The schedule stores that excess in the rows' fee component (so an early payoff keeps the
    ledger's fee rules), but nobody said whether it is interest or fees: see ``itemised``.
    """
    if not installments:
        raise InvalidTerms("no installments were given", code="custom_missing")
    return LoanTerms(
        principal=principal,
        rate=ZERO_RATE,
        term=len(installments),
        method=Method.CUSTOM,
        first_due=installments[0].due_date,
        currency=debt.currency,
        day_count=debt.day_count,
        start_date=start,
        custom=tuple(installments),
    )


def itemised(debt: Debt, plan: PlanVersion) -> bool:
    """Whether the plan's rows really split the cost above principal into interest and fees.

    An agreed plan typed as a list of amounts (``custom_terms``) knows only the amounts: its
    rows hold the whole excess as "fee" although it is mostly interest. A card's plan is a
    projection with its interest and late fees computed apart, and every other method itemises.
    """
    return not (
        plan.method is Method.CUSTOM
        and plan.origin is PlanOrigin.RENEGOTIATED
        and debt.kind is not DebtKind.CREDIT_CARD
    )


# ---- use cases ------------------------------------------------------------------------------


def plan_defaults(uow: UnitOfWork, *, user_id: int, debt_id: int, today: date) -> PlanDefaults:
    """What a new plan for one of the user's debts starts from."""
    pos = position(uow, user_id=user_id, debt_id=debt_id, today=today)
    due_day = pos.plan.due_day or pos.plan.first_due.day
    first_due = add_months(today.replace(day=1), 0, due_day)
    if first_due <= today:
        first_due = add_months(first_due, 1, due_day)
    return PlanDefaults(
        debt=pos.debt,
        plan=pos.plan,
        owed_today=pos.state.owed_today.total,
        first_due=first_due,
        current=_current_figures(pos.state),
    )


def preview_agreed_plan(
    uow: UnitOfWork, *, user_id: int, debt_id: int, terms: LoanTerms, today: date
) -> PlanPreview:
    """The schedule new terms make, next to what the current plan still asks from today."""
    debt = uow.debts.require_for_user(user_id, debt_id)
    result = quote(_checked_terms(uow, debt, terms, today))
    pos = position(uow, user_id=user_id, debt_id=debt_id, today=today)
    return PlanPreview(
        debt=debt,
        quote=result,
        new=_quote_figures(result),
        current=_current_figures(pos.state),
        owed_today=pos.state.owed_today.total,
    )


def record_agreed_plan(
    uow: UnitOfWork,
    *,
    user_id: int,
    debt_id: int,
    terms: LoanTerms,
    confirmed_on: date | None,
    channel: Channel | None,
    reference: str | None,
    agent: str | None,
    document_file_id: str | None,
    document_kind: DocumentKind | None,
    note: str | None,
    now: datetime,
    today: date,
    proposal: PlanVersion | None = None,
) -> tuple[PlanVersion, Quote]:
    """Store the plan agreed with the lender and make it the active one.

    The previous active plan becomes superseded and stays as history (its installments stay,
    inactive), and so does any open proposal for the debt (/hardship's): what was agreed
    answers it, whether or not the lender took it as proposed. ``terms.start_date`` is the day
    the plan takes effect, today by default. The plan repays what was owed after the payments
    recorded so far, or, confirming ``proposal``, after those its figures were built on.
    """
    debt = uow.debts.require_for_user(user_id, debt_id)
    checked = _checked_terms(uow, debt, terms, today)
    check_confirmed_on(debt, confirmed_on, today)
    reference = clean_reference(reference)
    agent = clean_agent(agent)
    note = clean_note(note)
    _check_document(document_file_id, document_kind)
    result = quote(checked)
    plan = add_plan(
        uow, debt=debt, terms=checked, origin=PlanOrigin.RENEGOTIATED, now=now, rows=result.rows
    )
    plan.after_payment_id = (
        proposal.after_payment_id if proposal is not None else last_payment_id(uow, debt=debt)
    )
    plan.confirmed_on = confirmed_on
    plan.channel = channel
    plan.reference = reference
    plan.agent = agent
    plan.document_file_id = document_file_id
    plan.document_kind = document_kind
    plan.note = note
    uow.plans.activate(plan, now)
    supersede_proposals(uow, debt=debt, active=plan)
    debt.updated_at = now
    return plan, result


def check_confirmed_on(debt: Debt, confirmed_on: date | None, today: date) -> None:
    """Refuse a confirmation dated in the future or before the loan began."""
    if confirmed_on is None:
        return
    if confirmed_on > today:
        raise InvalidDate(
            "the plan cannot be confirmed in the future", code="date_confirmed_future", today=today
        )
    began = loan_began(debt)
    if confirmed_on < began:
        raise InvalidDate(
            "the plan cannot be confirmed before the loan began",
            code="date_confirmed_early",
            start=began,
        )


def plan_numbers(plans: Sequence[PlanVersion]) -> dict[int, int]:
    """The number each plan of a debt is shown with, by plan id: the plans that were in force.

    The stored ``version`` counts every row, /hardship's drafts too, so "plan v3" could follow
    "v1" with no v2 the borrower ever agreed. Shown numbers count only plans that took effect:
    the original, each plan agreed with the lender, and each one the lender recomputed after a
    prepayment (it changed the schedule in force). A draft never in force has no number.
    """
    numbers: dict[int, int] = {}
    for plan in sorted(plans, key=lambda p: p.version):
        if plan.activated_at is not None and plan.id is not None:
            numbers[plan.id] = len(numbers) + 1
    return numbers


def plan_number(uow: UnitOfWork, *, plan: PlanVersion) -> int | None:
    """The number ``plan`` is shown with (see ``plan_numbers``); None for a draft."""
    return plan_numbers(uow.plans.list_for_debt(plan.debt_id)).get(_id(plan))


def plan_history(uow: UnitOfWork, *, user_id: int, debt_id: int) -> list[PlanRecord]:
    """Every version of the debt's plan, oldest first, with its installments' figures."""
    debt = uow.debts.require_for_user(user_id, debt_id)
    plans = uow.plans.list_for_debt(_id(debt))
    numbers = plan_numbers(plans)
    return [
        PlanRecord(
            plan,
            _stored_figures(uow.installments.for_plan(_id(plan)), debt.currency),
            numbers.get(_id(plan)),
        )
        for plan in plans
    ]


def plan_document(uow: UnitOfWork, *, user_id: int, plan_id: int) -> PlanDocument:
    """The written confirmation stored with one of the user's plan versions."""
    plan = uow.plans.get_for_user(user_id, plan_id)
    if plan is None:
        raise NotFound(f"plan {plan_id} not found", code="plan_not_found")
    if plan.document_file_id is None or plan.document_kind is None:
        raise NotFound(f"plan {plan_id} has no document", code="document_missing")
    debt = uow.debts.require_for_user(user_id, plan.debt_id)
    return PlanDocument(
        plan.document_file_id, plan.document_kind, plan_number(uow, plan=plan), debt.name
    )


# ---- helpers --------------------------------------------------------------------------------


def _checked_terms(uow: UnitOfWork, debt: Debt, terms: LoanTerms, today: date) -> LoanTerms:
    """The terms with their effective date filled in; refuses what cannot replace the plan."""
    if debt.status is not DebtStatus.ACTIVE:
        raise Conflict(f"debt {debt.id} is {debt.status}", code="plan_debt_closed")
    if terms.currency != debt.currency:
        raise InvalidTerms("another currency", code="plan_currency", currency=debt.currency)
    start = terms.start_date or today
    if start > today:
        raise InvalidDate("a plan cannot take effect after today", code="date_plan_future")
    current = uow.plans.active_for_debt(_id(debt))
    if current is not None:
        began = policy_of(debt, current).start_date
        if start < began:
            raise InvalidDate(
                "the plan cannot take effect before the current one began",
                code="date_plan_early",
                start=began,
            )
    if terms.first_due <= start:
        raise InvalidDate(
            "the first installment must be after the plan takes effect",
            code="date_first_due_order",
            start=start,
        )
    return replace(terms, start_date=start)


def _check_document(file_id: str | None, kind: DocumentKind | None) -> None:
    if (file_id is None) != (kind is None) or (
        file_id is not None and not 0 < len(file_id) <= MAX_FILE_ID_LENGTH
    ):
        raise InvalidTerms("a document needs its file id and kind", code="document_invalid")


def _quote_figures(result: Quote) -> PlanFigures:
    return PlanFigures.of(
        [(row.due_date, row.payment) for row in result.rows],
        result.totals.payment + result.terms.upfront_fee,
    )


def _current_figures(state: LedgerState) -> PlanFigures:
    open_items = [i for i in state.installments if i.remaining > 0]
    penalty = sum((i.penalty_unpaid for i in state.installments), ZERO)
    return PlanFigures.of(
        [(i.due_date, i.scheduled) for i in open_items],
        sum((i.remaining for i in open_items), ZERO) + penalty,
    )


def supersede_proposals(uow: UnitOfWork, *, debt: Debt, active: PlanVersion) -> None:
    """Open /hardship proposals were made on the old figures: once ``active`` is in force,
    they no longer stand (what was agreed, or recomputed, answers them)."""
    for other in uow.plans.list_for_debt(_id(debt)):
        if other.status is PlanStatus.PROPOSED and other.id != active.id:
            other.status = PlanStatus.SUPERSEDED


def last_payment_id(uow: UnitOfWork, *, debt: Debt) -> int | None:
    """The last payment a plan agreed now starts after (see ``counts``)."""
    return uow.payments.last_id_for_debt(_id(debt))


def _stored_figures(installments: Sequence[Installment], currency: str) -> PlanFigures:
    return PlanFigures.of([(i.due_date, from_minor(i.total_minor, currency)) for i in installments])


def _id(row: Debt | PlanVersion) -> int:
    if row.id is None:  # only unsaved objects lack an id: a programming error
        raise RuntimeError(f"{type(row).__name__} has not been saved")
    return row.id
