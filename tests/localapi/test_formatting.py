"""parse_mode handling: entities produced, and Telegram's exact parse errors through PTB."""

from __future__ import annotations

from typing import Any

import pytest
from telegram import Bot, MessageEntity
from telegram.constants import ParseMode
from telegram.error import BadRequest

from bot.localapi import EmulatorState, SimUser
from bot.localapi.formatting import format_text
from tests.localapi.helpers import last_error, ptb_message


def _entities(message_entities: tuple[MessageEntity, ...]) -> list[tuple[Any, ...]]:
    return [(e.type, e.offset, e.length) for e in message_entities]


@pytest.mark.parametrize(
    ("html", "text", "entities"),
    [
        ("<b>bold</b> <strong>s</strong>", "bold s", [("bold", 0, 4), ("bold", 5, 1)]),
        (
            "<i>a</i><em>b</em><u>c</u><ins>d</ins>",
            "abcd",
            [("italic", 0, 1), ("italic", 1, 1), ("underline", 2, 1), ("underline", 3, 1)],
        ),
        (
            "<s>x</s><strike>y</strike><del>z</del>",
            "xyz",
            [("strikethrough", 0, 1), ("strikethrough", 1, 1), ("strikethrough", 2, 1)],
        ),
        (
            '<span class="tg-spoiler">s</span><tg-spoiler>t</tg-spoiler>',
            "st",
            [("spoiler", 0, 1), ("spoiler", 1, 1)],
        ),
        ("&lt;tag&gt; &amp; &quot;q&quot; &#65;&#x42;", '<tag> & "q" AB', []),
        ("<code>x = 1</code>", "x = 1", [("code", 0, 5)]),
        ("<blockquote>quoted</blockquote>", "quoted", [("blockquote", 0, 6)]),
        ("😀 <b>粗体</b>", "😀 粗体", [("bold", 3, 2)]),  # emoji is 2 UTF-16 units
        ("<B>upper</B>", "upper", [("bold", 0, 5)]),
    ],
)
async def test_html_entities(
    bot: Bot, user: SimUser, html: str, text: str, entities: list[tuple[Any, ...]]
) -> None:
    message = await bot.send_message(user.chat_id, html, parse_mode=ParseMode.HTML)
    assert message.text == text
    assert _entities(message.entities) == entities


async def test_html_link_and_pre_language(bot: Bot, user: SimUser) -> None:
    html = (
        '<a href="https://example.com">site</a> <pre><code class="language-python">x</code></pre>'
    )
    message = await bot.send_message(user.chat_id, html, parse_mode=ParseMode.HTML)
    link, pre = message.entities
    assert (link.type, link.url) == ("text_link", "https://example.com/")
    assert (pre.type, pre.language, pre.offset) == ("pre", "python", 5)


