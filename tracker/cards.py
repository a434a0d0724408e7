"""Credit cards (revolving credit): cycles, statements, minimum payments and what paying less costs.

A card is not an installment loan: the bank closes a statement each month on the statement day
(账单日) and asks for it by the due day (还款日). Paying the whole statement by the due date costs
nothing (免息还款期); paying less costs revolving interest (循环利息), and paying less than the
minimum (最低还款额) adds a late fee (违约金). This module is that arithmetic, pure: no storage, no
bot, dates passed in, money in ``Decimal`` rounded half up to the currency's minor unit.

API (every setting is per card, in ``CardTerms``; bad input raises ``InvalidTerms`` with a
``card_*`` code, or ``InvalidAmount`` from ``tracker.money.check_amount``)::

    CardTerms(currency, statement_day, due_day, *, minimum_rate=0.10, minimum_rule=...,
              minimum_floor=0, daily_rate=0.0005, interest_on=FULL_STATEMENT, late_fee_rate=0.05)
    statement_date_in(terms, year, month) -> date          # the month's statement date, clamped
    due_date_after(terms, statement_date) -> date          # that statement's due date
    next_statement_date(terms, statement_date) -> date
    previous_statement_date(terms, statement_date) -> date
    latest_statement_date(terms, today) -> date            # the statement /status is about
    open_statement(terms, statement_date, balance, *, interest=0, late_fee=0,
                   overdue_minimum=0, minimum_due=None, interest_from=None) -> Statement
    close_cycle(terms, statement, payments) -> Statement   # the next statement, no new spending
    this_month_minimum_cost(terms, statement) -> Decimal   # interest if only the minimum is paid
    minimum_only_projection(terms, statement, *, max_months=600) -> Projection
    statement_installments(terms, statement, periods, fee_rate, *, amount=None) -> LoanTerms

``payments`` are ``tracker.ledger.Payment`` (date, amount). A statement of ¥10,000 on a card
with statement day 5 and due day 23 is ``open_statement(CardTerms("CNY", 5, 23),
date(2026, 3, 5), Decimal("10000"))``; its ``minimum_due`` is 1,000.00, and
``minimum_only_projection`` of it answers "how long, and what does it cost".

Conventions (where banks differ, the choice is a setting; where the issue was silent, here):

* Cycle dates. The statement date is ``statement_day`` of each month, clamped to the month's last
  day (31 → Feb 28/29, Apr 30). The due date is the first day after the statement date that is
  ``due_day`` of its month, clamped the same way: in the same month when ``due_day`` is later
  than ``statement_day``, else in the next month (statement 25th, due 15th → next month's 15th;
  statement 10th, due 31st → Feb 28/29). ``due_day == statement_day`` makes the due date the
  next statement date. A due day later than a statement day of 28 or more is refused
  (``card_due_day_gap``): in February such a due date would fall after the next statement.
* A cycle runs from the day after the statement date to the next statement date, both included;
  a payment belongs to the cycle it is made in, and "by the due date" includes the due date.
* Paid in full: when the payments by the due date reach the statement balance, the cycle costs
  no interest (the interest-free period), whatever was paid after.
* Otherwise revolving interest is ``daily_rate`` × the balance of each day, summed over the days
  from ``interest_from`` to the next statement date, both included, rounded once per statement.
  A payment lowers the balance from its own day on: 1,000 posted on Mar 30, statement Apr 5,
  100 paid on the due date Apr 23 → 1,000 × 0.05 % × 24 days (Mar 30–Apr 22) + 900 × 0.05 % ×
  13 days (Apr 23–May 5) = 17.85: the posting day and the statement day both count, as in
  banks' published worked examples.

  - ``FULL_STATEMENT`` (全额计息, the traditional rule and the default, never understating the
    cost): the whole statement bears interest from ``interest_from``; payments lower it only
    from the day they are made.
  - ``UNPAID_ONLY`` (按未还部分计息): what is paid by the due date bears no interest at all,
    as if paid on ``interest_from``; only the unpaid part bears interest, still from
    ``interest_from``, and payments after the due date lower it from their own day.

  ``interest_from`` is the posting date (记账日) of the statement's purchases. We only know the
  statement balance, so by default it is the first day of the statement's cycle (the day after
  the previous statement date), as if everything was bought that day: an upper bound, which a
  known posting date narrows. A carried balance already bore interest up to its statement date,
  so every later statement has ``interest_from`` = the day after its statement date.
* Interest posted on a statement is part of the next cycle's balance and bears interest with it
  (cards compound monthly: 银行卡业务管理办法, 1999, 透支按月计收复利); fees never bear interest
  (银发〔2016〕111号: no interest on 违约金 or service fees). A payment goes to fees first, then
  interest, then principal (Civil Code art. 561), so it lowers the interest-bearing part only
  beyond the unpaid fees.
* Late fee (违约金): ``late_fee_rate`` × (minimum due − payments by the due date), rounded,
  posted on the next statement; the unpaid part of the minimum is due in full on it.
* Minimum due: ``PRINCIPAL_PLUS_CHARGES`` (the default, Chinese banks' rule) is ``minimum_rate``
  × the principal part (rounded) + this statement's interest and fees + the earlier minimum
  still unpaid; the principal part is the balance less those three, so nothing is counted
  twice. ``SHARE_OF_BALANCE`` (many cards abroad) is ``minimum_rate`` × (balance − the unpaid
  earlier minimum) + that unpaid minimum. The share is at least one minor unit while there is
  anything to take it of (otherwise, under the default rule, a principal of a few cents at a
  high rate would ask only its interest and never be repaid); the minimum is at least
  ``minimum_floor`` and at most the balance.
* ``minimum_floor`` defaults to 0 because a floor is an amount in the card's currency, so only
  the card's own terms can say it (some banks ask at least ¥10, many US cards $25–$40).
* No new spending is assumed. Payments beyond what is owed become a credit (溢缴款) that earns
  nothing. There are no grace days: a payment after the due date is late.
* ``minimum_only_projection`` pays exactly each minimum on its due date until the balance is
  cleared, for at most ``max_months`` (default 600, fifty years); if it is not cleared by then
  the projection says so, with what was paid and what is still owed. Under
  ``PRINCIPAL_PLUS_CHARGES`` the minimum covers all interest and some principal, so the
  principal falls every month (yet a 1 % share leaves 24.37 of the example below, unpaid part
  only, after 600 months); under ``SHARE_OF_BALANCE`` a share below about a month's interest
  (``daily_rate`` × 31) lets the balance grow for ever.

The example the issue asks about (10,000 statement on 2026-03-05, statement day 5, due day 23,
10 % minimum, 0.05 %/day, no floor, no new spending, exactly the minimum on every due date):

* ``UNPAID_ONLY`` (interest on the unpaid balance): 119 monthly payments, the last on
  2036-01-23; 11,499.21 paid in all, 1,499.21 of it interest. The first three minimums are
  1,000.00, 1,165.50 and 931.50 (tests/core/test_cards.py derives them by hand). The balance
  is below 1,000 after 23 statements and below 100 after 44, and the last 73 minimums (six
  years) are under ¥10 each, because 10 % of a small principal is small.
* ``FULL_STATEMENT``: 119 payments, the last on 2036-01-23; 11,611.92 paid, 1,611.92 interest
  (the first month alone costs 288.00 against 265.50).
* With a ¥10 floor: 55 payments, the last on 2030-09-23; 1,493.05 interest (``UNPAID_ONLY``),
  1,605.73 (``FULL_STATEMENT``).

So "years" holds and the cost is about one and a half thousand: the minimum pays every month's
interest and a tenth of the principal, so the interest is about 0.05 % × 30 days × the sum of
the balances, 1.5 % × 10,000 / 10 %. A minimum of 5 % of the whole balance
(``SHARE_OF_BALANCE``, ``UNPAID_ONLY``) takes 319 payments and 4,261.14 interest; 1.5 % (below
a month's interest) never clears: after 600 months 91,023.61 is paid and 10,082.06 still owed.

A statement converted to installments (账单分期) is an ordinary 分期手续费 debt:
``statement_installments`` returns its ``LoanTerms`` (``Method.FLAT_FEE``), so
``tracker.schedule`` and ``tracker.ledger`` handle it; the card keeps the rest of the statement.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import KW_ONLY, dataclass
from datetime import date, timedelta
from decimal import Decimal, localcontext
from enum import StrEnum

from tracker.dates import add_months, days_between
from tracker.errors import InvalidTerms
from tracker.ledger import Payment
from tracker.money import ZERO, check_amount, minor_digits, quantize
from tracker.rates import MAX_ANNUAL_RATE, ZERO_RATE
from tracker.schedule import validate_terms
from tracker.schedule_types import LoanTerms, Method

#: Fifty years of statements, like the longest schedule: beyond that "never" is the honest answer.
MAX_PROJECTION_MONTHS = 600

#: Working precision: day sums of balances up to 10^12 stay exact before the one rounding.
_PREC = 50

#: The largest statement day after which a later due day still falls before the next statement.
_LAST_SAFE_STATEMENT_DAY = 27


class InterestOn(StrEnum):
    """Which part of a statement not paid in full bears revolving interest."""

    FULL_STATEMENT = "full_statement"  # 全额计息: the whole statement, from each posting date
    UNPAID_ONLY = "unpaid_only"  # 按未还部分计息: only what was not paid by the due date


class MinimumRule(StrEnum):
    """How the bank sets the minimum payment (最低还款额)."""

    #: ``minimum_rate`` × principal part + all interest and fees + the unpaid earlier minimum.
    PRINCIPAL_PLUS_CHARGES = "principal_plus_charges"
    #: ``minimum_rate`` × the whole balance (interest and fees included) + the unpaid minimum.
    SHARE_OF_BALANCE = "share_of_balance"


@dataclass(frozen=True, slots=True)
class CardTerms:
    """A card's repayment terms; validated on construction (InvalidTerms, ``card_*`` codes)."""

    currency: str
    statement_day: int
    due_day: int
    _: KW_ONLY
    minimum_rate: Decimal = Decimal("0.10")
    minimum_rule: MinimumRule = MinimumRule.PRINCIPAL_PLUS_CHARGES
    minimum_floor: Decimal = ZERO
    daily_rate: Decimal = Decimal("0.0005")
    interest_on: InterestOn = InterestOn.FULL_STATEMENT
    late_fee_rate: Decimal = Decimal("0.05")

    def __post_init__(self) -> None:
        _check_day(self.statement_day, "card_statement_day_range")
        _check_day(self.due_day, "card_due_day_range")
        if self.due_day > self.statement_day > _LAST_SAFE_STATEMENT_DAY:
            raise InvalidTerms(
                "a due day after a statement day of 28 or more would fall after the next "
                "statement in February",
                code="card_due_day_gap",
                statement_day=self.statement_day,
                due_day=self.due_day,
            )
        _require_decimal(self.minimum_rate, self.minimum_floor, self.daily_rate, self.late_fee_rate)
        if not (self.minimum_rate.is_finite() and 0 < self.minimum_rate <= 1):
            raise InvalidTerms(
                "minimum rate must be above 0 and at most 1", code="card_minimum_rate_range"
            )
        if not (self.minimum_floor.is_finite() and self.minimum_floor >= 0):
            raise InvalidTerms(
                "minimum floor must not be negative", code="card_minimum_floor_range"
            )
        if self.minimum_floor != quantize(self.minimum_floor, self.currency):
            raise InvalidTerms(
                f"{self.minimum_floor} has more digits than {self.currency} allows",
                code="card_minimum_floor_precision",
            )
        # The same ceiling as every other rate: above 1000 % a year is a typing mistake.
        if not (self.daily_rate.is_finite() and 0 <= self.daily_rate * 365 <= MAX_ANNUAL_RATE):
            raise InvalidTerms(
                "daily rate must be at least 0 and at most 1000 % a year",
                code="card_daily_rate_range",
            )
        if not (self.late_fee_rate.is_finite() and 0 <= self.late_fee_rate <= 1):
            raise InvalidTerms("late fee rate must be 0 to 1", code="card_late_fee_rate_range")

    @property
    def minor_unit(self) -> Decimal:
        """The currency's smallest amount (0.01 for CNY, 1 for JPY)."""
        return Decimal(1).scaleb(-minor_digits(self.currency))


