"""Amounts of money as people type them: ``1,234.50``, ``￥1234.5``, ``1.5万元``, ``USD 20``,
``一千二`` (1200), ``两万``, ``3千5`` (3500), ``1万2`` (12000).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from babel.numbers import list_currencies

from tracker.errors import InvalidAmount
from tracker.money import check_amount, minor_digits, quantize
from tracker.parsing.text import MAX_INPUT_LENGTH, cn_amount, normalise_text, shift


@dataclass(frozen=True, slots=True)
class ParsedAmount:
    """An amount a person typed, in major units of ``currency`` (an ISO 4217 code)."""

    amount: Decimal
    currency: str


#: Symbols and names → the currencies they can mean, the usual reading first. An empty tuple is
#: a unit word (元, 块) that says "money" without naming a currency.
_DOLLARS = ("USD", "HKD", "TWD", "SGD", "AUD", "CAD", "NZD")
_NAMED: dict[str, tuple[str, ...]] = {
    "¥": ("CNY", "JPY"),
    "$": _DOLLARS,
    "us$": ("USD",),
    "hk$": ("HKD",),
    "nt$": ("TWD",),
    "s$": ("SGD",),
    "a$": ("AUD",),
    "c$": ("CAD",),
    "€": ("EUR",),
    "£": ("GBP",),
    "₩": ("KRW",),
    "人民币": ("CNY",),
    "美元": ("USD",),
    "美金": ("USD",),
    "港元": ("HKD",),
    "港币": ("HKD",),
    "日元": ("JPY",),
    "欧元": ("EUR",),
    "英镑": ("GBP",),
    "新台币": ("TWD",),
    "台币": ("TWD",),
    "澳元": ("AUD",),
    "加元": ("CAD",),
    "韩元": ("KRW",),
    "yuan": ("CNY",),
    "dollars": _DOLLARS,
    "dollar": _DOLLARS,
    "euros": ("EUR",),
    "euro": ("EUR",),
    "块钱": (),
    "块": (),
    "元": (),
    "圆": (),
}
_CODE_ALIASES = {"RMB": "CNY"}

_CURRENCY = re.compile(
    "|".join(re.escape(name) for name in sorted(_NAMED, key=len, reverse=True))
    + r"|(?P<code>[a-z]{3})(?![a-z])"
)
_SIGN = re.compile(r"[-+]")
_NUMBER = re.compile(r"[0-9.,]*[0-9][0-9.,]*")
_MULTIPLIER = re.compile(r"亿|万|千|百|[kw](?![a-z])")
_POWERS = {"亿": 8, "万": 4, "千": 3, "百": 2, "k": 3, "w": 4}

#: A number in Chinese words or with several units (一千二, 3千5, 1万2千); ``1.5万`` and ``3千``,
#: one Arabic number and one unit, are read by ``_NUMBER`` and ``_MULTIPLIER``.
_CN_RUN = re.compile(r"[0-9.〇零一二两三四五六七八九十点百千万亿]+")
_CN_WORD_DIGITS = frozenset("〇零一二两三四五六七八九十点")
_CN_UNIT_CHARS = frozenset("十百千万亿")

_GROUPED = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]*)?")
_PLAIN = re.compile(r"[0-9]*\.?[0-9]*")


@lru_cache(maxsize=1)
def _known_currencies() -> frozenset[str]:
    return frozenset(list_currencies())


def parse_amount(
    text: str, default_currency: str = "CNY", *, allow_zero: bool = False
) -> ParsedAmount:
    """Read an amount of money; the currency is ``default_currency`` unless the text names one."""
    default = default_currency.upper()
    if default not in _known_currencies():
        raise ValueError(f"unknown default currency {default_currency!r}")
    s = normalise_text(text).casefold()
    if not s:
        raise InvalidAmount("no amount was given", code="amount_empty", text=text)
    if len(s) > MAX_INPUT_LENGTH:
        raise InvalidAmount(f"{text!r} is not an amount", code="amount_garbage", text=text)

    names: list[str] = []
    sign = ""
    pos = _skip_spaces(s, 0)
    while True:
        if match := _SIGN.match(s, pos):
            if sign:
                raise InvalidAmount(f"{text!r} is not an amount", code="amount_garbage", text=text)
            sign = match.group()
        elif match := _CURRENCY.match(s, pos):
            names.append(match.group())
        else:
            break
        pos = _skip_spaces(s, match.end())
    if (words := _CN_RUN.match(s, pos)) and _in_chinese_words(words.group()):
        return _chinese_amount(s, words, sign, names, default, allow_zero, text)
    number = _NUMBER.match(s, pos)
    if number is None:
        if pos == len(s) and not sign and all(map(_is_currency_word, names)):
            raise InvalidAmount("no amount was given", code="amount_empty", text=text)
        raise InvalidAmount(f"{text!r} is not an amount", code="amount_garbage", text=text)
    pos = _skip_spaces(s, number.end())
    power = 0
    if multiplier := _MULTIPLIER.match(s, pos):
        power = _POWERS[multiplier.group()]
        pos = _skip_spaces(s, multiplier.end())
    while match := _CURRENCY.match(s, pos):
        names.append(match.group())
        pos = _skip_spaces(s, match.end())
    if pos != len(s):
        raise InvalidAmount(f"{text!r} is not an amount", code="amount_garbage", text=text)

    value = _read_number(number.group(), text)
    currency = _resolve_currency(names, default, text)
    raw = shift(-value if sign == "-" else value, power)
    _checked(raw, True, text)
    amount = quantize(raw, currency)
    if amount != raw and not multiplier:
        # Rounding what someone typed would silently change a payment; a 万/k shorthand is
        # already an approximation, so that alone is rounded.
        raise InvalidAmount(
            f"{text!r} has more decimals than {currency} allows",
            code="amount_too_precise",
            text=text,
            currency=currency,
            digits=minor_digits(currency),
        )
    # copy_abs turns the -0.00 that "-0" leaves into 0.00; real negatives were refused above.
    return ParsedAmount(_checked(amount, allow_zero, text).copy_abs(), currency)


def _in_chinese_words(run: str) -> bool:
    """Whether a run of digits and units needs ``cn_amount`` (not ``1.5万`` or ``3千``)."""
    if any(ch in _CN_WORD_DIGITS for ch in run):
        return True
    first_unit = next((i for i, ch in enumerate(run) if ch in _CN_UNIT_CHARS), len(run))
    return first_unit < len(run) - 1  # something follows the unit: 3千5, 1万2千


def _chinese_amount(
    s: str,
    words: re.Match[str],
    sign: str,
    names: list[str],
    default: str,
    allow_zero: bool,
    text: str,
) -> ParsedAmount:
    """The rest of ``parse_amount`` for an amount in Chinese words, such as ``一千二``."""
    pos = _skip_spaces(s, words.end())
    while match := _CURRENCY.match(s, pos):
        names.append(match.group())
        pos = _skip_spaces(s, match.end())
    value = cn_amount(words.group())
    if value is None or pos != len(s):
        raise InvalidAmount(f"{text!r} is not an amount", code="amount_garbage", text=text)
    currency = _resolve_currency(names, default, text)
    raw = -value if sign == "-" else value
    _checked(raw, True, text)
    # Words like 三点五万 are a shorthand, rounded like 1.5万; plain 零点零零一 is refused.
    amount = quantize(raw, currency)
    if amount != raw and not any(ch in _CN_UNIT_CHARS for ch in words.group()):
        raise InvalidAmount(
            f"{text!r} has more decimals than {currency} allows",
            code="amount_too_precise",
            text=text,
            currency=currency,
            digits=minor_digits(currency),
        )
    return ParsedAmount(_checked(amount, allow_zero, text).copy_abs(), currency)


def _skip_spaces(s: str, pos: int) -> int:
    """The first position at or after ``pos`` that is not a space (text is normalised)."""
    while pos < len(s) and s[pos] == " ":
        pos += 1
    return pos


def _is_currency_word(name: str) -> bool:
    """A symbol, unit word or known code: ``USD`` alone is a missing amount, ``abc`` garbage."""
    return name in _NAMED or _CODE_ALIASES.get(name.upper(), name.upper()) in _known_currencies()


def _read_number(token: str, text: str) -> Decimal:
    """Read digits with thousands commas and a decimal point; anything else is ambiguous."""
    if _GROUPED.fullmatch(token):
        return Decimal(token.replace(",", ""))
    if "," not in token and _PLAIN.fullmatch(token):
        return Decimal(token)
    # 1.234,5 and 1,23 mean different numbers in different countries: ask rather than guess.
    raise InvalidAmount(
        f"{text!r} uses separators ambiguously", code="amount_separators", text=text
    )


def _resolve_currency(names: list[str], default: str, text: str) -> str:
    """Intersect what every symbol, name and code allows; prefer the default when it fits."""
    candidates: tuple[str, ...] | None = None
    for name in names:
        if name in _NAMED:
            allowed = _NAMED[name]
        else:
            code = _CODE_ALIASES.get(name.upper(), name.upper())
            if code not in _known_currencies():
                raise InvalidAmount(
                    f"{name.upper()} is not a currency",
                    code="amount_currency_unknown",
                    text=text,
                    currency=name.upper(),
                )
            allowed = (code,)
        if not allowed:
            continue
        narrowed = allowed if candidates is None else tuple(c for c in candidates if c in allowed)
        if not narrowed:
            raise InvalidAmount(
                f"{text!r} names two different currencies",
                code="amount_currency_conflict",
                text=text,
                currencies=[n.upper() for n in names],
            )
        candidates = narrowed
    if candidates is None or default in candidates:
        return default
    return candidates[0]


def _checked(amount: Decimal, allow_zero: bool, text: str) -> Decimal:
    """``check_amount`` with the typed text added to the error's parameters."""
    try:
        return check_amount(amount, allow_zero=allow_zero)
    except InvalidAmount as error:
        raise InvalidAmount(str(error), code=error.code, text=text, **error.params) from None
