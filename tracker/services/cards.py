"""Credit cards (信用卡) in storage: add a card, what its statement asks, and 账单分期.

A card is a ``Debt`` of kind ``CREDIT_CARD`` with its terms in the ``card_*`` columns and, as its
active plan, the **minimum-only projection** of its statement: a CUSTOM plan whose installments
are the minimum payments ``tracker.cards.minimum_only_projection`` asks, on their due dates,
split into fee, interest and principal. So everything that reads installments — reminders,
overdue alerts, the risk score, /budget and /hardship — sees the card's next minimum as an
installment without knowing about cards. ``card_summary`` answers what /status shows for a card
from ``tracker.cards`` itself.

API::

    parse_day_of_month(text, code) -> int                   # 5, 5号, 每月5日, 二十三号, 5th
    parse_card_line(text, currency) -> CardLine             # 招行信用卡 15000 5 23 (parts optional)
    preview_card(name=, balance=, statement_day=, due_day=, currency=, today=) -> CardSummary
    add_card(uow, user_id, name=, balance=, statement_day=, due_day=, currency=, today=, now=)
        -> (Debt, CardSummary)
    card_summary(uow, user_id, debt_id, today) -> CardSummary
    preview_installments(uow, user_id, debt_id, periods=, fee_rate=, today=) -> InstallmentsPreview
    convert_to_installments(uow, user_id, debt_id, periods=, fee_rate=, today=, now=) -> Conversion
    is_card(debt), is_revolving(debt, plan), card_terms(debt), current_statement_date(terms, today)

Decisions where the issue was silent:

* **Which statement the balance is.** The borrower gives "the statement balance". It is the
  latest statement's (``tracker.cards.latest_statement_date``) while that statement's due date
  has not passed, else the coming statement's (``current_statement_date``): a card added on
  1 December with statement day 5 and due day 23 is the statement of 5 December, due
  23 December — not one overdue since 23 November, which would raise an overdue alert and
  penalty on the day the card is added.
* **The plan's rate is the card's daily rate**, so the ledger's "interest so far" on a payoff
  and /hardship's re-amortised proposals use it. **Lateness** is a daily charge at that same
  rate on the overdue minimum (``PenaltyMode.DAILY_RATE_ON_OVERDUE``): what revolving interest
  charges on a minimum left unpaid. The one-off 违约金 (``late_fee_rate`` × the unpaid minimum)
  is not in the ledger, which has no one-off charges; ``tracker.cards`` counts it where it
  rolls a statement forward.
* **What the ledger sees.** The first statement is owed as it stands (charges posted on it
  count as principal); a later statement's interest is its installment's interest, which the
  ledger accrues day by day from the previous due date, capped at the projected figure. So
  paying the statement in full by its due date settles the card with no interest, as it should,
  but the ledger's "owed today" after a minimum-only month is lower than 全额计息 charges
  until the next statement; /status shows the card's own figures (``card_summary``) instead.
* **The projection assumes no new spending** (as ``tracker.cards`` does). ``card_summary``
  rolls the stored statement forward with the payments recorded, one cycle at a time
  (``close_cycle``), to today's statement, and says it is ``estimated``. Payments dated on or
  before the stored statement date count as paid the day after it. The stored plan stays the
  projection made when the statement was given.
* **账单分期** converts (part of) the principal of the statement the card is in — after the
  statement date, by its due date — less what was already paid in its cycle; interest and fees
  posted on it stay on the card. The new debt is a 分期手续费 debt of kind ``CREDIT_CARD`` (still
  card debt: art. 70's 60 months apply) without card terms. The card keeps the rest of the
  statement as a new projection (a renegotiated plan: agreed with the bank) that counts the
  payments the old one counted in this cycle; when nothing is left the card is closed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, TypeVar

from tracker.calculator import Quote, quote
from tracker.cards import (
    CardTerms,
    InterestOn,
    MinimumRule,
    Projection,
    Statement,
    close_cycle,
    due_date_after,
    latest_statement_date,
    minimum_only_projection,
    next_statement_date,
    open_statement,
    statement_installments,
    this_month_minimum_cost,
)
from tracker.errors import Conflict, DomainError, InvalidTerms
from tracker.ledger import Payment as LedgerPayment
from tracker.ledger import PenaltyMode
from tracker.money import ZERO, check_amount, from_minor, quantize, to_minor
from tracker.parsing import ParsedAmount, normalise_text, parse_amount
from tracker.parsing.debt_terms import MAX_NAME_LENGTH, DebtSpec, clean_name, default_penalty
from tracker.parsing.text import cn_integer
from tracker.rates import Rate, RateUnit
from tracker.schedule_types import CustomInstallment, LoanTerms, Method, ScheduleRow
from tracker.services.debts import add_debt, add_plan, ledger_payments, terms_columns
from tracker.storage.enums import DebtKind, DebtStatus, PlanOrigin
from tracker.storage.models import Debt, PlanVersion
from tracker.storage.uow import UnitOfWork

T = TypeVar("T")

#: The day-count basis of a card's daily rate.
CARD_DAY_COUNT = 365

#: What banks usually offer for 账单分期, in months (the bot's buttons).
INSTALLMENT_PERIODS = (3, 6, 12, 24)


@dataclass(frozen=True, slots=True)
class CardSettings:
    """A card's terms beyond its two days; ``None`` keeps ``tracker.cards.CardTerms``' default
    (10 % minimum of the principal part plus all charges, no floor, 0.05 % a day on the whole
    statement, late fee 5 % of the unpaid minimum)."""

    minimum_rate: Decimal | None = None
    minimum_rule: MinimumRule | None = None
    minimum_floor: Decimal | None = None
    daily_rate: Decimal | None = None
    interest_on: InterestOn | None = None
    late_fee_rate: Decimal | None = None

    def terms(self, currency: str, statement_day: int, due_day: int) -> CardTerms:
        """The card's terms; raises InvalidTerms with ``card_*`` codes."""
        given: dict[str, Any] = {
            name: value
            for name in (
                "minimum_rate",
                "minimum_rule",
                "minimum_floor",
                "daily_rate",
                "interest_on",
                "late_fee_rate",
            )
            if (value := getattr(self, name)) is not None
        }
        return CardTerms(currency, statement_day, due_day, **given)


