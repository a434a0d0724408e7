"""Runtime fault injection: blocked chats, failing methods, artificial latency."""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass

from bot.localapi.errors import ApiError, forbidden, too_many_requests

_DEFAULT_DESCRIPTIONS = {
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
    400: "Bad Request",
    403: "Forbidden: bot was blocked by the user",
}
ANY_METHOD = "*"


@dataclass(frozen=True)
class InjectedFailure:
    """One scripted failure; `after_effect` means the call takes effect, then the answer fails."""

    status: int
    description: str
    retry_after: int | None = None
    after_effect: bool = False

    def error(self) -> ApiError:
        """The ApiError answered instead of the real result."""
        if self.status == 429:
            return too_many_requests(self.retry_after or 1)
        return ApiError(self.status, self.description, retry_after=self.retry_after)


class Faults:
    """Thread-safe registry of injected faults, keyed by lower-cased method name or '*'."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._blocked: set[int] = set()
        self._failures: dict[str, deque[InjectedFailure]] = {}
        self._latency: dict[str, float] = {}

    def block(self, chat_id: int) -> None:
        """The user blocked the bot: every send to the chat answers 403."""
        with self._lock:
            self._blocked.add(chat_id)

    def unblock(self, chat_id: int) -> None:
        """The user unblocked the bot."""
        with self._lock:
            self._blocked.discard(chat_id)

    def is_blocked(self, chat_id: int) -> bool:
        """Whether sends to this chat are refused."""
        with self._lock:
            return chat_id in self._blocked

    def check_blocked(self, chat_id: int) -> None:
        """Raise Telegram's 403 for a blocked chat."""
        if self.is_blocked(chat_id):
            raise forbidden("bot was blocked by the user")

    def fail_next(
        self,
        method: str = ANY_METHOD,
        times: int = 1,
        *,
        status: int = 502,
        description: str | None = None,
        retry_after: int | None = None,
        after_effect: bool = False,
    ) -> None:
        """Make the next `times` calls of `method` ('*' = any) fail with `status`."""
        text = description or _DEFAULT_DESCRIPTIONS.get(status, "Internal Server Error")
        failure = InjectedFailure(status, text, retry_after, after_effect)
        with self._lock:
            self._failures.setdefault(method.lower(), deque()).extend([failure] * times)

    def take_failure(self, method: str) -> InjectedFailure | None:
        """Pop the failure scheduled for this call, if any (specific method first)."""
        with self._lock:
            for key in (method.lower(), ANY_METHOD):
                queue = self._failures.get(key)
                if queue:
                    return queue.popleft()
        return None

    def set_latency(self, method: str, seconds: float) -> None:
        """Delay every call of `method` ('*' = any) by `seconds`; 0 removes the delay."""
        with self._lock:
            if seconds > 0:
                self._latency[method.lower()] = seconds
            else:
                self._latency.pop(method.lower(), None)

    def latency_for(self, method: str) -> float:
        """Delay to apply to this call."""
        with self._lock:
            return self._latency.get(method.lower(), self._latency.get(ANY_METHOD, 0.0))

    def reset(self) -> None:
        """Forget all faults."""
        with self._lock:
            self._blocked.clear()
            self._failures.clear()
            self._latency.clear()

    def snapshot(self) -> dict[str, object]:
        """JSON-able view for the control API."""
        with self._lock:
            return {
                "blocked_chats": sorted(self._blocked),
                "pending_failures": {k: len(v) for k, v in self._failures.items() if v},
                "latency": dict(self._latency),
            }
