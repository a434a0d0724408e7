"""Text clean-up and Chinese numerals shared by every parser."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal

#: Longer input is never a real answer to a question; refusing it early keeps regexes cheap.
MAX_INPUT_LENGTH = 100

_CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CN_TENS = re.compile(r"([一二两三四五六七八九])?十([一二三四五六七八九])?")
_ARABIC = re.compile(r"[0-9]+(?:\.[0-9]+)?|\.[0-9]+", re.ASCII)


def normalise_text(text: str) -> str:
    """NFKC (full-width → half-width), drop invisible format characters, collapse spaces."""
    folded = unicodedata.normalize("NFKC", text).replace("\u2212", "-")
    # Zero-width spaces, BOMs and direction marks ride along when people paste from lender apps.
    visible = "".join(ch for ch in folded if unicodedata.category(ch) != "Cf")
    return " ".join(visible.split())


def cn_integer(text: str) -> int | None:
    """Read a Chinese integer below 100 (五, 十八, 二十四, 两); None if it is not one."""
    if len(text) == 1 and text in _CN_DIGITS:
        return _CN_DIGITS[text]
    match = _CN_TENS.fullmatch(text)
    if match is None:
        return None
    tens, units = match.groups()
    return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[units] if units else 0)


def cn_number(text: str) -> Decimal | None:
    """Read ``3.5``, ``三点五``, ``十八`` or ``零点五`` as a Decimal; None if it is not a number."""
    if _ARABIC.fullmatch(text):
        return Decimal(text)
    whole, point, fraction = text.partition("点")
    integer = cn_integer(whole)
    if integer is None:
        return None
    if not point:
        return Decimal(integer)
    # 两 is never a digit after the point, and 十 is not a digit at all.
    if not fraction or any(ch not in _CN_DIGITS or ch == "两" for ch in fraction):
        return None
    return Decimal(f"{integer}." + "".join(str(_CN_DIGITS[ch]) for ch in fraction))


#: Chinese place units and the power of ten each stands for.
_CN_UNITS = {"亿": 8, "万": 4, "千": 3, "百": 2, "十": 1}
_SMALL_UNITS = "千百十"
_ZEROS = "零〇"
_ARABIC_DIGITS = re.compile(r"[0-9]+", re.ASCII)


def cn_amount(text: str) -> Decimal | None:
    """Read ``一万二千``, ``一万二``, ``一千零五``, ``3千5`` or ``三点五万``; None if no number."""
    # Spoken forms drop the last unit: a lone digit after a unit counts the next unit down
    # (一千二 = 1200, 1万2 = 12000). Arabic digits after a unit must be that one digit or fill
    # every place below it (1万2500), since 1万25 could mean 10025 or 12500.
    return _cn_section(text, tuple(_CN_UNITS))


def _cn_section(text: str, units: tuple[str, ...]) -> Decimal | None:
    """``text`` read with place units no larger than ``units[0]``."""
    for index, unit in enumerate(units):
        head, found, tail = text.partition(unit)
        if not found:
            continue
        lower, power = units[index + 1 :], _CN_UNITS[unit]
        if not head:
            value = Decimal(1) if unit == "十" else None  # 十二 is 12; 千 alone is no number
        elif unit in _SMALL_UNITS and tail:
            value = _cn_digit(head)  # 十, 百 and 千 count one digit (一千, not 十二千)
        elif unit in _SMALL_UNITS:
            value = _cn_plain(head)  # 3.5千 or 三点五千 with nothing after
        else:
            value = _cn_section(head, lower)  # 十二万, 一千五百万
        if value is None or value == 0:
            return None
        if not tail:
            return shift(value, power)
        rest = _cn_tail(tail, power, lower)
        if rest is None or value != value.to_integral_value():
            return None
        return shift(value, power) + rest
    return _cn_plain(text)


def _cn_tail(tail: str, power: int, lower: tuple[str, ...]) -> Decimal | None:
    """What follows a unit of 10**power: the places below it."""
    if tail[0] in _ZEROS:  # 一千零五: the zero says the next place is empty
        nonzero = tail.lstrip(_ZEROS)
        return _cn_whole_below(nonzero, lower, power - 1) if nonzero else None
    digit = _cn_digit(tail)
    if digit is not None:
        return shift(digit, power - 1)  # 一千二: the digit counts the next unit down
    if _ARABIC_DIGITS.fullmatch(tail):
        # 1万2500 fills every place; 1万25 could be 10025 or 12500, so it is not read.
        return Decimal(tail) if len(tail) == power else None
    return _cn_whole_below(tail, lower, power)


def _cn_whole_below(text: str, units: tuple[str, ...], power: int) -> Decimal | None:
    """``text`` as a whole number below 10**power, or None."""
    value = _cn_section(text, units)
    if value is None or value != value.to_integral_value() or value >= 10**power:
        return None
    return value


def _cn_digit(text: str) -> Decimal | None:
    """One digit 1–9, Arabic or Chinese."""
    if len(text) == 1 and "1" <= text <= "9":
        return Decimal(text)
    value = _CN_DIGITS.get(text) if len(text) == 1 else None
    return Decimal(value) if value else None


def _cn_plain(text: str) -> Decimal | None:
    """A number without place units: ``12``, ``3.5``, ``五``, ``三点五``."""
    if "十" in text:
        return None
    return cn_number(text)


def shift(value: Decimal, power: int) -> Decimal:
    """Multiply by 10**power exactly (arithmetic would round to the context's precision)."""
    sign, digits, exponent = value.as_tuple()
    if not isinstance(exponent, int):
        raise ValueError(f"cannot shift {value}")
    return Decimal((sign, digits, exponent + power))


#: Typed instead of pressing Skip, or for "none", in every optional step (one list for all).
#: Compared after ``normalise_text`` and casefolding, without a closing full stop.
SKIP_WORDS = frozenset(
    {
        "skip",
        "none",
        "no",
        "nothing",
        "nil",
        "n/a",
        "-",
        "跳过",
        "略过",
        "无",
        "没有",
        "不",
        "没",
        "不用",
    }
)


#: Typed for "I don't know" (a reference number, a name, how long something lasts).
DONT_KNOW_WORDS = frozenset(
    {
        "don't know",
        "dont know",
        "i don't know",
        "not sure",
        "unknown",
        "?",
        "不知道",
        "不确定",
        "说不准",
        "未知",
    }
)


def is_skip(text: str) -> bool:
    """Whether an answer means "skip this" / "none": ``skip``, ``None.``, ``不``, ``没有。``."""
    return normalise_text(text).casefold().rstrip(".。!！") in SKIP_WORDS


def is_dont_know(text: str) -> bool:
    """Whether an answer means "I don't know": ``unknown``, ``I don’t know``, ``不知道``."""
    return normalise_text(text).casefold().replace("’", "'") in DONT_KNOW_WORDS
