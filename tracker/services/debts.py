"""Debts: record one with its original plan, say where it stands, find, archive, read one line.

Besides storing debts, this module reads what a borrower types when adding one: the one-line
form ``<name> <principal> <rate> <months> [method] [first due]`` and the optional terms (a
per-installment fee, grace days, a penalty multiplier or a daily late fee).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from tracker.calculator import Quote, quote
from tracker.dates import add_months
from tracker.errors import (
    Conflict,
    DomainError,
    InvalidDate,
    InvalidRate,
    InvalidTerms,
    NotFound,
)
from tracker.ledger import (
    DEFAULT_ORDER,
    Component,
    InstallmentState,
    Ledger,
    LedgerPolicy,
    LedgerState,
    PenaltyMode,
    PenaltyPolicy,
    parse_order,
)
from tracker.ledger import Payment as LedgerPayment
from tracker.money import ZERO, from_minor, to_minor
from tracker.parsing import (
    ParsedAmount,
    normalise_text,
    parse_amount,
    parse_method,
    parse_rate,
    parse_term,
)
from tracker.parsing.debt_line import take_lender
from tracker.parsing.rates import rate_readings
from tracker.parsing.text import cn_integer
from tracker.parsing.words import parse_date_near
from tracker.rates import Rate, RateUnit, check_rate
from tracker.schedule import start_of
from tracker.schedule_types import LoanTerms, Method, ScheduleRow
from tracker.storage.enums import DebtKind, DebtStatus, PlanOrigin, PlanStatus
from tracker.storage.models import Debt, Installment, Payment, PlanVersion
from tracker.storage.uow import UnitOfWork

T = TypeVar("T")

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
    #: Does paying off early still owe the remaining per-period fees? None: not said (yes).
    fees_on_payoff: bool | None = None
    #: A loan already running when tracking began: installments 1..N of this plan were paid
    #: before then (counted paid on their due dates, with no payment records; issue 9).
    paid_before_tracking: int = 0
    #: The company repaid (京东金融, 招商银行), apart from the nickname; None: not said yet.
    lender: str | None = None


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


def clean_lender(lender: str) -> str:
    """A lender's name (the company repaid), trimmed; refuses empty and overlong ones."""
    cleaned = " ".join(lender.split())
    if not cleaned:
        raise InvalidTerms("the lender needs a name", code="lender_empty")
    if len(cleaned) > MAX_NAME_LENGTH:
        raise InvalidTerms(
            f"the lender is longer than {MAX_NAME_LENGTH} characters",
            code="lender_too_long",
            limit=MAX_NAME_LENGTH,
        )
    return cleaned


def lender_of(debt: Debt) -> str:
    """Who a lender-facing text addresses: the debt's lender, or its name until one is said."""
    return debt.lender or debt.name


def set_lender(uow: UnitOfWork, user_id: int, debt_id: int, lender: str, *, now: datetime) -> Debt:
    """Store the company the user repays for one of their debts (issue 10); returns the debt."""
    debt = uow.debts.require_for_user(user_id, debt_id)
    debt.lender = clean_lender(lender)
    debt.updated_at = now
    return debt


def known_lenders(uow: UnitOfWork, user_id: int) -> list[str]:
    """The lenders the user named for their debts, each once, the most recently added first."""
    seen: dict[str, str] = {}
    for debt in reversed(uow.debts.list_for_user(user_id)):
        if debt.lender and debt.lender.casefold() not in seen:
            seen[debt.lender.casefold()] = debt.lender
    return list(seen.values())


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


