"""Translations: English message ids, Simplified Chinese from gettext catalogs split by feature.

Each feature keeps its strings in ``bot/locales/zh/<feature>.po``; they are merged into one
catalog when the bot starts, so features never edit one shared file. Placeholders use
``{name}`` and are filled after translation.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

logger = logging.getLogger(__name__)

LOCALES_DIR = Path(__file__).with_name("locales")
LANGUAGES = ("zh", "en")
#: Babel locale used for numbers, money and dates in each language.
BABEL_LOCALE = {"zh": "zh_Hans_CN", "en": "en"}


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "mark, translate later"
    """Mark a string for extraction without translating it yet."""
    return message


def language_for(code: str | None) -> str:
    """Telegram's ``language_code`` to ours: zh* → zh, anything else → en."""
    return "zh" if code and code.lower().startswith("zh") else "en"


def load_catalog(language: str, directory: Path = LOCALES_DIR) -> Catalog:
    """All ``.po`` files of a language merged into one catalog."""
    merged = Catalog(locale="zh_Hans_CN" if language == "zh" else language)
    for path in sorted((directory / language).glob("*.po")):
        with path.open("rb") as handle:
            part = read_po(handle, locale=merged.locale)
        for message in part:
            if message.id and message.string:
                merged.add(message.id, message.string, context=message.context)
    return merged


@cache
def _translations(language: str) -> NullTranslations:
    if language == "en":
        return NullTranslations()
    buffer = io.BytesIO()
    write_mo(buffer, load_catalog(language))
    buffer.seek(0)
    return Translations(buffer)


@dataclass(frozen=True, slots=True)
class Translator:
    """Translate messages for one language."""

    language: str

    def __call__(self, message: str, /, **params: Any) -> str:
        """Translate ``message`` and format it with ``params``."""
        text = _translations(self.language).gettext(message)
        return text.format(**params) if params else text

    def plural(self, singular: str, plural: str, n: int, /, **params: Any) -> str:
        """Translate a message with a count (English has two forms, Chinese one)."""
        text = _translations(self.language).ngettext(singular, plural, n)
        return text.format(n=n, **params)

    @property
    def locale(self) -> str:
        """The Babel locale for formatting numbers, money and dates."""
        return BABEL_LOCALE[self.language]


def translator(language: str) -> Translator:
    """The translator for a language we speak (unknown languages get English)."""
    return Translator(language if language in LANGUAGES else "en")
