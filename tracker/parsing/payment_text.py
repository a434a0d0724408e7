"""Payment messages: ``/paid 500 金条 2026-11-30`` and free text such as ``还了500``.

Free text is recognised conservatively: only a past-tense "paid/还了" with an amount, an
optional debt name and an optional today/yesterday, and nothing that hedges it (``没``, ``要``,
``明天``, a question…). Anything else is not a payment, so the bot can answer it otherwise.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from tracker.errors import DomainError, InvalidAmount, InvalidDate
from tracker.parsing.amounts import parse_amount
from tracker.parsing.text import MAX_INPUT_LENGTH, normalise_text
from tracker.parsing.words import parse_date, parse_date_near

#: A debt name is at most this long (tracker.services.debts.MAX_NAME_LENGTH).
_MAX_NAME = 40


@dataclass(frozen=True, slots=True)
class PaymentText:
    """What a payment message says, before we know which debt (and so which currency) it is."""

    amount_text: str
    debt_name: str | None = None
    date_text: str | None = None  # None: today


@dataclass(frozen=True, slots=True)
class PaymentRequest:
    """A payment message with its date resolved."""

    amount_text: str
    debt_name: str | None
    paid_on: date


# ---- dates -----------------------------------------------------------------------------------

_RELATIVE_PAST = {
    "today": 0,
    "今天": 0,
    "今日": 0,
    "yesterday": -1,
    "昨天": -1,
    "昨日": -1,
    "day before yesterday": -2,
    "the day before yesterday": -2,
    "前天": -2,
}


def parse_paid_on(text: str | None, *, today: date) -> date:
    """The date a payment was made: today by default, never in the future.

    Without a year, ``11月30日`` or ``30号`` mean the latest such day on or before today
    (people log payments after making them), not the next one as for due dates.
    """
    if text is None or not normalise_text(text):
        return today
    s = normalise_text(text).casefold()
    if s in _RELATIVE_PAST:
        return today + timedelta(days=_RELATIVE_PAST[s])
    value = parse_date_near(text, today=today)
    if value > today:
        raise InvalidDate(
            f"{text!r} is after today ({today})", code="paydate_future", text=text, today=today
        )
    return value


# ---- /paid <amount> [debt] [date] ----------------------------------------------------------

#: An amount may be typed over up to three words: ``¥ 800``, ``500 元``, ``USD 20``.
_MAX_AMOUNT_WORDS = 3
#: A date may be typed over up to four words: ``the day before yesterday``.
_MAX_DATE_WORDS = 4


def parse_paid_command(args: Sequence[str], *, today: date) -> PaymentRequest:
    """Read ``/paid``'s words: the amount first, then an optional debt name and date.

    Raises the amount parser's error when the first word is no amount, and a date error when
    the last words are a date that is impossible or in the future.
    """
    words = [w for w in (normalise_text(a) for a in args) if w]
    if not words:
        raise InvalidAmount("no amount was given", code="amount_empty", text="")
    amount_words = _amount_prefix(words)
    rest = words[amount_words:]
    date_text: str | None = None
    for size in range(min(_MAX_DATE_WORDS, len(rest)), 0, -1):
        candidate = " ".join(rest[-size:])
        if _is_date(candidate, today):
            date_text = candidate
            rest = rest[:-size]
            break
    name = " ".join(rest) or None
    return PaymentRequest(
        amount_text=" ".join(words[:amount_words]),
        debt_name=name,
        paid_on=parse_paid_on(date_text, today=today),
    )


def _amount_prefix(words: list[str]) -> int:
    """How many leading words make the amount; raises the first word's amount error if none."""
    for size in range(min(_MAX_AMOUNT_WORDS, len(words)), 1, -1):
        try:
            parse_amount(" ".join(words[:size]))
        except DomainError:
            continue
        return size
    parse_amount(words[0])  # raises with the reason (garbage, zero, negative…)
    return 1


def _is_date(text: str, today: date) -> bool:
    """True if ``text`` is meant as a date (even an impossible one), False if it is no date."""
    s = text.casefold()
    if s in _RELATIVE_PAST:
        return True
    try:
        parse_date(text, today=today)
    except InvalidDate as error:
        return error.code != "date_garbage"
    return True


# ---- free text -----------------------------------------------------------------------------

