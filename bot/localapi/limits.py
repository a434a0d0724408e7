"""Telegram's size limits, reply-markup validation and flood control."""

# Length rule (as measured against the live API and reported publicly): the 4096/1024 limits
# count Unicode code points of the text *after* entity parsing and trimming, while entity
# offsets count UTF-16 code units. So 4096 emoji pass, and 4097 CJK characters fail.

from __future__ import annotations

import json
import math
import threading
from dataclasses import dataclass, field, replace
from typing import Any

from bot.localapi.entities import checked_link
from bot.localapi.errors import bad_request, too_many_requests

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA_BYTES = 64
MAX_BUTTONS_PER_ROW = 8
MAX_BUTTONS = 100
MAX_ANSWER_TEXT = 200

_ACTIONS = (
    "callback_data",
    "url",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
_BUTTON = "can't parse inline keyboard button: "
_MARKUP_JSON = "can't parse reply keyboard markup JSON object"


def check_text(text: str) -> None:
    """Message text: 1..4096 code points after parsing."""
    if not text:
        raise bad_request("message text is empty")
    if len(text) > MAX_TEXT:
        raise bad_request("message is too long")


def check_caption(caption: str) -> None:
    """Media caption: at most 1024 code points after parsing."""
    if len(caption) > MAX_CAPTION:
        raise bad_request("message caption is too long")


def _check_button(button: Any) -> dict[str, Any]:
    if not isinstance(button, dict):
        raise bad_request(_BUTTON + "InlineKeyboardButton must be an Object")
    if "text" not in button:
        raise bad_request(_BUTTON + 'Can\'t find field "text"')
    if not isinstance(button["text"], str):
        raise bad_request(_BUTTON + 'Field "text" must be of type String')
    if not button["text"].strip():
        raise bad_request("BUTTON_TEXT_INVALID")
    # An empty callback_data counts as absent, exactly like on the real API.
    actions = [name for name in _ACTIONS if button.get(name) not in (None, "")]
    if not actions:
        raise bad_request(_BUTTON + "Text buttons are unallowed in the inline keyboard")
    data = button.get("callback_data")
    too_long = not isinstance(data, str) or len(data.encode("utf-8")) > MAX_CALLBACK_DATA_BYTES
    if data not in (None, "") and too_long:
        raise bad_request("BUTTON_DATA_INVALID")
    url = button.get("url")
    if url not in (None, "") and (not isinstance(url, str) or checked_link(url) is None):
        raise bad_request(f"inline keyboard button URL '{url}' is invalid: Wrong HTTP URL")
    return dict(button)


def parse_reply_markup(raw: Any) -> dict[str, Any] | None:
    """Validate reply_markup (a JSON string from form data, or an object from a JSON body)."""
    if raw is None or raw == "":
        return None
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            raise bad_request(_MARKUP_JSON) from None
    if not isinstance(raw, dict):
        raise bad_request(_MARKUP_JSON)
    if "inline_keyboard" not in raw:
        if any(key in raw for key in ("keyboard", "remove_keyboard", "force_reply")):
            return dict(raw)
        raise bad_request(_MARKUP_JSON)
    rows = raw["inline_keyboard"]
    if not isinstance(rows, list):
        raise bad_request('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array')
    checked: list[list[dict[str, Any]]] = []
    for row in rows:
        if not isinstance(row, list):
            raise bad_request(
                'field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays'
            )
        if len(row) > MAX_BUTTONS_PER_ROW:
            raise bad_request("reply markup is too long")
        if row:
            checked.append([_check_button(button) for button in row])
    if sum(len(row) for row in checked) > MAX_BUTTONS:
        raise bad_request("reply markup is too long")
    return {"inline_keyboard": checked}


@dataclass(frozen=True)
class FloodConfig:
    """Token-bucket limits: ~1 msg/s per chat and ~30 msg/s overall, with small bursts.

    A send with ``allow_paid_broadcast`` (charged in Stars) is held to ``paid_rate`` instead of
    the overall limit, and does not use it up; the per-chat limit applies to it all the same.
    """

    enabled: bool = True
    per_chat_rate: float = 1.0
    per_chat_burst: int = 5
    global_rate: float = 30.0
    global_burst: int = 30
    paid_rate: float = 1000.0
    paid_burst: int = 1000
    methods: frozenset[str] = field(
        default_factory=lambda: frozenset({"sendmessage", "senddocument", "sendphoto"})
    )


@dataclass
class _Bucket:
    tokens: float
    stamp: float

    def refill(self, now: float, rate: float, burst: int) -> None:
        self.tokens = min(float(burst), self.tokens + (now - self.stamp) * rate)
        self.stamp = now

    def wait(self, rate: float) -> float:
        """Seconds until one token is available (0 when one already is)."""
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / rate


class FloodControl:
    """Per-chat and global token buckets; `check` consumes a token or raises 429."""

    def __init__(self, config: FloodConfig | None = None) -> None:
        self._config = config or FloodConfig()
        self._lock = threading.Lock()
        self._chats: dict[int, _Bucket] = {}
        self._global: _Bucket | None = None
        self._paid: _Bucket | None = None
        #: Sends accepted with allow_paid_broadcast (each costs Stars on Telegram).
        self.paid_sent = 0

    @property
    def config(self) -> FloodConfig:
        """The limits in force."""
        return self._config

    def configure(self, **changes: Any) -> FloodConfig:
        """Change limits (e.g. enabled=False) and start from full buckets."""
        if "methods" in changes:
            changes["methods"] = frozenset(m.lower() for m in changes["methods"])
        with self._lock:
            self._config = replace(self._config, **changes)
            self._chats.clear()
            self._global = None
            self._paid = None
        return self._config

    def disable(self) -> None:
        """Turn flood control off (typical for unit tests of bot logic)."""
        self.configure(enabled=False)

    def check(self, method: str, chat_id: int, now: float, *, paid: bool = False) -> None:
        """Take one token from the chat's bucket and the overall one (the paid one for a paid
        broadcast), or raise 429 with a whole-second retry_after."""
        cfg = self._config
        if not cfg.enabled or method.lower() not in cfg.methods:
            if paid:
                with self._lock:
                    self.paid_sent += 1
            return
        with self._lock:
            chat = self._chats.setdefault(chat_id, _Bucket(float(cfg.per_chat_burst), now))
            chat.refill(now, cfg.per_chat_rate, cfg.per_chat_burst)
            if paid:
                overall = self._paid or _Bucket(float(cfg.paid_burst), now)
                self._paid = overall
                rate, burst = cfg.paid_rate, cfg.paid_burst
            else:
                overall = self._global or _Bucket(float(cfg.global_burst), now)
                self._global = overall
                rate, burst = cfg.global_rate, cfg.global_burst
            overall.refill(now, rate, burst)
            wait = max(chat.wait(cfg.per_chat_rate), overall.wait(rate))
            if wait > 0:
                raise too_many_requests(max(1, math.ceil(wait)))
            chat.tokens -= 1
            overall.tokens -= 1
            if paid:
                self.paid_sent += 1


def check_answer_text(text: str | None) -> None:
    """answerCallbackQuery text is limited to 200 characters."""
    if text is not None and len(text) > MAX_ANSWER_TEXT:
        raise bad_request("MESSAGE_TOO_LONG")
