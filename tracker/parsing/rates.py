"""Rates as lenders quote them, unit kept: ``18%``, ``1.5%/month``, ``日息万五``, ``年化18%``.

Chinese 分 and 厘 quotes (``月息1分``, ``2分利``, ``日息5厘``, ``年息一分八``) are tenths of
the period's whole: 分 is a tenth and 厘 a hundredth of it, and the whole is 100 % for a year,
10 % for a month and 1 % for a day. So 年息一分 is 10 % a year (一分八 18 %), 月息一分 1 % a
month (八厘 0.8 %), 日息一分 0.1 % a day (五厘 0.05 %, the same as 日息万五). A 分 quote with
no period (``一分利``, ``3分息``) is monthly, as private and small lenders use it; a 厘 quote
with no period is asked about.
"""

from __future__ import annotations

import re
from decimal import Decimal

from tracker.errors import InvalidRate
from tracker.parsing.text import MAX_INPUT_LENGTH, cn_number, normalise_text, shift
from tracker.rates import Rate, RateUnit, check_rate

_Y, _M, _D = RateUnit.YEAR, RateUnit.MONTH, RateUnit.DAY

#: Words before the number; None marks a word that says "rate" without a period.
_PREFIX_WORDS: dict[str, RateUnit | None] = {
    "年化利率": _Y,
    "年化费率": _Y,
    "年化": _Y,
    "年利率": _Y,
    "年费率": _Y,
    "年息": _Y,
    "每年": _Y,
    "年": _Y,
    "月利率": _M,
    "月费率": _M,
    "月息": _M,
    "每月": _M,
    "月": _M,
    "日利率": _D,
    "日费率": _D,
    "日息": _D,
    "每日": _D,
    "每天": _D,
    "日": _D,
    "利率": None,
    "费率": None,
    "利息": None,
    "annual interest rate": _Y,
    "annual rate": _Y,
    "annual": _Y,
    "yearly": _Y,
    "apr": _Y,
    "monthly rate": _M,
    "monthly": _M,
    "daily rate": _D,
    "daily": _D,
    "interest rate": None,
    "interest": None,
    "rate": None,
}
#: Period words after a connector (``/year``, ``a month``, ``每天``) or alone (``p.a.``).
_PERIOD_WORDS: dict[str, RateUnit] = {
    "years": _Y,
    "year": _Y,
    "yrs": _Y,
    "yr": _Y,
    "y": _Y,
    "annum": _Y,
    "年": _Y,
    "months": _M,
    "month": _M,
    "mth": _M,
    "mo": _M,
    "m": _M,
    "个月": _M,
    "月": _M,
    "days": _D,
    "day": _D,
    "d": _D,
    "日": _D,
    "天": _D,
}
_STANDALONE_WORDS: dict[str, RateUnit] = {
    "p.a.": _Y,
    "p.a": _Y,
    "pa": _Y,
    "annually": _Y,
    "annual": _Y,
    "yearly": _Y,
    "apr": _Y,
    "年化": _Y,
    "p.m.": _M,
    "monthly": _M,
    "daily": _D,
}


def _alternation(words: dict[str, RateUnit] | dict[str, RateUnit | None]) -> str:
    return "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True))


_PREFIX = re.compile(rf"(?P<word>{_alternation(_PREFIX_WORDS)}) ?(?:[:=]|是|为|of)? ?")
_SUFFIX = re.compile(
    rf" ?(?:(?:(?:/|per|an|a|every|each|每|一) ?)?(?P<period>{_alternation(_PERIOD_WORDS)})"
    rf"|(?P<word>{_alternation(_STANDALONE_WORDS)}))$"
)
_DECIMAL = re.compile(
    r"(?P<sign>[-+]?) ?(?P<number>[0-9]+(?:\.[0-9]*)?|\.[0-9]+) ?(?P<mark>[%‰‱]?)"
)
_MARKS_ONLY = re.compile(r"[ %‰‱+-]|百分之|千分之|万分之")
_CHINESE = re.compile(r"(?P<mark>百分之|千分之|万分之|万)(?P<number>.+)")

