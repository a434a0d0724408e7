"""Request parameters from query string, JSON, urlencoded or multipart bodies."""

# PTB sends every value as a form field and JSON-encodes non-strings (reply_markup, entities,
# scope...), while raw JSON clients send native types; both arrive here as one mapping.

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request

from bot.localapi.errors import bad_request
from bot.localapi.multipart import UploadedFile, boundary_of, parse_multipart


class Params:
    """Typed, Telegram-tolerant access to one call's parameters."""

    def __init__(
        self, values: dict[str, Any] | None = None, files: dict[str, UploadedFile] | None = None
    ) -> None:
        # Telegram treats an empty value like a missing one.
        self.values = {k: v for k, v in (values or {}).items() if v is not None and v != ""}
        self.files = files or {}

    def has(self, name: str) -> bool:
        """Whether the parameter was given (non-empty)."""
        return name in self.values or name in self.files

    def string(self, name: str) -> str | None:
        """A string parameter; numbers from JSON bodies are stringified."""
        value = self.values.get(name)
        if value is None:
            return None
        if isinstance(value, str):
            return value
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int | float):
            return str(value)
        return json.dumps(value)

    def integer(self, name: str) -> int | None:
        """An integer parameter, or None if absent; 400 if malformed."""
        value = self.values.get(name)
        if value is None:
            return None
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, int):
            return value
        try:
            return int(str(value).strip())
        except ValueError:
            raise bad_request(f"invalid {name} specified") from None

    def number(self, name: str) -> float | None:
        """A numeric parameter, or None if absent."""
        value = self.values.get(name)
        if value is None:
            return None
        try:
            return float(value)
        except (TypeError, ValueError):
            raise bad_request(f"invalid {name} specified") from None

    def flag(self, name: str) -> bool:
        """A boolean flag; absent means False."""
        value = self.values.get(name)
        if isinstance(value, str):
            return value.strip().lower() in ("true", "1", "yes")
        return bool(value)

    def obj(self, name: str) -> Any:
        """A JSON-typed parameter: decoded from a string, or taken as is from a JSON body."""
        value = self.values.get(name)
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                raise bad_request(f"can't parse {name} JSON object") from None
        return value

    def upload(self, name: str) -> UploadedFile | str | None:
        """A file parameter: an uploaded part (directly or via attach://) or a file_id string."""
        if name in self.files:
            return self.files[name]
        value = self.string(name)
        if value is not None and value.startswith("attach://"):
            return self.files.get(value[len("attach://") :])
        return value

    def public(self) -> dict[str, Any]:
        """Values plus file descriptions, for the call log."""
        result = dict(self.values)
        for name, upload in self.files.items():
            result[name] = f"<file {upload.filename} {len(upload.data)} bytes>"
        return result


async def read_params(request: Request) -> Params:
    """Collect parameters the way the Bot API does: query string first, body on top."""
    values: dict[str, Any] = dict(request.query_params)
    files: dict[str, UploadedFile] = {}
    body = await request.body()
    content_type = request.headers.get("content-type", "")
    kind = content_type.split(";")[0].strip().lower()
    if body and kind == "application/json":
        try:
            decoded = json.loads(body)
        except ValueError:
            raise bad_request("can't parse JSON encoded request") from None
        if not isinstance(decoded, dict):
            raise bad_request("can't parse JSON encoded request")
        values.update(decoded)
    elif body and kind == "application/x-www-form-urlencoded":
        values.update(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
    elif body and kind == "multipart/form-data":
        boundary = boundary_of(content_type)
        if boundary:
            fields, files = parse_multipart(body, boundary)
            values.update(fields)
    return Params(values, files)
