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
    """Read a date (2026-12-15, 12月15日, 15号, 12/15, Dec 15, 15 December 2026); without a year
    it is the next such date on or after ``today``."""
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
        if match := _DAY_MONTH_EN.fullmatch(s) or _MONTH_DAY_EN.fullmatch(s):
            # Sep 30, 30 September 2026, September 30th (the patterns are defined below).
            month, day = _EN_MONTHS[match["m"]], int(match["d"])
            if match["y"]:
                return _full_date(match["y"], str(month), str(day), today, text)
            _possible(2000, month, day, text)
            return _in_range(_next_month_day(month, day, today), today, text)
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
        named = _DAY_MONTH_EN.fullmatch(s) or _MONTH_DAY_EN.fullmatch(s)
        value = _latest_before(value, today, by_year=bool(_HAS_MONTH.search(s) or named))
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


# ---- dates already past: when something was done ---------------------------------------------

_PAST_DAYS = {
    "today": 0,
    "今天": 0,
    "今日": 0,
    "yesterday": -1,
    "昨天": -1,
    "昨日": -1,
    "day before yesterday": -2,
    "the day before yesterday": -2,
    "前天": -2,
    "大前天": -3,
}
_EN_COUNTS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
}
_EN_MONTHS = {
    "january": 1,
    "jan": 1,
    "february": 2,
    "feb": 2,
    "march": 3,
    "mar": 3,
    "april": 4,
    "apr": 4,
    "may": 5,
    "june": 6,
    "jun": 6,
    "july": 7,
    "jul": 7,
    "august": 8,
    "aug": 8,
    "september": 9,
    "sept": 9,
    "sep": 9,
    "october": 10,
    "oct": 10,
    "november": 11,
    "nov": 11,
    "december": 12,
    "dec": 12,
}
_EN_WEEKDAYS = {
    "monday": 0,
    "mon": 0,
    "tuesday": 1,
    "tues": 1,
    "tue": 1,
    "wednesday": 2,
    "wed": 2,
    "thursday": 3,
    "thurs": 3,
    "thur": 3,
    "thu": 3,
    "friday": 4,
    "fri": 4,
    "saturday": 5,
    "sat": 5,
    "sunday": 6,
    "sun": 6,
}
_ZH_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
_ZH_WEEKDAYS.update({str(n): n - 1 for n in range(1, 8)})  # 周1 … 周7 (Sunday)
#: 上周五 is Friday of the week before this one (weeks start on Monday), 这周五 this week's.
_ZH_WEEK_OFFSET = {"上上": -2, "上上个": -2, "上": -1, "上个": -1, "这": 0, "这个": 0, "本": 0}
_ZH_MONTH_OFFSET = {"上上月": -2, "上上个月": -2, "上月": -1, "上个月": -1, "这月": 0}
_ZH_MONTH_OFFSET.update({"这个月": 0, "本月": 0})
_ZH_YEAR_OFFSET = {"前年": -2, "去年": -1, "今年": 0}


def _alternatives(words: dict[str, int]) -> str:
    """The keys as a regex alternation, longest first (so ``tues`` is tried before ``tue``)."""
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_EN_MONTH = rf"(?:{_alternatives(_EN_MONTHS)})"
_EN_WEEKDAY = rf"(?:{_alternatives(_EN_WEEKDAYS)})"
_EN_COUNT = rf"(?:[0-9]{{1,5}}|{_alternatives(_EN_COUNTS)})"
_ORDINAL = r"(?:st|nd|rd|th)"
_EN_YEAR = r"(?:,? [0-9]{4})"
_ZH_COUNT = r"(?:[0-9]{1,5}|[一二两三四五六七八九十]{1,3})"
_ZH_WEEK = r"(?:周|星期|礼拜)"

