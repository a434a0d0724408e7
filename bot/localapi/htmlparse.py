"""The HTML parse mode, a port of tdlib's parse_html rules and error messages."""

from __future__ import annotations

from dataclasses import dataclass

from bot.localapi.entities import (
    SPACES,
    Entity,
    EntityParseError,
    ascii_lower,
    byte_offset,
    char_u16,
    custom_emoji_entity,
    link_entity,
    sort_entities,
)

_HTML_TAGS = frozenset(
    {
        "a",
        "b",
        "strong",
        "i",
        "em",
        "s",
        "strike",
        "del",
        "u",
        "ins",
        "tg-spoiler",
        "tg-emoji",
        "span",
        "pre",
        "code",
        "blockquote",
    }
)
_SIMPLE_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
}


def _decode_html_entity(src: str, pos: int) -> tuple[int, int] | None:
    """Decode `&...;` at pos into (code point, next index); None leaves '&' literal."""
    n = len(src)
    end = pos + 1
    code = 0
    if end < n and src[end] == "#":
        end += 1
        if end < n and src[end] == "x":
            end += 1
            while end < n and src[end] in "0123456789abcdefABCDEF":
                code = code * 16 + int(src[end], 16)
                end += 1
        else:
            while end < n and "0" <= src[end] <= "9":
                code = code * 10 + int(src[end])
                end += 1
        if code == 0 or code >= 0x10FFFF or end - pos >= 10:
            return None
    else:
        while end < n and src[end].isascii() and src[end].isalpha():
            end += 1
        named = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}.get(src[pos + 1 : end])
        if named is None:
            return None
        code = ord(named)
    if end < n and src[end] == ";":
        end += 1
    return code, end


@dataclass
class _OpenTag:
    tag: str
    argument: str
    u16_offset: int
    out_index: int
    expandable: bool = False


