"""The phone side: a simulated user who writes to the bot, presses buttons and reads replies."""

from __future__ import annotations

import logging
import mimetypes
import secrets
from typing import TYPE_CHECKING, Protocol

from bot.localapi.errors import EmulatorError
from bot.localapi.formatting import detect, entities_json
from bot.localapi.imaging import image_size
from bot.localapi.limits import MAX_TEXT
from bot.localapi.models import (
    CallbackQueryRecord,
    ChatMessage,
    JsonDict,
    StoredMessage,
    UserRecord,
)

if TYPE_CHECKING:
    from bot.localapi.state import EmulatorState

logger = logging.getLogger(__name__)


class HasMessageId(Protocol):
    """A ChatMessage, a PTB Message, or anything else with a message_id."""

    @property
    def message_id(self) -> int: ...


class SimUser:
    """A handle on one simulated user and their private chat with the bot."""

    def __init__(self, state: EmulatorState, user_id: int) -> None:
        self.state = state
        self.id = user_id

    @property
    def chat_id(self) -> int:
        """Private chat id (equals the user id, as on Telegram)."""
        return self.id

    @property
    def record(self) -> UserRecord:
        """The user's profile."""
        with self.state.lock:
            return self.state.chats[self.id].user

    # ---- sending ------------------------------------------------------------------------
    def _ensure_started(self) -> None:
        # Writing to a bot starts the conversation and, from the app, lifts a block.
        record = self.record
        record.started = True
        if self.state.faults.is_blocked(self.id):
            self.unblock_bot()

    def _send(self, content: JsonDict, file_id: str | None = None) -> JsonDict:
        with self.state.lock:
            self._ensure_started()
            chat = self.state.chats[self.id]
            stored = self.state.store_message(
                chat, from_bot=False, content=content, file_id=file_id
            )
            return self.state.enqueue_update("message", dict(stored.payload))

    def send_text(self, text: str, *, reply_to: int | None = None) -> JsonDict:
        """Send a text message; commands get their bot_command entity. Returns the update."""
        if not text.strip() or len(text) > MAX_TEXT:
            raise EmulatorError("a user message must have 1-4096 characters")
        content: JsonDict = {"text": text}
        found = detect(text)
        if found:
            content["entities"] = entities_json(found)
        if reply_to is not None:
            content["reply_to_message"] = self._message_payload(reply_to)
        return self._send(content)

    def send_photo(self, data: bytes, *, caption: str | None = None) -> JsonDict:
        """Send a photo (bytes stay retrievable through getFile). Returns the update."""
        stored = self.state.store_file(data, kind="photo", file_name=None, mime_type="image/jpeg")
        width, height = image_size(data) or (0, 0)
        size = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(data),
            "width": width,
            "height": height,
        }
        content: JsonDict = {"photo": [size]}
        if caption:
            content["caption"] = caption
        return self._send(content, stored.file_id)

    def send_document(
        self,
        data: bytes,
        *,
        file_name: str = "file.bin",
        mime_type: str | None = None,
        caption: str | None = None,
    ) -> JsonDict:
        """Send a document. Returns the update."""
        mime = mime_type or mimetypes.guess_type(file_name)[0] or "application/octet-stream"
        stored = self.state.store_file(data, kind="document", file_name=file_name, mime_type=mime)
        document = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_name": file_name,
            "mime_type": mime,
            "file_size": len(data),
        }
        content: JsonDict = {"document": document}
        if caption:
            content["caption"] = caption
        return self._send(content, stored.file_id)

    def press_button(
        self, message: int | HasMessageId, *, data: str | None = None, text: str | None = None
    ) -> JsonDict:
        """Press an inline button by callback_data or label; returns the callback_query update."""
        message_id = message if isinstance(message, int) else message.message_id
        with self.state.lock:
            self._ensure_started()
            stored = self._stored(message_id)
            if stored.deleted or not stored.from_bot:
                raise EmulatorError(f"message {message_id} is not a live bot message")
            buttons = [
                b
                for row in (stored.payload.get("reply_markup") or {}).get("inline_keyboard", [])
                for b in row
                if "callback_data" in b
            ]
            match = [
                b
                for b in buttons
                if (data is None or b["callback_data"] == data)
                and (text is None or b["text"] == text)
            ]
            if not match or (data is None and text is None):
                raise EmulatorError(
                    f"no callback button {data or text!r} under message {message_id}"
                )
            query_id = str(secrets.randbits(63))
            chosen = match[0]["callback_data"]
            self.state.callback_queries[query_id] = CallbackQueryRecord(
                query_id, self.id, message_id, chosen, self.state.now()
            )
            body = {
                "id": query_id,
                "from": self.record.to_user(),
                "message": dict(stored.payload),
                "chat_instance": str(self.id * 7 + 1),
                "data": chosen,
            }
            self.state.record_event("callback_query", stored, query_id=query_id, data=chosen)
            return self.state.enqueue_update("callback_query", body)

    def block_bot(self) -> None:
        """Block the bot: sends fail with 403 and a my_chat_member update is sent."""
        self.state.faults.block(self.id)
        self._member_update("member", "kicked")

    def unblock_bot(self) -> None:
        """Unblock the bot."""
        self.state.faults.unblock(self.id)
        self._member_update("kicked", "member")

    def _member_update(self, old: str, new: str) -> None:
        bot = self.state.bot_user()
        old_member: JsonDict = {"status": old, "user": bot}
        new_member: JsonDict = {"status": new, "user": bot}
        for member in (old_member, new_member):
            if member["status"] == "kicked":
                member["until_date"] = 0
        body = {
            "chat": self.record.to_chat(),
            "from": self.record.to_user(),
            "date": self.state.date(),
            "old_chat_member": old_member,
            "new_chat_member": new_member,
        }
        self.state.enqueue_update("my_chat_member", body)

    # ---- reading ------------------------------------------------------------------------
    def _stored(self, message_id: int) -> StoredMessage:
        stored = self.state.chats[self.id].messages.get(message_id)
        if stored is None:
            raise EmulatorError(f"no message {message_id} in chat {self.id}")
        return stored

    def _message_payload(self, message_id: int) -> JsonDict:
        with self.state.lock:
            return dict(self._stored(message_id).payload)

    def message(self, message_id: int) -> ChatMessage:
        """Current state of one message."""
        with self.state.lock:
            return self.state.snapshot(self._stored(message_id))

    def transcript(self, *, include_deleted: bool = True) -> list[ChatMessage]:
        """Whole chat, both sides, as it looks now."""
        return self.state.transcript(self.id, include_deleted=include_deleted)

    def bot_messages(self, *, include_deleted: bool = False) -> list[ChatMessage]:
        """The bot's messages, current text/markup, deleted ones excluded by default."""
        return [m for m in self.transcript(include_deleted=include_deleted) if m.from_bot]

    def last_bot_message(self) -> ChatMessage | None:
        """The newest non-deleted bot message."""
        messages = self.bot_messages()
        return messages[-1] if messages else None

    @property
    def reply_keyboard(self) -> JsonDict | None:
        """The custom reply keyboard the bot last set, if any."""
        with self.state.lock:
            return self.state.chats[self.id].reply_keyboard

    def callback_answer(self, query_id: str) -> JsonDict | None:
        """What answerCallbackQuery said for this press (None if unanswered)."""
        with self.state.lock:
            query = self.state.callback_queries.get(query_id)
            return None if query is None else query.answer

    # ---- waiting ------------------------------------------------------------------------
    async def next_message(self, timeout: float = 5.0) -> ChatMessage:
        """The next bot message not returned before (waits for it)."""
        return (await self.next_messages(1, timeout))[0]

    async def next_messages(self, count: int, timeout: float = 5.0) -> list[ChatMessage]:
        """The next `count` new bot messages, in order."""

        def check() -> list[ChatMessage] | None:
            chat = self.state.chats[self.id]
            fresh = [
                m
                for m in chat.messages.values()
                if m.from_bot and m.message_id > chat.seen_bot_message
            ]
            if len(fresh) < count:
                return None
            return [self.state.snapshot(m) for m in fresh[:count]]

        messages = await self.state.wait_for(check, timeout)
        with self.state.lock:
            chat = self.state.chats[self.id]
            chat.seen_bot_message = max(chat.seen_bot_message, messages[-1].message_id)
        return messages

    def skip_seen(self) -> None:
        """Mark every bot message so far as seen (next_message waits for a newer one)."""
        with self.state.lock:
            chat = self.state.chats[self.id]
            chat.seen_bot_message = chat.last_message_id

    async def wait_for_edit(
        self, message_id: int, timeout: float = 5.0, *, after: int | None = None
    ) -> ChatMessage:
        """Wait until a message is edited beyond `after` edits (default: its current count)."""
        baseline = self.message(message_id).edit_count if after is None else after

        def check() -> ChatMessage | None:
            stored = self._stored(message_id)
            return self.state.snapshot(stored) if stored.edit_count > baseline else None

        return await self.state.wait_for(check, timeout)

    async def wait_for_answer(self, update_or_id: JsonDict | str, timeout: float = 5.0) -> JsonDict:
        """Wait for answerCallbackQuery for a press (pass the update or the query id)."""
        query_id = (
            update_or_id["callback_query"]["id"] if isinstance(update_or_id, dict) else update_or_id
        )
        return await self.state.wait_for(lambda: self.callback_answer(query_id), timeout)

    def __repr__(self) -> str:
        return f"SimUser(id={self.id})"
