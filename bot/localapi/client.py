"""Synchronous client of the /_emulator control API, for the sandbox chat process."""

from __future__ import annotations

import base64
from types import TracebackType
from typing import Any

import httpx

from bot.localapi.errors import EmulatorError


class EmulatorClient:
    """Drive a running emulator from another process: users, buttons, events, faults."""

    def __init__(self, root_url: str, *, timeout: float = 60.0) -> None:
        self._http = httpx.Client(base_url=f"{root_url.rstrip('/')}/_emulator", timeout=timeout)

    def close(self) -> None:
        """Close the HTTP connection pool."""
        self._http.close()

    def __enter__(self) -> EmulatorClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _call(self, verb: str, path: str, **kwargs: Any) -> Any:
        response = self._http.request(verb, path, **kwargs)
        body = response.json()
        if not body.get("ok"):
            raise EmulatorError(f"{verb} {path}: {body.get('error')}")
        return body["result"]

    def overview(self) -> Any:
        """Bot, users, queue size, faults and flood settings."""
        return self._call("GET", "/state")

    def reset(self) -> None:
        """Wipe users, chats, files, updates and faults."""
        self._call("POST", "/reset")

    def create_user(self, first_name: str, **fields: Any) -> Any:
        """Create a user (user_id, last_name, username, language_code, started)."""
        return self._call("POST", "/users", json={"first_name": first_name, **fields})

    def send_text(self, user_id: int, text: str) -> Any:
        """The user sends text; returns the update."""
        return self._call("POST", f"/users/{user_id}/text", json={"text": text})

    def send_photo(self, user_id: int, data: bytes, caption: str | None = None) -> Any:
        """The user sends a photo."""
        body = {"content_base64": base64.b64encode(data).decode(), "caption": caption}
        return self._call("POST", f"/users/{user_id}/photo", json=body)

    def send_document(
        self, user_id: int, data: bytes, file_name: str, caption: str | None = None
    ) -> Any:
        """The user sends a document."""
        body = {
            "content_base64": base64.b64encode(data).decode(),
            "file_name": file_name,
            "caption": caption,
        }
        return self._call("POST", f"/users/{user_id}/document", json=body)

    def press_button(
        self, user_id: int, message_id: int, *, data: str | None = None, text: str | None = None
    ) -> Any:
        """The user presses an inline button; returns the callback_query update."""
        body = {"message_id": message_id, "data": data, "text": text}
        return self._call("POST", f"/users/{user_id}/press", json=body)

    def block(self, user_id: int, blocked: bool = True) -> None:
        """The user blocks (or unblocks) the bot."""
        self._call("POST", f"/users/{user_id}/{'block' if blocked else 'unblock'}")

    def transcript(self, chat_id: int, include_deleted: bool = True) -> Any:
        """All messages of a chat as they look now."""
        params = {"include_deleted": str(include_deleted).lower()}
        return self._call("GET", f"/chats/{chat_id}/transcript", params=params)

    def events(
        self, after: int = 0, timeout: float = 0.0, chat_id: int | None = None
    ) -> tuple[list[Any], int]:
        """(events after `after`, last seq), long-polling up to `timeout` seconds."""
        params: dict[str, Any] = {"after": after, "timeout": timeout}
        if chat_id is not None:
            params["chat_id"] = chat_id
        result = self._call("GET", "/events", params=params)
        return result["events"], result["last_seq"]

    def file_bytes(self, file_id: str) -> bytes:
        """Bytes of a stored file (e.g. a document the bot sent)."""
        response = self._http.get(f"/files/{file_id}")
        if response.status_code != 200:
            raise EmulatorError(f"no file {file_id}")
        return response.content

    def redeliver(self, update_id: int) -> Any:
        """Queue an update again with its original update_id."""
        return self._call("POST", f"/updates/{update_id}/redeliver")

    def faults(self, action: str, **fields: Any) -> Any:
        """block/unblock/fail/latency/reset, e.g. faults("fail", method="sendMessage", times=2)."""
        return self._call("POST", "/faults", json={"action": action, **fields})

    def flood(self, **config: Any) -> Any:
        """Change flood control, e.g. flood(enabled=False)."""
        return self._call("POST", "/flood", json=config)

    def advance_clock(self, seconds: float) -> Any:
        """Move a FakeClock-driven emulator forward."""
        return self._call("POST", "/clock", json={"advance": seconds})
