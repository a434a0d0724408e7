"""python-telegram-bot's generic types as the bot uses them, spelt once."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import Application, ApplicationBuilder, BaseHandler

from bot.runtime import Context

#: A handler of any feature: ``def handlers() -> list[Handler]``.
Handler = BaseHandler[Update, Context, object]
#: The Application and its builder (the bot keeps python-telegram-bot's defaults).
App = Application[Any, Any, Any, Any, Any, Any]
Builder = ApplicationBuilder[Any, Any, Any, Any, Any, Any]
