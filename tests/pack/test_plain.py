"""The lender-facing plain text: no markup, the full schedule, the request and the asks."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from bot.i18n import translator
from bot.pack import build_pack, plain_text, texts
from tests.pack.conftest import make_input, schedule


def test_plain_text_is_what_the_borrower_sends(language: str) -> None:
    pack = build_pack(make_input(language, lender="<b>金条&</b>"))
    text = plain_text(pack)
    t = translator(language)
    assert text.startswith(t(texts.PLAIN_GREETING, lender="<b>金条&</b>"))
    assert "&lt;" not in text
    assert "&amp;" not in text
    assert pack.request in text
    for line in pack.sign_off:
        assert line in text
    assert t(texts.WRITTEN) in text
    assert t(texts.REFERENCE) in text
    assert pack.section("statement").title in text
    assert pack.section("plan").title in text
    # The borrower's own notes stay out of what goes to the lender.
    assert pack.section("script").title not in text
    assert t(texts.WARNING) not in text
    assert t(texts.ADDRESSEE, lender="<b>金条&</b>") not in text


def test_plain_text_carries_the_full_schedule() -> None:
    data = make_input("zh")
    option = replace(data.option, months=60, schedule=schedule(date(2027, 1, 15), 60, Decimal(500)))
    text = plain_text(build_pack(replace(data, option=option)))
    assert "1. 2027年1月15日 — ¥500.00" in text
    assert "30. 2029年6月15日 — ¥500.00" in text
    assert "60. 2031年12月15日 — ¥500.00" in text
    assert "完整计划表见 PDF" not in text


def test_the_full_plain_text_has_every_section(language: str) -> None:
    pack = build_pack(make_input(language))
    text = plain_text(pack, full=True)
    for section in pack.sections:
        assert section.title in text
    assert "12378" in text
    assert translator(language)(texts.WARNING) in text
