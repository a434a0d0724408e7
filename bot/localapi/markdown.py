"""MarkdownV2 and legacy Markdown parse modes, ported from tdlib's rules and messages."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.localapi.entities import (
    SPACES,
    Entity,
    EntityParseError,
    byte_offset,
    char_u16,
    custom_emoji_entity,
    link_entity,
    sort_entities,
)

_RESERVED = frozenset("_*[]()~`>#+-=|{}.!\n")
_CODE_TYPES = frozenset({"code", "pre"})
# tdlib's names for entity types, as they appear in "Can't find end of X entity".
_TD_NAMES = {
    "bold": "Bold",
    "italic": "Italic",
    "underline": "Underline",
    "strikethrough": "Strikethrough",
    "spoiler": "Spoiler",
    "text_link": "TextUrl",
    "code": "Code",
    "pre": "Pre",
    "custom_emoji": "CustomEmoji",
    "blockquote": "BlockQuote",
}
_EMOJI_URL = re.compile(r"tg://emoji\?id=(-?\d+)$")


def _reserved(ch: str) -> EntityParseError:
    return EntityParseError(
        f"Character '{ch}' is reserved and must be escaped with the preceding '\\'"
    )


@dataclass
class _Open:
    type: str
    language: str
    u16_offset: int
    src_index: int
    out_index: int


class _MarkdownV2Parser:
    """Single-use parser state; mirrors tdlib parse_markdown_v2."""

    def __init__(self, src: str) -> None:
        self.src = src
        self.i = 0
        self.out: list[str] = []
        self.u16 = 0
        self.entities: list[Entity] = []
        self.stack: list[_Open] = []
        self.blockquote = False

    def at(self, index: int) -> str:
        return self.src[index] if index < len(self.src) else "\0"

    def run(self) -> tuple[str, list[Entity]]:
        src = self.src
        while self.i < len(src):
            c = src[self.i]
            if c == "\\" and 0 < ord(self.at(self.i + 1)) <= 126:
                self.out.append(src[self.i + 1])
                self.u16 += 1
                self.i += 2
                continue
            inside_code = bool(self.stack) and self.stack[-1].type in _CODE_TYPES
            if (c != "`") if inside_code else (c not in _RESERVED):
                self.out.append(c)
                self.u16 += char_u16(c)
                self.i += 1
                continue
            if self.is_entity_end(c):
                self.end_entity(c)
            else:
                self.begin_entity(c)
            self.i += 1
        if self.blockquote and self.stack and self.stack[-1].type == "blockquote":
            top = self.stack.pop()
            if self.u16 != top.u16_offset:
                self.entities.append(
                    Entity("blockquote", top.u16_offset, self.u16 - top.u16_offset)
                )
        if self.stack:
            top = self.stack[-1]
            raise EntityParseError(
                f"Can't find end of {self.td_name(top)} entity at byte offset "
                f"{byte_offset(src, top.src_index)}"
            )
        return "".join(self.out), sort_entities(self.entities)

    @staticmethod
    def td_name(entry: _Open) -> str:
        if entry.type == "pre" and entry.language:
            return "PreCode"
        return _TD_NAMES[entry.type]

    def is_entity_end(self, c: str) -> bool:
        if not self.stack:
            return False
        nxt = self.at(self.i + 1)
        if self.blockquote and c == "\n" and nxt != ">":
            return True
        kind = self.stack[-1].type
        if kind == "bold":
            return c == "*"
        if kind == "italic":
            return c == "_" and nxt != "_"
        if kind == "code":
            return c == "`"
        if kind == "pre":
            return c == "`" and nxt == "`" and self.at(self.i + 2) == "`"
        if kind in ("text_link", "custom_emoji"):
            return c == "]"
        if kind == "underline":
            return c == "_" and nxt == "_"
        if kind == "strikethrough":
            return c == "~"
        if kind == "spoiler":
            return c == "|" and nxt == "|"
        return False  # blockquote ends only at a line without '>'

    def begin_entity(self, c: str) -> None:
        start = self.i
        nxt = self.at(self.i + 1)
        language = ""
        kind: str | None
        if c == "_":
            kind = "underline" if nxt == "_" else "italic"
            self.i += 1 if nxt == "_" else 0
        elif c == "*":
            kind = "bold"
        elif c == "~":
            kind = "strikethrough"
        elif c == "|" and nxt == "|":
            kind = "spoiler"
            self.i += 1
        elif c == "[":
            kind = "text_link"
        elif c == "`" and nxt == "`" and self.at(self.i + 2) == "`":
            kind, language = "pre", self.pre_language()
        elif c == "`":
            kind = "code"
        elif c == "!" and nxt == "[":
            kind = "custom_emoji"
            self.i += 1
        elif c == "\n":
            self.out.append("\n")
            self.u16 += 1
            kind = None
            if nxt == ">":
                self.i += 1
                if not self.blockquote:
                    kind, self.blockquote = "blockquote", True
        elif c == ">" and self.i == 0:
            kind, self.blockquote = "blockquote", True
        else:
            raise _reserved(c)
        if kind is not None:
            self.stack.append(_Open(kind, language, self.u16, start, len(self.out)))

    def pre_language(self) -> str:
        """Consume ```lang and one leading newline; leave i on the last consumed char."""
        self.i += 3
        end = self.i
        while self.at(end) not in SPACES and self.at(end) != "`":
            end += 1
        language = ""
        if self.i != end and end < len(self.src) and self.at(end) != "`":
            language = self.src[self.i : end]
            self.i = end
        if self.at(self.i) in "\r\n" and self.at(self.i) != "\0":
            pair = self.at(self.i + 1) in "\r\n" and self.at(self.i + 1) not in (
                "\0",
                self.at(self.i),
            )
            self.i += 2 if pair else 1
        self.i -= 1
        return language

    def read_url(self, error_template: str) -> str:
        """Read `(url)` after ']' honouring escapes; i ends on ')'."""
        self.i += 2
        begin = self.i
        chars: list[str] = []
        while self.i < len(self.src) and self.src[self.i] != ")":
            if self.src[self.i] == "\\" and 0 < ord(self.at(self.i + 1)) <= 126:
                chars.append(self.src[self.i + 1])
                self.i += 2
                continue
            chars.append(self.src[self.i])
            self.i += 1
        if self.at(self.i) != ")":
            raise EntityParseError(error_template.format(byte_offset(self.src, begin)))
        return "".join(chars)

    def end_entity(self, c: str) -> None:
        top = self.stack[-1]
        if c == "\n" and top.type != "blockquote":
            raise EntityParseError(
                f"Can't find end of {self.td_name(top)} entity at byte offset "
                f"{byte_offset(self.src, top.src_index)}"
            )
        offset = top.u16_offset
        skip = self.u16 == offset
        entity: Entity | None = None
        if top.type in ("underline", "spoiler"):
            self.i += 1
        elif top.type == "pre":
            self.i += 2
        elif top.type == "text_link":
            if self.at(self.i + 1) != "(":
                url = "".join(self.out[top.out_index :])
            else:
                url = self.read_url("Can't find end of a URL at byte offset {}")
            entity = link_entity(offset, self.u16 - offset, url)
            skip = skip or entity is None
        elif top.type == "custom_emoji":
            if self.at(self.i + 1) != "(":
                raise EntityParseError("Custom emoji entity must contain a tg://emoji URL")
            url = self.read_url("Can't find end of a custom emoji URL at byte offset {}")
            match = _EMOJI_URL.match(url)
            entity = custom_emoji_entity(offset, self.u16 - offset, match.group(1) if match else "")
        elif top.type == "blockquote":
            self.blockquote = False
            self.out.append(c)
            self.u16 += 1
        if not skip:
            if entity is None:
                extra = {"language": top.language} if top.language else {}
                entity = Entity(top.type, offset, self.u16 - offset, extra)
            entity.length = self.u16 - offset
            self.entities.append(entity)
        self.stack.pop()