@dataclass(frozen=True, slots=True)
class CardSummary:
    """What a card's statement asks, and what paying only the minimum does (/status's facts)."""

    name: str
    terms: CardTerms
    statement: Statement
    #: Rolled forward by the bot from an earlier statement and the payments since (no new
    #: spending assumed), not a statement the borrower gave.
    estimated: bool
    paid: Decimal  # paid towards this statement so far, in its cycle
    this_month_cost: Decimal  # revolving interest the next statement charges on the minimum
    projection: Projection  # only the minimum, on every due date, from this statement
    debt_id: int | None = None

    @property
    def currency(self) -> str:
        """The card's currency."""
        return self.terms.currency

    @property
    def minimum_left(self) -> Decimal:
        """What is still to pay of this statement's minimum."""
        return max(ZERO, self.statement.minimum_due - self.paid)

    @property
    def left(self) -> Decimal:
        """What is still to pay of this statement's balance (paid by the due date: no interest)."""
        return max(ZERO, self.statement.balance - self.paid)

    @property
    def convertible(self) -> Decimal:
        """What 账单分期 can convert: the principal part, less what was paid in the cycle."""
        return max(ZERO, min(self.statement.principal, self.left))


@dataclass(frozen=True, slots=True)
class CardLine:
    """What ``/addcard`` was given in one line; missing parts are None (the flow asks them)."""

    name: str | None
    balance: ParsedAmount | None = None
    statement_day: int | None = None
    due_day: int | None = None


@dataclass(frozen=True, slots=True)
class InstallmentsPreview:
    """账单分期 before it is done: the statement, the amount and the installment plan."""

    card: CardSummary
    amount: Decimal
    quote: Quote  # the installment debt's schedule (Method.FLAT_FEE) and annualised rate
    periods: int
    fee_rate: Decimal

    @property
    def card_left(self) -> Decimal:
        """What the card keeps of the statement (interest and fees on it stay, and what was
        paid in the cycle is still counted towards it)."""
        return self.card.statement.balance - self.amount


@dataclass(frozen=True, slots=True)
class Conversion:
    """账单分期 done: the new installment debt and the card afterwards."""

    installments: Debt
    quote: Quote
    card: Debt
    card_summary: CardSummary | None  # None when nothing is left on the card (it is closed)


# ---- reading what the borrower typed --------------------------------------------------------

_DAY = re.compile(
    r"(?:每个?月的?|每月|月|day |the )?"
    r"(?P<n>[0-9]{1,3}|[〇一二两三四五六七八九十]{1,3})"
    r" ?(?:号|日|st|nd|rd|th)?(?: ?(?:of (?:each|every|the) month|每月))?"
)


