"""Lender notices a borrower forwards or pastes: repayment confirmations, due and overdue notices.

Recognition is by meaning, not by one lender's template: the message must read as a notice
(written *to* the borrower: 您, 尊敬的, 【lender】, "your", "dear"), say what kind it is
(成功还款 / 应还 / 逾期, "payment received" / "due" / "overdue"), and carry an amount marked as
money (``1,835.98元``, ``¥1,835.98``, ``RMB 1835.98``, ``$1,835.98``, or two decimals). A date
(``12月20日``, ``2026年12月20日``, ``12/20``, ``Dec 20``) and the lender (``【京东金融】``, 金条,
招行, Chase…) are read when present. What a borrower writes themselves (``还了500``, ``I paid
500``, ``我失业了``) has no notice voice and is left to the other features.

Phrases that only warn (``为避免逾期``, ``逾期将影响征信``, ``若您已还款请忽略``) are taken out
before the kind is decided, so a due reminder is not read as an overdue notice or a receipt.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from tracker.parsing.text import normalise_text

#: Longer texts are not one notice (lender SMS and app notices are a few hundred characters).
MAX_LENGTH = 1000


class Kind(StrEnum):
    """What a lender's message says."""

    CONFIRMATION = "paid"  # a repayment was received
    DUE = "due"  # an installment falls due
    OVERDUE = "overdue"  # an installment is overdue (maybe with penalty)


@dataclass(frozen=True, slots=True)
class LenderMessage:
    """What a lender's message says, read from its text."""

    kind: Kind
    amount: Decimal
    amount_text: str  # as written, for error messages
    currency: str | None  # None: a bare number, in the debt's currency
    on: date | None  # the date it names (paid on, due on, overdue since); None: no date
    lenders: tuple[str, ...]  # the signature and lender or product names found, in order
    penalty: Decimal | None = None  # an overdue notice's penalty interest or late fee, if stated
    digest: str = ""  # a short hash of the normalised text: the same message gives the same one

    @property
    def lender(self) -> str | None:
        """The first lender hint (the signature when there is one)."""
        return self.lenders[0] if self.lenders else None


# ---- the notice voice ----------------------------------------------------------------------

_SIGNATURE = re.compile(r"【(?P<a>[^】]{1,20})】|^\[(?P<b>[^\]]{1,20})\]|\[(?P<c>[^\]]{1,20})\]$")
_VOICE = re.compile(
    r"【|尊敬的|您|贵户|退订|客户|\bdear\b|\byour\b|\bcustomer\b|\bcardmember\b|\baccount\b"
)

# ---- the kind -------------------------------------------------------------------------------

#: Warnings and conditions that name a kind without being one; removed before classifying.
_HEDGES = re.compile(
    r"(?:若|如|如果|假如)(?:您)?(?:已经|已)(?:成功)?还款[^,.;，。；!！]*"
    r"|(?:为了?|以)?(?:避免|以免|防止|免得)(?:产生|造成|出现)?(?:逾期|罚息|违约金|滞纳金)[^,.;，。；]*"
    r"|(?:若|如|如果|一旦)?逾期(?:将|会|可能|后将|后会)[^,.;，。；]*"
    r"|(?:若|如|如果)逾期[^,.;，。；]*"
    r"|\bif you (?:have|'ve) already (?:made|paid|sent)[^.;!]*"
    r"|\b(?:to )?avoid (?:a |any )?"
    r"(?:late fees?|late charges?|penalt(?:y|ies)|being overdue|overdue)[^.;!]*"
    r"|\bif (?:your |the )?payment is (?:late|overdue|not received)[^.;!]*"
    r"|\blate payments? (?:may|will|can)[^.;!]*"
)
_CONFIRMATION = re.compile(
    r"成功还款|还款成功|已成功还款|已还款|已还清|已结清|扣款成功|成功扣款|已扣款|已扣除|还款已到账"
    r"|已收到您的还款|已入账|还款已入账"
    r"|\b(?:re)?payment (?:of [^ ]+ (?:[0-9][^ ]* )?)?(?:has been |was |is )?"
    r"(?:received|posted|credited|processed|successful)"
    r"|\breceived your (?:re)?payment|\bthank you for your (?:re)?payment"
    r"|\bsuccessfully (?:re)?paid"
    r"|\bwe (?:have |'ve )?received (?:your |a )?(?:re)?payment"
)
_OVERDUE = re.compile(
    r"已逾期|逾期|罚息|违约金|滞纳金|催收|\boverdue\b|\bpast due\b|\blate fee|\bpenalty\b"
    r"|\bmissed\b|\bdelinquent\b"
)
_DUE = re.compile(
    r"应还|最后还款日|到期|还款日|待还|需还|账单金额|最低还款|请于|请在|\bdue\b|\bminimum payment\b"
    r"|\bstatement balance\b|\bplease pay\b|\bpayment reminder\b|\bupcoming payment\b"
)

