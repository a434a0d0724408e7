"""The emulator's world: the bot, users and chats, files, the update queue and an event log."""

# All mutation happens under `state.lock` (a re-entrant thread lock), so the HTTP server may
# run in a background thread while tests drive simulated users from their own event loop.

from __future__ import annotations

import collections
import logging
import secrets
import threading
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeVar

from bot.localapi.errors import ApiError, EmulatorError, chat_not_found, forbidden
from bot.localapi.faults import Faults
from bot.localapi.limits import FloodConfig, FloodControl
from bot.localapi.models import (
    DEFAULT_ALLOWED_UPDATES,
    CallbackQueryRecord,
    ChatMessage,
    ChatState,
    Event,
    JsonDict,
    QueuedUpdate,
    StoredFile,
    StoredMessage,
    UserRecord,
)
from bot.localapi.notify import Notifier
from bot.localapi.webhook import WebhookConfig, WebhookDeliverer

if TYPE_CHECKING:
    from bot.localapi.users import SimUser

logger = logging.getLogger(__name__)
T = TypeVar("T")

DEFAULT_TOKEN = "123456789:LOCAL-emulator-token_AAAAAAAAAAAAAAAAAA"  # noqa: S105 (fake)
CONFLICT = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)
WEBHOOK_ACTIVE = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)
_SUPERSEDED: list[JsonDict] = []  # identity sentinel returned to a long poll that lost the race


