"""Local Telegram Bot API server: a faithful emulator for the sandbox and the bot tests."""

# PTB glue (which imports `telegram`) lives in bot.localapi.ptb and is deliberately not
# imported here, so the server itself runs without python-telegram-bot.

from bot.localapi.app import create_app
from bot.localapi.clock import FakeClock
from bot.localapi.errors import ApiError, EmulatorError
from bot.localapi.limits import FloodConfig
from bot.localapi.models import ChatMessage, Event
from bot.localapi.server import LocalBotApiServer
from bot.localapi.state import DEFAULT_TOKEN, EmulatorState
from bot.localapi.users import SimUser

__all__ = [
    "DEFAULT_TOKEN",
    "ApiError",
    "ChatMessage",
    "EmulatorError",
    "EmulatorState",
    "Event",
    "FakeClock",
    "FloodConfig",
    "LocalBotApiServer",
    "SimUser",
    "create_app",
]