# ---- amounts --------------------------------------------------------------------------------

_NUMBER = r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]{1,2})?|[0-9]+(?:\.[0-9]{1,2})?"
_AMOUNT = re.compile(
    r"(?P<pre>¥|\$|rmb|cny|usd|hkd|人民币)? ?"
    rf"(?<![0-9.,])(?P<num>{_NUMBER})(?!\.?[0-9]|%|,[0-9])"
    r" ?(?P<post>元|块|rmb|cny|usd|hkd|yuan|dollars?)?",
)
_CURRENCIES = {
    "¥": "CNY",
    "元": "CNY",
    "块": "CNY",
    "rmb": "CNY",
    "cny": "CNY",
    "人民币": "CNY",
    "yuan": "CNY",
    "$": "USD",
    "usd": "USD",
    "dollar": "USD",
    "dollars": "USD",
    "hkd": "HKD",
}
#: An amount right after one of these is the penalty, not the amount owed or paid.
_PENALTY_LABEL = re.compile(
    r"(?:罚息|违约金|滞纳金|罚金|penalty(?: interest)?|late (?:fee|charge)s?)"
    r"(?:金额|费用|为|是|共|of|is|:| )*$"
)
#: An amount right after one of these is no amount (a card's or account's last digits).
_NOT_MONEY_LABEL = re.compile(
    r"(?:尾号|账户|卡号|ending(?: in)?|account|card|no\.?|x{2,}|\*{2,})[^0-9]{0,3}$"
)

# ---- dates ----------------------------------------------------------------------------------

_EN_MONTHS = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
_MONTH = r"(?P<mon>jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
_DATES: tuple[re.Pattern[str], ...] = (
    re.compile(r"(?P<y>[0-9]{4}) ?年 ?(?P<m>[0-9]{1,2}) ?月 ?(?P<d>[0-9]{1,2}) ?[日号]?"),
    re.compile(r"(?<![0-9])(?P<y>[0-9]{4})[-/.](?P<m>[0-9]{1,2})[-/.](?P<d>[0-9]{1,2})(?![0-9])"),
    re.compile(r"(?<![0-9/.])(?P<m>[0-9]{1,2})/(?P<d>[0-9]{1,2})/(?P<y>[0-9]{4})(?![0-9])"),
    re.compile(r"(?<![0-9])(?P<m>[0-9]{1,2}) ?月 ?(?P<d>[0-9]{1,2}) ?[日号]?"),
    re.compile(rf"\b{_MONTH} (?P<d>[0-9]{{1,2}})(?:st|nd|rd|th)?\b(?:,? (?P<y>[0-9]{{4}}))?"),
    re.compile(rf"\b(?P<d>[0-9]{{1,2}})(?:st|nd|rd|th)? {_MONTH}(?:,? (?P<y>[0-9]{{4}}))?"),
    re.compile(r"(?<![0-9/.,])(?P<m>[0-9]{1,2})/(?P<d>[0-9]{1,2})(?![0-9/])"),
)

# ---- lenders --------------------------------------------------------------------------------