def parse_day_of_month(text: str, code: str) -> int:
    """Read a day of the month (``5``, ``5号``, ``每月5日``, ``二十三号``, ``5th``); ``code`` is the
    range error's (``card_statement_day_range`` or ``card_due_day_range``)."""
    s = normalise_text(text).casefold()
    match = _DAY.fullmatch(s)
    token = match["n"] if match is not None else ""
    day = (int(token) if token.isascii() else cn_integer(token)) if token else None
    if day is None:
        raise InvalidTerms(
            f"{text!r} is not a day of the month", code="card_day_garbage", text=text
        )
    check_day(day, code)
    return day


def check_day(day: int, code: str) -> int:
    """A day of the month, 1 to 31 (a shorter month clamps it to its last day)."""
    if not 1 <= day <= 31:
        raise InvalidTerms(f"day of month must be 1..31, not {day}", code=code, day=day)
    return day


def parse_balance(text: str, currency: str) -> ParsedAmount:
    """A statement balance: an amount above zero (in ``currency`` unless it names another)."""
    parsed = parse_amount(text, currency)
    check_amount(parsed.amount)
    return parsed


def _looks_numeric(word: str) -> bool:
    if any(ch.isdigit() for ch in word) or word.startswith(("-", "+")):
        return True
    for read in (lambda w: parse_amount(w, "CNY"), lambda w: parse_day_of_month(w, "x")):
        try:
            read(word)
        except (DomainError, ValueError):
            continue
        return True
    return False


def parse_card_line(text: str, currency: str) -> CardLine:
    """Read ``<name> [<statement balance> [<statement day> [<due day>]]]``.

    The name is every word before the trailing numbers (at most three); a name is needed
    before them only when some are given. Each part raises its own error (``amount_*``,
    ``card_day_garbage``, ``card_*_range``), with ``part`` naming it.
    """
    words = normalise_text(text).split()
    trailing = 0
    while trailing < min(3, len(words)) and _looks_numeric(words[len(words) - 1 - trailing]):
        trailing += 1
    head, tail = words[: len(words) - trailing], words[len(words) - trailing :]
    name = _part("name", clean_name, " ".join(head)) if head else None
    balance = _part("balance", lambda s: parse_balance(s, currency), tail[0]) if tail else None
    days: list[int] = []
    for part, code, word in zip(
        ("statement_day", "due_day"),
        ("card_statement_day_range", "card_due_day_range"),
        tail[1:],
        strict=False,
    ):
        days.append(_part(part, lambda s, c=code: parse_day_of_month(s, c), word))
    line = CardLine(name, balance, *days)
    if line.statement_day is not None and line.due_day is not None:
        CardTerms(currency, line.statement_day, line.due_day)  # card_due_day_gap
    return line


def _part(part: str, read: Any, text: str) -> Any:
    try:
        return read(text)
    except DomainError as error:
        raise type(error)(str(error), code=error.code, part=part, **error.params) from None


# ---- the card's terms, statement and plan ---------------------------------------------------


def is_card(debt: Debt) -> bool:
    """A card account (with terms and a statement), not a debt converted from one."""
    return debt.kind is DebtKind.CREDIT_CARD and debt.card_statement_day is not None


def is_revolving(debt: Debt, plan: PlanVersion) -> bool:
    """The card is repaid as the bank's minimum asks (its projection is the active plan), not
    by a plan agreed with the bank."""
    return is_card(debt) and plan.id is not None and plan.id == debt.card_plan_id


def card_terms(debt: Debt) -> CardTerms:
    """A stored card's terms."""
    if not is_card(debt):
        raise Conflict(f"debt {debt.id} is not a credit card", code="cardstate_not_card")
    return CardTerms(
        debt.currency,
        _stored(debt.card_statement_day),
        _stored(debt.card_due_day),
        minimum_rate=_stored(debt.card_minimum_rate),
        minimum_rule=_stored(debt.card_minimum_rule),
        minimum_floor=from_minor(_stored(debt.card_minimum_floor_minor), debt.currency),
        daily_rate=_stored(debt.card_daily_rate),
        interest_on=_stored(debt.card_interest_on),
        late_fee_rate=_stored(debt.card_late_fee_rate),
    )


def current_statement_date(terms: CardTerms, today: date) -> date:
    """The statement being repaid on ``today``: the latest one until its due date has passed,
    then the coming one."""
    latest = latest_statement_date(terms, today)
    if due_date_after(terms, latest) >= today:
        return latest
    return next_statement_date(terms, latest)


