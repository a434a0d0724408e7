"""Last in line: /cancel outside any flow, unknown commands, and buttons nobody handles."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.features.start import cancel
from bot.runtime import STALE_BUTTON, Context, turn
from bot.types import Handler

COMMANDS: list[tuple[str, str]] = []  # /cancel is listed by the start feature


async def unknown_command(update: Update, context: Context) -> None:
    """Say the command is unknown and point to /help."""
    async with turn(update, context) as t:
        await t.reply(t._("I don't know that command. /help lists what I can do."))


async def stale_button(update: Update, context: Context) -> None:
    """Answer a button press no feature recognised (an old or foreign button)."""
    query = update.callback_query
    assert query is not None
    async with turn(update, context) as t:
        if not await t.answer(t._(STALE_BUTTON)):
            await t.reply(t._(STALE_BUTTON))  # the press was answered while it waited


async def other_message(update: Update, context: Context) -> None:
    """Answer anything else (stickers, locations, text no feature understood)."""
    async with turn(update, context) as t:
        await t.reply(
            t._(
                "I didn't understand that. To log a payment write <code>/paid 500</code>; /help lists everything."
            )
        )


def handlers() -> list[Handler]:
    """The catch-all handlers; registered after every feature."""
    return [
        CommandHandler("cancel", cancel),
        MessageHandler(filters.COMMAND, unknown_command),
        CallbackQueryHandler(stale_button),
        MessageHandler(filters.ALL, other_message),
    ]
