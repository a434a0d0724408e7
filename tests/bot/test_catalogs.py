"""Every string the bot uses exists in both languages, with the same placeholders and tags."""

from __future__ import annotations

import pytest

from bot.catalogs import placeholders, tags, used_messages
from bot.i18n import load_catalog, translator

USED = sorted({used.message: used.where for used in used_messages()}.items())


def test_the_bot_uses_messages_at_all() -> None:
    assert len(USED) > 50


@pytest.mark.parametrize(("message", "where"), USED, ids=[where for _, where in USED])
def test_every_message_has_a_chinese_translation(message: str, where: str) -> None:
    entry = load_catalog("zh").get(message)
    assert entry is not None, f"{where}: no Chinese for {message!r} (run: python -m bot.catalogs)"
    translations = entry.string if isinstance(entry.string, tuple) else (entry.string,)
    for text in translations:
        assert text, f"{where}: empty Chinese for {message!r}"
        assert placeholders(text) <= placeholders(message) | {"n"}, f"{where}: placeholders differ"
        assert placeholders(message) - {"n"} <= placeholders(text), (
            f"{where}: a placeholder is lost"
        )
        assert tags(text) == tags(message), f"{where}: HTML tags differ in {text!r}"


def test_catalogs_hold_no_stale_strings() -> None:
    used = {message for message, _ in USED}
    stale = [
        m.id
        for m in load_catalog("zh")
        if m.id and (m.id if isinstance(m.id, str) else m.id[0]) not in used
    ]
    assert not stale, f"translations no code uses any more: {stale}"


def test_translation_fills_placeholders_in_both_languages() -> None:
    for language, expected in (("en", "Currency set to USD."), ("zh", "币种已设为 USD。")):
        assert translator(language)("Currency set to {currency}.", currency="USD") == expected


def test_plural_forms() -> None:
    en, zh = translator("en"), translator("zh")
    assert (
        en.plural("On time {n} time in a row.", "On time {n} times in a row.", 1)
        == "On time 1 time in a row."
    )
    assert (
        en.plural("On time {n} time in a row.", "On time {n} times in a row.", 3)
        == "On time 3 times in a row."
    )
    assert (
        zh.plural("On time {n} time in a row.", "On time {n} times in a row.", 3)
        == "已连续 3 期按时还款。"
    )
