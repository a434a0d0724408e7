"""Helpers shared by the message-producing methods."""

from __future__ import annotations

from typing import Any

from bot.localapi.entities import EntityParseError
from bot.localapi.errors import bad_request
from bot.localapi.formatting import UnsupportedParseModeError, entities_json, format_text
from bot.localapi.limits import check_caption, check_text, parse_reply_markup
from bot.localapi.models import ChatState, JsonDict
from bot.localapi.params import Params


def formatted(p: Params, field: str, entities_field: str) -> tuple[str, list[JsonDict]]:
    """Parse text/caption with parse_mode or explicit entities into (text, entity JSON)."""
    raw = p.string(field) or ""
    explicit = p.obj(entities_field)
    if explicit is not None and not isinstance(explicit, list):
        raise bad_request(f"can't parse {entities_field} JSON object")
    try:
        text, entities = format_text(raw, p.string("parse_mode"), explicit)
    except UnsupportedParseModeError:
        raise bad_request("unsupported parse_mode") from None
    except EntityParseError as exc:
        raise bad_request(f"can't parse entities: {exc}") from None
    return text, entities_json(entities)


def message_text(p: Params) -> tuple[str, list[JsonDict]]:
    """Validated message text (400 when empty or longer than 4096 characters)."""
    if not p.string("text"):
        raise bad_request("message text is empty")
    text, entities = formatted(p, "text", "entities")
    check_text(text)
    return text, entities


def caption(p: Params) -> tuple[str, list[JsonDict]]:
    """Validated caption ('' when absent)."""
    text, entities = formatted(p, "caption", "caption_entities")
    check_caption(text)
    return text, entities


def inline_markup(p: Params, chat: ChatState) -> JsonDict | None:
    """reply_markup: returns the inline keyboard; reply keyboards are stored on the chat."""
    markup = parse_reply_markup(p.obj("reply_markup") if p.has("reply_markup") else None)
    if markup is None or "inline_keyboard" in markup:
        return markup
    chat.reply_keyboard = None if markup.get("remove_keyboard") else markup
    return None


def reply_target(p: Params, chat: ChatState) -> JsonDict | None:
    """The message being replied to (reply_parameters or legacy reply_to_message_id)."""
    params = p.obj("reply_parameters")
    message_id: Any = p.integer("reply_to_message_id")
    allow_missing = p.flag("allow_sending_without_reply")
    if isinstance(params, dict):
        message_id = params.get("message_id")
        allow_missing = bool(params.get("allow_sending_without_reply", allow_missing))
    if message_id is None:
        return None
    stored = chat.messages.get(int(message_id))
    if stored is None or stored.deleted:
        if allow_missing:
            return None
        raise bad_request("message to be replied not found")
    return dict(stored.payload)


def with_text(content: JsonDict, key: str, text: str, entities: list[JsonDict]) -> JsonDict:
    """Set text/caption and its entities on a message body, omitting empty ones."""
    entity_key = "entities" if key == "text" else "caption_entities"
    content.pop(entity_key, None)
    if text:
        content[key] = text
    else:
        content.pop(key, None)
    if entities:
        content[entity_key] = entities
    return content