#: Powers of ten each mark divides by, and the period a quote means when it names none:
#: 万五-style quotes are daily by convention (日息万五 = 0.05 % a day), a percentage is yearly
#: only when that is its one plausible reading (``unstated_percent_unit``), and per-mille has
#: no convention so it needs a period.
_MARKS: dict[str, tuple[int, RateUnit | None]] = {
    "%": (2, None),
    "百分之": (2, None),
    "‰": (3, None),
    "千分之": (3, None),
    "‱": (4, _D),
    "万分之": (4, _D),
    "万": (4, _D),
}
_PERCENT_MARKS = frozenset({"%", "百分之"})

#: From here up a percentage without a period is a yearly rate: read per month it would be
#: 48 % a year or more, above the 36 % no Chinese court enforces, and per day far more.
PLAINLY_YEARLY_PERCENT = Decimal(4)


def unstated_percent_unit(fraction: Decimal) -> RateUnit | None:
    """The period a percentage with none stated plainly has: a year from 4 % (or 0), else None."""
    # JD shows 金条's daily rate as a bare 0.05 % and card installments a monthly 0.6 %, while
    # banks quote 3.6 % a year: below 4 % a day, a month and a year are all lenders' quotes, and
    # a guess would be wrong 12 or 365 times over. 0 % is 0 whatever the period.
    if fraction == 0 or fraction * 100 >= PLAINLY_YEARLY_PERCENT:
        return _Y
    return None


def rate_readings(text: str) -> tuple[Rate, ...]:
    """The plausible readings per day, month and year of a rate with no period; else empty."""
    try:
        parse_rate(text)
    except InvalidRate as error:
        if error.code != "rate_unit_missing":
            return ()
    else:
        return ()
    readings = []
    for unit in (_D, _M, _Y):
        try:
            readings.append(parse_rate(f"{text} /{unit.value}"))
        except InvalidRate:  # too high read this way (2% a day is 730 % a year)
            continue
    return tuple(readings)


def parse_rate(text: str) -> Rate:
    """Read an interest or fee rate, keeping the period it was quoted for (day, month, year)."""
    s = normalise_text(text).casefold()
    if not s:
        raise InvalidRate("no rate was given", code="rate_empty", text=text)
    if len(s) > MAX_INPUT_LENGTH:
        raise InvalidRate(f"{text!r} is not a rate", code="rate_garbage", text=text)

    units: set[RateUnit] = set()
    while match := _PREFIX.match(s):
        if (unit := _PREFIX_WORDS[match.group("word")]) is not None:
            units.add(unit)
        s = s[match.end() :]
    while s and (match := _SUFFIX.search(s)):
        word = match.group("period") or match.group("word")
        units.add(_PERIOD_WORDS.get(word) or _STANDALONE_WORDS[word])
        s = s[: match.start()].rstrip()
    if len(units) > 1:
        raise InvalidRate(
            f"{text!r} names more than one period",
            code="rate_unit_conflict",
            text=text,
            units=sorted(unit.value for unit in units),
        )
    unit = units.pop() if units else None

    if not _MARKS_ONLY.sub("", s):
        raise InvalidRate("no rate was given", code="rate_empty", text=text)
    if match := _FEN_LI.fullmatch(s):
        return _fen_li(match, unit, text)
    value, mark, negative = _read_core(s, text)
    if negative and value != 0:
        raise InvalidRate(f"{text!r} is negative", code="rate_negative", text=text)
    if mark is None:
        return _bare_number(value, unit, text)
    power, default_unit = _MARKS[mark]
    fraction = shift(value, -power)
    if mark in _PERCENT_MARKS:
        default_unit = unstated_percent_unit(fraction)
    unit = unit or default_unit
    if unit is None:
        raise InvalidRate(
            f"{text!r} does not say per day, month or year",
            code="rate_unit_missing",
            text=text,
            choices=_plausible(fraction, (_D, _M, _Y)),
        )
    return _checked(Rate(fraction.copy_abs(), unit), text)


