"""sendMessage, editMessageText/ReplyMarkup/Caption and deleteMessage."""

from __future__ import annotations

from bot.localapi.errors import NOT_MODIFIED, bad_request
from bot.localapi.methods.common import (
    caption,
    inline_markup,
    message_text,
    reply_target,
    with_text,
)
from bot.localapi.methods.registry import method
from bot.localapi.models import ChatState, JsonDict, StoredMessage
from bot.localapi.params import Params
from bot.localapi.state import EmulatorState


@method("sendMessage")
def send_message(state: EmulatorState, p: Params) -> JsonDict:
    """Send a text message to a private chat."""
    chat = state.chat_for_send(p.values.get("chat_id"))
    text, entities = message_text(p)
    markup = inline_markup(p, chat)
    reply = reply_target(p, chat)
    paid = p.flag("allow_paid_broadcast")
    state.flood.check("sendMessage", chat.user.id, state.monotonic(), paid=paid)
    content = with_text({}, "text", text, entities)
    if reply is not None:
        content["reply_to_message"] = reply
    if markup is not None:
        content["reply_markup"] = markup
    return state.store_message(chat, from_bot=True, content=content).payload


def _editable(state: EmulatorState, p: Params) -> tuple[ChatState, StoredMessage]:
    if p.has("inline_message_id"):
        raise bad_request("message to edit not found")  # no inline mode in the emulator
    chat = state.chat_for_send(p.values.get("chat_id"))
    message_id = p.integer("message_id")
    if message_id is None:
        raise bad_request("message identifier is not specified")
    stored = chat.messages.get(message_id)
    if stored is None or stored.deleted:
        raise bad_request("message to edit not found")
    if not stored.from_bot:
        raise bad_request("message can't be edited")
    return chat, stored


def _apply_edit(state: EmulatorState, stored: StoredMessage, updated: JsonDict) -> JsonDict:
    comparable = {k: v for k, v in stored.payload.items() if k != "edit_date"}
    if {k: v for k, v in updated.items() if k != "edit_date"} == comparable:
        raise bad_request(NOT_MODIFIED)
    updated["edit_date"] = state.date()
    stored.payload = updated
    stored.edit_count += 1
    state.record_event("edited", stored)
    return stored.payload


def _set_markup(content: JsonDict, markup: JsonDict | None) -> JsonDict:
    # Editing without reply_markup removes the inline keyboard, as on Telegram.
    content.pop("reply_markup", None)
    if markup is not None:
        content["reply_markup"] = markup
    return content


@method("editMessageText")
def edit_message_text(state: EmulatorState, p: Params) -> JsonDict:
    """Replace the text (and keyboard) of a bot message."""
    chat, stored = _editable(state, p)
    if "text" not in stored.payload:
        raise bad_request("there is no text in the message to edit")
    text, entities = message_text(p)
    updated = with_text(dict(stored.payload), "text", text, entities)
    return _apply_edit(state, stored, _set_markup(updated, inline_markup(p, chat)))


@method("editMessageReplyMarkup")
def edit_message_reply_markup(state: EmulatorState, p: Params) -> JsonDict:
    """Replace or remove the inline keyboard of a bot message."""
    chat, stored = _editable(state, p)
    updated = _set_markup(dict(stored.payload), inline_markup(p, chat))
    return _apply_edit(state, stored, updated)


@method("editMessageCaption")
def edit_message_caption(state: EmulatorState, p: Params) -> JsonDict:
    """Replace the caption of a bot media message."""
    chat, stored = _editable(state, p)
    if "text" in stored.payload:
        raise bad_request("there is no caption in the message to edit")
    text, entities = caption(p)
    updated = with_text(dict(stored.payload), "caption", text, entities)
    return _apply_edit(state, stored, _set_markup(updated, inline_markup(p, chat)))


@method("deleteMessage")
def delete_message(state: EmulatorState, p: Params) -> bool:
    """Delete a message (the bot's or, in a private chat, the user's)."""
    chat = state.chat_or_404(p.values.get("chat_id"))
    message_id = p.integer("message_id")
    if message_id is None:
        raise bad_request("message identifier is not specified")
    stored = chat.messages.get(message_id)
    if stored is None or stored.deleted:
        raise bad_request("message to delete not found")
    stored.deleted = True
    state.record_event("deleted", stored)
    return True
