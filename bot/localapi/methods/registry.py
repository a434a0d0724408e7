"""Bot API method registry; names are case-insensitive as on Telegram."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.localapi.params import Params
    from bot.localapi.state import EmulatorState

SyncHandler = Callable[["EmulatorState", "Params"], Any]
AsyncHandler = Callable[["EmulatorState", "Params"], Awaitable[Any]]


@dataclass(frozen=True)
class Method:
    """A registered method: sync handlers run under the state lock, async ones manage it."""

    name: str
    sync: SyncHandler | None = None
    asynchronous: AsyncHandler | None = None


METHODS: dict[str, Method] = {}


def method(name: str) -> Callable[[SyncHandler], SyncHandler]:
    """Register a synchronous handler (runs atomically under the state lock)."""

    def register(handler: SyncHandler) -> SyncHandler:
        METHODS[name.lower()] = Method(name, sync=handler)
        return handler

    return register


def async_method(name: str) -> Callable[[AsyncHandler], AsyncHandler]:
    """Register an asynchronous handler (long polling)."""

    def register(handler: AsyncHandler) -> AsyncHandler:
        METHODS[name.lower()] = Method(name, asynchronous=handler)
        return handler

    return register


def lookup(name: str) -> Method | None:
    """The method for a URL segment, ignoring case."""
    return METHODS.get(name.lower())
