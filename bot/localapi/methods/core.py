"""getMe, getUpdates, webhook info, commands, menu button, callback answers, chat actions."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlsplit

from bot.localapi.errors import QUERY_TOO_OLD, bad_request
from bot.localapi.limits import check_answer_text
from bot.localapi.methods.registry import async_method, method
from bot.localapi.models import DEFAULT_ALLOWED_UPDATES, JsonDict
from bot.localapi.params import Params
from bot.localapi.state import EmulatorState
from bot.localapi.webhook import WebhookConfig

_COMMAND = re.compile(r"^[a-z0-9_]{1,32}$")
_LANGUAGE = re.compile(r"^[a-z]{2}$")
_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")
_SCOPES = frozenset(
    {
        "default",
        "all_private_chats",
        "all_group_chats",
        "all_chat_administrators",
        "chat",
        "chat_administrators",
        "chat_member",
    }
)
_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
_MENU_TYPES = frozenset({"default", "commands", "web_app"})


@method("getMe")
def get_me(state: EmulatorState, p: Params) -> JsonDict:
    """The bot's own User object."""
    return {
        **state.bot_user(),
        "can_join_groups": True,
        "can_read_all_group_messages": False,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


@async_method("getUpdates")
async def get_updates(state: EmulatorState, p: Params) -> list[JsonDict]:
    """Long polling with Telegram's offset confirmation semantics."""
    limit = p.integer("limit") or 100
    allowed = p.obj("allowed_updates")
    if allowed is not None and not isinstance(allowed, list):
        raise bad_request("can't parse allowed_updates JSON object")
    return await state.get_updates(
        p.integer("offset"),
        max(1, min(limit, 100)),
        p.number("timeout") or 0.0,
        [str(kind) for kind in allowed] if allowed is not None else None,
    )


@method("setWebhook")
def set_webhook(state: EmulatorState, p: Params) -> bool:
    """Deliver updates by POSTing them to ``url`` (empty: remove the webhook)."""
    url = p.string("url") or ""
    if not url:
        state.delete_webhook()
        return True
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise bad_request("bad webhook: an HTTPS URL must be provided for webhook")
    secret = p.string("secret_token")
    if secret is not None and not _SECRET.fullmatch(secret):
        raise bad_request("secret token contains unallowed characters")
    allowed = p.obj("allowed_updates")
    if allowed is not None and not isinstance(allowed, list):
        raise bad_request("can't parse allowed_updates JSON object")
    if p.flag("drop_pending_updates"):
        state.drop_pending_updates()
    max_connections = p.integer("max_connections") or 40
    state.set_webhook(
        WebhookConfig(url, secret, max(1, min(max_connections, 100))),
        [str(kind) for kind in allowed] if allowed is not None else None,
    )
    return True


@method("deleteWebhook")
def delete_webhook(state: EmulatorState, p: Params) -> bool:
    """Back to getUpdates; drop_pending_updates also clears the queue."""
    state.delete_webhook()
    if p.flag("drop_pending_updates"):
        state.drop_pending_updates()
    return True


@method("getWebhookInfo")
def get_webhook_info(state: EmulatorState, p: Params) -> JsonDict:
    """The registered webhook (url "" when none), pending updates and the last error."""
    info: JsonDict = {
        "url": state.webhook.url if state.webhook else "",
        "has_custom_certificate": False,
        "pending_update_count": len(state.pending_updates()),
    }
    if state.webhook is not None:
        info["max_connections"] = state.webhook.max_connections
        if state.allowed_updates != DEFAULT_ALLOWED_UPDATES:
            info["allowed_updates"] = sorted(state.allowed_updates)
    if state.webhook_last_error is not None:
        info["last_error_date"], info["last_error_message"] = state.webhook_last_error
    return info


def scope_key(state: EmulatorState, p: Params) -> tuple[str, str]:
    """(canonical scope JSON, language_code) under which commands are stored."""
    scope: Any = p.obj("scope") or {"type": "default"}
    if not isinstance(scope, dict) or scope.get("type") not in _SCOPES:
        raise bad_request("can't parse BotCommandScope JSON object")
    if "chat_id" in scope:
        state.chat_or_404(scope["chat_id"])
        scope = {**scope, "chat_id": int(scope["chat_id"])}
    elif scope["type"].startswith("chat"):
        raise bad_request("chat_id is empty")
    language = p.string("language_code") or ""
    if language and not _LANGUAGE.match(language):
        raise bad_request("invalid language code specified")
    return json.dumps(scope, sort_keys=True), language


@method("setMyCommands")
def set_my_commands(state: EmulatorState, p: Params) -> bool:
    """Store the command list for a scope and language."""
    commands = p.obj("commands")
    if not isinstance(commands, list):
        raise bad_request("can't parse commands JSON object")
    if len(commands) > 100:
        raise bad_request("too many commands specified")
    checked: list[JsonDict] = []
    for item in commands:
        if not isinstance(item, dict):
            raise bad_request("can't parse BotCommand JSON object")
        command = str(item.get("command", "")).removeprefix("/")
        description = str(item.get("description", "")).strip()
        if not _COMMAND.match(command):
            raise bad_request("BOT_COMMAND_INVALID")
        if not 1 <= len(description) <= 256:
            raise bad_request("command description must be non-empty")
        checked.append({"command": command, "description": description})
    key = scope_key(state, p)
    if checked:
        state.commands[key] = checked
    else:
        state.commands.pop(key, None)
    return True


@method("getMyCommands")
def get_my_commands(state: EmulatorState, p: Params) -> list[JsonDict]:
    """Commands stored for exactly this scope and language (no fallback, as on Telegram)."""
    return list(state.commands.get(scope_key(state, p), []))


@method("deleteMyCommands")
def delete_my_commands(state: EmulatorState, p: Params) -> bool:
    """Remove the list for this scope and language."""
    state.commands.pop(scope_key(state, p), None)
    return True


@method("setChatMenuButton")
def set_chat_menu_button(state: EmulatorState, p: Params) -> bool:
    """Set the menu button for one chat or, without chat_id, the default."""
    button = p.obj("menu_button") or {"type": "default"}
    if not isinstance(button, dict) or button.get("type") not in _MENU_TYPES:
        raise bad_request("can't parse menu button JSON object")
    if p.has("chat_id"):
        state.chat_or_404(p.values["chat_id"]).menu_button = button
    else:
        state.default_menu_button = button
    return True


@method("getChatMenuButton")
def get_chat_menu_button(state: EmulatorState, p: Params) -> JsonDict:
    """The chat's menu button, falling back to the default one."""
    if p.has("chat_id"):
        chat = state.chat_or_404(p.values["chat_id"])
        if chat.menu_button is not None:
            return chat.menu_button
    return state.default_menu_button or {"type": "commands"}


@method("answerCallbackQuery")
def answer_callback_query(state: EmulatorState, p: Params) -> bool:
    """Answer a button press once, within the timeout."""
    query = state.callback_queries.get(p.string("callback_query_id") or "")
    if query is None or query.answer is not None:
        raise bad_request(QUERY_TOO_OLD)
    if state.now() - query.created_at > state.callback_timeout:
        raise bad_request(QUERY_TOO_OLD)
    text = p.string("text")
    check_answer_text(text)
    query.answer = {
        "text": text,
        "show_alert": p.flag("show_alert"),
        "url": p.string("url"),
        "cache_time": p.integer("cache_time") or 0,
    }
    query.answered_at = state.now()
    chat = state.chats.get(query.user_id)
    stored = chat.messages.get(query.message_id) if chat else None
    state.record_event(
        "callback_answer", stored, chat_id=query.user_id, query_id=query.id, answer=query.answer
    )
    return True


@method("sendChatAction")
def send_chat_action(state: EmulatorState, p: Params) -> bool:
    """Show 'typing…' and friends; recorded as an event."""
    chat = state.chat_for_send(p.values.get("chat_id"))
    action = p.string("action")
    if action not in _ACTIONS:
        raise bad_request("wrong parameter action in request")
    state.record_event("chat_action", None, chat_id=chat.user.id, action=action)
    return True