def _checked(rate: Rate, text: str) -> Rate:
    """``check_rate`` with the typed text added to the error's parameters."""
    try:
        return check_rate(rate)
    except InvalidRate as error:
        raise InvalidRate(str(error), code=error.code, text=text, **error.params) from None


_CN_NUMBER = r"[0-9]+(?:\.[0-9]+)?|[〇零一二两三四五六七八九十点]+"
_FEN_LI = re.compile(
    rf"(?:(?P<fen>{_CN_NUMBER})分(?:(?P<li>[0-9]|[一二三四五六七八九])厘?|(?P<half>半))?"
    rf"|(?P<only_li>{_CN_NUMBER})厘)(?:利息|利|息)?"
)
#: What one 分 is per period: a tenth of 100 % a year, of 10 % a month, of 1 % a day.
_FEN_POWER = {_Y: -1, _M: -2, _D: -3}


def _fen_li(match: re.Match[str], unit: RateUnit | None, text: str) -> Rate:
    """A 分/厘 quote (``一分八``, ``5厘``) as a rate per ``unit`` (see the module's doc)."""
    number = match["fen"] or match["only_li"]
    value = cn_number(number)
    if value is None:
        raise InvalidRate(f"{text!r} is not a rate", code="rate_garbage", text=text)
    if match["only_li"] is not None:
        fen = shift(value, -1)
    else:
        extra = match["li"] or ""
        tenths = cn_number(extra) if extra else Decimal(5) if match["half"] else Decimal(0)
        if tenths is None or (tenths and value != value.to_integral_value()):
            raise InvalidRate(f"{text!r} is not a rate", code="rate_garbage", text=text)
        fen = value + shift(tenths, -1)
    if unit is None and match["only_li"] is None:
        unit = _M  # 一分利, 3分息: monthly, as everyone who quotes them means it
    if unit is None:
        choices = []
        for each in (_D, _M, _Y):
            choices += _plausible(shift(fen, _FEN_POWER[each]), (each,))
        raise InvalidRate(
            f"{text!r} does not say per day, month or year",
            code="rate_unit_missing",
            text=text,
            choices=choices,
        )
    return _checked(Rate(shift(fen, _FEN_POWER[unit]), unit), text)


def _read_core(core: str, text: str) -> tuple[Decimal, str | None, bool]:
    """Split the number from its mark (%, ‰, 万分之, 万…): value, mark or None, negative."""
    if match := _DECIMAL.fullmatch(core):
        return Decimal(match.group("number")), match.group("mark") or None, match["sign"] == "-"
    if match := _CHINESE.fullmatch(core):
        value = cn_number(match.group("number"))
        if value is not None:
            return value, match.group("mark"), False
    raise InvalidRate(f"{text!r} is not a rate", code="rate_garbage", text=text)


def _bare_number(value: Decimal, unit: RateUnit | None, text: str) -> Rate:
    """A number without % could be a fraction or a percentage: only zero is unambiguous."""
    if value == 0:
        return Rate(Decimal(0), unit or _Y)
    # Guessing wrong here silently multiplies every interest figure by 100; offer the readings.
    readings = [shift(value, -2), value]
    choices = [choice for reading in readings for choice in _plausible(reading, (unit or _Y,))]
    if not choices:
        raise InvalidRate(f"{text!r} is implausibly high", code="rate_too_high", text=text)
    raise InvalidRate(f"{text!r} needs a % sign", code="rate_ambiguous", text=text, choices=choices)


def _plausible(value: Decimal, units: tuple[RateUnit, ...]) -> list[str]:
    """The readings of ``value`` per each unit that pass ``check_rate``, as ``18%/year`` text."""
    choices = []
    for unit in units:
        try:
            choices.append(str(check_rate(Rate(value, unit))))
        except InvalidRate:
            continue
    return choices
