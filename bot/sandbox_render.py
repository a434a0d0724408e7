"""Sandbox: how the bot's messages look in a terminal, and the small parsers of its commands."""

# The local Bot API parses the bot's HTML (parse_mode=HTML) the way Telegram does: a stored
# message holds plain text plus entities (UTF-16 offsets). Rendering those entities is what
# a Telegram app does, so tags are already gone and &amp; and friends already unescaped.

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

JsonDict = dict[str, Any]

_SGR = {
    "bold": "1",
    "italic": "3",
    "underline": "4",
    "strikethrough": "9",
    "code": "36",
    "pre": "36",
    "spoiler": "2",
    "text_link": "4",
}
RESET = "\033[0m"


def bold(text: str, color: bool) -> str:
    """`text` in bold when colour is on."""
    return f"\033[1m{text}{RESET}" if color and text else text


def render_text(text: str, entities: list[JsonDict] | None = None, *, color: bool = False) -> str:
    """Plain text with its entities as ANSI styles (colour on) and link targets spelled out."""
    entities = entities or []
    # UTF-16 offset at which each code point starts: entity offsets count UTF-16 code units.
    starts: list[int] = []
    position = 0
    for char in text:
        starts.append(position)
        position += 2 if ord(char) > 0xFFFF else 1
    links: dict[int, list[str]] = {}  # index of a link's last code point -> its targets
    for entity in entities:
        if entity.get("type") == "text_link" and entity.get("url"):
            end = entity["offset"] + entity["length"]
            last = max((i for i, s in enumerate(starts) if s < end), default=None)
            if last is not None:
                links.setdefault(last, []).append(entity["url"])
    out: list[str] = []
    active = ""
    for index, char in enumerate(text):
        if color:
            codes = sorted(
                {
                    _SGR[e["type"]]
                    for e in entities
                    if e.get("type") in _SGR
                    and e["offset"] <= starts[index] < e["offset"] + e["length"]
                }
            )
            wanted = ";".join(codes)
            if wanted != active:
                out.append(RESET if active else "")
                out.append(f"\033[{wanted}m" if wanted else "")
                active = wanted
        out.append(char)
        for url in links.get(index, []):
            if active:
                out.append(RESET)
                active = ""
            out.append(f" <{url}>")
    if active:
        out.append(RESET)
    return "".join(out)


def numbered_buttons(markup: JsonDict | None) -> list[str]:
    """One line per keyboard row: callback buttons numbered [1], [2]… in reading order."""
    lines: list[str] = []
    number = 0
    for row in (markup or {}).get("inline_keyboard", []):
        cells = []
        for button in row:
            if "callback_data" in button:
                number += 1
                cells.append(f"[{number}] {button['text']}")
            elif "url" in button:
                cells.append(f"[↗ {button['text']} <{button['url']}>]")
            else:
                cells.append(f"[– {button['text']}]")
        if cells:
            lines.append("  ".join(cells))
    return lines


def callback_buttons(markup: JsonDict | None) -> list[JsonDict]:
    """The pressable buttons, in the order numbered_buttons numbers them."""
    return [
        button
        for row in (markup or {}).get("inline_keyboard", [])
        for button in row
        if "callback_data" in button
    ]


def human_size(size: int) -> str:
    """1234 -> '1.2 KB'."""
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / 1024 / 1024:.1f} MB"


_DURATION = re.compile(r"(\d+)\s*([wdhm])")
_UNITS = {"w": "weeks", "d": "days", "h": "hours", "m": "minutes"}


def parse_duration(text: str) -> timedelta:
    """'3d', '2h', '30m', '1w', '1d12h' -> timedelta; ValueError for anything else."""
    compact = text.strip().lower().replace(" ", "")
    if not compact or _DURATION.sub("", compact):
        raise ValueError(f"not a duration like 3d, 2h or 30m: {text!r}")
    delta = timedelta()
    for amount, unit in _DURATION.findall(compact):
        delta += timedelta(**{_UNITS[unit]: int(amount)})
    if delta <= timedelta():
        raise ValueError("the clock only moves forward")
    return delta


def describe_duration(delta: timedelta) -> str:
    """timedelta(days=1, hours=2) -> '1d 2h'."""
    minutes = int(delta.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [f"{n}{unit}" for n, unit in ((days, "d"), (hours, "h"), (minutes, "m")) if n]
    return " ".join(parts) or "0m"


def local_time(moment: datetime, timezone: str) -> str:
    """'2026-12-02 Wed 09:00 Asia/Shanghai (UTC+08:00)'."""
    from zoneinfo import ZoneInfo

    local = moment.astimezone(ZoneInfo(timezone))
    offset = local.strftime("%z")
    return f"{local:%Y-%m-%d %a %H:%M} {timezone} (UTC{offset[:3]}:{offset[3:]})"