def stored_statement(debt: Debt, terms: CardTerms) -> Statement:
    """The statement stored with a card (the one its plan was projected from)."""
    cur = debt.currency
    statement = open_statement(
        terms,
        _stored(debt.card_statement_date),
        from_minor(_stored(debt.card_statement_balance_minor), cur),
        interest=from_minor(debt.card_statement_interest_minor or 0, cur),
        late_fee=from_minor(debt.card_statement_late_fee_minor or 0, cur),
        overdue_minimum=from_minor(debt.card_statement_overdue_minor or 0, cur),
    )
    start = debt.card_statement_interest_from
    if start is not None and start != statement.interest_from:
        statement = replace(statement, interest_from=start)
    return statement


def projection_rows(terms: CardTerms, projection: Projection) -> tuple[ScheduleRow, ...]:
    """The projection's minimum payments as installments, each split fee → interest → principal.

    Charges (interest, late fees) posted on a later statement are paid first by the minimum on
    its due date; the rest of a minimum is principal. The principal parts add up to the first
    statement's balance; a projection that never clears puts what is left into its last
    installment, so the plan still repays everything.
    """
    cur = terms.currency
    statements = projection.statements
    # The first statement is owed as it stands, charges included: they are posted already, so
    # settling today takes them (the ledger would treat interest as accruing day by day).
    principal_left = statements[0].balance
    interest_unpaid = fees_unpaid = ZERO
    rows: list[ScheduleRow] = []
    for number, statement in enumerate(statements[:-1], start=1):
        if number > 1:
            interest_unpaid += statement.interest
            fees_unpaid += statement.late_fee
        payment = statement.minimum_due
        fee = min(fees_unpaid, payment)
        interest = min(interest_unpaid, payment - fee)
        principal = min(payment - fee - interest, principal_left)
        fees_unpaid -= fee
        interest_unpaid -= interest
        principal_left -= principal
        rows.append(
            ScheduleRow(
                number, statement.due_date, payment, interest, fee, principal, principal_left
            )
        )
    if rows and not projection.clears:
        last = statements[-1]
        interest = interest_unpaid + last.interest
        fee = fees_unpaid + last.late_fee
        end = rows[-1]
        rows[-1] = replace(
            end,
            payment=end.payment + principal_left + interest + fee,
            interest=end.interest + interest,
            fee=end.fee + fee,
            principal=end.principal + principal_left,
            balance=quantize(ZERO, cur),
        )
    return tuple(rows)


def _summary(
    name: str,
    terms: CardTerms,
    statement: Statement,
    *,
    estimated: bool,
    paid: Decimal,
    debt_id: int | None = None,
) -> CardSummary:
    return CardSummary(
        name=name,
        terms=terms,
        statement=statement,
        estimated=estimated,
        paid=quantize(paid, terms.currency),
        this_month_cost=this_month_minimum_cost(terms, statement),
        projection=minimum_only_projection(terms, statement),
        debt_id=debt_id,
    )


def preview_card(
    *,
    name: str,
    balance: Decimal,
    statement_day: int,
    due_day: int,
    currency: str,
    today: date,
    settings: CardSettings | None = None,
) -> CardSummary:
    """The card as ``add_card`` would store it, without storing it."""
    terms = (settings or CardSettings()).terms(currency, statement_day, due_day)
    cleaned = clean_name(name)
    check_amount(balance)
    statement = open_statement(terms, current_statement_date(terms, today), balance)
    return _summary(cleaned, terms, statement, estimated=False, paid=ZERO)


def add_card(
    uow: UnitOfWork,
    *,
    user_id: int,
    name: str,
    balance: Decimal,
    statement_day: int,
    due_day: int,
    currency: str,
    today: date,
    now: datetime,
    settings: CardSettings | None = None,
) -> tuple[Debt, CardSummary]:
    """Store a card with its statement; its active plan is the minimum-only projection."""
    summary = preview_card(
        name=name,
        balance=balance,
        statement_day=statement_day,
        due_day=due_day,
        currency=currency,
        today=today,
        settings=settings,
    )
    terms, statement = summary.terms, summary.statement
    rows = projection_rows(terms, summary.projection)
    plan_terms = _plan_terms(terms, rows, start=min(statement.statement_date, today))
    debt = uow.debts.add(
        Debt(
            user_id=user_id,
            name=summary.name,
            kind=DebtKind.CREDIT_CARD,
            currency=currency,
            **terms_columns(plan_terms),
            penalty_mode=PenaltyMode.DAILY_RATE_ON_OVERDUE,
            penalty_daily_rate=terms.daily_rate or None,
            card_statement_day=terms.statement_day,
            card_due_day=terms.due_day,
            card_minimum_rate=terms.minimum_rate,
            card_minimum_rule=terms.minimum_rule,
            card_minimum_floor_minor=to_minor(terms.minimum_floor, currency),
            card_daily_rate=terms.daily_rate,
            card_interest_on=terms.interest_on,
            card_late_fee_rate=terms.late_fee_rate,
            created_at=now,
            updated_at=now,
        )
    )
    _store_statement(debt, statement)
    _install_plan(uow, debt, plan_terms, rows, PlanOrigin.ORIGINAL, None, now)
    return debt, replace(summary, debt_id=debt.id)


