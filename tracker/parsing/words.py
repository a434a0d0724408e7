"""Repayment methods, dates and loan terms typed in Chinese or English."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal
from typing import NoReturn

from tracker.dates import add_months
from tracker.errors import InvalidDate, InvalidTerms
from tracker.parsing.text import MAX_INPUT_LENGTH, cn_integer, normalise_text
from tracker.schedule_types import Method

#: Keys are compared with spaces, hyphens, underscores and dots removed (see ``_method_key``).
_METHOD_NAMES: dict[str, Method] = {
    "annuity": Method.ANNUITY,
    "equalpayment": Method.ANNUITY,
    "equalpayments": Method.ANNUITY,
    "equalinstallment": Method.ANNUITY,
    "equalinstallments": Method.ANNUITY,
    "equalinstalment": Method.ANNUITY,
    "equalinstalments": Method.ANNUITY,
    "emi": Method.ANNUITY,
    "等额本息": Method.ANNUITY,
    "等额": Method.ANNUITY,
    "equalprincipal": Method.EQUAL_PRINCIPAL,
    "等额本金": Method.EQUAL_PRINCIPAL,
    "interestonly": Method.INTEREST_ONLY,
    "先息后本": Method.INTEREST_ONLY,
    "按月付息到期还本": Method.INTEREST_ONLY,
    "按月付息": Method.INTEREST_ONLY,
    "flatfee": Method.FLAT_FEE,
    "flat": Method.FLAT_FEE,
    "fee": Method.FLAT_FEE,
    "installment": Method.FLAT_FEE,
    "installments": Method.FLAT_FEE,
    "instalment": Method.FLAT_FEE,
    "instalments": Method.FLAT_FEE,
    "分期": Method.FLAT_FEE,
    "分期手续费": Method.FLAT_FEE,
    "手续费": Method.FLAT_FEE,
    "daily": Method.DAILY_ACCRUAL,
    "dailyaccrual": Method.DAILY_ACCRUAL,
    "dailyinterest": Method.DAILY_ACCRUAL,
    "按日计息": Method.DAILY_ACCRUAL,
    "随借随还": Method.DAILY_ACCRUAL,
    "custom": Method.CUSTOM,
    "自定义": Method.CUSTOM,
}
_METHOD_NOISE = re.compile(r"[ \-_./·。,!]")


def _method_key(text: str) -> str:
    return _METHOD_NOISE.sub("", normalise_text(text).casefold())


def parse_method(text: str) -> Method:
    """Read a repayment method by its English or Chinese name (or its ``Method`` value)."""
    method = _METHOD_NAMES.get(_method_key(text))
    if method is None:
        method = next((m for m in Method if _method_key(m.value) == _method_key(text)), None)
    if method is None:
        raise InvalidTerms(
            f"{text!r} is not a repayment method",
            code="method_unknown",
            text=text,
            choices=[m.value for m in Method],
        )
    return method


_EPOCH = date(1970, 1, 1)
#: Loans run at most 50 years (the 600-month term limit); later dates are typing mistakes.
_MAX_YEARS_AHEAD = 50
_N = r"[0-9]{1,2}|[〇一二三四五六七八九十]{1,3}"
_FULL = re.compile(r"(?P<y>[0-9]{4})(?P<sep>[-/.])(?P<m>[0-9]{1,2})(?P=sep)(?P<d>[0-9]{1,2})")
_FULL_CN = re.compile(rf"(?P<y>[0-9]{{4}}) ?年 ?(?P<m>{_N}) ?月 ?(?P<d>{_N}) ?[日号]?")
_COMPACT = re.compile(r"(?P<y>[0-9]{4})(?P<m>[0-9]{2})(?P<d>[0-9]{2})")
_MONTH_DAY = re.compile(r"(?P<m>[0-9]{1,2})(?P<sep>[-/.])(?P<d>[0-9]{1,2})")
_MONTH_DAY_CN = re.compile(rf"(?P<m>{_N}) ?月 ?(?P<d>{_N}) ?[日号]?")
_DAY = re.compile(rf"(?P<d>{_N}) ?[日号]|(?P<e>[0-9]{{1,2}})(?:st|nd|rd|th)")
_RELATIVE = {
    "today": 0,
    "今天": 0,
    "今日": 0,
    "tomorrow": 1,
    "明天": 1,
    "明日": 1,
    "day after tomorrow": 2,
    "后天": 2,
    "yesterday": -1,
    "昨天": -1,
    "昨日": -1,
}


def parse_date(text: str, *, today: date) -> date:
    """Read a date; without a year it is the next such date on or after ``today``."""
    s = normalise_text(text).casefold()
    if len(s) > MAX_INPUT_LENGTH:
        raise InvalidDate(f"{text!r} is not a date", code="date_garbage", text=text)
    try:
        if s in _RELATIVE:
            return _in_range(today + timedelta(days=_RELATIVE[s]), today, text)
        if match := _FULL.fullmatch(s) or _FULL_CN.fullmatch(s) or _COMPACT.fullmatch(s):
            return _full_date(match["y"], match["m"], match["d"], today, text)
        if match := _MONTH_DAY.fullmatch(s) or _MONTH_DAY_CN.fullmatch(s):
            month, day = _number(match["m"]), _number(match["d"])
            _possible(2000, month, day, text)  # a leap year, so 2月29日 is allowed here
            return _in_range(_next_month_day(month, day, today), today, text)
        if match := _DAY.fullmatch(s):
            day = _number(match["d"] or match["e"])
            _possible(2000, None, day, text)
            return _in_range(_next_day(day, today), today, text)
    except OverflowError:  # only a ``today`` at the very end of the calendar gets here
        _out_of_range(today, text)
    raise InvalidDate(f"{text!r} is not a date", code="date_garbage", text=text)


_HAS_YEAR = re.compile(r"[0-9]{4}")
_HAS_NUMBER = re.compile(r"[0-9〇一二三四五六七八九十]")
_HAS_MONTH = re.compile(r"月|[0-9][-/.][0-9]")


def parse_date_near(text: str, *, today: date, months_ahead: int = 0) -> date:
    """Read a date; without a year, one at most ``months_ahead`` months ahead, else a past one."""
    # parse_date reads 8月20日 as the next 20 August; further ahead than months_ahead, the
    # date meant is the latest 20 August on or before today (and 30号 the latest 30th).
    # Dates with a year, and words like 明天, are kept as typed.
    value = parse_date(text, today=today)
    s = normalise_text(text).casefold()
    try:
        horizon = add_months(today, months_ahead)
    except ValueError:  # only a ``today`` at the very end of the calendar gets here
        horizon = date.max
    if value > horizon and _HAS_NUMBER.search(s) and not _HAS_YEAR.search(s):
        value = _latest_before(value, today, by_year=bool(_HAS_MONTH.search(s)))
    return value


def _latest_before(value: date, today: date, *, by_year: bool) -> date:
    """The latest date on or before ``today`` with the same month and day (or the same day)."""
    if by_year:
        for year in range(today.year, today.year - 9, -1):
            try:
                candidate = value.replace(year=year)
            except ValueError:  # 29 February
                continue
            if candidate <= today:
                return candidate
        return value
    year, month = today.year, today.month
    for _ in range(13):
        try:
            day = date(year, month, value.day)
        except ValueError:  # a short month has no 31st: go back to one that has
            day = None
        if day is not None and day <= today:
            return day
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return value  # pragma: no cover - some month within 13 has every day 1-31


def _number(token: str) -> int:
    """A 1–2 digit or Chinese day/month number; anything unreadable becomes an impossible 0."""
    if token.isascii():
        return int(token)
    value = cn_integer(token)
    return 0 if value is None else value


def _full_date(year: str, month: str, day: str, today: date, text: str) -> date:
    y, m, d = int(year), _number(month), _number(day)
    if not _EPOCH.year <= y <= _latest(today).year:
        _out_of_range(today, text)
    _possible(y, m, d, text)
    return _in_range(date(y, m, d), today, text)


def _possible(year: int, month: int | None, day: int, text: str) -> None:
    """Refuse month 13, 2月30日 or 32号 (``month`` None: a day of any month)."""
    try:
        date(year, 1 if month is None else month, day)
    except ValueError:
        params = {"day": day} if month is None else {"month": month, "day": day}
        raise InvalidDate(
            f"{text!r} does not exist", code="date_impossible", text=text, **params
        ) from None


def _next_month_day(month: int, day: int, today: date) -> date:
    # Eight years always reach a 29 February (2096 → 2104 skips 2100).
    for year in range(today.year, today.year + 9):
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        if candidate >= today:
            return candidate
    raise OverflowError("no such date ahead")


def _next_day(day: int, today: date) -> date:
    # A short month has no 31st: skip to the next month that does, never clamp.
    year, month = today.year, today.month
    for _ in range(13):
        try:
            candidate = date(year, month, day)
        except ValueError:
            candidate = None
        if candidate is not None and candidate >= today:
            return candidate
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    raise OverflowError("no such day ahead")


def _latest(today: date) -> date:
    year = today.year + _MAX_YEARS_AHEAD
    if year > date.max.year:
        return date.max
    try:
        return today.replace(year=year)
    except ValueError:  # 29 February in a year that has none
        return today.replace(year=year, day=28)


def _in_range(value: date, today: date, text: str) -> date:
    if not _EPOCH <= value <= _latest(today):
        _out_of_range(today, text)
    return value


def _out_of_range(today: date, text: str) -> NoReturn:
    raise InvalidDate(
        f"{text!r} is before 1970 or more than {_MAX_YEARS_AHEAD} years ahead",
        code="date_out_of_range",
        text=text,
        earliest=_EPOCH,
        latest=_latest(today),
    )


#: A term longer than 50 years is no consumer loan (mortgages top out at 30).
MIN_TERM, MAX_TERM = 1, 600
_TERM_N = r"[0-9]+|[〇一二两三四五六七八九十]{1,3}"
_TERM_MONTHS = re.compile(
    rf"(?P<sign>-?) ?(?P<n>{_TERM_N}) ?"
    r"(?:期|个月|月|months?|mos?|mths?|m|installments?|instalments?|payments?|periods?)?"
)
_TERM_YEARS = re.compile(
    rf"(?P<sign>-?) ?(?P<n>{_TERM_N}|[0-9]*\.[0-9]+|[0-9]+\.) ?(?:年|years?|yrs?|y)"
)


def parse_term(text: str) -> int:
    """Read a loan term as a number of monthly installments (``12期``, ``1 year`` → 12)."""
    s = normalise_text(text).casefold()
    if len(s) > MAX_INPUT_LENGTH:
        raise InvalidTerms(f"{text!r} is not a term", code="term_garbage", text=text)
    if s in ("半年", "half a year", "half year"):
        return 6
    if match := _TERM_MONTHS.fullmatch(s):
        months = _term_number(match["n"])
    elif match := _TERM_YEARS.fullmatch(s):
        years = _term_number(match["n"])
        months = None if years is None else years * 12
    else:
        raise InvalidTerms(f"{text!r} is not a term", code="term_garbage", text=text)
    if months is None or months != months.to_integral_value():
        raise InvalidTerms(
            f"{text!r} is not a whole number of months", code="term_garbage", text=text
        )
    count = int(months) * (-1 if match["sign"] else 1)
    if not MIN_TERM <= count <= MAX_TERM:
        raise InvalidTerms(
            f"{text!r} is not between {MIN_TERM} and {MAX_TERM} months",
            code="term_range",
            text=text,
            months=count,
            min=MIN_TERM,
            max=MAX_TERM,
        )
    return count


def _term_number(token: str) -> Decimal | None:
    if token.isascii():
        return Decimal(token)
    value = cn_integer(token)
    return None if value is None else Decimal(value)