def add_debt(
    uow: UnitOfWork, user_id: int, spec: DebtSpec, now: datetime, *, today: date | None = None
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
            **terms_columns(terms),
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


def counts(plan: PlanVersion, payment: Payment) -> bool:
    """Whether ``plan``'s ledger counts ``payment``.

    A renegotiated plan starts from what was owed when it was agreed, after every payment
    recorded until then (``after_payment_id`` is the last of them); it counts only the payments
    recorded after, so no payment is counted twice or lost, whatever day it is dated.
    """
    if plan.origin is PlanOrigin.ORIGINAL or plan.after_payment_id is None:
        return True
    return payment.id is not None and payment.id > plan.after_payment_id


def ledger_payments(plan: PlanVersion, payments: Iterable[Payment]) -> list[LedgerPayment]:
    """The stored payments ``plan`` counts, as the ledger takes them."""
    return [
        LedgerPayment(paid_on=p.paid_on, amount=from_minor(p.amount_minor, p.currency), ref=p.id)
        for p in payments
        if counts(plan, p)
    ]


def position(uow: UnitOfWork, user_id: int, debt_id: int, today: date) -> Position:
    """Where one of the user's debts stands on ``today``."""
    debt = uow.debts.require_for_user(user_id, debt_id)
    plan = uow.plans.active_for_debt(debt_id)
    if plan is None:
        raise NotFound(f"debt {debt_id} has no active plan", code="plan_not_found")
    rows = rows_of(uow.installments.for_plan(_id(plan)), debt.currency)
    payments = ledger_payments(plan, uow.payments.list_for_debt(user_id, debt_id))
    state = Ledger(rows, policy_of(debt, plan)).state(payments, today)
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


# ---- finding, archiving and summing debts ---------------------------------------------------


def find_debts(uow: UnitOfWork, user_id: int, query: str) -> list[Debt]:
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


def archive_debt(uow: UnitOfWork, user_id: int, debt_id: int, now: datetime) -> tuple[Debt, bool]:
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


def rename_debt(uow: UnitOfWork, user_id: int, debt_id: int, *, name: str, now: datetime) -> Debt:
    """Give one of the user's debts a new nickname; returns the debt."""
    debt = uow.debts.require_for_user(user_id, debt_id)
    debt.name = clean_name(name)
    debt.updated_at = now
    return debt


def change_lender(
    uow: UnitOfWork, user_id: int, debt_id: int, *, lender: str | None, now: datetime
) -> Debt:
    """Set (or with None, forget) the company repaid for one of the user's debts."""
    debt = uow.debts.require_for_user(user_id, debt_id)
    debt.lender = clean_lender(lender) if lender is not None else None
    debt.updated_at = now
    return debt


def read_pricing(method: Method, text: str) -> tuple[Rate, Decimal]:
    """Read a new rate for a debt repaid by ``method``: (rate, fee per installment).

    A flat-fee plan is priced by its fee per installment (``0.5%``), with no rate; any other by
    its rate with a period (``0.05%/day``, ``日息万五``, ``年化18%``).
    """
    if method is Method.FLAT_FEE:
        return Rate(ZERO, RateUnit.MONTH), parse_fee_rate(text)
    return check_rate(parse_rate(text)), ZERO


def editable_plan(uow: UnitOfWork, user_id: int, debt_id: int) -> tuple[Debt, PlanVersion]:
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
    user_id: int,
    debt_id: int,
    *,
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
    debt, plan = editable_plan(uow, user_id, debt_id)
    terms = terms_of(debt, plan)
    if pricing is not None:
        terms = replace(terms, rate=pricing[0], fee_rate=pricing[1])
    if first_due is not None:
        terms = replace(terms, first_due=first_due, due_day=None)
        if terms.start_date is not None:
            check_loan_date(terms.start_date, first_due, max(today, terms.start_date))
    spec = DebtSpec(name=debt.name, terms=terms, paid_before_tracking=debt.paid_before_tracking)
    result = check_spec(spec, today=today)
    old = [i.id for i in uow.installments.for_plan(_id(plan)) if i.id is not None]
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


def debt_footprint(uow: UnitOfWork, user_id: int, debt_id: int) -> DebtFootprint | None:
    """The debt's name and payment count (undone ones aside); None if it is gone."""
    debt = uow.debts.get_for_user(user_id, debt_id)
    if debt is None:
        return None
    return DebtFootprint(debt.name, len(uow.payments.list_for_debt(user_id, debt_id)))


def delete_debt(uow: UnitOfWork, user_id: int, debt_id: int) -> DebtFootprint | None:
    """Delete one of the user's debts and all that belongs to it; None if it is already gone.

    Its plan versions (agreed ones, hardship proposals), installments, payments (undone ones
    too) and reminder outbox rows go with it, in the caller's unit of work. Archiving is the
    way to hide a debt and keep its history.
    """
    footprint = debt_footprint(uow, user_id, debt_id)
    if footprint is not None:
        uow.debts.delete_with_history(user_id, debt_id)
    return footprint


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


# ---- reading the optional terms -------------------------------------------------------------

#: What 白条 and credit cards charge on an overdue amount: 0.05 % a day (日息万五).
DEFAULT_DAILY_LATE_FEE = Decimal("0.0005")


def default_penalty(method: Method) -> PenaltyPolicy:
    """The usual lateness terms for a method, until the borrower says what the contract says.

    Interest-bearing loans charge penalty interest at 1.5 × the contract rate on overdue
    principal; a flat-fee plan has no contract rate to multiply, and its lenders (白条, card
    installments) charge a daily late fee of 0.05 % on the overdue amount instead.
    """
    if method is Method.FLAT_FEE:
        return PenaltyPolicy(
            mode=PenaltyMode.DAILY_RATE_ON_OVERDUE, daily_rate=DEFAULT_DAILY_LATE_FEE
        )
    return PenaltyPolicy()


#: A penalty above 4 × the contract rate is no contract term we know of: a typing mistake.
MAX_PENALTY_MULTIPLIER = Decimal(4)


def _with_text(error: DomainError, text: str) -> DomainError:
    """The same error, quoting what the person typed rather than our rewrite of it."""
    params = {**error.params, "text": text}
    return type(error)(str(error), code=error.code, **params)


def parse_rate_per(text: str, unit: RateUnit) -> Rate:
    """Read a rate; one that names no period is per ``unit`` (``0.05%`` → 0.05 % a day)."""
    try:
        return parse_rate(f"{text} /{unit.value}")
    except InvalidRate as error:
        if error.code == "rate_unit_conflict":  # the text names its own period: keep it
            return parse_rate(text)
        raise _with_text(error, text) from None


_FEE_PREFIX = re.compile(
    r"^(?:分期手续费率|分期手续费|每期手续费率|每期手续费|手续费率|手续费|每期费率|每期)"
)
_FEE_SUFFIX = re.compile(
    r" ?(?:(?:/|per|an|a|each|every|每|一) ?)?(?:期|periods?|installments?|instalments?)$"
)


def parse_fee_rate(text: str) -> Decimal:
    """Read a fee charged per installment on the original principal (``0.5%``, ``0.5%/期``).

    A figure without a period is per installment; a monthly figure is the same thing (the
    installments are monthly). Daily or yearly figures are refused: the lender's app shows the
    per-installment rate for 分期手续费, and converting would hide a misreading.
    """
    s = normalise_text(text).casefold()
    s = _FEE_PREFIX.sub("", s).strip()
    s = _FEE_SUFFIX.sub("", s).strip()
    try:
        rate = parse_rate_per(s, RateUnit.MONTH)
    except DomainError as error:
        raise _with_text(error, text) from None
    if rate.unit is not RateUnit.MONTH:
        raise InvalidRate(f"{text!r} is not per installment", code="fee_rate_period", text=text)
    if not 0 <= rate.value < 1:
        raise InvalidTerms("fee rate out of range", code="fee_rate_range", text=text)
    return rate.value


def parse_daily_late_fee(text: str) -> Decimal:
    """Read a late fee as a daily rate on the overdue amount (``0.05%`` is 0.05 % a day)."""
    rate = parse_rate_per(text, RateUnit.DAY)
    return check_rate(rate).daily()


_NONE_WORDS = frozenset({"无", "没有", "不", "none", "no", "nil", "-"})
_GRACE = re.compile(
    r"(?P<n>[0-9]{1,3}|[〇一二两三四五六七八九十]{1,3}) ?(?:天|日|days?|d)?(?: ?宽限期?)?"
)


def parse_grace_days(text: str) -> int:
    """Read the days after a due date before a payment counts as overdue (``3``, ``3天``)."""
    s = normalise_text(text).casefold()
    if s in _NONE_WORDS:
        return 0
    match = _GRACE.fullmatch(s)
    if match is None:
        raise InvalidTerms(f"{text!r} is not a number of days", code="grace_garbage", text=text)
    token = match["n"]
    days = int(token) if token.isascii() else cn_integer(token)
    if days is None:
        raise InvalidTerms(f"{text!r} is not a number of days", code="grace_garbage", text=text)
    if not 0 <= days <= MAX_GRACE_DAYS:
        raise InvalidTerms(
            "grace days out of range", code="grace_range", max=MAX_GRACE_DAYS, value=days
        )
    return days


_MULTIPLIER = re.compile(r"(?:[x×*] ?)?(?P<n>[0-9]+(?:\.[0-9]+)?) ?(?:倍|[x×]|times)?")


def parse_penalty_multiplier(text: str) -> Decimal:
    """Read how many times the contract rate penalty interest runs at (``1.5``, ``1.5倍``)."""
    match = _MULTIPLIER.fullmatch(normalise_text(text).casefold())
    if match is None:
        raise InvalidTerms(
            f"{text!r} is not a multiplier", code="penalty_multiplier_garbage", text=text
        )
    try:
        value = Decimal(match["n"])
    except InvalidOperation:  # pragma: no cover - the pattern only lets digits through
        raise InvalidTerms(
            f"{text!r} is not a multiplier", code="penalty_multiplier_garbage", text=text
        ) from None
    if not 1 <= value <= MAX_PENALTY_MULTIPLIER:
        raise InvalidTerms(
            "multiplier out of range",
            code="penalty_multiplier_range",
            text=text,
            max=MAX_PENALTY_MULTIPLIER,
        )
    return value


# ---- the one-line form ----------------------------------------------------------------------

#: The parts of ``/adddebt <name> <principal> <rate> <months> [method] [first due]``.
LINE_PARTS = ("name", "principal", "rate", "term", "method", "first_due")
#: More words than this is no debt description; refusing early keeps the search small.
MAX_LINE_WORDS = 16


@dataclass(frozen=True, slots=True)
class _Field:
    part: str
    fewest: int
    most: int
    read: Callable[[str], object]


def _can_read(text: str, read: Callable[[str], object]) -> bool:
    try:
        read(text)
    except DomainError:
        return False
    return True


def _read_rate_or_fee(text: str) -> str:
    """The rate's words, if they read as a rate or a per-installment fee (decided later)."""
    if rate_readings(text):  # only the period is missing (0.05%): the borrower is asked
        return text
    if not (_can_read(text, parse_rate) or _can_read(text, parse_fee_rate)):
        parse_rate(text)  # raises the rate's own error
    return text


def _match(
    words: Sequence[str], fields: Sequence[_Field], start: int
) -> list[tuple[str, object]] | None:
    """Give each field a run of words so every field reads; the first full reading wins."""
    if not fields:
        return [] if start == len(words) else None
    head, rest = fields[0], fields[1:]
    for count in range(head.fewest, min(head.most, len(words) - start) + 1):
        text = " ".join(words[start : start + count])
        value: object = None
        if count:
            try:
                value = head.read(text)
            except DomainError:
                continue
        tail = _match(words, rest, start + count)
        if tail is not None:
            return [(text, value), *tail]
    return None


def parse_debt_line(
    text: str, *, today: date, currency: str, rate_unit: RateUnit | None = None
) -> DebtSpec:
    """Read ``<name> <principal> <rate> <months> [method] [first due]`` into a debt.

    The method defaults to annuity; the principal is in ``currency`` unless it names one. With
    the flat-fee method the rate is the fee per installment (``0.5%/month`` or ``0.5%``).
    Words may be split by spaces (``18% a year``, ``京东 金条``). A rate that names no period
    and has no plain one (``0.05%``, see ``unstated_percent_unit``) raises ``rate_unit_missing``
    until the borrower's answer comes back as ``rate_unit``.

    The loan date (放款日) may follow a keyword anywhere after the name: ``放款日2026-11-01``,
    ``放款 11月1日``, ``loan 2026-11-01``, ``from 2026-11-01`` (see ``take_loan_date``). The
    first due date defaults to a month after the loan date, or a month from ``today``; without
    a year it is read by ``parse_first_due``.

    The lender may follow a marker with a colon, at the end: ``机构:京东金融``,
    ``lender: JD Finance`` (see ``tracker.parsing.debt_line.take_lender``).

    A missing part raises ``debt_line_missing`` with ``missing`` naming the parts; an
    unreadable one raises that part's own error with ``part`` added.
    """
    words = normalise_text(text).split()
    if len(words) > MAX_LINE_WORDS:
        raise InvalidTerms("too many words", code="debt_line_long", limit=MAX_LINE_WORDS)
    words, start = take_loan_date(words, today)
    words, lender = take_lender(words)  # 机构:京东金融 runs to the end of what is left
    fields = (
        _Field("name", 1, len(words), clean_name),
        _Field("principal", 1, 2, lambda s: parse_amount(s, currency)),
        _Field("rate", 1, 3, _read_rate_or_fee),
        _Field("term", 1, 2, parse_term),
        _Field("method", 0, 2, _read_method),
        _Field("first_due", 0, 3, lambda s: parse_first_due(s, today=today)),
    )
    found = _match(words, fields, 0) if words else None
    if found is None:
        _explain(words, today, currency)
        raise InvalidTerms(f"cannot read {text!r}", code="debt_line_garbage", text=text)
    (name, _), (_, amount), (rate_text, _), (_, term), (_, method), (_, first_due) = found
    assert isinstance(amount, ParsedAmount)
    assert isinstance(term, int)
    chosen = method if isinstance(method, Method) else Method.ANNUITY
    due = first_due if isinstance(first_due, date) else add_months(start or today, 1)
    if start is not None:
        _part("start_date", lambda _: check_loan_date(start, due, today), "")
    rate, fee = Rate(ZERO, RateUnit.MONTH), ZERO
    if chosen is Method.FLAT_FEE:
        fee = _part("rate", parse_fee_rate, rate_text)
    elif rate_unit is not None:
        rate = _part("rate", lambda s: parse_rate_per(s, rate_unit), rate_text)
    else:
        rate = _part("rate", parse_rate, rate_text)
    terms = LoanTerms(
        principal=amount.amount,
        rate=rate,
        term=term,
        method=chosen,
        first_due=due,
        currency=amount.currency,
        start_date=start,
        fee_rate=fee,
    )
    return DebtSpec(
        name=clean_name(name),
        terms=terms,
        penalty=default_penalty(chosen),
        lender=_part("lender", clean_lender, lender) if lender is not None else None,
    )


def _explain(words: Sequence[str], today: date, currency: str) -> None:
    """Raise what is wrong with a line no reading fits, reading one word per part."""

    def is_amount(word: str) -> bool:
        return _can_read(word, lambda s: parse_amount(s, currency))

    amounts = [i for i, word in enumerate(words) if is_amount(word)]
    # The principal is the first amount after the name with room for a rate and a term after
    # it; failing that, the second word of a line long enough to hold every part.
    roomy = [i for i in amounts if 0 < i <= len(words) - 3]
    if amounts and amounts[0] == 0:
        at = 0  # no name before the principal
    elif roomy:
        at = roomy[0]
    elif len(words) >= 4 or not amounts:
        at = 1
    else:
        at = amounts[0]
    slots = {"principal": at, "rate": at + 1, "term": at + 2}
    missing = (["name"] if at == 0 else []) + [p for p, i in slots.items() if i >= len(words)]
    if missing:
        raise InvalidTerms(
            f"missing {', '.join(missing)}", code="debt_line_missing", missing=tuple(missing)
        )
    _part("name", clean_name, " ".join(words[:at]))
    _part("principal", lambda s: parse_amount(s, currency), words[at])
    _part("rate", _read_rate_or_fee, words[at + 1])
    _part("term", parse_term, words[at + 2])
    rest = words[at + 3 :]
    if not rest:
        return
    if _can_read(rest[0], _read_method):
        if rest[1:]:
            _part("first_due", lambda s: parse_first_due(s, today=today), " ".join(rest[1:]))
    elif any(ch.isdigit() for ch in rest[0]):
        _part("first_due", lambda s: parse_first_due(s, today=today), " ".join(rest))
    else:
        _part("method", _read_method, rest[0])


def _read_method(text: str) -> Method:
    method = parse_method(text)
    if method is Method.CUSTOM:  # a custom plan lists its installments: not a one-line thing
        raise InvalidTerms(f"{text!r} is not offered here", code="method_unknown", text=text)
    return method


def _part(part: str, read: Callable[[str], T], text: str) -> T:
    """``read(text)``, its error marked with the part of the line it is about."""
    try:
        return read(text)
    except DomainError as error:
        raise type(error)(str(error), code=error.code, part=part, **error.params) from None


# ---- dates: the first due date and the loan date --------------------------------------------

#: A new loan's first installment falls due within two months of taking it (the guided flow
#: offers one and two months from today); a month and day further ahead than that, typed
#: without a year, is a loan already running (issue 9: 8月20日 in December is last August).
FIRST_DUE_MONTHS_AHEAD = 2


def parse_first_due(text: str, *, today: date) -> date:
    """Read a first due date; without a year, the next one within two months, else the last."""
    # On 1 December 2026, 1月15日 is 15 January 2027 and 8月20日 20 August 2026.
    return parse_date_near(text, today=today, months_ahead=FIRST_DUE_MONTHS_AHEAD)


def parse_loan_date(text: str, *, today: date) -> date:
    """Read the day the money was paid out (放款日); without a year, the latest one so far."""
    return parse_date_near(text, today=today)


def check_loan_date(start: date, first_due: date, today: date) -> date:
    """Refuse a loan date in the future or on or after the first due date; returns it."""
    if start > today:
        raise InvalidTerms(
            f"the loan date {start} is after today {today}",
            code="loan_date_future",
            start=start,
            today=today,
        )
    if start >= first_due:
        raise InvalidTerms(
            f"the loan date {start} is not before the first due date {first_due}",
            code="loan_date_order",
            start=start,
            first_due=first_due,
        )
    return start


#: Words that announce the loan date in the one-line form; Chinese ones may run on into it.
_LOAN_WORDS_ZH = ("放款日期", "放款日", "放款", "借款日期", "借款日", "起息日")
_LOAN_WORDS_EN = ("loan date", "loaned", "loan", "from", "since", "started")
#: A date runs over at most three words (``2026年 11月 1日``).
_MAX_DATE_WORDS = 3


def take_loan_date(words: Sequence[str], today: date) -> tuple[list[str], date | None]:
    """Split a one-line form's words into the rest and the loan date a keyword announces."""
    # A Chinese keyword (放款日) always announces a date, so what follows must be one; an
    # English word (loan, from) only does when a date follows: "car loan" is a name.
    for at in range(1, len(words)):  # the first word is always (part of) the name
        word = words[at].casefold()
        pair = f"{word} {words[at + 1].casefold()}" if at + 1 < len(words) else word
        if keyword := next((k for k in _LOAN_WORDS_ZH if word.startswith(k)), None):
            found = _date_after(words, at, word[len(keyword) :], today, required=True)
        elif pair in _LOAN_WORDS_EN:
            found = _date_after(words, at + 1, "", today, required=False)
        elif word.rstrip(":") in _LOAN_WORDS_EN:
            found = _date_after(words, at, "", today, required=False)
        else:
            continue
        if found is not None:
            end, start = found
            return [*words[:at], *words[end:]], start
    return list(words), None


def _date_after(
    words: Sequence[str], at: int, attached: str, today: date, *, required: bool
) -> tuple[int, date] | None:
    """The loan date after the keyword at ``at``: (index past its last word, the date)."""
    attached = attached.lstrip(":=")
    first = at if attached else at + 1
    meant: DomainError | None = None  # an impossible date is still meant as a date
    garbage: DomainError | None = None
    for end in range(min(len(words), first + _MAX_DATE_WORDS), first, -1):
        text = " ".join([attached, *words[at + 1 : end]] if attached else words[first:end])
        try:
            return end, parse_loan_date(text, today=today)
        except InvalidDate as failed:
            if failed.code != "date_garbage":
                meant = meant or failed
            else:
                garbage = failed  # the shortest reading's, to quote just the date's word
    error = meant or (garbage if required else None)
    if required and error is None:
        error = InvalidTerms("no loan date after the keyword", code="loan_date_empty")
    if error is None:
        return None
    raise type(error)(str(error), code=error.code, part="start_date", **error.params)


# ---- a loan already running when tracking begins (issue 9) ----------------------------------


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


#: Words around a count of installments paid: ``前4期已经还了``, ``4 paid``, ``I've paid 4``.
_COUNT_WORDS_ZH = (
    "已经还了", "已经还清", "已经还", "按时还了", "按时还", "都还了", "还清了", "已还清",
    "已还", "还了", "还清", "已经", "按时", "正常", "一共", "总共", "我", "都", "共", "前",
    "第", "到", "期", "个月", "月", "次", "笔", "了", "已", "还", "款",
)  # fmt: skip
_COUNT_WORDS_EN = frozenset(
    {
        "i", "i've", "ive", "have", "has", "had", "already", "paid", "repaid", "the", "first",
        "installments", "installment", "instalments", "instalment", "payments", "months",
        "month", "so", "far", "on", "time", "all", "of", "them", "up", "to",
    }
)  # fmt: skip
_NO_COUNT = frozenset(
    {"none", "no", "nothing", "zero", "无", "没有", "没还", "都没还", "一期都没还"}
)
_COUNT_TOKEN = re.compile(r"[0-9]+|[〇零一二两三四五六七八九十]+|[a-z']+")
_COUNT_PUNCTUATION = re.compile(r"[\s,.!?;:，。！？；：、~]+")


def parse_paid_count(text: str) -> int:
    """Read how many installments were paid: ``4``, ``4期``, ``前四期已经还了``, ``4 paid``."""
    garbage = InvalidTerms(
        f"{text!r} is not a number of installments", code="paid_count_garbage", text=text
    )
    s = _COUNT_PUNCTUATION.sub(" ", normalise_text(text).casefold()).strip()
    if s.replace(" ", "") in _NO_COUNT:
        return 0
    for word in _COUNT_WORDS_ZH:  # longest first where one contains another
        s = s.replace(word, " ")
    numbers: list[int] = []
    for token in _COUNT_TOKEN.findall(s):
        if token in _COUNT_WORDS_EN:
            continue
        value = int(token) if token.isascii() and token.isdigit() else cn_integer(token)
        if value is None:
            raise garbage
        numbers.append(value)
    leftover = _COUNT_TOKEN.sub("", s).strip()
    if len(numbers) != 1 or leftover:
        raise garbage
    return numbers[0]


def remaining_principal(text: str, spec: DebtSpec) -> Decimal:
    """Read the remaining principal a lender's app shows; never more than was borrowed."""
    terms = spec.terms
    parsed = parse_amount(text, terms.currency)
    if parsed.currency != terms.currency:
        raise InvalidTerms("another currency", code="amount_currency_conflict", text=text)
    if parsed.amount > terms.principal:
        raise InvalidTerms(
            f"remaining principal {parsed.amount} is more than the loan {terms.principal}",
            code="remaining_principal_above_loan",
            remaining=parsed.amount,
            principal=terms.principal,
        )
    return parsed.amount


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


# ---- a line with only some parts ------------------------------------------------------------

_CARD_WORDS = re.compile(r"信用卡|贷记卡|credit ?card|\bcard\b|\bvisa\b|mastercard", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class PartialLine:
    """The parts a short ``/adddebt`` line gives: a name, and perhaps the principal after it."""

    name: str
    principal: ParsedAmount | None = None

    @property
    def is_card(self) -> bool:
        """The name says credit card (信用卡, 招行信用卡, Visa card…): a card, not a loan."""
        return _CARD_WORDS.search(self.name) is not None


def partial_debt_line(text: str, *, currency: str) -> PartialLine | None:
    """``<name> [principal]`` and nothing more, so the questions can go on from there."""
    words = normalise_text(text).split()
    amounts = [
        i for i, word in enumerate(words) if _can_read(word, lambda s: parse_amount(s, currency))
    ]
    at = amounts[0] if amounts else len(words)
    if at == 0 or at < len(words) - 1:
        return None  # no name, or more after the principal: not a short line
    try:
        name = clean_name(" ".join(words[:at]))
    except DomainError:
        return None
    principal = parse_amount(words[at], currency) if at < len(words) else None
    return PartialLine(name, principal)