def card_summary(uow: UnitOfWork, *, user_id: int, debt_id: int, today: date) -> CardSummary:
    """One of the user's cards on ``today``: its statement (rolled forward with the payments
    recorded when a statement date has passed since), the minimum, and the minimum-only facts."""
    debt = uow.debts.require_for_user(user_id, debt_id)
    plan = _card_plan(uow, debt)
    terms = card_terms(debt)
    payments = ledger_payments(plan, uow.payments.list_for_debt(user_id, debt_id))
    statement, estimated, paid = _statement_on(
        terms, stored_statement(debt, terms), payments, today
    )
    return _summary(debt.name, terms, statement, estimated=estimated, paid=paid, debt_id=debt_id)


def _statement_on(
    terms: CardTerms, stored: Statement, payments: list[LedgerPayment], today: date
) -> tuple[Statement, bool, Decimal]:
    """The statement being repaid on ``today``, whether it was rolled forward, and what was paid
    in its cycle so far."""
    first_day = stored.statement_date + timedelta(days=1)
    pending = [replace(p, paid_on=max(p.paid_on, first_day)) for p in payments]
    statement, estimated = stored, False
    target = current_statement_date(terms, today)
    while statement.statement_date < target:
        end = next_statement_date(terms, statement.statement_date)
        cycle = [p for p in pending if statement.statement_date < p.paid_on <= end]
        statement = close_cycle(terms, statement, cycle)
        estimated = True
    paid = sum((p.amount for p in pending if p.paid_on > statement.statement_date), ZERO)
    return statement, estimated, paid


# ---- 账单分期 --------------------------------------------------------------------------------


def preview_installments(
    uow: UnitOfWork,
    *,
    user_id: int,
    debt_id: int,
    periods: int,
    fee_rate: Decimal,
    today: date,
    amount: Decimal | None = None,
) -> InstallmentsPreview:
    """账单分期 of the card's current statement (all that can be converted, or ``amount``)."""
    summary = card_summary(uow, user_id=user_id, debt_id=debt_id, today=today)
    statement = summary.statement
    if statement.statement_date > today:
        raise InvalidTerms(
            "the statement is not out yet",
            code="billinst_not_out",
            date=statement.statement_date,
        )
    most = summary.convertible
    if most <= 0:
        raise InvalidTerms("nothing on the statement to convert", code="billinst_nothing")
    chosen = most if amount is None else amount
    if amount is not None and amount > most:
        raise Conflict(
            f"{amount} is more than the {most} that can be converted",
            code="billinst_stale",
            most=most,
        )
    loan = statement_installments(summary.terms, statement, periods, fee_rate, amount=chosen)
    return InstallmentsPreview(summary, chosen, quote(loan), periods, fee_rate)


def installments_name(card_name: str, suffix: str = " 账单分期") -> str:
    """The converted debt's name: the card's, shortened if need be, and ``suffix``."""
    room = MAX_NAME_LENGTH - len(suffix)
    return clean_name(card_name[:room].rstrip() + suffix)


