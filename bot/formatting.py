"""Formatting for chat: money and dates in the user's locale, HTML escaping, message splitting."""

from __future__ import annotations

import html
from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from babel.dates import format_date

from tracker.money import format_money

#: Telegram's limit on a message's text, in characters after entity parsing.
MAX_MESSAGE = 4096


def esc(text: object) -> str:
    """Escape user-provided text for HTML parse mode."""
    return html.escape(str(text), quote=False)


def money(amount: Decimal, currency: str, locale: str) -> str:
    """An amount in the user's locale: ¥1,234.50 / CN¥1,234.50."""
    return format_money(amount, currency, locale)


def day(value: date, locale: str) -> str:
    """A date in the user's locale: 2027年1月15日 / Jan 15, 2027."""
    return str(format_date(value, format="medium", locale=locale))


def percent(value: Decimal) -> str:
    """A fraction as a percentage with up to four decimals (0.0005 → 0.05%)."""
    text = f"{(value * 100).quantize(Decimal('0.0001')).normalize():f}"
    return f"{text}%"


def listing(items: Iterable[str], language: str) -> str:
    """Items in a row the way the language writes them: 金条、白条 / Loan, Card."""
    return ("、" if language == "zh" else ", ").join(items)


def split_message(text: str, limit: int = MAX_MESSAGE) -> list[str]:
    """Split a long HTML message at line breaks so each part fits Telegram's limit.

    Parts break between lines, so tags (which never span lines in our messages) stay balanced;
    a single overlong line is cut hard as a last resort.
    """
    parts: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:
            if current:
                parts.append(current)
                current = ""
            parts.append(line[:limit])
            line = line[limit:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            parts.append(current)
            current = line
        else:
            current = candidate
    if current.strip():
        parts.append(current)
    return parts or [text[:limit]]
