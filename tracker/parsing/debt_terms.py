"""What a borrower types about a debt besides the one-line form: names, optional terms, dates.

Each reader takes the text as typed and returns a typed value (a ``Decimal``, a ``Rate``, a
``date``, a count), or raises the ``DomainError`` whose ``code`` the bot translates.
``DebtSpec`` is what the readers fill in and ``tracker.services.debts.add_debt`` stores.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from tracker.errors import DomainError, InvalidRate, InvalidTerms
from tracker.ledger import DEFAULT_ORDER, Component, PenaltyMode, PenaltyPolicy
from tracker.money import ZERO
from tracker.parsing.amounts import parse_amount
from tracker.parsing.rates import parse_rate
from tracker.parsing.text import cn_integer, is_skip, normalise_text
from tracker.parsing.words import parse_date_near
from tracker.rates import Rate, RateUnit, check_rate
from tracker.schedule_types import LoanTerms, Method
from tracker.storage.enums import DebtKind

#: A debt's nickname, and its lender's name, is at most this long.
MAX_NAME_LENGTH = 40
#: Days after a due date before a payment counts as overdue, at most.
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


# ---- names ---------------------------------------------------------------------------------


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


_GRACE = re.compile(
    r"(?P<n>[0-9]{1,3}|[〇一二两三四五六七八九十]{1,3}) ?(?:天|日|days?|d)?(?: ?宽限期?)?"
)


def parse_grace_days(text: str) -> int:
    """Read the days after a due date before a payment counts as overdue (``3``, ``3天``)."""
    if is_skip(text):  # "none", "无", "-": no grace days
        return 0
    s = normalise_text(text).casefold()
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


def read_pricing(method: Method, text: str) -> tuple[Rate, Decimal]:
    """Read a new rate for a debt repaid by ``method``: (rate, fee per installment).

    A flat-fee plan is priced by its fee per installment (``0.5%``), with no rate; any other by
    its rate with a period (``0.05%/day``, ``日息万五``, ``年化18%``).
    """
    if method is Method.FLAT_FEE:
        return Rate(ZERO, RateUnit.MONTH), parse_fee_rate(text)
    return check_rate(parse_rate(text)), ZERO


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


# ---- a loan already running when tracking begins (issue 9) ----------------------------------

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
