"""Rates as lenders quote them, unit kept: ``18%``, ``1.5%/month``, ``日息万五``, ``年化18%``."""

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

#: Powers of ten each mark divides by, and the period a quote means when it names none: a bare
#: percentage is annual (the APR lenders must show), 万五-style quotes are daily by convention
#: (日息万五 = 0.05 % a day), and per-mille has no convention so it needs a period.
_MARKS: dict[str, tuple[int, RateUnit | None]] = {
    "%": (2, _Y),
    "百分之": (2, _Y),
    "‰": (3, None),
    "千分之": (3, None),
    "‱": (4, _D),
    "万分之": (4, _D),
    "万": (4, _D),
}


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
    value, mark, negative = _read_core(s, text)
    if negative and value != 0:
        raise InvalidRate(f"{text!r} is negative", code="rate_negative", text=text)
    if mark is None:
        return _bare_number(value, unit, text)
    power, default_unit = _MARKS[mark]
    fraction = shift(value, -power)
    unit = unit or default_unit
    if unit is None:
        raise InvalidRate(
            f"{text!r} does not say per day, month or year",
            code="rate_unit_missing",
            text=text,
            choices=_plausible(fraction, (_D, _M, _Y)),
        )
    try:
        return check_rate(Rate(fraction.copy_abs(), unit))
    except InvalidRate as error:
        raise InvalidRate(str(error), code=error.code, text=text, **error.params) from None


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
