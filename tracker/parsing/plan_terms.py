"""What a borrower types about a plan agreed with a lender: its rate, its installments, the day
it was confirmed, the case number and whoever agreed it.

Each reader takes the text as typed and returns a typed value, or raises the ``DomainError``
whose ``code`` the bot translates; ``tracker.services.plans`` takes the values.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

from tracker.dates import add_months, monthly_due_dates
from tracker.errors import DomainError, InvalidTerms
from tracker.money import quantize
from tracker.parsing.amounts import parse_amount
from tracker.parsing.rates import parse_rate
from tracker.parsing.text import normalise_text
from tracker.parsing.words import parse_date
from tracker.rates import ZERO_RATE, Rate
from tracker.schedule import MAX_TERM
from tracker.schedule_types import CustomInstallment

MAX_REFERENCE_LENGTH = 64
MAX_AGENT_LENGTH = 64
MAX_NOTE_LENGTH = 500

#: Ways people say a hardship plan charges no interest (compared casefolded, spaces removed).
_INTEREST_FREE = frozenset(
    {"免息", "停息", "无息", "不计息", "零利息", "0利息", "interestfree", "nointerest", "none"}
)
#: ``1000 x 12 from 2027-01-15`` / ``1000×12 从2027-01-15起`` / ``1000 x 12 2027-01-15``.
_REPEAT = re.compile(
    r"(?P<amount>.+?) ?(?:x|×|\*) ?(?P<count>[0-9]{1,4}) ?(?:期|个月|months?)? ?"
    r"(?:(?:from|starting|从|自|,) ?)?(?P<date>.+?) ?(?:起|开始)?",
    re.IGNORECASE,
)


#: Between a date and an amount: a colon, or a comma that is no thousands separator.
_SEPARATOR = re.compile(r":|,(?![0-9]{3}(?:[^0-9]|$))")
#: ``1月15日1000``: a Chinese date runs straight into the amount.
_DAY_END = re.compile(r"([日号])(?=[^ ])")


def parse_plan_rate(text: str) -> Rate:
    """A rate as ``parse_rate`` reads it; ``免息`` / ``interest-free`` is 0 %.

    A bare percentage below 4 % (``1.5%``) is refused with ``rate_unit_missing`` rather than
    read as yearly: the plan's reply names the period to add, with examples.
    """
    key = re.sub(r"[ \-_]", "", normalise_text(text).casefold())
    if key in _INTEREST_FREE:
        return ZERO_RATE
    return parse_rate(text)


def parse_installments(text: str, *, today: date, currency: str) -> tuple[CustomInstallment, ...]:
    """Installments one per line (``2027-01-15 1000``), or ``1000 x 12 from 2027-01-15``.

    A date without a year is the next such date after the line before it, so a list running
    from December into January needs no years.
    """
    lines = [line for line in (normalise_text(raw) for raw in text.splitlines()) if line]
    if not lines:
        raise InvalidTerms("no installments were given", code="custom_missing")
    if len(lines) == 1 and (match := _REPEAT.fullmatch(lines[0])):
        return _repeated(match, lines[0], today, currency)
    if len(lines) > MAX_TERM:
        raise InvalidTerms("too many installments", code="custom_term", count=len(lines))
    items: list[CustomInstallment] = []
    after = today
    for number, line in enumerate(lines, start=1):
        item = _line(line, number, after, currency)
        items.append(item)
        after = item.due_date + timedelta(days=1)
    return tuple(items)


def _repeated(
    match: re.Match[str], line: str, today: date, currency: str
) -> tuple[CustomInstallment, ...]:
    try:
        amount = _amount(match["amount"], currency)
        first = parse_date(match["date"], today=today)
    except DomainError:
        raise InvalidTerms(f"cannot read {line!r}", code="custom_line", line=1, text=line) from None
    count = int(match["count"])
    if count == 0:
        raise InvalidTerms("no installments were given", code="custom_missing")
    if count > MAX_TERM:
        raise InvalidTerms("too many installments", code="custom_term", count=count)
    return tuple(CustomInstallment(due, amount) for due in monthly_due_dates(first, count))


def _line(line: str, number: int, after: date, currency: str) -> CustomInstallment:
    spaced = _SEPARATOR.sub(" ", _DAY_END.sub(r"\1 ", line))
    tokens = spaced.split()
    # Date first, amount last, split wherever both read (2027年 1月 15日 ¥1,000 has spaces).
    for cut in range(1, len(tokens)):
        head, tail = " ".join(tokens[:cut]), " ".join(tokens[cut:])
        for date_text, amount_text in ((head, tail), (tail, head)):
            try:
                return CustomInstallment(
                    parse_date(date_text, today=after), _amount(amount_text, currency)
                )
            except DomainError:
                continue
    raise InvalidTerms(f"cannot read line {number}", code="custom_line", line=number, text=line)


def _amount(text: str, currency: str) -> Decimal:
    parsed = parse_amount(text, currency)
    if parsed.currency != currency:
        raise InvalidTerms("another currency", code="plan_currency", currency=currency)
    return quantize(parsed.amount, currency)


def parse_past_date(text: str, *, today: date) -> date:
    """A date that has happened: ``11月28日`` or ``28号`` typed in December mean the last one.

    Dates with a year, and words like 明天, are kept as typed (and refused later if future).
    """
    first = parse_date(text, today=today)
    if first <= today:
        return first
    for reference in (add_months(today, -1) + timedelta(days=1), _year_before(today)):
        other = parse_date(text, today=reference)
        if other == first or other - reference == first - today:
            return first  # a full date or a relative word: it means what it says
        if other <= today:
            return other
    return first


def _year_before(today: date) -> date:
    return add_months(today, -12) + timedelta(days=1)


def clean_reference(text: str | None) -> str | None:
    """A lender's case or ticket number, trimmed; None when empty."""
    return _clean(text, MAX_REFERENCE_LENGTH, "reference_too_long")


def clean_agent(text: str | None) -> str | None:
    """The name or staff number of whoever agreed it, trimmed; None when empty."""
    return _clean(text, MAX_AGENT_LENGTH, "agent_too_long")


def clean_note(text: str | None) -> str | None:
    """A note about the agreement, trimmed; None when empty."""
    return _clean(text, MAX_NOTE_LENGTH, "note_too_long")


def _clean(text: str | None, limit: int, code: str) -> str | None:
    if text is None:
        return None
    cleaned = " ".join(text.split())
    if len(cleaned) > limit:
        raise InvalidTerms(f"longer than {limit} characters", code=code, limit=limit)
    return cleaned or None