#: Names that mean the same lender; the first is how it is usually written.
_ALIASES: tuple[tuple[str, ...], ...] = (
    ("京东金融", "京东", "jd finance"),
    ("金条", "京东金条"),
    ("白条", "京东白条"),
    ("招商银行", "招行", "china merchants bank"),
    ("建设银行", "建行", "china construction bank"),
    ("工商银行", "工行", "icbc"),
    ("农业银行", "农行"),
    ("中国银行", "中行", "bank of china"),
    ("交通银行", "交行"),
    ("平安银行", "平安"),
    ("浦发银行", "浦发"),
    ("中信银行", "中信"),
    ("光大银行", "光大"),
    ("民生银行", "民生"),
    ("兴业银行", "兴业"),
    ("广发银行", "广发"),
    ("邮储银行", "邮政储蓄银行"),
    ("花呗", "蚂蚁花呗"),
    ("借呗", "蚂蚁借呗"),
    ("微粒贷", "微众银行"),
    ("美团", "美团月付", "美团借钱"),
    ("度小满", "有钱花"),
    ("招联金融", "招联"),
    ("分期乐",),
    ("360借条",),
    ("拍拍贷",),
    ("安逸花",),
    ("chase",),
    ("citi", "citibank"),
    ("capital one",),
    ("american express", "amex"),
    ("discover",),
    ("wells fargo",),
    ("bank of america",),
    ("barclays",),
    ("hsbc",),
    ("lloyds",),
    ("santander",),
    ("sofi",),
    ("klarna",),
    ("affirm",),
)
_ALIAS_GROUP = {alias: group[0] for group in _ALIASES for alias in group}
#: Aliases found in free text: the longest first; ASCII ones only as whole words.
_KNOWN = re.compile(
    "|".join(
        rf"\b{re.escape(a)}\b" if a.isascii() else re.escape(a)
        for a in sorted(_ALIAS_GROUP, key=len, reverse=True)
    )
)


def recognise_lender_message(text: str | None, *, today: date) -> LenderMessage | None:
    """What a lender's notice says, or None when ``text`` is not clearly one.

    A date without a year is taken in the year that makes sense for the kind: a confirmation or
    an overdue notice speaks of the past (the latest such day on or before ``today``), a due
    notice of the nearest such day to ``today``.
    """
    read = _read(text)
    if read is None:
        return None
    s, low, kind, found = read
    owed = [a for a in found if not a[3]]
    amount, amount_text, currency, _ = owed[0]
    penalties = [a[0] for a in found if a[3]]
    return LenderMessage(
        kind=kind,
        amount=amount,
        amount_text=amount_text,
        currency=currency,
        on=_date(low, today, past=kind is not Kind.DUE),
        lenders=_lenders(s),
        penalty=penalties[0] if kind is Kind.OVERDUE and penalties else None,
        digest=digest(s),
    )


def is_lender_message(text: str | None) -> bool:
    """Whether ``text`` reads as a lender's notice (whatever day it is: dates don't decide it)."""
    return _read(text) is not None


_Amount = tuple[Decimal, str, str | None, bool]


def _read(text: str | None) -> tuple[str, str, Kind, list[_Amount]] | None:
    """(normalised, casefolded, kind, amounts) of a notice with an amount owed or paid, or None."""
    if not text:
        return None
    s = normalise_text(text)
    if not s or len(s) > MAX_LENGTH or s.startswith("/"):
        return None
    low = s.casefold()
    if not _VOICE.search(low):
        return None
    kind = _kind(_HEDGES.sub(" ", low))
    if kind is None:
        return None
    found = _amounts(low, s if len(s) == len(low) else low)
    if not any(not a[3] for a in found):
        return None
    return s, low, kind, found


def digest(text: str) -> str:
    """A short stable hash of a message: case, width and spacing do not change it."""
    key = "".join(normalise_text(text).casefold().split())
    return hashlib.sha256(key.encode()).hexdigest()[:8]


def _kind(plain: str) -> Kind | None:
    """Confirmation before overdue before due: 已成功还款逾期款项 is a receipt."""
    if _CONFIRMATION.search(plain):
        return Kind.CONFIRMATION
    if _OVERDUE.search(plain):
        return Kind.OVERDUE
    if _DUE.search(plain):
        return Kind.DUE
    return None