@pytest.mark.parametrize(
    ("html", "error"),
    [
        ("Hi, <foo>x</foo>", 'Unsupported start tag "foo" at byte offset 4'),
        ("Hello <foo>", 'Unsupported start tag "foo" at byte offset 6'),
        ("Сумма <br> итого", 'Unsupported start tag "br" at byte offset 11'),  # byte offsets
        ("1 < 2", 'Unsupported start tag "" at byte offset 2'),
        ("<b>never closed", "Can't find end tag corresponding to start tag b"),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("<b", "Unclosed start tag at byte offset 0"),
        ('<span class="bold">x</span>', 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        (
            "<a href>x</a>",
            'Expected equal sign in declaration of an attribute of the tag "a" at byte offset 0',
        ),
    ],
)
async def test_html_errors(
    bot: Bot, state: EmulatorState, user: SimUser, html: str, error: str
) -> None:
    with pytest.raises(BadRequest) as caught:
        await bot.send_message(user.chat_id, html, parse_mode=ParseMode.HTML)
    description = f"Bad Request: can't parse entities: {error}"
    assert last_error(state) == description
    assert caught.value.message == ptb_message(description)


@pytest.mark.parametrize(
    ("markdown", "text", "entities"),
    [
        (
            "*bold* _it_ __under__ ~strike~ ||spoiler||",
            "bold it under strike spoiler",
            [
                ("bold", 0, 4),
                ("italic", 5, 2),
                ("underline", 8, 5),
                ("strikethrough", 14, 6),
                ("spoiler", 21, 7),
            ],
        ),
        ("Total: 1\\.5 \\- 2 \\= \\#1\\!", "Total: 1.5 - 2 = #1!", []),
        ("`a.b` and ```python\nprint(1)\n```", "a.b and print(1)", [("code", 0, 3), ("pre", 8, 8)]),
        ("[link](https://example.com/a\\)b)", "link", [("text_link", 0, 4)]),
        (">quoted line", "quoted line", [("blockquote", 0, 11)]),
        ("*粗体* 😀 _x_", "粗体 😀 x", [("bold", 0, 2), ("italic", 6, 1)]),
    ],
)
async def test_markdown_v2_entities(
    bot: Bot, user: SimUser, markdown: str, text: str, entities: list[tuple[Any, ...]]
) -> None:
    message = await bot.send_message(user.chat_id, markdown, parse_mode=ParseMode.MARKDOWN_V2)
    assert message.text == text
    assert _entities(message.entities) == entities


@pytest.mark.parametrize(
    ("markdown", "error"),
    [
        ("Total: 1.5", "Character '.' is reserved and must be escaped with the preceding '\\'"),
        ("Pay now!", "Character '!' is reserved and must be escaped with the preceding '\\'"),
        ("a-b", "Character '-' is reserved and must be escaped with the preceding '\\'"),
        ("(note)", "Character '(' is reserved and must be escaped with the preceding '\\'"),
        ("x > y", "Character '>' is reserved and must be escaped with the preceding '\\'"),
        ("*bold", "Can't find end of Bold entity at byte offset 0"),
        ("ok _it", "Can't find end of Italic entity at byte offset 3"),
        (">*a\nb*", "Can't find end of Bold entity at byte offset 1"),
        ("[x](http://e.com", "Can't find end of a URL at byte offset 4"),
    ],
)
async def test_markdown_v2_errors(
    bot: Bot, state: EmulatorState, user: SimUser, markdown: str, error: str
) -> None:
    with pytest.raises(BadRequest) as caught:
        await bot.send_message(user.chat_id, markdown, parse_mode=ParseMode.MARKDOWN_V2)
    description = f"Bad Request: can't parse entities: {error}"
    assert last_error(state) == description
    assert caught.value.message == ptb_message(description)


async def test_legacy_markdown_and_bad_parse_mode(bot: Bot, user: SimUser) -> None:
    message = await bot.send_message(user.chat_id, "*b* 1.5!", parse_mode=ParseMode.MARKDOWN)
    assert (message.text, _entities(message.entities)) == ("b 1.5!", [("bold", 0, 1)])
    with pytest.raises(BadRequest, match=r"^Unsupported parse_mode$"):
        await bot.send_message(user.chat_id, "x", parse_mode="BBCode")


async def test_empty_after_parsing_is_empty_text(bot: Bot, user: SimUser) -> None:
    with pytest.raises(BadRequest, match=r"^Message text is empty$"):
        await bot.send_message(user.chat_id, "<b> </b>", parse_mode=ParseMode.HTML)


async def test_explicit_entities_win(bot: Bot, user: SimUser) -> None:
    entity = MessageEntity(MessageEntity.BOLD, 0, 2)
    message = await bot.send_message(user.chat_id, "*x* y", entities=[entity])
    assert message.text == "*x* y"
    assert _entities(message.entities) == [("bold", 0, 2)]


def test_detected_entities_skip_code() -> None:
    text, entities = format_text("/help and <code>/start</code> @bob #tag", "HTML", None)
    assert text == "/help and /start @bob #tag"
    assert [(e.type, e.offset, e.length) for e in entities] == [
        ("bot_command", 0, 5),
        ("code", 10, 6),
        ("mention", 17, 4),
        ("hashtag", 22, 4),
    ]


def test_trim_shifts_entities() -> None:
    text, entities = format_text("\n  <b>x</b>  \n", "HTML", None)
    assert text == "x"
    assert [(e.type, e.offset, e.length) for e in entities] == [("bold", 0, 1)]