#: What ``parse_past_date`` reads in English, as a regex to find it in a sentence (an atomic
#: group: embed it anywhere). The parser still checks the date exists.
EN_PAST_DATE = (
    r"(?>today|yesterday|(?:the )?day before yesterday"
    rf"|{_EN_COUNT} (?:days?|weeks?) ago"
    rf"|(?:last )?{_EN_WEEKDAY}"
    rf"|(?:the )?[0-9]{{1,2}}{_ORDINAL}? (?:of )?{_EN_MONTH}\.?{_EN_YEAR}?"
    rf"|{_EN_MONTH}\.? (?:the )?[0-9]{{1,2}}{_ORDINAL}?{_EN_YEAR}?"
    rf"|(?:the )?[0-9]{{1,2}}{_ORDINAL}(?: of (?:this|last) month)?"
    r"|[0-9]{4}[-/.][0-9]{1,2}[-/.][0-9]{1,2}"
    r"|[0-9]{1,2}[-/.][0-9]{1,2}(?:[-/.][0-9]{4})?)"
)
#: The same in Chinese: 10月20日, 上个月20号, 上周五, 3天前, 昨天, 2026年10月20日…
ZH_PAST_DATE = (
    rf"(?>[0-9]{{4}} ?年 ?(?:{_N}) ?月 ?(?:{_N}) ?[日号]?"
    r"|[0-9]{4}[-/.][0-9]{1,2}[-/.][0-9]{1,2}"
    rf"|(?:(?:{_alternatives(_ZH_YEAR_OFFSET)}) ?)?(?:{_N}) ?月 ?(?:{_N}) ?[日号]?"
    rf"|(?:{_alternatives(_ZH_MONTH_OFFSET)}) ?(?:{_N}) ?[日号]"
    rf"|{_ZH_COUNT} ?(?:天|日|周|个星期|星期|个礼拜|礼拜) ?(?:以前|之前|前)"
    rf"|(?:{_N}) ?[日号]"
    rf"|(?:上上个|上上|上个|上|这个|这|本)?{_ZH_WEEK}[一二三四五六日天1-7]"
    r"|今天|今日|昨天|昨日|大前天|前天"
    r"|[0-9]{1,2}[-/.][0-9]{1,2})"
)

_AGO_EN = re.compile(rf"(?P<n>{_EN_COUNT}) (?P<unit>days?|weeks?) ago")
_AGO_ZH = re.compile(
    rf"(?P<n>{_ZH_COUNT}) ?(?P<unit>天|日|周|个星期|星期|个礼拜|礼拜) ?(?:以前|之前|前)"
)
_WEEKDAY_EN = re.compile(rf"(?P<last>last )?(?P<day>{_EN_WEEKDAY})")
_WEEKDAY_ZH = re.compile(
    rf"(?P<rel>{_alternatives(_ZH_WEEK_OFFSET)})?{_ZH_WEEK}(?P<day>[一二三四五六日天1-7])"
)
_YEAR_EN = r"(?:,? (?P<y>[0-9]{4}))?"
_DAY_MONTH_EN = re.compile(
    rf"(?:the )?(?P<d>[0-9]{{1,2}}){_ORDINAL}? (?:of )?(?P<m>{_EN_MONTH})\.?{_YEAR_EN}"
)
_MONTH_DAY_EN = re.compile(
    rf"(?P<m>{_EN_MONTH})\.? (?:the )?(?P<d>[0-9]{{1,2}}){_ORDINAL}?{_YEAR_EN}"
)
_THIS_MONTH_EN = re.compile(rf"(?:the )?(?P<d>[0-9]{{1,2}}){_ORDINAL}? of (?P<rel>this|last) month")
_THIS_MONTH_ZH = re.compile(rf"(?P<rel>{_alternatives(_ZH_MONTH_OFFSET)}) ?(?P<d>{_N}) ?[日号]")
_THIS_YEAR_ZH = re.compile(
    rf"(?P<rel>{_alternatives(_ZH_YEAR_OFFSET)}) ?(?P<m>{_N}) ?月 ?(?P<d>{_N}) ?[日号]?"
)
_NUMERIC = re.compile(
    r"(?P<a>[0-9]{1,2})(?P<sep>[-/.])(?P<b>[0-9]{1,2})(?:(?P=sep)(?P<y>[0-9]{4}))?"
)


def parse_past_date(text: str, *, today: date, month_first: bool = True) -> date:
    """Read the day something was done, as people write it in Chinese or English.

    Besides what ``parse_date_near`` reads (a date without a year is the latest such day on or
    before ``today``): ``上周五`` (Friday of last week), ``周五`` / ``Friday`` (the latest Friday
    on or before today), ``last Friday`` (the latest before today), ``3天前`` / ``3 days ago``,
    ``大前天``, ``上个月20号`` / ``the 20th of last month``, ``去年10月20日``, ``30 Oct`` /
    ``Oct 30, 2026``, ``on the 20th`` and ``20/10`` or ``10/20/2026``.

    A numeric ``a/b`` is month/day when ``month_first`` (the Chinese way: ``12/1`` is 12月1日);
    otherwise, when both readings are real days, it raises ``date_ambiguous`` with the two
    (``first`` month/day, ``second`` day/month) rather than guess. When only one reading
    exists (``20/10``), it is the one. A future date is returned as it is: callers refuse it.
    """
    s = normalise_text(text).casefold()
    if len(s) > MAX_INPUT_LENGTH:
        raise InvalidDate(f"{text!r} is not a date", code="date_garbage", text=text)
    s = s.removeprefix("on ")
    try:
        value = _past_date(s, text, today, month_first)
    except OverflowError:  # thousands of years back, or a ``today`` at the calendar's ends
        _out_of_range(today, text)
    if value is None:  # 20号, 10月20日, 2026-10-20, the 20th…
        return parse_date_near(s.removeprefix("the "), today=today)
    return _in_range(value, today, text)