@dataclass(frozen=True, slots=True)
class Statement:
    """One statement (账单): what is owed on ``statement_date`` and what is asked by ``due_date``.

    ``balance`` (本期应还金额) includes ``interest`` and ``late_fee`` posted on this statement
    and ``overdue_minimum``, the earlier minimum still unpaid. ``fees_unpaid`` is the part of the
    balance that is fees (this and earlier ones), which bears no interest. ``interest_from`` is
    the first day the balance bears interest if it is not paid in full. ``credit`` is money paid
    beyond what was owed (溢缴款); the balance is then 0.
    """

    statement_date: date
    due_date: date
    balance: Decimal
    minimum_due: Decimal
    interest_from: date
    interest: Decimal = ZERO
    late_fee: Decimal = ZERO
    overdue_minimum: Decimal = ZERO
    fees_unpaid: Decimal = ZERO
    credit: Decimal = ZERO

    @property
    def principal(self) -> Decimal:
        """The principal part: the balance less this statement's charges and overdue minimum."""
        return max(self.balance - self.interest - self.late_fee - self.overdue_minimum, ZERO)


@dataclass(frozen=True, slots=True)
class Projection:
    """Paying exactly the minimum on every due date, from a statement until the balance is 0.

    ``statements`` starts with the given statement; each one's minimum is paid on its due date
    and the last one has a balance of 0, unless the projection stopped at ``max_months``
    (``clears`` False, ``months`` and ``payoff_date`` None, ``balance_left`` still owed).
    Money is conserved: ``total_paid`` = the first balance + ``total_interest`` +
    ``total_fees`` − ``balance_left``.
    """

    statements: tuple[Statement, ...]
    clears: bool
    months: int | None  # minimum payments until the balance is cleared
    payoff_date: date | None  # the due date of the last of them
    total_paid: Decimal
    total_interest: Decimal
    total_fees: Decimal
    balance_left: Decimal


