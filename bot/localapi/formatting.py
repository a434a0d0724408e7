"""Turn (text, parse_mode, entities) into the final text and entity list Telegram stores."""

# Steps mirror the Bot API: parse markup, trim surrounding whitespace (shifting entities), then
# add auto-detected entities (bot_command, mention, hashtag, url, email) outside code and links.

from __future__ import annotations

import re
from typing import Any

from bot.localapi.entities import Entity, EntityParseError, sort_entities, utf16_len
from bot.localapi.htmlparse import parse_html
from bot.localapi.markdown import parse_markdown, parse_markdown_v2

_TRIM = " \t\r\n\v\f"
_KNOWN_TYPES = frozenset(
    {
        "mention",
        "hashtag",
        "cashtag",
        "bot_command",
        "url",
        "email",
        "phone_number",
        "bold",
        "italic",
        "underline",
        "strikethrough",
        "spoiler",
        "blockquote",
        "expandable_blockquote",
        "code",
        "pre",
        "text_link",
        "text_mention",
        "custom_emoji",
    }
)
# Auto-detection never runs inside these: Telegram leaves code and links untouched.
_OPAQUE = frozenset({"code", "pre", "text_link", "text_mention", "custom_emoji"})
_DETECTORS = (
    (
        "bot_command",
        re.compile(r"(?<![\w/<>])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![\w/<>])"),
    ),
    ("mention", re.compile(r"(?<!\w)@[A-Za-z0-9_]{2,32}(?!\w)")),
    ("hashtag", re.compile(r"(?<!\w)#(?=\w*[^\W\d_])\w{1,256}(?![\w#])")),
    ("url", re.compile(r"(?<![\w@/])(?:https?://|www\.)[^\s<>\"]+[^\s<>\"'.,;:!?)\]]", re.I)),
    (
        "email",
        re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?!\w)"),
    ),
)


class UnsupportedParseModeError(ValueError):
    """parse_mode is not one of HTML, MarkdownV2, Markdown."""


def parse(text: str, parse_mode: str | None) -> tuple[str, list[Entity]]:
    """Apply a parse mode (case-insensitive, as Telegram accepts it)."""
    if not parse_mode:
        return text, []
    mode = parse_mode.lower()
    if mode == "html":
        return parse_html(text)
    if mode == "markdownv2":
        return parse_markdown_v2(text)
    if mode == "markdown":
        return parse_markdown(text)
    raise UnsupportedParseModeError(parse_mode)


def explicit_entities(text: str, raw: list[Any]) -> list[Entity]:
    """Validate a client-supplied `entities` list; silently drop ones Telegram would ignore."""
    total = utf16_len(text)
    result: list[Entity] = []
    for item in raw:
        if not isinstance(item, dict) or item.get("type") not in _KNOWN_TYPES:
            continue
        offset, length = item.get("offset"), item.get("length")
        if not isinstance(offset, int) or not isinstance(length, int):
            continue
        if offset < 0 or length <= 0 or offset + length > total:
            raise EntityParseError("entity beginning or end is out of text bounds")
        extra = {k: v for k, v in item.items() if k not in ("type", "offset", "length")}
        result.append(Entity(item["type"], offset, length, extra))
    return sort_entities(result)


def trim(text: str, entities: list[Entity]) -> tuple[str, list[Entity]]:
    """Strip leading/trailing whitespace as Telegram does, clipping entities to what is left."""
    stripped = text.lstrip(_TRIM)
    shift = utf16_len(text[: len(text) - len(stripped)])
    stripped = stripped.rstrip(_TRIM)
    total = utf16_len(stripped)
    result: list[Entity] = []
    for entity in entities:
        start = max(entity.offset - shift, 0)
        end = min(entity.offset + entity.length - shift, total)
        if end > start:
            result.append(Entity(entity.type, start, end - start, dict(entity.extra)))
    return stripped, result


def detect(text: str) -> list[Entity]:
    """Auto-detected entities, a simplified subset of tdlib's find_entities."""
    u16_prefix = _utf16_prefix(text)
    found: list[Entity] = []
    taken: list[tuple[int, int]] = []
    for kind, pattern in _DETECTORS:
        for match in pattern.finditer(text):
            start, end = match.start(), match.end()
            if any(start < t_end and t_start < end for t_start, t_end in taken):
                continue
            taken.append((start, end))
            offset = u16_prefix[start]
            found.append(Entity(kind, offset, u16_prefix[end] - offset))
    return found


def _utf16_prefix(text: str) -> list[int]:
    prefix = [0]
    for ch in text:
        prefix.append(prefix[-1] + (2 if ord(ch) > 0xFFFF else 1))
    return prefix


def merge_detected(text: str, entities: list[Entity]) -> list[Entity]:
    """Add detected entities that do not overlap code/pre/links."""
    opaque = [(e.offset, e.offset + e.length) for e in entities if e.type in _OPAQUE]
    merged = list(entities)
    for entity in detect(text):
        end = entity.offset + entity.length
        if not any(entity.offset < o_end and o_start < end for o_start, o_end in opaque):
            merged.append(entity)
    return sort_entities(merged)


def format_text(
    text: str, parse_mode: str | None, entities: list[Any] | None
) -> tuple[str, list[Entity]]:
    """Full pipeline; explicit entities win over parse_mode, like the Bot API."""
    if entities is not None:
        parsed_text, parsed = text, explicit_entities(text, entities)
    else:
        parsed_text, parsed = parse(text, parse_mode)
    final_text, final = trim(parsed_text, parsed)
    return final_text, merge_detected(final_text, final)


def entities_json(entities: list[Entity]) -> list[dict[str, Any]]:
    """Bot API JSON for a list of entities."""
    return [entity.to_json() for entity in entities]