class _HtmlParser:
    """Single-use parser state; mirrors tdlib parse_html step by step."""

    def __init__(self, src: str) -> None:
        self.src = src
        self.i = 0
        self.out: list[str] = []
        self.u16 = 0
        self.entities: list[Entity] = []
        self.stack: list[_OpenTag] = []
        self.bad_surrogate = False

    def at(self, index: int) -> str:
        return self.src[index] if index < len(self.src) else "\0"

    def fail(self, message: str) -> EntityParseError:
        return EntityParseError(message)

    def offset(self, index: int) -> int:
        return byte_offset(self.src, index)

    def skip_spaces(self) -> None:
        while self.i < len(self.src) and self.src[self.i] in SPACES:
            self.i += 1

    def run(self) -> tuple[str, list[Entity]]:
        src = self.src
        while self.i < len(src):
            c = src[self.i]
            if c == "&":
                decoded = _decode_html_entity(src, self.i)
                if decoded is not None:
                    code, self.i = decoded
                    if 0xD800 <= code <= 0xDFFF:
                        self.bad_surrogate = True
                        continue
                    self.out.append(chr(code))
                    self.u16 += 2 if code > 0xFFFF else 1
                    continue
            if c != "<":
                self.out.append(c)
                self.u16 += char_u16(c)
                self.i += 1
                continue
            if self.at(self.i + 1) != "/":
                self.start_tag()
            else:
                self.end_tag()
            self.i += 1  # step over the closing '>'
        if self.stack:
            tag = self.stack[-1].tag
            raise self.fail(f"Can't find end tag corresponding to start tag {tag}")
        if self.bad_surrogate:
            raise self.fail(
                "Text contains invalid Unicode characters after decoding HTML entities, "
                "check for unmatched surrogate code units"
            )
        for entity in self.entities:
            if entity.type == "code":
                entity.extra.pop("language", None)
        return "".join(self.out), sort_entities(self.entities)

    def start_tag(self) -> None:
        begin = self.i
        self.i += 1
        while self.at(self.i) not in SPACES and self.at(self.i) != ">":
            self.i += 1
        if self.i >= len(self.src):
            raise self.fail(f"Unclosed start tag at byte offset {self.offset(begin)}")
        tag = ascii_lower(self.src[begin + 1 : self.i])
        if tag not in _HTML_TAGS:
            raise self.fail(f'Unsupported start tag "{tag}" at byte offset {self.offset(begin)}')
        argument = ""
        expandable = False
        while self.at(self.i) != ">":
            self.skip_spaces()
            if self.at(self.i) == ">":
                break
            name_begin = self.i
            while self.at(self.i) not in SPACES and self.at(self.i) not in "=>":
                self.i += 1
            name = self.src[name_begin : self.i]
            if not name:
                raise self.fail(
                    f'Empty attribute name in the tag "{tag}" at byte offset {self.offset(begin)}'
                )
            self.skip_spaces()
            if self.at(self.i) != "=":
                if tag == "blockquote" and name == "expandable":
                    expandable = True  # the only value-less attribute Telegram accepts
                    continue
                raise self.fail(
                    "Expected equal sign in declaration of an attribute of the tag "
                    f'"{tag}" at byte offset {self.offset(begin)}'
                )
            self.i += 1
            self.skip_spaces()
            if self.i >= len(self.src):
                raise self.fail(f'Unclosed start tag "{tag}" at byte offset {self.offset(begin)}')
            value = self.attribute_value()
            if self.i >= len(self.src):
                raise self.fail(f"Unclosed start tag at byte offset {self.offset(begin)}")
            argument = self.tag_argument(tag, name, value, argument)
        if tag == "span" and argument != "spoiler":
            raise self.fail(
                f'Tag "span" must have class "tg-spoiler" at byte offset {self.offset(begin)}'
            )
        self.stack.append(_OpenTag(tag, argument, self.u16, len(self.out), expandable))

    def attribute_value(self) -> str:
        src = self.src
        quote = self.at(self.i)
        if quote not in "'\"":
            # An unquoted name token: letters, digits, periods and hyphens only.
            token_begin = self.i
            while self.at(self.i).isascii() and (
                self.at(self.i).isalnum() or self.at(self.i) in ".-"
            ):
                self.i += 1
            if self.at(self.i) not in SPACES and self.at(self.i) != ">":
                raise self.fail(
                    f"Unexpected end of name token at byte offset {self.offset(token_begin)}"
                )
            return ascii_lower(src[token_begin : self.i])
        self.i += 1
        chars: list[str] = []
        while self.i < len(src) and src[self.i] != quote:
            if src[self.i] == "&":
                decoded = _decode_html_entity(src, self.i)
                if decoded is not None:
                    code, self.i = decoded
                    chars.append(chr(code))
                    continue
            chars.append(src[self.i])
            self.i += 1
        if self.at(self.i) == quote:
            self.i += 1
        return "".join(chars)

    @staticmethod
    def tag_argument(tag: str, name: str, value: str, current: str) -> str:
        if tag == "a" and name == "href":
            return value
        if tag == "code" and name == "class" and value.startswith("language-"):
            return value[len("language-") :]
        if tag == "span" and name == "class" and value.startswith("tg-"):
            return value[len("tg-") :]
        if tag == "tg-emoji" and name == "emoji-id":
            return value
        return current

    def end_tag(self) -> None:
        begin = self.i
        if not self.stack:
            raise self.fail(f"Unexpected end tag at byte offset {self.offset(begin)}")
        self.i += 1
        while self.at(self.i) not in SPACES and self.at(self.i) != ">":
            self.i += 1
        end_name = ascii_lower(self.src[begin + 2 : self.i])
        self.skip_spaces()
        if self.at(self.i) != ">":
            raise self.fail(f"Unclosed end tag at byte offset {self.offset(begin)}")
        top = self.stack[-1]
        if end_name and end_name != top.tag:
            raise self.fail(
                f'Unmatched end tag at byte offset {self.offset(begin)}, expected "</{top.tag}>", '
                f'found "</{end_name}>"'
            )
        if self.u16 > top.u16_offset:
            self.close_entity(top)
        self.stack.pop()

    def close_entity(self, top: _OpenTag) -> None:
        offset, length = top.u16_offset, self.u16 - top.u16_offset
        last = self.entities[-1] if self.entities else None
        same_range = last is not None and (last.offset, last.length) == (offset, length)
        if top.tag in _SIMPLE_TAGS:
            self.entities.append(Entity(_SIMPLE_TAGS[top.tag], offset, length))
        elif top.tag == "tg-emoji":
            self.entities.append(custom_emoji_entity(offset, length, top.argument))
        elif top.tag == "a":
            url = top.argument or "".join(self.out[top.out_index :])
            link = link_entity(offset, length, url)
            if link is not None:
                self.entities.append(link)
        elif top.tag == "pre":
            # <pre><code class="language-x"> closes code first: merge into one pre entity.
            if last is not None and same_range and last.type == "code" and last.extra:
                last.type = "pre"
            else:
                self.entities.append(Entity("pre", offset, length))
        elif top.tag == "code":
            if last is not None and same_range and last.type == "pre" and top.argument:
                last.extra["language"] = top.argument
            else:
                extra = {"language": top.argument} if top.argument else {}
                self.entities.append(Entity("code", offset, length, extra))
        else:
            kind = "expandable_blockquote" if top.expandable else "blockquote"
            self.entities.append(Entity(kind, offset, length))


def parse_html(src: str) -> tuple[str, list[Entity]]:
    """Parse Telegram-HTML into plain text plus entities; raise EntityParseError like tdlib."""
    return _HtmlParser(src).run()
