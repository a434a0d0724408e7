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


def shift(value: Decimal, power: int) -> Decimal:
    """Multiply by 10**power exactly (arithmetic would round to the context's precision)."""
    sign, digits, exponent = value.as_tuple()
    if not isinstance(exponent, int):
        raise ValueError(f"cannot shift {value}")
    return Decimal((sign, digits, exponent + power))