def convert_to_installments(
    uow: UnitOfWork,
    *,
    user_id: int,
    debt_id: int,
    periods: int,
    fee_rate: Decimal,
    today: date,
    now: datetime,
    amount: Decimal | None = None,
    name: str | None = None,
) -> Conversion:
    """账单分期: a new per-period-fee debt from the statement; the card keeps the rest.

    ``amount`` is what the borrower saw converted: if less can be converted now (a payment was
    recorded meanwhile, or it was converted already) nothing happens (``billinst_stale``).
    """
    preview = preview_installments(
        uow,
        user_id=user_id,
        debt_id=debt_id,
        periods=periods,
        fee_rate=fee_rate,
        today=today,
        amount=amount,
    )
    card = uow.debts.require_for_user(user_id, debt_id)
    old_plan = _card_plan(uow, card)
    terms, statement = preview.card.terms, preview.card.statement
    spec = DebtSpec(
        name=name if name is not None else installments_name(card.name),
        terms=preview.quote.terms,
        kind=DebtKind.CREDIT_CARD,
        penalty=default_penalty(Method.FLAT_FEE),
    )
    installments, result = add_debt(uow, user_id=user_id, spec=spec, now=now)
    left = open_statement(
        terms,
        statement.statement_date,
        statement.balance - preview.amount,
        interest=statement.interest,
        late_fee=statement.late_fee,
        overdue_minimum=statement.overdue_minimum,
    )
    left = replace(left, interest_from=statement.interest_from)
    _store_statement(card, left)
    card.updated_at = now
    if left.balance == 0:
        card.status = DebtStatus.CLOSED
        card.closed_at = now
        return Conversion(installments, result, card, None)
    # Payments the statement already holds (it was rolled forward over them) are not counted
    # again; the ones made in its cycle still count towards it, as before.
    after = old_plan.after_payment_id
    if preview.card.estimated:
        baked = [
            p.id
            for p in uow.payments.list_for_debt(user_id, debt_id)
            if p.paid_on <= statement.statement_date and p.id is not None
        ]
        after = max([*baked, *([] if after is None else [after])], default=None)
    rows = projection_rows(terms, minimum_only_projection(terms, left))
    plan_terms = _plan_terms(terms, rows, start=min(left.statement_date, today))
    _install_plan(uow, card, plan_terms, rows, PlanOrigin.RENEGOTIATED, after, now)
    return Conversion(
        installments, result, card, card_summary(uow, user_id=user_id, debt_id=debt_id, today=today)
    )


# ---- helpers --------------------------------------------------------------------------------


def _plan_terms(terms: CardTerms, rows: tuple[ScheduleRow, ...], *, start: date) -> LoanTerms:
    """The projection as a custom plan at the card's daily rate (what the ledger accrues)."""
    if not rows:
        raise InvalidTerms("nothing to repay", code="amount_zero")
    return LoanTerms(
        principal=sum((row.principal for row in rows), ZERO),
        rate=Rate(terms.daily_rate, RateUnit.DAY),
        term=len(rows),
        method=Method.CUSTOM,
        first_due=rows[0].due_date,
        currency=terms.currency,
        day_count=CARD_DAY_COUNT,
        due_day=terms.due_day,
        start_date=start,
        custom=tuple(CustomInstallment(row.due_date, row.payment) for row in rows),
    )


def _install_plan(
    uow: UnitOfWork,
    debt: Debt,
    plan_terms: LoanTerms,
    rows: tuple[ScheduleRow, ...],
    origin: PlanOrigin,
    after_payment_id: int | None,
    now: datetime,
) -> PlanVersion:
    plan = add_plan(uow, debt=debt, terms=plan_terms, origin=origin, now=now, rows=rows)
    plan.after_payment_id = after_payment_id
    uow.plans.activate(plan, now)
    debt.card_plan_id = plan.id
    return plan


def _store_statement(debt: Debt, statement: Statement) -> None:
    cur = debt.currency
    debt.card_statement_date = statement.statement_date
    debt.card_statement_balance_minor = to_minor(statement.balance, cur)
    debt.card_statement_interest_minor = to_minor(statement.interest, cur)
    debt.card_statement_late_fee_minor = to_minor(statement.late_fee, cur)
    debt.card_statement_overdue_minor = to_minor(statement.overdue_minimum, cur)
    debt.card_statement_interest_from = statement.interest_from


def _card_plan(uow: UnitOfWork, debt: Debt) -> PlanVersion:
    """The card's active plan, which must be its minimum-only projection."""
    if debt.status is not DebtStatus.ACTIVE:
        raise Conflict(f"debt {debt.id} is {debt.status}", code="cardstate_closed")
    if not is_card(debt):
        raise Conflict(f"debt {debt.id} is not a credit card", code="cardstate_not_card")
    plan = uow.plans.active_for_debt(_stored(debt.id))
    if plan is None or not is_revolving(debt, plan):
        raise Conflict("the card follows a plan agreed with the bank", code="cardstate_agreed")
    return plan


def _stored(value: T | None) -> T:
    if value is None:  # a card's columns are all written by add_card: a programming error
        raise RuntimeError("a card column is missing")
    return value
