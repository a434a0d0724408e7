"""python-telegram-bot persistence in our own database, so a conversation survives a restart.

Stored as JSON (never pickle) in the ``bot_state`` table. Only conversations and user_data are
kept: bot_data holds the live dependencies, and chat_data and callback_data are not used.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

from telegram.ext import BasePersistence, PersistenceInput

from bot.clock import Clock
from tracker.storage.enums import StateNamespace
from tracker.storage.uow import SqlUnitOfWork

UserData = dict[Any, Any]
# The shapes PTB uses (its own aliases live in a private module).
ConversationKey = tuple[int | str, ...]
ConversationDict = dict[ConversationKey, object]
CDCData = tuple[list[tuple[str, float, dict[str, Any]]], dict[str, str]]


class DbPersistence(BasePersistence[UserData, dict[Any, Any], dict[Any, Any]]):
    """Conversation states and user_data as JSON rows, written within a second of a change."""

    def __init__(self, make_uow: Callable[[], SqlUnitOfWork], clock: Clock) -> None:
        super().__init__(
            store_data=PersistenceInput(
                bot_data=False, chat_data=False, user_data=True, callback_data=False
            ),
            # PTB writes changes on this interval and at shutdown; one second keeps what a crash
            # can lose to one step of a flow, and only changed entries are written.
            update_interval=1,
        )
        self._make_uow = make_uow
        self._clock = clock
        #: What the table holds, as far as this process wrote or read it: PTB hands over every
        #: active user's (mostly empty) user_data each interval, and a write that changes nothing
        #: would only compete with the updates for the database's write lock.
        self._stored: dict[tuple[StateNamespace, str], str] = {}
        #: Other replicas write the same rows (bot.replicas sets it): read a user's back first.
        self.shared = False

    # The database work runs in a worker thread: a handler may hold SQLite's write lock while
    # it awaits Telegram, and a write waiting for that lock on the event loop would deadlock.
    async def _put(self, namespace: StateNamespace, key: str, data: Any) -> None:
        text = json.dumps(data, ensure_ascii=False)
        if self._stored.get((namespace, key)) == text:
            return
        await asyncio.to_thread(self._put_sync, namespace, key, text)
        self._stored[namespace, key] = text

    async def _delete(self, namespace: StateNamespace, key: str) -> None:
        if (namespace, key) not in self._stored:
            return  # never stored (or deleted already)
        await asyncio.to_thread(self._delete_sync, namespace, key)
        self._stored.pop((namespace, key), None)

    async def _all(self, namespace: StateNamespace) -> dict[str, str]:
        found = await asyncio.to_thread(self._all_sync, namespace)
        self._stored.update(((namespace, key), text) for key, text in found.items())
        return found

    def _put_sync(self, namespace: StateNamespace, key: str, text: str) -> None:
        with self._make_uow() as uow:
            uow.bot_state.put(namespace, key, text, self._clock.now())
            uow.commit()

    def _delete_sync(self, namespace: StateNamespace, key: str) -> None:
        with self._make_uow() as uow:
            uow.bot_state.delete(namespace, key)
            uow.commit()

    def _all_sync(self, namespace: StateNamespace) -> dict[str, str]:
        with self._make_uow() as uow:
            return uow.bot_state.all_in(namespace)

    async def get_user_data(self) -> dict[int, UserData]:
        """Every user's user_data."""
        return {
            int(k): json.loads(v) for k, v in (await self._all(StateNamespace.USER_DATA)).items()
        }

    async def update_user_data(self, user_id: int, data: UserData) -> None:
        """Store one user's user_data (deleted when empty)."""
        if data:
            await self._put(StateNamespace.USER_DATA, str(user_id), data)
        else:
            await self._delete(StateNamespace.USER_DATA, str(user_id))

    async def drop_user_data(self, user_id: int) -> None:
        """Forget a user's user_data."""
        await self._delete(StateNamespace.USER_DATA, str(user_id))

    async def refresh_user_data(self, user_id: int, user_data: UserData) -> None:
        """With replicas, the user's user_data as stored (another replica may have changed it)."""
        if not self.shared:
            return  # this process is the only writer of user_data
        key = str(user_id)
        found = await asyncio.to_thread(self._get_sync, [(StateNamespace.USER_DATA, key)])
        text = found.get((StateNamespace.USER_DATA, key))
        user_data.clear()
        if text is None:
            self._stored.pop((StateNamespace.USER_DATA, key), None)
        else:
            user_data.update(json.loads(text))
            self._stored[StateNamespace.USER_DATA, key] = text

    async def stored_conversations(
        self, wanted: list[tuple[str, ConversationKey]]
    ) -> dict[tuple[str, ConversationKey], object]:
        """The stored states of these (conversation name, key) pairs that have one."""
        rows = {(name, key): f"{name}|{json.dumps(list(key))}" for name, key in wanted}
        found = await asyncio.to_thread(
            self._get_sync, [(StateNamespace.CONVERSATIONS, row) for row in rows.values()]
        )
        out: dict[tuple[str, ConversationKey], object] = {}
        for pair, row in rows.items():
            text = found.get((StateNamespace.CONVERSATIONS, row))
            if text is None:
                self._stored.pop((StateNamespace.CONVERSATIONS, row), None)
            else:
                self._stored[StateNamespace.CONVERSATIONS, row] = text
                out[pair] = json.loads(text)
        return out

    def _get_sync(
        self, keys: list[tuple[StateNamespace, str]]
    ) -> dict[tuple[StateNamespace, str], str]:
        with self._make_uow() as uow:
            found = {(ns, key): uow.bot_state.get(ns, key) for ns, key in keys}
        return {k: v for k, v in found.items() if v is not None}

    async def get_conversations(self, name: str) -> ConversationDict:
        """The states of one conversation handler, keyed by (chat, user)."""
        prefix = f"{name}|"
        out: ConversationDict = {}
        for key, value in (await self._all(StateNamespace.CONVERSATIONS)).items():
            if key.startswith(prefix):
                out[tuple(json.loads(key[len(prefix) :]))] = json.loads(value)
        return out

    async def update_conversation(
        self, name: str, key: ConversationKey, new_state: object | None
    ) -> None:
        """Store (or, when the conversation ended, delete) one conversation's state."""
        row_key = f"{name}|{json.dumps(list(key))}"
        if new_state is None:
            await self._delete(StateNamespace.CONVERSATIONS, row_key)
        else:
            await self._put(StateNamespace.CONVERSATIONS, row_key, new_state)

    # Not stored (see PersistenceInput above); PTB still requires the methods.
    async def get_chat_data(self) -> dict[int, dict[Any, Any]]:
        """Chat data is not persisted."""
        return {}

    async def update_chat_data(self, chat_id: int, data: dict[Any, Any]) -> None:
        """Chat data is not persisted."""

    async def drop_chat_data(self, chat_id: int) -> None:
        """Chat data is not persisted."""

    async def refresh_chat_data(self, chat_id: int, chat_data: dict[Any, Any]) -> None:
        """Chat data is not persisted."""

    async def get_bot_data(self) -> dict[Any, Any]:
        """Bot data is not persisted: it holds live dependencies."""
        return {}

    async def update_bot_data(self, data: dict[Any, Any]) -> None:
        """Bot data is not persisted."""

    async def refresh_bot_data(self, bot_data: dict[Any, Any]) -> None:
        """Bot data is not persisted."""

    async def get_callback_data(self) -> CDCData | None:
        """Arbitrary callback data is not used."""
        return None

    async def update_callback_data(self, data: CDCData) -> None:
        """Arbitrary callback data is not used."""

    async def flush(self) -> None:
        """Everything is written through already."""
