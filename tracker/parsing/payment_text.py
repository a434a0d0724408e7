"""Payment messages: ``/paid 500 金条 2026-11-30`` and free text such as ``还了500``.

Free text is recognised conservatively: only a past-tense "paid/还了" with an amount, an
optional debt name and an optional date it was paid (``昨天``, ``10月20日``, ``上周五``,
``3天前``, ``on 30 Oct``, ``last Friday``…), and nothing that hedges it (``没``, ``要``,
``明天``, a question…). Anything else is not a payment, so the bot can answer it otherwise.
A date without a year is the latest such day on or before today: payments are logged after
they are made.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from tracker.errors import DomainError, InvalidAmount, InvalidDate
from tracker.parsing.amounts import parse_amount
from tracker.parsing.debt_terms import MAX_NAME_LENGTH
from tracker.parsing.text import MAX_INPUT_LENGTH, normalise_text
from tracker.parsing.words import EN_PAST_DATE, ZH_PAST_DATE, parse_past_date

#: A debt name is at most this long.
_MAX_NAME = MAX_NAME_LENGTH


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


def parse_paid_on(text: str | None, *, today: date, month_first: bool = True) -> date:
    """The date a payment was made: today by default, never in the future.

    Without a year, ``11月30日``, ``30 Nov`` or ``30号`` mean the latest such day on or before
    today (people log payments after making them), not the next one as for due dates; see
    ``parse_past_date`` for every form. ``month_first`` False (an English speaker, who may
    write day/month) refuses ``5/10`` as ``paydate_ambiguous`` rather than guess.
    """
    if text is None or not normalise_text(text):
        return today
    try:
        value = parse_past_date(text, today=today, month_first=month_first)
    except InvalidDate as error:
        if error.code != "date_ambiguous":
            raise
        raise InvalidDate(str(error), code="paydate_ambiguous", **error.params) from None
    if value > today:
        raise InvalidDate(
            f"{text!r} is after today ({today})",
            code="paydate_future",
            text=text,
            today=today,
            date=value,
        )
    return value


# ---- /paid <amount> [debt] [date] ----------------------------------------------------------

#: An amount may be typed over up to three words: ``¥ 800``, ``500 元``, ``USD 20``.
_MAX_AMOUNT_WORDS = 3
#: A date may be typed over up to six words: ``on the 20th of last month``.
_MAX_DATE_WORDS = 6
#: Before a debt's name only a date with digits, Chinese or these words is taken as one.
_LOOKS_LIKE_A_DATE = re.compile(r"[0-9]|[^\x00-\x7f]|\b(?:yesterday|today|ago)\b", re.IGNORECASE)


def parse_paid_command(
    args: Sequence[str], *, today: date, month_first: bool = True
) -> PaymentRequest:
    """Read ``/paid``'s words: the amount first, then an optional debt name and date.

    The date comes last (``/paid 500 金条 10月20日``) or right after the amount
    (``/paid 500 on 30 Oct 金条``). Raises the amount parser's error when the first word is no
    amount, and a date error when the date is impossible, ambiguous or in the future.
    """
    words = [w for w in (normalise_text(a) for a in args) if w]
    if not words:
        raise InvalidAmount("no amount was given", code="amount_empty", text="")
    amount_words = _amount_prefix(words)
    rest = words[amount_words:]
    date_text: str | None = None
    for size in range(min(_MAX_DATE_WORDS, len(rest)), 0, -1):
        if _is_date(" ".join(rest[-size:]), today):
            date_text, rest = " ".join(rest[-size:]), rest[:-size]
            break
    else:
        for size in range(min(_MAX_DATE_WORDS, len(rest) - 1), 0, -1):
            candidate = " ".join(rest[:size])
            # Before a name, only a date no name looks like: "Sun Life" is a lender, not Sunday.
            if _LOOKS_LIKE_A_DATE.search(candidate) and _is_date(candidate, today):
                date_text, rest = candidate, rest[size:]
                break
    name = " ".join(rest) or None
    return PaymentRequest(
        amount_text=" ".join(words[:amount_words]),
        debt_name=name,
        paid_on=parse_paid_on(date_text, today=today, month_first=month_first),
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
    try:
        parse_past_date(text, today=today, month_first=False)
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
#: A date in an English sentence: English words (``on 30 Oct``), or a Chinese or numeric date.
_DATE = rf"(?:{EN_PAST_DATE}|{ZH_PAST_DATE})"
_EN = re.compile(
    rf"(?:(?:on )?(?P<lead>{_DATE}),? )?"
    r"(?:i |i've |i’ve |i have |i just |i've just |i’ve just |i have just |just |already "
    r"|i already |i've already |i’ve already )?"
    r"(?:re)?paid (?:back )?(?P<amount>" + _AMOUNT + r")"
    r"(?P<tail> .+)?",
    re.IGNORECASE,
)
_A_DATE = re.compile(_DATE, re.IGNORECASE)
_EN_TO = r"(?:to|for|towards|toward|on|into) (?:my |the )?"
#: What may follow the amount: a date, a debt, or both in either order.
_EN_TAIL = re.compile(
    rf"(?:on )?(?P<date>{_DATE})"
    rf"|(?:on )?(?P<date3>{_DATE}) {_EN_TO}(?P<debt3>[^ ].{{0,39}})"
    rf"|{_EN_TO}(?P<debt>[^ ].{{0,39}}?)(?: (?:on )?(?P<date2>{_DATE}))?",
    re.IGNORECASE,
)
_ZH_WHEN = ZH_PAST_DATE
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
#: A "debt name" ending so is the start of a future date: 下|周五, 一周|后.
_NOT_AN_END = ("下", "后")
_WHEN_WORDS = re.compile(_ZH_WHEN)


def recognise_payment(text: str | None) -> PaymentText | None:
    """The payment a free-text message reports, or None if it is not clearly one."""
    if not text:
        return None
    s = normalise_text(text).replace("？", "?")  # names keep their case; patterns ignore it
    if not s or len(s) > MAX_INPUT_LENGTH:
        return None
    if (found := _english(s)) is None:
        match = _ZH.fullmatch(s)
        if match is None:
            return None
        names = [n for n in (_name(match["debt"]), _name(match["debt2"])) if n]
        if len(names) > 1:
            return None
        when = [*_WHEN_WORDS.findall(match["before"]), *_WHEN_WORDS.findall(match["after"])]
        if len({w.replace(" ", "") for w in when}) > 1:
            return None  # 昨天……10月20日: which one?
        found = PaymentText(match["amount"].strip(), names[0] if names else None, _first(when))
    if found.debt_name is not None and (
        any(w in found.debt_name for w in _NOT_A_NAME) or found.debt_name.endswith(_NOT_AN_END)
    ):
        return None
    try:
        parse_amount(found.amount_text)
    except DomainError:
        return None
    return found


def _english(s: str) -> PaymentText | None:
    """``[date] I paid <amount> [to <debt>] [date]``, or None."""
    match = _EN.fullmatch(s[:-1] if s.endswith((".", "!")) else s)
    if match is None:
        return None
    debt = when = None
    if match["tail"]:
        tail = _EN_TAIL.fullmatch(match["tail"][1:])
        if tail is None:
            return None
        debt = tail["debt"] or tail["debt3"]
        when = tail["date"] or tail["date2"] or tail["date3"]
    if (match["lead"] and when) or (debt and _A_DATE.fullmatch(debt)):
        return None  # two dates (paid 500 yesterday on Oct 20): which one?
    return PaymentText(match["amount"].strip(), _name(debt), match["lead"] or when)


def resolve(found: PaymentText, *, today: date, month_first: bool = True) -> PaymentRequest:
    """A recognised payment message with its date worked out (see ``parse_paid_on``)."""
    paid_on = parse_paid_on(found.date_text, today=today, month_first=month_first)
    return PaymentRequest(found.amount_text, found.debt_name, paid_on)


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