def _amounts(low: str, written: str) -> list[_Amount]:
    """(amount, as written, currency, is a penalty) for each money amount, in order."""
    out: list[_Amount] = []
    for match in _AMOUNT.finditer(low):
        pre, post, number = match["pre"], match["post"], match["num"]
        before = low[max(0, match.start() - 12) : match.start()]
        if _NOT_MONEY_LABEL.search(before):
            continue
        if pre is None and post is None and not re.search(r"\.[0-9]{2}$", number):
            continue  # a bare number (3天, 尾号1234, a year) is no amount of money
        amount = Decimal(number.replace(",", ""))
        if amount <= 0:
            continue
        currency = _CURRENCIES.get(pre or post or "")
        penalty = bool(_PENALTY_LABEL.search(before))
        out.append((amount, written[match.start() : match.end()].strip(), currency, penalty))
    return out


def _date(low: str, today: date, *, past: bool) -> date | None:
    """The first date the text names, or None."""
    found: list[tuple[int, int, date]] = []
    for pattern in _DATES:
        for match in pattern.finditer(low):
            value = _resolve(match, today, past=past)
            if value is not None:
                found.append((match.start(), -len(match.group(0)), value))
                break
    return min(found)[2] if found else None


def _resolve(match: re.Match[str], today: date, *, past: bool) -> date | None:
    """A matched date; a missing year chosen as the kind of message makes sensible."""
    groups = match.groupdict()
    day = int(groups["d"])
    month = _EN_MONTHS[groups["mon"][:3]] if groups.get("mon") else int(groups["m"])
    slashed = groups.get("mon") is None and "/" in match.group(0) and groups.get("y") is None
    if slashed and month > 12 >= day:  # 20/12: day first
        month, day = day, month
    year_text = groups.get("y")
    if year_text:
        return _valid(int(year_text), month, day)
    years = (today.year - 1, today.year, today.year + 1)
    candidates = [c for y in years if (c := _valid(y, month, day)) is not None]
    if past:
        candidates = [c for c in candidates if c <= today]
        return max(candidates) if candidates else None
    if not candidates:
        return None
    return min(candidates, key=lambda c: (abs((c - today).days), -c.toordinal()))


def _valid(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _lenders(s: str) -> tuple[str, ...]:
    """The signature (【京东金融】) and the known lender or product names, each once."""
    names: list[str] = []
    for match in _SIGNATURE.finditer(s):
        names.append((match["a"] or match["b"] or match["c"]).strip())
    low = s.casefold()
    written = s if len(s) == len(low) else low
    names.extend(written[m.start() : m.end()] for m in _KNOWN.finditer(low))
    return tuple(dict.fromkeys(n for n in names if n))


def _group(name: str) -> str:
    """The usual name of a lender, or the name itself when it is not a known one."""
    key = " ".join(name.casefold().split())
    if key in _ALIAS_GROUP:
        return _ALIAS_GROUP[key]
    found = _KNOWN.search(key)
    return _ALIAS_GROUP[found.group(0)] if found and found.group(0) == key else key


def lender_score(hints: Iterable[str], names: Iterable[str | None]) -> int:
    """How many of a message's lender hints name a debt (its nickname or lender).

    A hint names it when one contains the other (京东金融 / 京东金融借款) or both are names of
    the same lender (招行 / 招商银行).
    """
    keys = [" ".join(n.casefold().split()) for n in names if n and n.strip()]
    score = 0
    for hint in hints:
        h = " ".join(hint.casefold().split())
        if any(_same(h, key) for key in keys):
            score += 1
    return score


def _same(hint: str, name: str) -> bool:
    if len(hint) >= 2 and len(name) >= 2 and (hint in name or name in hint):
        return True
    groups = {_ALIAS_GROUP[m.group(0)] for m in _KNOWN.finditer(name)} | {_group(name)}
    return _group(hint) in groups