# --- cycle dates -------------------------------------------------------------------------


def statement_date_in(terms: CardTerms, year: int, month: int) -> date:
    """The statement date in ``month`` of ``year``: ``statement_day`` clamped to the month end."""
    return add_months(date(year, month, 1), 0, terms.statement_day)


def due_date_after(terms: CardTerms, statement_date: date) -> date:
    """The due date of the statement closed on ``statement_date`` (first ``due_day`` after it)."""
    same_month = add_months(statement_date, 0, terms.due_day)
    if same_month > statement_date:
        return same_month
    return add_months(statement_date, 1, terms.due_day)


def next_statement_date(terms: CardTerms, statement_date: date) -> date:
    """The statement date a month after ``statement_date`` (Jan 31 → Feb 28 → Mar 31)."""
    return add_months(statement_date, 1, terms.statement_day)


def previous_statement_date(terms: CardTerms, statement_date: date) -> date:
    """The statement date a month before ``statement_date``."""
    return add_months(statement_date, -1, terms.statement_day)


def latest_statement_date(terms: CardTerms, today: date) -> date:
    """The last statement date on or before ``today``: the statement /status talks about."""
    this_month = statement_date_in(terms, today.year, today.month)
    return this_month if this_month <= today else previous_statement_date(terms, this_month)


