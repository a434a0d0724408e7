"""The one-line ``/adddebt`` form: ``<name> <principal> <rate> <months> [method] [first due]``.

Also the terms a marker announces: ``机构:京东金融`` or ``lender: JD Finance`` names the company
repaid, apart from the debt's nickname (issue 10). The marker ends in a colon (half- or
full-width), so a debt called "lender" or 机构 is still a name; the lender runs from the marker
to the end of the line. And a short line (``<name> [principal]``) the questions go on from.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from tracker.dates import add_months
from tracker.errors import DomainError, InvalidDate, InvalidTerms
from tracker.money import ZERO
from tracker.parsing.amounts import ParsedAmount, parse_amount
from tracker.parsing.debt_terms import (
    DebtSpec,
    check_loan_date,
    clean_lender,
    clean_name,
    default_penalty,
    parse_fee_rate,
    parse_first_due,
    parse_loan_date,
    parse_rate_per,
)
from tracker.parsing.rates import parse_rate, rate_readings
from tracker.parsing.text import normalise_text
from tracker.parsing.words import parse_method, parse_term
from tracker.rates import Rate, RateUnit
from tracker.schedule_types import LoanTerms, Method

T = TypeVar("T")


# ---- terms a keyword or a marker announces --------------------------------------------------

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


#: Words that, followed by a colon, announce the lender; compared casefolded.
LENDER_MARKERS = ("机构", "贷款机构", "借款机构", "放款机构", "lender")


def take_lender(words: Sequence[str]) -> tuple[list[str], str | None]:
    """Split a one-line form's words into the rest and the lender after its marker.

    ``["金条", "20000", "机构:京东金融"]`` → ``(["金条", "20000"], "京东金融")``. The first
    word is always (part of) the name, never a marker. A marker with nothing after it raises
    ``lender_empty``.
    """
    for at in range(1, len(words)):
        word = normalise_text(words[at])
        head, colon, attached = word.partition(":")
        if not colon or head.casefold() not in LENDER_MARKERS:
            continue
        lender = " ".join([attached, *words[at + 1 :]] if attached else words[at + 1 :]).strip()
        if not lender:
            raise InvalidTerms("no lender after the marker", code="lender_empty", part="lender")
        return list(words[:at]), lender
    return list(words), None


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
    ``lender: JD Finance`` (see ``take_lender``).

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
