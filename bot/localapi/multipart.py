"""Minimal multipart/form-data parser (avoids a python-multipart dependency)."""

from __future__ import annotations

from dataclasses import dataclass
from email.message import Message


@dataclass(frozen=True)
class UploadedFile:
    """A file part of a multipart request."""

    field: str
    filename: str
    content_type: str
    data: bytes


def _header_params(value: str) -> tuple[str, dict[str, str]]:
    """Split 'form-data; name="x"; filename="y"' using the stdlib's RFC 2231-aware parser."""
    message = Message()
    message["content-type"] = value
    params = {k.lower(): v for k, v in message.get_params(failobj=[])[1:]}
    return message.get_content_type(), params


def boundary_of(content_type: str) -> str | None:
    """The boundary parameter of a multipart Content-Type header."""
    return _header_params(content_type)[1].get("boundary")


def parse_multipart(body: bytes, boundary: str) -> tuple[dict[str, str], dict[str, UploadedFile]]:
    """Return (text fields, file fields); malformed parts are skipped."""
    fields: dict[str, str] = {}
    files: dict[str, UploadedFile] = {}
    delimiter = b"--" + boundary.encode("latin-1")
    for raw in body.split(delimiter)[1:]:
        if raw.startswith(b"--"):
            break  # closing delimiter
        part = raw[2:] if raw.startswith(b"\r\n") else raw
        part = part[:-2] if part.endswith(b"\r\n") else part
        head, sep, content = part.partition(b"\r\n\r\n")
        if not sep:
            continue
        headers: dict[str, str] = {}
        for line in head.decode("utf-8", "replace").split("\r\n"):
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        # The disposition header has the same parameter syntax as Content-Type.
        _, params = _header_params(
            "x/" + headers.get("content-disposition", "").replace("form-data", "x", 1)
        )
        field_name = params.get("name")
        if field_name is None:
            continue
        if "filename" in params:
            content_type = headers.get("content-type", "application/octet-stream")
            files[field_name] = UploadedFile(field_name, params["filename"], content_type, content)
        else:
            fields[field_name] = content.decode("utf-8", "replace")
    return fields, files
