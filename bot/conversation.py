"""The guided flows' plumbing: a typed draft in user_data, steps that need it, and the
persistent conversation with /cancel.

A flow's answers so far are a pydantic model kept in ``user_data[key]`` as its JSON form
(bot.persistence stores user_data as JSON, never pickle), so a flow survives a restart. A
draft that no longer reads as the model (one saved by an older version, or damaged) is
dropped, and the step says so and asks the user to start again.
"""

from __future__ import annotations

import functools
import logging
import warnings
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError
from telegram import Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot.callbacks import Callback, decode
from bot.runtime import Context, Turn, turn
from bot.types import Handler

logger = logging.getLogger(__name__)

END = ConversationHandler.END
#: An answer in words; anything but words; anything at all (commands excepted).
TEXT = filters.TEXT & ~filters.COMMAND
NOT_TEXT = ~filters.TEXT & ~filters.COMMAND
ANYTHING = filters.ALL & ~filters.COMMAND

#: A handler callback.
HandlerCallback = Callable[[Update, Context], Coroutine[Any, Any, object]]


class Draft(BaseModel):
    """A flow's answers so far: every field optional until its question is answered."""

    model_config = ConfigDict(validate_assignment=True)


D = TypeVar("D", bound=Draft)
T = TypeVar("T")


class LostDraft(Exception):
    """The draft lacks an answer a step needs (an old or damaged draft): start again."""


def need(value: T | None) -> T:
    """An answer the draft must have by this step (LostDraft if it has not)."""
    if value is None:
        raise LostDraft("an answer is missing")
    return value


class Drafts(Generic[D]):
    """Where one flow keeps its draft: ``user_data[key]``, the JSON form of ``model``."""

    def __init__(self, key: str, model: type[D], expired: str | None = None) -> None:
        self.key = key
        self.model = model
        #: The reply (an msgid) when a step finds no usable draft (needed by ``step``).
        self.expired = expired

    def load(self, context: Context) -> D | None:
        """The user's draft, or None (none, or one that no longer reads: then it is dropped)."""
        data = context.user_data
        raw = None if data is None else data.get(self.key)
        if raw is None:
            return None
        try:
            return self.model.model_validate(raw)
        except ValidationError as error:
            logger.warning(
                "dropped an unreadable %s draft (%d errors)", self.key, error.error_count()
            )
            self.drop(context)
            return None

    def save(self, context: Context, draft: D) -> D:
        """Keep ``draft`` (replacing any earlier one)."""
        assert context.user_data is not None  # updates from users always have user_data
        context.user_data[self.key] = draft.model_dump(mode="json")
        return draft

    def drop(self, context: Context) -> None:
        """Forget the draft (saved or cancelled)."""
        if context.user_data is not None:
            context.user_data.pop(self.key, None)

    def step(self, handler: Callable[[Update, Context, D], Awaitable[object]]) -> HandlerCallback:
        """A step that needs the draft: it gets it, and what it changes is kept (unless the
        step dropped or replaced the draft). Without a usable draft the user is told to start
        again and the conversation ends."""
        expired = self.expired
        assert expired is not None, "a flow with steps says how to start again"

        @functools.wraps(handler)
        async def step(update: Update, context: Context) -> object:
            draft = self.load(context)
            if draft is not None:
                assert context.user_data is not None
                raw = context.user_data[self.key]
                try:
                    return await handler(update, context, draft)
                except LostDraft:
                    self.drop(context)
                finally:
                    if context.user_data.get(self.key) is raw:  # neither dropped nor replaced
                        self.save(context, draft)
            async with turn(update, context) as t:
                await t.answer()
                await t.reply(t._(expired))
            return END

        return step


async def pressed(t: Turn) -> Callback:
    """The button's data, checked to belong to the sender; answers the press."""
    query = t.update.callback_query
    assert query is not None
    data = decode(query.data, t.update_user_id)
    await t.answer()
    return data


def text_of(update: Update) -> str:
    """The text of the message."""
    assert update.message is not None
    assert update.message.text is not None
    return update.message.text


async def use_buttons(update: Update, context: Context) -> object:
    """Something typed where a button is expected: the state stays."""
    async with turn(update, context) as t:
        await t.reply(t._("Please choose with the buttons above, or send /cancel to stop."))
    return None


async def text_please(update: Update, context: Context) -> object:
    """A photo or sticker where an answer in words is expected: the state stays."""
    async with turn(update, context) as t:
        await t.reply(t._("Please answer with text, or send /cancel to stop."))
    return None


def button(callback: HandlerCallback, action: str) -> Handler:
    """A press of one of this flow's buttons (``action:…``)."""
    return CallbackQueryHandler(callback, pattern=rf"^{action}:")


def typed(callback: HandlerCallback) -> list[Handler]:
    """An answer in words; anything else is asked for in words."""
    return [MessageHandler(TEXT, callback), MessageHandler(NOT_TEXT, text_please)]


def conversation(
    name: str,
    *,
    entry_points: Sequence[Handler],
    states: dict[object, Sequence[Handler]],
    cancel: HandlerCallback,
) -> Handler:
    """A guided flow: persistent (as ``name``), restarted by its entry points, ended by /cancel."""
    with warnings.catch_warnings():
        # The buttons belong to the user's conversation, not to one message: per_message=False
        # is intended, and PTB's reminder that it is so is noise.
        warnings.filterwarnings("ignore", message=".*per_message", category=PTBUserWarning)
        return ConversationHandler(
            entry_points=list(entry_points),
            states={state: list(handlers) for state, handlers in states.items()},
            fallbacks=[CommandHandler("cancel", cancel)],
            name=name,
            persistent=True,
            allow_reentry=True,
        )