_CN_NUMERALS = "〇零一二两三四五六七八九十百千万亿"
#: Digits (``500``, ``1.2万``) or Chinese words (``一千二``, ``3千5``); parse_amount decides.
_AMOUNT = (
    r"(?:[¥$€£]|rmb|cny|usd|hkd)? ?"
    r"(?:[0-9][0-9,]*(?:\.[0-9]+)? ?(?:万|千|k|w)?"
    rf"|[0-9.点]*[{_CN_NUMERALS}][0-9.点{_CN_NUMERALS}]*)"
    r" ?(?:元|块钱|块|rmb|cny|yuan|usd|hkd)?"
)
#: A debt name never ends in a numeral: in 还了一千二 the 一 belongs to the amount.
_NOT_A_NUMERAL = rf"(?<![{_CN_NUMERALS}])"
_EN = re.compile(
    r"(?:i |i've |i’ve |i have |i just |i've just |i’ve just |i have just |just |already "
    r"|i already |i've already |i’ve already )?"
    r"(?:re)?paid (?:back )?(?P<amount>" + _AMOUNT + r")"
    r"(?: (?:to|for|towards|toward|on|into) (?:my |the )?(?P<debt>[^ ].{0,39}?))?"
    r"(?: (?P<date>today|yesterday|the day before yesterday|day before yesterday))?"
    r"[.!]?",
    re.IGNORECASE,
)
_ZH_WHEN = r"今天|今日|昨天|昨日|前天"
_ZH_ADVERBS = rf"(?:我|{_ZH_WHEN}|刚才|刚|已经|已|又| )*"
_ZH_VERB = r"已经还了|已还款|已还了|已还|还款了|还款|还了|还掉了|还上了"
_ZH = re.compile(
    rf"(?P<before>{_ZH_ADVERBS})"
    r"(?:(?:给|向)?(?P<debt>[^ 0-9¥$€£].{0,39}?))?"
    rf"(?P<after>{_ZH_ADVERBS})"
    rf"(?:{_ZH_VERB}) ?"
    r"(?:(?P<debt2>[^ 0-9¥$€£了][^0-9¥$€£]{0,39}?)" + _NOT_A_NUMERAL + r" ?)?"
    r"(?P<amount>" + _AMOUNT + r")"
    r" ?了?[。.!！]?",
    re.IGNORECASE,
)
#: A "debt name" containing any of these hedges the sentence: it is not a payment report.
_NOT_A_NAME = (
    "没",
    "不",
    "未",
    "要",
    "想",
    "得",
    "该",
    "需",
    "会",
    "能",
    "打算",
    "准备",
    "明天",
    "后天",
    "下个",
    "下周",
    "下月",
    "吗",
    "还",
    "应",
    "可以",
    "别",
    "上个",
    "上周",
    "上次",
    "之前",
    "以前",
    "一共",
    "总共",
    "共",
    "每",
    "才",
    "只",
    "如果",
    "就",
    "怎么",
    "?",
    "我",
    "了",
)
_WHEN_WORDS = re.compile(_ZH_WHEN)


def recognise_payment(text: str | None) -> PaymentText | None:
    """The payment a free-text message reports, or None if it is not clearly one."""
    if not text:
        return None
    s = normalise_text(text).replace("？", "?")  # names keep their case; patterns ignore it
    if not s or len(s) > MAX_INPUT_LENGTH:
        return None
    if match := _EN.fullmatch(s):
        found = PaymentText(match["amount"].strip(), _name(match["debt"]), match["date"])
    elif match := _ZH.fullmatch(s):
        names = [n for n in (_name(match["debt"]), _name(match["debt2"])) if n]
        if len(names) > 1:
            return None
        when = _WHEN_WORDS.findall(match["before"] + match["after"])
        if len(set(when)) > 1:
            return None
        found = PaymentText(match["amount"].strip(), names[0] if names else None, _first(when))
    else:
        return None
    if found.debt_name is not None and any(w in found.debt_name for w in _NOT_A_NAME):
        return None
    try:
        parse_amount(found.amount_text)
    except DomainError:
        return None
    return found


def resolve(found: PaymentText, *, today: date) -> PaymentRequest:
    """A recognised payment message with its date worked out."""
    return PaymentRequest(
        found.amount_text, found.debt_name, parse_paid_on(found.date_text, today=today)
    )


def _name(text: str | None) -> str | None:
    cleaned = (text or "").strip().removeprefix("的").strip()  # 我的花呗 → 花呗
    return cleaned[:_MAX_NAME] or None


def _first(items: list[str]) -> str | None:
    return items[0] if items else None


# ---- the amount for one debt -----------------------------------------------------------------


def amount_for(amount_text: str, currency: str) -> Decimal:
    """The amount in a debt's currency; refuses an amount that names another currency."""
    parsed = parse_amount(amount_text, currency)
    if parsed.currency != currency.upper():
        raise InvalidAmount(
            f"{amount_text!r} is in {parsed.currency}, the debt in {currency}",
            code="amount_currency_mismatch",
            text=amount_text,
            currency=currency.upper(),
            named=parsed.currency,
        )
    return parsed.amount