# --- statements --------------------------------------------------------------------------


def open_statement(
    terms: CardTerms,
    statement_date: date,
    balance: Decimal,
    *,
    interest: Decimal = ZERO,
    late_fee: Decimal = ZERO,
    overdue_minimum: Decimal = ZERO,
    minimum_due: Decimal | None = None,
    interest_from: date | None = None,
) -> Statement:
    """A statement as the bank printed it; the minimum is computed unless ``minimum_due`` is given.

    ``interest``, ``late_fee`` and ``overdue_minimum`` are the parts of ``balance`` the minimum
    asks in full (0 for a statement of purchases). ``interest_from`` is the purchases' posting
    date, by default the first day of the statement's cycle (see the module docstring).
    """
    _check_statement_date(terms, statement_date)
    for value in (balance, interest, late_fee, overdue_minimum):
        _check_money(terms, value, "card_amount_precision")
    if interest + late_fee + overdue_minimum > balance:
        raise InvalidTerms(
            "interest, fee and overdue minimum exceed the balance", code="card_statement_parts"
        )
    first_day = previous_statement_date(terms, statement_date) + timedelta(days=1)
    start = first_day if interest_from is None else interest_from
    if not first_day <= start <= statement_date:
        raise InvalidTerms(
            "purchases must be posted in the statement's cycle",
            code="card_interest_from",
            first=first_day,
            last=statement_date,
        )
    if minimum_due is None:
        minimum = _minimum(terms, balance, interest + late_fee, overdue_minimum)
    else:
        _check_money(terms, minimum_due, "card_amount_precision")
        if minimum_due > balance or (minimum_due == 0 < balance):
            raise InvalidTerms(
                "the minimum must be above 0 and at most the balance",
                code="card_minimum_due_range",
                balance=balance,
            )
        minimum = minimum_due
    return Statement(
        statement_date=statement_date,
        due_date=due_date_after(terms, statement_date),
        balance=quantize(balance, terms.currency),
        minimum_due=quantize(minimum, terms.currency),
        interest_from=start,
        interest=quantize(interest, terms.currency),
        late_fee=quantize(late_fee, terms.currency),
        overdue_minimum=quantize(overdue_minimum, terms.currency),
        fees_unpaid=quantize(late_fee, terms.currency),
    )