def _past_date(s: str, text: str, today: date, month_first: bool) -> date | None:
    """The forms ``parse_date_near`` does not read; None for anything else."""
    if s in _PAST_DAYS:
        return today + timedelta(days=_PAST_DAYS[s])
    if match := _AGO_EN.fullmatch(s) or _AGO_ZH.fullmatch(s):
        count = _count(match["n"])
        days = count * 7 if match["unit"][0] in "w周星礼个" else count
        return today - timedelta(days=days)
    if match := _WEEKDAY_EN.fullmatch(s):
        back = (today.weekday() - _EN_WEEKDAYS[match["day"]]) % 7
        if match["last"] and back == 0:
            back = 7  # "last Friday" said on a Friday is a week ago
        return today - timedelta(days=back)
    if match := _WEEKDAY_ZH.fullmatch(s):
        weekday = _ZH_WEEKDAYS[match["day"]]
        if match["rel"] is None:
            return today - timedelta(days=(today.weekday() - weekday) % 7)
        monday = today - timedelta(days=today.weekday())
        return monday + timedelta(days=7 * _ZH_WEEK_OFFSET[match["rel"]] + weekday)
    if match := _THIS_MONTH_EN.fullmatch(s) or _THIS_MONTH_ZH.fullmatch(s):
        rel = match["rel"]
        offset = {"this": 0, "last": -1}.get(rel, _ZH_MONTH_OFFSET.get(rel, 0))
        first = add_months(today.replace(day=1), offset)
        day = _number(match["d"])
        _possible(first.year, first.month, day, text)
        return first.replace(day=day)
    if match := _THIS_YEAR_ZH.fullmatch(s):
        year = today.year + _ZH_YEAR_OFFSET[match["rel"]]
        month, day = _number(match["m"]), _number(match["d"])
        _possible(year, month, day, text)
        return date(year, month, day)
    if match := _DAY_MONTH_EN.fullmatch(s) or _MONTH_DAY_EN.fullmatch(s):
        return _month_day(_EN_MONTHS[match["m"]], int(match["d"]), match["y"], today, text)
    if match := _NUMERIC.fullmatch(s):
        return _numeric(int(match["a"]), int(match["b"]), match["y"], today, text, month_first)
    return None


def _count(token: str) -> int:
    if token.isdigit():
        return int(token)
    return _EN_COUNTS.get(token) or cn_integer(token) or 0


def _month_day(month: int, day: int, year: str | None, today: date, text: str) -> date:
    """A month and day: in ``year`` if given, else the latest such day on or before today."""
    if year is not None:
        return _full_date(year, str(month), str(day), today, text)
    _possible(2000, month, day, text)  # a leap year, so 29 February is allowed here
    value = _in_range(_next_month_day(month, day, today), today, text)
    return value if value <= today else _latest_before(value, today, by_year=True)


def _numeric(a: int, b: int, year: str | None, today: date, text: str, month_first: bool) -> date:
    """``a/b``: month/day or day/month, whichever exists; both: see ``parse_past_date``."""
    check_year = 2000 if year is None else int(year)
    readings = [
        (month, day)
        for month, day in dict.fromkeys(((a, b), (b, a)))
        if _exists(check_year, month, day)
    ]
    if not readings:
        _possible(check_year, a, b, text)  # raises date_impossible
    if len(readings) == 1 or month_first:
        return _month_day(*readings[0], year, today, text)
    first, second = (_month_day(m, d, year, today, text) for m, d in readings)
    raise InvalidDate(
        f"{text!r} could be {first} or {second}",
        code="date_ambiguous",
        text=text,
        first=first,
        second=second,
    )


def _exists(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True