def parse_markdown_v2(src: str) -> tuple[str, list[Entity]]:
    """Parse MarkdownV2 into plain text plus entities; raise EntityParseError like tdlib."""
    return _MarkdownV2Parser(src).run()


def parse_markdown(src: str) -> tuple[str, list[Entity]]:
    """Legacy Markdown: *bold* _italic_ `code` ```pre``` [text](url), only \\ escapes of _*`[."""
    out: list[str] = []
    entities: list[Entity] = []
    u16 = 0
    n = len(src)

    def at(index: int) -> str:
        return src[index] if index < n else "\0"

    i = 0
    while i < n:
        c = src[i]
        if c == "\\" and at(i + 1) in "_*`[" and at(i + 1) != "\0":
            out.append(src[i + 1])
            u16 += 1
            i += 2
            continue
        if c not in "_*`[":
            out.append(c)
            u16 += char_u16(c)
            i += 1
            continue
        begin = i
        end_char = "]" if c == "[" else c
        i += 1
        is_pre = False
        language = ""
        if c == "`" and at(i) == "`" and at(i + 1) == "`":
            i += 2
            is_pre = True
            end = i
            while at(end) not in SPACES and at(end) != "`":
                end += 1
            if i != end and end < n and at(end) != "`":
                language, i = src[i:end], end
            if at(i) in "\r\n" and at(i) != "\0":
                i += 2 if at(i + 1) in "\r\n" and at(i + 1) not in ("\0", at(i)) else 1
        entity_offset = u16
        while i < n and (
            src[i] != end_char or (is_pre and not (at(i + 1) == "`" and at(i + 2) == "`"))
        ):
            out.append(src[i])
            u16 += char_u16(src[i])
            i += 1
        if i == n:
            raise EntityParseError(
                f"Can't find end of the entity starting at byte offset {byte_offset(src, begin)}"
            )
        length = u16 - entity_offset
        if c == "[":
            url = src[begin + 1 : i]
            if at(i + 1) == "(":
                i += 2
                url_begin = i
                while i < n and src[i] != ")":
                    i += 1
                url = src[url_begin:i]
            link = link_entity(entity_offset, length, url) if length else None
            if link is not None:
                entities.append(link)
        elif length:
            kind = {"_": "italic", "*": "bold"}.get(c, "pre" if is_pre else "code")
            extra = {"language": language} if language else {}
            entities.append(Entity(kind, entity_offset, length, extra))
        i += 3 if is_pre else 1
    return "".join(out), sort_entities(entities)