def close_cycle(terms: CardTerms, statement: Statement, payments: Iterable[Payment]) -> Statement:
    """The next statement after ``payments`` in ``statement``'s cycle, with no new spending.

    Payments must fall after the statement date and on or before the next statement date.
    """
    _check_statement_date(terms, statement.statement_date)
    end = next_statement_date(terms, statement.statement_date)
    paid_list = sorted(payments, key=lambda p: p.paid_on)
    for p in paid_list:
        _check_money(terms, p.amount, "card_payment_precision")
        check_amount(p.amount)
        if not statement.statement_date < p.paid_on <= end:
            raise InvalidTerms(
                f"a payment on {p.paid_on} is outside the cycle",
                code="card_payment_date",
                first=statement.statement_date + timedelta(days=1),
                last=end,
            )
    cur = terms.currency
    paid = sum((p.amount for p in paid_list), ZERO)
    paid_by_due = sum((p.amount for p in paid_list if p.paid_on <= statement.due_date), ZERO)
    with localcontext(prec=_PREC):
        if paid_by_due >= statement.balance:
            interest = quantize(ZERO, cur)  # paid in full: the interest-free period holds
        else:
            interest = _cycle_interest(terms, statement, paid_list, end)
        shortfall = statement.minimum_due - paid_by_due
        late_fee = quantize(terms.late_fee_rate * shortfall if shortfall > 0 else ZERO, cur)
    owed = statement.balance - statement.credit - paid + interest + late_fee
    balance, credit = max(owed, ZERO), max(-owed, ZERO)
    overdue = max(statement.minimum_due - paid, ZERO)
    # Payments go to fees first; a credit beyond the balance has paid this statement's fee too.
    fees_unpaid = min(max(statement.fees_unpaid - paid, ZERO) + late_fee, balance)
    return Statement(
        statement_date=end,
        due_date=due_date_after(terms, end),
        balance=balance,
        minimum_due=_minimum(terms, balance, interest + late_fee, overdue),
        interest_from=end + timedelta(days=1),  # interest to ``end`` is already in ``interest``
        interest=interest,
        late_fee=late_fee,
        overdue_minimum=overdue,
        fees_unpaid=fees_unpaid,
        credit=credit,
    )


def this_month_minimum_cost(terms: CardTerms, statement: Statement) -> Decimal:
    """The revolving interest the next statement charges if only the minimum is paid, on time."""
    if statement.minimum_due == 0:
        return quantize(ZERO, terms.currency)
    payment = Payment(paid_on=statement.due_date, amount=statement.minimum_due)
    return close_cycle(terms, statement, [payment]).interest


def minimum_only_projection(
    terms: CardTerms, statement: Statement, *, max_months: int = MAX_PROJECTION_MONTHS
) -> Projection:
    """Pay exactly the minimum on each due date until the balance is 0 or ``max_months`` pass."""
    if isinstance(max_months, bool) or not isinstance(max_months, int) or max_months < 1:
        raise InvalidTerms("max_months must be a positive whole number", code="card_max_months")
    statements = [statement]
    paid = interest = fees = ZERO
    current = statement
    while current.balance > 0 and len(statements) <= max_months:
        payment = Payment(paid_on=current.due_date, amount=current.minimum_due)
        current = close_cycle(terms, current, [payment])
        statements.append(current)
        paid += payment.amount
        interest += current.interest
        fees += current.late_fee
    cleared = current.balance == 0
    months = len(statements) - 1
    return Projection(
        statements=tuple(statements),
        clears=cleared,
        months=months if cleared else None,
        payoff_date=statements[-2].due_date if cleared and months else None,
        total_paid=quantize(paid, terms.currency),
        total_interest=quantize(interest, terms.currency),
        total_fees=quantize(fees, terms.currency),
        balance_left=current.balance,
    )


