"""Entity model, UTF-16 helpers and link checks shared by the parse modes."""

# Offsets and lengths are in UTF-16 code units, as in the real Bot API; error messages quote
# byte offsets into the UTF-8 source, as tdlib does.

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

# tdlib's td::is_space; the NUL stands for "end of input" in the C++ original.
SPACES = frozenset(" \t\r\n\v\0")

# Sort priority of entity types when offset and length tie (tdlib get_type_priority).
_PRIORITY = {
    "blockquote": 0,
    "expandable_blockquote": 0,
    "pre": 11,
    "code": 20,
    "text_link": 49,
    "text_mention": 49,
    "bold": 90,
    "italic": 91,
    "underline": 92,
    "strikethrough": 93,
    "spoiler": 94,
    "custom_emoji": 99,
}

_USER_LINK = re.compile(r"tg://user\?id=(\d{1,15})$", re.IGNORECASE)
_HOST = re.compile(r"^(localhost|(\d{1,3}\.){3}\d{1,3}|([a-z0-9-]+\.)+[a-z][a-z0-9-]+)$", re.I)


class EntityParseError(Exception):
    """The text's markup is invalid; str(self) is tdlib's message."""


@dataclass
class Entity:
    """One message entity in UTF-16 units; `extra` carries url/language/user/..."""

    type: str
    offset: int
    length: int
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """Bot API MessageEntity dict."""
        return {"type": self.type, "offset": self.offset, "length": self.length, **self.extra}


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit of entity offsets."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def char_u16(ch: str) -> int:
    """UTF-16 width of one code point."""
    return 2 if ord(ch) > 0xFFFF else 1


def byte_offset(text: str, index: int) -> int:
    """UTF-8 byte offset of code point `index`, used in tdlib's error messages."""
    return len(text[:index].encode("utf-8", "surrogatepass"))


def ascii_lower(text: str) -> str:
    """Lower-case ASCII letters only, like td::to_lower."""
    return "".join(chr(ord(c) + 32) if "A" <= c <= "Z" else c for c in text)


def sort_entities(entities: list[Entity]) -> list[Entity]:
    """Order as tdlib does: offset ascending, longer first, then type priority."""
    return sorted(entities, key=lambda e: (e.offset, -e.length, _PRIORITY.get(e.type, 50)))


def checked_link(url: str) -> str | None:
    """Normalise a link like LinkManager::get_checked_link; None when Telegram drops it."""
    # Simplified: http(s) URLs need a dotted host (or localhost/IP); tg:// and ton:// pass.
    url = url.strip()
    if not url:
        return None
    lowered = ascii_lower(url)
    if lowered.startswith(("tg://", "ton://")):
        return url
    if "://" not in url:
        url = "http://" + url
        lowered = ascii_lower(url)
    if not lowered.startswith(("http://", "https://")):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    host = parts.hostname or ""
    if not _HOST.match(host):
        return None
    if not parts.path:
        url = url.replace(parts.netloc, parts.netloc + "/", 1)
    return url


def link_entity(offset: int, length: int, url: str) -> Entity | None:
    """A text_link (or text_mention for tg://user links), None when the URL is invalid."""
    user = _USER_LINK.match(url.strip())
    if user:
        user_json = {"id": int(user.group(1)), "is_bot": False, "first_name": ""}
        return Entity("text_mention", offset, length, {"user": user_json})
    checked = checked_link(url)
    if checked is None:
        return None
    return Entity("text_link", offset, length, {"url": checked})


def custom_emoji_entity(offset: int, length: int, emoji_id: str) -> Entity:
    """A custom_emoji entity; tdlib insists on a non-zero int64 id."""
    try:
        value = int(emoji_id)
    except ValueError:
        value = 0
    if value == 0 or not -(2**63) <= value < 2**63:
        raise EntityParseError("Invalid custom emoji identifier specified")
    return Entity("custom_emoji", offset, length, {"custom_emoji_id": str(value)})
