"""Helpers for bot scenarios: what a misbehaving client could send."""

from __future__ import annotations

import secrets
from typing import Any

from bot.localapi import EmulatorState, SimUser
from bot.localapi.models import CallbackQueryRecord


def forge_press(
    state: EmulatorState, user: SimUser, message: dict[str, Any], data: str
) -> dict[str, Any]:
    """A callback_query from ``user`` with arbitrary data, as a modified client could send."""
    query_id = str(secrets.randbits(63))
    with state.lock:
        state.callback_queries[query_id] = CallbackQueryRecord(
            query_id, user.id, message["message_id"], data, state.now()
        )
    body = {
        "id": query_id,
        "from": user.record.to_user(),
        "message": message,
        "chat_instance": "1",
        "data": data,
    }
    return state.enqueue_update("callback_query", body)