def statement_installments(
    terms: CardTerms,
    statement: Statement,
    periods: int,
    fee_rate: Decimal,
    *,
    amount: Decimal | None = None,
) -> LoanTerms:
    """账单分期: ``amount`` of ``statement`` (default all of it) as a per-period-fee debt.

    Each installment is ``amount``/``periods`` plus ``fee_rate`` × ``amount``; the first is due
    with the next statement, on its due date, and the others monthly on the card's due day.
    The card keeps ``statement.balance − amount``. Raises InvalidTerms with the schedule's codes
    (``term_range``, ``fee_rate_range``…) or ``card_installment_amount``.
    """
    whole = statement.balance if amount is None else amount
    _check_money(terms, whole, "card_amount_precision")
    if not 0 < whole <= statement.balance:
        raise InvalidTerms(
            "only part or all of the statement balance can be converted",
            code="card_installment_amount",
            balance=statement.balance,
        )
    _require_decimal(fee_rate)
    next_statement = next_statement_date(terms, statement.statement_date)
    loan = LoanTerms(
        principal=whole,
        rate=ZERO_RATE,  # a flat-fee plan is priced by its fee alone
        term=periods,
        method=Method.FLAT_FEE,
        first_due=due_date_after(terms, next_statement),
        currency=terms.currency,
        due_day=terms.due_day,
        fee_rate=fee_rate,
    )
    validate_terms(loan)
    return loan


# --- arithmetic --------------------------------------------------------------------------


def _cycle_interest(
    terms: CardTerms, statement: Statement, payments: list[Payment], end: date
) -> Decimal:
    """Revolving interest from ``interest_from`` to ``end`` by the card's rule, rounded once."""
    start = statement.interest_from
    unpaid_only = terms.interest_on is InterestOn.UNPAID_ONLY

    def effective(p: Payment) -> date:
        # Under UNPAID_ONLY what was paid by the due date never bore interest at all.
        return start if unpaid_only and p.paid_on <= statement.due_date else max(p.paid_on, start)

    bearing = statement.balance - statement.fees_unpaid

    def base(paid: Decimal) -> Decimal:
        # Fees are paid first, so only payments beyond them lower the interest-bearing part.
        return max(bearing - max(paid - statement.fees_unpaid, ZERO), ZERO)

    balance_days = ZERO
    day, paid = start, ZERO
    for when, amount in sorted((effective(p), p.amount) for p in payments):
        balance_days += base(paid) * days_between(day, when)
        day, paid = when, paid + amount
    balance_days += base(paid) * (days_between(day, end) + 1)  # ``end`` itself bears interest
    return quantize(terms.daily_rate * balance_days, terms.currency)


def _minimum(terms: CardTerms, balance: Decimal, charges: Decimal, overdue: Decimal) -> Decimal:
    """The minimum due on ``balance`` (module docstring); ``charges`` are interest and fees."""
    cur = terms.currency
    if balance <= 0:
        return quantize(ZERO, cur)
    in_full = overdue
    if terms.minimum_rule is MinimumRule.PRINCIPAL_PLUS_CHARGES:
        in_full += charges
    base = max(balance - in_full, ZERO)
    share = quantize(terms.minimum_rate * base, cur)
    if base > 0:
        share = max(share, terms.minor_unit)
    minimum = max(share + in_full, terms.minimum_floor)
    return quantize(min(minimum, balance), cur)


def _check_statement_date(terms: CardTerms, statement_date: date) -> None:
    if statement_date != statement_date_in(terms, statement_date.year, statement_date.month):
        raise InvalidTerms(
            f"{statement_date} is not this card's statement date",
            code="card_statement_date",
            statement_day=terms.statement_day,
        )


def _check_money(terms: CardTerms, amount: Decimal, code: str) -> None:
    _require_decimal(amount)
    check_amount(amount, allow_zero=True)
    if amount != quantize(amount, terms.currency):
        raise InvalidTerms(f"{amount} has more digits than {terms.currency} allows", code=code)


def _check_day(day: int, code: str) -> None:
    if isinstance(day, bool) or not isinstance(day, int) or not 1 <= day <= 31:
        raise InvalidTerms(f"day of month must be 1..31, not {day!r}", code=code, day=day)


def _require_decimal(*values: object) -> None:
    for value in values:
        if not isinstance(value, Decimal):  # floats must never reach a money path
            raise TypeError(f"expected Decimal, got {type(value).__name__}")
