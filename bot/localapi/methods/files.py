"""sendDocument, sendPhoto and getFile."""

from __future__ import annotations

import mimetypes

from bot.localapi.errors import ApiError, bad_request
from bot.localapi.imaging import image_size
from bot.localapi.methods.common import caption, inline_markup, reply_target, with_text
from bot.localapi.methods.registry import method
from bot.localapi.models import ChatState, JsonDict, StoredFile
from bot.localapi.multipart import UploadedFile
from bot.localapi.params import Params
from bot.localapi.state import EmulatorState

MAX_UPLOAD = 50 * 1024 * 1024
MAX_PHOTO = 10 * 1024 * 1024
MAX_DOWNLOAD = 20 * 1024 * 1024


def _upload(state: EmulatorState, p: Params, field: str) -> tuple[StoredFile, bool]:
    """The file to send: a new upload, or an existing file_id. Returns (file, is_new)."""
    value = p.upload(field)
    if value is None:
        raise bad_request(f"there is no {field} in the request")
    if isinstance(value, UploadedFile):
        if not value.data:
            raise bad_request("file must be non-empty")
        if len(value.data) > MAX_UPLOAD:
            raise ApiError(413, "Request Entity Too Large")
        mime = value.content_type
        if mime in ("", "application/octet-stream"):
            mime = mimetypes.guess_type(value.filename)[0] or "application/octet-stream"
        stored = state.store_file(value.data, kind=field, file_name=value.filename, mime_type=mime)
        return stored, True
    existing = state.files.get(value)
    if existing is None:
        if value.startswith(("http://", "https://")):
            raise bad_request("failed to get HTTP URL content")
        raise bad_request("wrong file identifier/HTTP URL specified")
    return existing, False


def _send_media(
    state: EmulatorState, p: Params, chat: ChatState, content: JsonDict, file_id: str
) -> JsonDict:
    text, entities = caption(p)
    markup = inline_markup(p, chat)
    reply = reply_target(p, chat)
    with_text(content, "caption", text, entities)
    if reply is not None:
        content["reply_to_message"] = reply
    if markup is not None:
        content["reply_markup"] = markup
    return state.store_message(chat, from_bot=True, content=content, file_id=file_id).payload


@method("sendDocument")
def send_document(state: EmulatorState, p: Params) -> JsonDict:
    """Send a file as a document."""
    chat = state.chat_for_send(p.values.get("chat_id"))
    caption(p)  # validate before storing anything
    stored, _ = _upload(state, p, "document")
    state.flood.check(
        "sendDocument", chat.user.id, state.monotonic(), paid=p.flag("allow_paid_broadcast")
    )
    document: JsonDict = {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": len(stored.data),
    }
    if stored.file_name:
        document["file_name"] = stored.file_name
    if stored.mime_type:
        document["mime_type"] = stored.mime_type
    return _send_media(state, p, chat, {"document": document}, stored.file_id)


@method("sendPhoto")
def send_photo(state: EmulatorState, p: Params) -> JsonDict:
    """Send a PNG/GIF/JPEG photo; other bytes fail like Telegram's image processing."""
    chat = state.chat_for_send(p.values.get("chat_id"))
    caption(p)
    value = p.upload("photo")
    if isinstance(value, UploadedFile):
        if len(value.data) > MAX_PHOTO:
            raise bad_request("PHOTO_INVALID_DIMENSIONS")
        if image_size(value.data) is None:
            raise bad_request("IMAGE_PROCESS_FAILED")
    stored, _ = _upload(state, p, "photo")
    state.flood.check(
        "sendPhoto", chat.user.id, state.monotonic(), paid=p.flag("allow_paid_broadcast")
    )
    width, height = image_size(stored.data) or (0, 0)
    size = {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": len(stored.data),
        "width": width,
        "height": height,
    }
    return _send_media(state, p, chat, {"photo": [size]}, stored.file_id)


@method("getFile")
def get_file(state: EmulatorState, p: Params) -> JsonDict:
    """File metadata with the file_path to download from /file/bot<token>/<file_path>."""
    file_id = p.string("file_id")
    if not file_id:
        raise bad_request("file_id is empty")  # PTB never sends this; raw clients might
    stored = state.files.get(file_id)
    if stored is None:
        raise bad_request("invalid file_id")
    if len(stored.data) > MAX_DOWNLOAD:
        raise bad_request("file is too big")
    return {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": len(stored.data),
        "file_path": stored.file_path,
    }
