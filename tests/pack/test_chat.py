"""The pack as Telegram messages: within the limit, valid HTML, user text escaped."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from html.parser import HTMLParser

import pytest

from bot.formatting import MAX_MESSAGE
from bot.i18n import translator
from bot.localapi.htmlparse import parse_html
from bot.pack import DebtInput, build_pack, chat_messages, texts
from tests.pack.conftest import make_input, schedule

NASTY = "<b>金条&</b>"


class _Balance(HTMLParser):
    """Fails on a closing tag that doesn't match the last opened one."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []

    def handle_starttag(self, tag: str, attrs: object) -> None:
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack, f"</{tag}> closes nothing"
        assert self.stack.pop() == tag, f"</{tag}> closes the wrong tag"


def assert_valid(message: str) -> str:
    """Check one message as Telegram would, and return its visible text."""
    assert 0 < len(message) <= MAX_MESSAGE
    checker = _Balance()
    checker.feed(message)
    checker.close()
    assert checker.stack == [], f"unclosed tags {checker.stack}"
    text, _entities = parse_html(message)  # raises on anything Telegram would refuse
    assert len(text.encode("utf-16-le")) // 2 <= MAX_MESSAGE
    return text


def visible(messages: list[str]) -> str:
    return "\n".join(assert_valid(message) for message in messages)


def test_messages_are_valid_html_within_the_limit(language: str) -> None:
    messages = chat_messages(build_pack(make_input(language)))
    assert 5 <= len(messages) <= 9
    text = visible(messages)
    title = {
        "zh": "向金条申请还款协商：给你自己的指南",
        "en": "Your guide to asking 金条 for a new arrangement",
    }
    assert title[language] in text


def test_user_text_is_escaped(language: str) -> None:
    data = make_input(
        language,
        lender=NASTY,
        borrower_name="<i>王&李</i>",
        account_hint="<a href='x'>1</a>",
        what_changed_note="x < y & z",
        debts=(DebtInput(NASTY, Decimal(100), Decimal(10), Decimal(0), "<s>18%</s>"),),
    )
    messages = chat_messages(build_pack(data))
    joined = "\n".join(messages)
    assert NASTY not in joined
    assert "<i>王" not in joined
    assert "<s>" not in joined
    assert "&lt;b&gt;金条&amp;&lt;/b&gt;" in joined
    text = visible(messages)
    assert NASTY in text
    assert "<i>王&李</i>" in text
    assert "x < y & z" in text


def test_the_script_asks_for_the_request_written_confirmation_and_a_reference(
    language: str,
) -> None:
    pack = build_pack(make_input(language))
    t = translator(language)
    script = next(m for m in chat_messages(pack) if t(texts.SCRIPT) in m)
    text = assert_valid(script)
    assert pack.request in text
    assert t(texts.WRITTEN) in text
    assert t(texts.REFERENCE) in text
    if language == "zh":
        assert "书面形式" in text
        assert "受理编号" in text
    else:
        assert "in writing" in text
        assert "reference number" in text


def test_the_warning_and_12378_are_there(language: str) -> None:
    text = visible(chat_messages(build_pack(make_input(language))))
    t = translator(language)
    assert t(texts.WARNING) in text
    assert "12378" in text
    assert "⚠️" in text


def test_a_sixty_row_schedule_is_abbreviated() -> None:
    data = make_input("en")
    option = replace(
        data.option, months=60, schedule=schedule(date(2027, 1, 15), 60, Decimal("523.45"))
    )
    text = visible(chat_messages(build_pack(replace(data, option=option))))
    assert "1. Jan 15, 2027 — CN¥523.45" in text
    assert "6. Jun 15, 2027" in text
    assert "7. Jul 15, 2027" not in text
    assert "59. Nov 15, 2031" in text
    assert "60. Dec 15, 2031 — CN¥523.45" in text
    assert "… 52 more payments: the full schedule is in the PDF." in text


@pytest.mark.parametrize("language", ["zh", "en"])
def test_huge_inputs_still_split_into_valid_messages(language: str) -> None:
    debts = tuple(
        DebtInput(f"{NASTY} {k}" * 10, Decimal(10_000), Decimal(500), Decimal(50), "&" * 200)
        for k in range(80)
    )
    data = make_input(
        language,
        lender="&<>" * 100,
        borrower_name="名" * 300,
        what_changed_note="<b>" * 1000,
        debts=debts,
    )
    messages = chat_messages(build_pack(data))
    visible(messages)
    assert len(messages) > 6
