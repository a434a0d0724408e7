"""Records kept by the emulator, and the read-only snapshots handed to tests."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

JsonDict = dict[str, Any]

# Update types Telegram sends when allowed_updates was never set (or set to []).
DEFAULT_ALLOWED_UPDATES = frozenset(
    {
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "business_connection",
        "business_message",
        "edited_business_message",
        "deleted_business_messages",
        "inline_query",
        "chosen_inline_result",
        "callback_query",
        "shipping_query",
        "pre_checkout_query",
        "purchased_paid_media",
        "poll",
        "poll_answer",
        "my_chat_member",
        "chat_join_request",
        "chat_boost",
        "removed_chat_boost",
    }
)


@dataclass
class UserRecord:
    """A simulated Telegram user; its private chat with the bot has the same id."""

    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None
    started: bool = True

    def to_user(self) -> JsonDict:
        """Bot API User."""
        user: JsonDict = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        for key in ("last_name", "username", "language_code"):
            if getattr(self, key):
                user[key] = getattr(self, key)
        return user

    def to_chat(self) -> JsonDict:
        """Bot API Chat of the private chat."""
        chat: JsonDict = {"id": self.id, "type": "private", "first_name": self.first_name}
        for key in ("last_name", "username"):
            if getattr(self, key):
                chat[key] = getattr(self, key)
        return chat


@dataclass
class StoredFile:
    """Bytes behind a file_id, downloadable at file/bot<token>/<file_path>."""

    file_id: str
    file_unique_id: str
    file_path: str
    data: bytes
    file_name: str | None = None
    mime_type: str | None = None


@dataclass
class StoredMessage:
    """A message in a chat; `payload` is its current Bot API JSON."""

    chat_id: int
    message_id: int
    from_bot: bool
    payload: JsonDict
    file_id: str | None = None
    deleted: bool = False
    edit_count: int = 0


@dataclass
class ChatState:
    """Per-chat bookkeeping."""

    user: UserRecord
    messages: dict[int, StoredMessage] = field(default_factory=dict)
    last_message_id: int = 0
    reply_keyboard: JsonDict | None = None
    menu_button: JsonDict | None = None
    seen_bot_message: int = 0  # SimUser.next_message cursor, shared by all handles


@dataclass
class CallbackQueryRecord:
    """A button press waiting for answerCallbackQuery."""

    id: str
    user_id: int
    message_id: int
    data: str
    created_at: float
    answer: JsonDict | None = None
    #: When the answer arrived (the emulator's clock, like ``created_at``).
    answered_at: float | None = None
    #: When the bot first received the press (a getUpdates answer or a webhook POST).
    delivered_at: float | None = None


@dataclass
class QueuedUpdate:
    """An unconfirmed update; `forced` lets a redelivery bypass the offset once."""

    update_id: int
    payload: JsonDict
    forced: bool = False


@dataclass(frozen=True)
class Event:
    """Something visible on the phone: a message, an edit, a deletion, an answer, an action."""

    seq: int
    kind: str
    chat_id: int
    message_id: int | None
    data: JsonDict

    def to_json(self) -> JsonDict:
        """JSON for the control API."""
        return {
            "seq": self.seq,
            "kind": self.kind,
            "chat_id": self.chat_id,
            "message_id": self.message_id,
            **self.data,
        }


@dataclass(frozen=True)
class ChatMessage:
    """Immutable snapshot of a message as the user sees it now (after edits/deletion)."""

    chat_id: int
    message_id: int
    from_bot: bool
    raw: JsonDict
    deleted: bool = False
    edit_count: int = 0
    file_bytes: bytes | None = None

    @classmethod
    def of(cls, stored: StoredMessage, file_bytes: bytes | None = None) -> ChatMessage:
        """Deep-copied snapshot of a stored message."""
        return cls(
            stored.chat_id,
            stored.message_id,
            stored.from_bot,
            copy.deepcopy(stored.payload),
            stored.deleted,
            stored.edit_count,
            file_bytes,
        )

    @property
    def text(self) -> str | None:
        """Message text (None for media)."""
        return self.raw.get("text")

    @property
    def caption(self) -> str | None:
        """Media caption."""
        return self.raw.get("caption")

    @property
    def entities(self) -> list[JsonDict]:
        """Entities of the text or caption."""
        return list(self.raw.get("entities") or self.raw.get("caption_entities") or [])

    @property
    def reply_markup(self) -> JsonDict | None:
        """The inline keyboard currently attached, if any."""
        return self.raw.get("reply_markup")

    @property
    def buttons(self) -> list[list[JsonDict]]:
        """Inline keyboard rows of button dicts ([] without a keyboard)."""
        markup = self.reply_markup or {}
        return [list(row) for row in markup.get("inline_keyboard", [])]

    @property
    def button_texts(self) -> list[list[str]]:
        """Just the labels, row by row."""
        return [[button["text"] for button in row] for row in self.buttons]

    @property
    def callback_data(self) -> list[str]:
        """All callback_data values, in reading order."""
        return [b["callback_data"] for row in self.buttons for b in row if "callback_data" in b]

    @property
    def document(self) -> JsonDict | None:
        """Document metadata, if this is a document message."""
        return self.raw.get("document")

    @property
    def photo(self) -> list[JsonDict] | None:
        """Photo sizes, if this is a photo message."""
        return self.raw.get("photo")

    def to_json(self) -> JsonDict:
        """JSON for the control API (file bytes are fetched separately)."""
        return {
            "chat_id": self.chat_id,
            "message_id": self.message_id,
            "from_bot": self.from_bot,
            "deleted": self.deleted,
            "edit_count": self.edit_count,
            "message": self.raw,
        }