class EmulatorState:
    """Everything one emulated Telegram holds for one bot."""

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        bot_username: str = "repaybot_local_bot",
        bot_first_name: str = "RepayBot",
        now: Callable[[], float] | None = None,
        monotonic: Callable[[], float] | None = None,
        flood: FloodConfig | None = None,
        callback_timeout: float = 15.0,
        first_update_id: int = 1,
    ) -> None:
        self.token = token
        self.bot_id = int(token.split(":", 1)[0])
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name
        self.now = now or time.time
        self.monotonic = monotonic or time.monotonic
        self.callback_timeout = callback_timeout
        self.lock = threading.RLock()
        self.notifier = Notifier()
        self.faults = Faults()
        self.flood = FloodControl(flood)
        self.api_calls: collections.deque[JsonDict] = collections.deque(maxlen=2000)
        self._first_update_id = first_update_id
        # Survives reset() so a sandbox client polling /_emulator/events never goes backwards.
        self.last_event_seq = 0
        # The webhook is configuration: it survives reset(), as on Telegram.
        self.webhook: WebhookConfig | None = None
        self.webhook_last_error: tuple[int, str] | None = None
        self._deliverer: WebhookDeliverer | None = None
        self.reset()

    def reset(self) -> None:
        """Forget users, chats, files, updates and faults (bot identity and config stay)."""
        with self.lock:
            self.chats: dict[int, ChatState] = {}
            self.files: dict[str, StoredFile] = {}
            self.files_by_path: dict[str, StoredFile] = {}
            self.callback_queries: dict[str, CallbackQueryRecord] = {}
            self.commands: dict[tuple[str, str], list[JsonDict]] = {}
            self.default_menu_button: JsonDict | None = None
            self.allowed_updates: frozenset[str] = DEFAULT_ALLOWED_UPDATES
            self.events: list[Event] = []
            self._queue: list[QueuedUpdate] = []
            self._update_log: dict[int, JsonDict] = {}
            self._next_update_id = self._first_update_id
            self._poll_generation = 0
            self._release_seq = 0
            self.faults.reset()
            self.api_calls.clear()
        self.notifier.notify_all()

    # ---- identity -----------------------------------------------------------------------
    def bot_user(self) -> JsonDict:
        """The bot as a Bot API User (used as `from` of its messages)."""
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }

    def date(self) -> int:
        """Current `date` value from the injectable clock."""
        return int(self.now())

    # ---- users & chats ------------------------------------------------------------------
    def create_user(
        self,
        first_name: str = "Test",
        *,
        user_id: int | None = None,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "en",
        started: bool = True,
    ) -> SimUser:
        """Create a user with a private chat; `started=False` means they never pressed Start."""
        from bot.localapi.users import SimUser

        with self.lock:
            uid = user_id if user_id is not None else 100_000_000 + len(self.chats) + 1
            if uid in self.chats:
                raise EmulatorError(f"user {uid} already exists")
            record = UserRecord(uid, first_name, last_name, username, language_code, started)
            self.chats[uid] = ChatState(record)
        logger.debug("created user %s (%s)", uid, first_name)
        return SimUser(self, uid)

    def user(self, user_id: int) -> SimUser:
        """Handle of an existing user."""
        from bot.localapi.users import SimUser

        with self.lock:
            if user_id not in self.chats:
                raise EmulatorError(f"no user {user_id}")
        return SimUser(self, user_id)

    def users(self) -> list[UserRecord]:
        """All users."""
        with self.lock:
            return [chat.user for chat in self.chats.values()]

    def chat_for_send(self, chat_id: Any) -> ChatState:
        """Resolve chat_id for a bot call: 400 chat not found, 403 blocked / never started."""
        chat = self.chat_or_404(chat_id)
        self.faults.check_blocked(chat.user.id)
        if not chat.user.started:
            raise forbidden("bot can't initiate conversation with a user")
        return chat

    def chat_or_404(self, chat_id: Any) -> ChatState:
        """Resolve chat_id without the blocked check."""
        if chat_id is None:
            raise ApiError(400, "Bad Request: chat_id is empty")
        try:
            key = int(chat_id)
        except (TypeError, ValueError):
            raise chat_not_found() from None  # @usernames never name a private chat
        chat = self.chats.get(key)
        if chat is None:
            raise chat_not_found()
        return chat

    # ---- messages -----------------------------------------------------------------------
    def store_message(
        self, chat: ChatState, *, from_bot: bool, content: JsonDict, file_id: str | None = None
    ) -> StoredMessage:
        """Append a message to a chat, assigning message_id and date."""
        with self.lock:
            chat.last_message_id += 1
            payload: JsonDict = {
                "message_id": chat.last_message_id,
                "from": self.bot_user() if from_bot else chat.user.to_user(),
                "chat": chat.user.to_chat(),
                "date": self.date(),
                **content,
            }
            stored = StoredMessage(chat.user.id, chat.last_message_id, from_bot, payload, file_id)
            chat.messages[stored.message_id] = stored
            self.record_event("bot_message" if from_bot else "user_message", stored)
            return stored

    def snapshot(self, stored: StoredMessage) -> ChatMessage:
        """Immutable copy of a message with its file bytes."""
        with self.lock:
            data = self.files[stored.file_id].data if stored.file_id in self.files else None
            return ChatMessage.of(stored, data)

    def transcript(self, chat_id: int, *, include_deleted: bool = True) -> list[ChatMessage]:
        """Every message of the chat in order, as it looks now."""
        with self.lock:
            chat = self.chat_or_404(chat_id)
            return [
                self.snapshot(m) for m in chat.messages.values() if include_deleted or not m.deleted
            ]

    # ---- files --------------------------------------------------------------------------
    def store_file(
        self, data: bytes, *, kind: str, file_name: str | None, mime_type: str | None
    ) -> StoredFile:
        """Keep uploaded bytes under a fresh file_id and file_path."""
        with self.lock:
            number = len(self.files)
            prefix = {"photo": "AgACAgIAAxkBAAI", "document": "BQACAgIAAxkBAAI"}.get(
                kind, "CAACAgIAAx"
            )
            file_id = prefix + secrets.token_urlsafe(24)
            extension = ""
            if file_name and "." in file_name:
                extension = "." + file_name.rsplit(".", 1)[1][:8]
            folder = "photos" if kind == "photo" else "documents"
            path = f"{folder}/file_{number}{'.jpg' if kind == 'photo' else extension}"
            unique = "AgAD" + secrets.token_urlsafe(9)
            stored = StoredFile(file_id, unique, path, data, file_name, mime_type)
            self.files[file_id] = stored
            self.files_by_path[path] = stored
            return stored

    def file_bytes(self, file_id: str) -> bytes:
        """Bytes behind a file_id (raises EmulatorError if unknown)."""
        with self.lock:
            stored = self.files.get(file_id)
        if stored is None:
            raise EmulatorError(f"no file {file_id}")
        return stored.data

    # ---- updates ------------------------------------------------------------------------
    def enqueue_update(self, kind: str, body: JsonDict) -> JsonDict:
        """Create an update; dropped (but still returned) if allowed_updates excludes it."""
        with self.lock:
            update_id = self._next_update_id
            self._next_update_id += 1
            update: JsonDict = {"update_id": update_id, kind: body}
            self._update_log[update_id] = update
            if kind in self.allowed_updates:
                self._queue.append(QueuedUpdate(update_id, update))
            else:
                logger.debug("update %s of type %s filtered out", update_id, kind)
        self._updates_changed()
        return update

    def redeliver(self, update_id: int) -> JsonDict:
        """Deliver an already generated update again, with the same update_id."""
        with self.lock:
            update = self._update_log.get(update_id)
            if update is None:
                raise EmulatorError(f"no update {update_id}")
            self._queue = [u for u in self._queue if u.update_id != update_id]
            # Forced: it survives the bot's next offset until delivered, like a lost confirmation.
            self._queue.insert(0, QueuedUpdate(update_id, update, forced=True))
        self._updates_changed()
        return update

    def pending_updates(self) -> list[JsonDict]:
        """Unconfirmed updates (for inspection)."""
        with self.lock:
            return [u.payload for u in self._queue]

    def drop_pending_updates(self) -> None:
        """deleteWebhook(drop_pending_updates=True)."""
        with self.lock:
            self._queue.clear()

    def _confirm(self, offset: int | None) -> None:
        if offset is None or offset == 0:
            return
        if offset > 0:
            self._queue = [u for u in self._queue if u.update_id >= offset or u.forced]
        else:
            self._queue = self._queue[offset:]  # negative: keep only the last -offset ones

    def _take(self, limit: int) -> list[JsonDict]:
        batch = self._queue[:limit]
        for item in batch:
            item.forced = False
            self._delivered(item.payload)
        return [item.payload for item in batch]

    def _delivered(self, payload: JsonDict) -> None:
        """Note when a press first reached the bot (the storm bench splits its wait with it)."""
        query = payload.get("callback_query")
        if isinstance(query, dict):
            record = self.callback_queries.get(str(query.get("id")))
            if record is not None and record.delivered_at is None:
                record.delivered_at = self.now()

    async def get_updates(
        self, offset: int | None, limit: int, timeout: float, allowed: Iterable[str] | None
    ) -> list[JsonDict]:
        """getUpdates: confirm by offset, then long-poll up to `timeout` seconds."""
        with self.lock:
            if self.webhook is not None:
                raise ApiError(409, WEBHOOK_ACTIVE)
            if allowed is not None:
                self.allowed_updates = frozenset(allowed) or DEFAULT_ALLOWED_UPDATES
            self._confirm(offset)
            self._poll_generation += 1
            generation, release = self._poll_generation, self._release_seq
        self.notifier.notify_all()  # a concurrent older poll must lose with 409

        def check() -> list[JsonDict] | None:
            with self.lock:
                if self._poll_generation != generation:
                    return _SUPERSEDED
                if self._release_seq != release:
                    return []
                return self._take(limit) or None

        result = check() if timeout <= 0 else await self.notifier.wait_for(check, timeout)
        if result is _SUPERSEDED:
            raise ApiError(409, CONFLICT)
        return result or []

    def _updates_changed(self) -> None:
        self.notifier.notify_all()
        deliverer = self._deliverer
        if deliverer is not None:
            deliverer.wake()

    # ---- webhook ------------------------------------------------------------------------
    def set_webhook(self, config: WebhookConfig, allowed: Iterable[str] | None) -> None:
        """setWebhook: deliver from now on by POSTing to ``config.url``."""
        with self.lock:
            if allowed is not None:
                self.allowed_updates = frozenset(allowed) or DEFAULT_ALLOWED_UPDATES
            self.webhook = config
            self.webhook_last_error = None
            if self._deliverer is None:
                self._deliverer = WebhookDeliverer(self)
                self._deliverer.start()
        self.notifier.notify_all()  # a waiting long poll now answers 409
        self._updates_changed()

    def delete_webhook(self) -> None:
        """deleteWebhook: back to getUpdates (a POST in flight may still finish)."""
        with self.lock:
            self.webhook = None
            deliverer, self._deliverer = self._deliverer, None
        if deliverer is not None:
            deliverer.stop(join=False)  # the caller may hold the lock the thread waits for

    def stop_webhook_delivery(self) -> None:
        """Stop delivering (server shutdown); the webhook stays registered, as on Telegram."""
        with self.lock:
            deliverer, self._deliverer = self._deliverer, None
        if deliverer is not None:
            deliverer.stop(join=True)

    def next_webhook_delivery(self) -> tuple[WebhookConfig, JsonDict] | None:
        """The webhook and the oldest unconfirmed update, if both exist."""
        with self.lock:
            if self.webhook is None or not self._queue:
                return None
            self._queue[0].forced = False
            return self.webhook, self._queue[0].payload

    def webhook_delivered(self, update_id: int) -> None:
        """The bot answered 2xx: the update is confirmed."""
        with self.lock:
            for item in self._queue:
                if item.update_id == update_id:
                    self._delivered(item.payload)
            self._queue = [u for u in self._queue if u.update_id != update_id]
        self.notifier.notify_all()

    def webhook_failed(self, error: str) -> None:
        """The bot did not take an update: remember why (getWebhookInfo shows it)."""
        with self.lock:
            self.webhook_last_error = (self.date(), error)
        logger.debug("webhook delivery failed: %s", error)
        self.notifier.notify_all()

    def release_long_polls(self) -> None:
        """Answer all waiting getUpdates calls now (used on server shutdown)."""
        with self.lock:
            self._release_seq += 1
        self.notifier.notify_all()

    # ---- events & waiting ---------------------------------------------------------------
    def record_event(
        self, kind: str, stored: StoredMessage | None, *, chat_id: int = 0, **data: Any
    ) -> Event:
        """Append to the phone-side event log and wake waiters."""
        with self.lock:
            if stored is not None:
                chat_id = stored.chat_id
                data["message"] = self.snapshot(stored).to_json()
            event = Event(
                self.last_event_seq + 1,
                kind,
                chat_id,
                stored.message_id if stored else None,
                data,
            )
            self.events.append(event)
            self.last_event_seq = event.seq
        logger.debug("event %s %s chat=%s", event.seq, kind, chat_id)
        self.notifier.notify_all()
        return event

    def events_after(self, seq: int, chat_id: int | None = None) -> list[Event]:
        """Events with a larger seq, optionally for one chat."""
        with self.lock:
            if not self.events:
                return []
            start = max(0, seq - self.events[0].seq + 1)  # seqs are contiguous since reset()
            return [e for e in self.events[start:] if chat_id is None or e.chat_id == chat_id]

    async def wait_for(self, check: Callable[[], T | None], timeout: float = 5.0) -> T:
        """Await until `check()` (run under the lock) returns non-None; TimeoutError otherwise."""

        def locked() -> T | None:
            with self.lock:
                return check()

        result = await self.notifier.wait_for(locked, timeout)
        if result is None:
            raise TimeoutError(f"condition not met within {timeout} s")
        return result

    async def wait_events(
        self, after: int, timeout: float, chat_id: int | None = None
    ) -> list[Event]:
        """Events after `after`, waiting up to `timeout` for at least one."""
        found = await self.notifier.wait_for(
            lambda: self.events_after(after, chat_id) or None, timeout
        )
        return found or []
