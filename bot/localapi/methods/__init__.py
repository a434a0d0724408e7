"""Bot API method implementations; importing this package registers them all."""

from bot.localapi.methods import core, files, messages
from bot.localapi.methods.registry import METHODS, Method, lookup

__all__ = ["METHODS", "Method", "core", "files", "lookup", "messages"]
