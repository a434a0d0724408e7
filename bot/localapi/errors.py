"""Bot API error responses with Telegram's exact descriptions."""

from __future__ import annotations

from typing import Any

NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
QUERY_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"


class ApiError(Exception):
    """An error answer of the Bot API: HTTP status, description and optional parameters."""

    def __init__(self, code: int, description: str, *, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after

    def to_json(self) -> dict[str, Any]:
        """Render the body exactly as api.telegram.org does."""
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.code,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


class EmulatorError(ValueError):
    """A misuse of the simulated-user API (e.g. pressing a button that does not exist)."""


def bad_request(message: str) -> ApiError:
    """400 with the "Bad Request: " prefix Telegram puts on every such description."""
    return ApiError(400, f"Bad Request: {message}")


def forbidden(message: str) -> ApiError:
    """403 with the "Forbidden: " prefix."""
    return ApiError(403, f"Forbidden: {message}")


def too_many_requests(retry_after: int) -> ApiError:
    """429 flood-wait answer; PTB turns it into RetryAfter via parameters.retry_after."""
    return ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after=retry_after)


def unauthorized() -> ApiError:
    """401 for a token the server does not know."""
    return ApiError(401, "Unauthorized")


def not_found() -> ApiError:
    """404 for an unknown method, as Telegram answers it."""
    return ApiError(404, "Not Found")


def chat_not_found() -> ApiError:
    """400 for a chat_id that names no chat the bot can see."""
    return bad_request("chat not found")
