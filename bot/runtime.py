"""One update's work: the user, a unit of work, the translator, local time and replies.

Handlers stay thin: ``async with turn(update, context) as t:`` gives them everything; a domain
error raised inside becomes a clear reply in the user's language and nothing is saved.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy.orm import sessionmaker
from sqlmodel import Session
from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram._utils.types import JSONDict
from telegram.constants import ParseMode
from telegram.error import BadRequest, NetworkError
from telegram.ext import AIORateLimiter, ContextTypes

from bot import edits
from bot.answers import CallbackAnswers
from bot.callbacks import BadCallback, Callback
from bot.clock import Clock
from bot.edits import EditMemory
from bot.errors import domain_error_text
from bot.formatting import split_message
from bot.i18n import N_, Translator, language_for, translator
from bot.sent_marks import SentMarks
from bot.settings import BotSettings
from bot.shards import Shard
from jobs.types import REPLY_KIND
from tracker.errors import DomainError
from tracker.storage.enums import Language
from tracker.storage.models import User
from tracker.storage.uow import SqlUnitOfWork

logger = logging.getLogger(__name__)

DEPS_KEY = "deps"
STALE_BUTTON = N_("This button no longer works. /help shows what you can do.")

#: A committed reply waits this long for its handler to send it before the sender job does.
REPLY_GRACE = timedelta(seconds=10)
#: After this, a reply that never went out is not worth sending (the user has moved on).
REPLY_TTL = timedelta(hours=1)

#: Pauses before sending a failed reply again (seconds); then the error handler apologises.
REPLY_RETRY_PAUSES = (0.5, 2.0)

#: At most this many update ids wait in ``Deps.handled`` for the last handler group.
HANDLED_CAP = 10_000

Context = ContextTypes.DEFAULT_TYPE
Keyboard = Sequence[Sequence[InlineKeyboardButton]]


@dataclass
class Deps:
    """What every handler and job needs, built once at start-up."""

    settings: BotSettings
    session_factory: sessionmaker[Session]
    clock: Clock = field(default_factory=Clock)
    #: The users whose updates this process handles: all (one process), a worker's share
    #: (``bot.workers``), or None: the polling process, whose workers handle them all.
    shard: Shard | None = field(default_factory=Shard)
    #: Updates whose turn() committed "handled" with their effects (bot.app's last group reads it).
    handled: set[int] = field(default_factory=set, repr=False)
    #: Which button presses are answered (by their handler or the watchdog): each only once.
    answers: CallbackAnswers = field(default_factory=CallbackAnswers, repr=False)
    #: Replies Telegram accepted, to be marked sent in the outbox together.
    sent: SentMarks = field(init=False, repr=False)
    #: How this process last made each message look (an edit to the same is not sent).
    edits: EditMemory = field(default_factory=EditMemory, repr=False)
    #: Updates queued from the inbox at start-up (a worker's pipe may bring them again).
    replayed: set[int] = field(default_factory=set, repr=False)

    def __post_init__(self) -> None:
        self.sent = SentMarks(self.uow, self.clock.now)

    def uow(self) -> SqlUnitOfWork:
        """A new unit of work."""
        return SqlUnitOfWork(self.session_factory)


def deps(context: Context) -> Deps:
    """The application's dependencies (kept in bot_data, which is not persisted)."""
    return cast(Deps, context.bot_data[DEPS_KEY])


@dataclass
class Turn:
    """Everything a handler needs for one update."""

    update: Update
    context: Context
    uow: SqlUnitOfWork
    user: User
    now: datetime
    _: Translator
    committed: bool = False

    @property
    def user_id(self) -> int:
        """The stored user's id."""
        assert self.user.id is not None  # loaded or flushed by turn()
        return self.user.id

    @property
    def tz(self) -> ZoneInfo:
        """The user's timezone."""
        return ZoneInfo(self.user.timezone)

    @property
    def today(self) -> date:
        """The user's local date."""
        return self.now.astimezone(self.tz).date()

    @property
    def locale(self) -> str:
        """The Babel locale for the user's language."""
        return self._.locale

    @property
    def chat_id(self) -> int:
        """Where replies go."""
        return self.user.chat_id

    def commit(self) -> None:
        """Save the work, together with the note that this update was handled."""
        self.uow.writing()  # a turn that only read so far (reading=True) takes the lock now
        self.uow.processed_updates.mark_processed(self.update.update_id, self.now)
        self.uow.commit()
        self.committed = True
        handled = deps(self.context).handled
        if len(handled) > HANDLED_CAP:  # only if the last group stopped running: forget, re-check
            handled.clear()
        handled.add(self.update.update_id)

    async def commit_and_reply(self, text: str, keyboard: Keyboard | None = None) -> Message:
        """Save the work with the reply announcing it, then send the reply (at least once).

        The reply is written to the outbox in the same transaction, due ``REPLY_GRACE`` later:
        sent now it is marked sent; if the process dies before that, the sender job sends it —
        so a recorded payment is always acknowledged (twice only if the bot dies between the
        send and the mark).
        """
        markup = InlineKeyboardMarkup(keyboard) if keyboard else None
        rows = markup.to_dict()["inline_keyboard"] if markup else []
        key = f"reply:{self.update.update_id}"
        self.uow.writing()  # a turn that only read so far (reading=True) takes the lock now
        self.uow.outbox.enqueue(
            key,
            user_id=self.user_id,
            chat_id=self.chat_id,
            kind=REPLY_KIND,
            due_at=self.now + REPLY_GRACE,
            payload={"text": text, "keyboard": rows},
            expires_at=self.now + REPLY_TTL,
        )
        self.commit()
        message = await self.reply(text, keyboard)
        deps(self.context).sent.add(key, message.message_id)  # marked sent with others shortly
        return message

    async def answer(self, text: str | None = None) -> bool:
        """Answer the button press; False if it was answered already (by this turn, or by the
        watchdog while it waited: ``bot.answers``) or is not a press."""
        query = self.update.callback_query
        # Telegram accepts one answer per press: the registry says who gives it.
        answers = deps(self.context).answers
        if query is None or not answers.claim(query.id):
            return False
        if not answers.send(query.id, text):  # on the answering thread when there is one
            await query.answer(text)
        return True

    def button(self, label: str, action: str, *args: object) -> InlineKeyboardButton:
        """An inline button that only this user can press."""
        data = Callback(action, self.update_user_id, tuple(str(a) for a in args)).encode()
        return InlineKeyboardButton(label, callback_data=data)

    @property
    def update_user_id(self) -> int:
        """The Telegram id of the user who sent the update."""
        sender = self.update.effective_user
        assert sender is not None  # turn() refuses updates without a user
        return sender.id

    async def reply(self, text: str, keyboard: Keyboard | None = None) -> Message:
        """Send HTML text (split if long); the keyboard goes on the last part.

        A send that fails on the way (5xx, timeout, network) is tried again: the reply may
        announce a change already committed, and must reach the user (at least once).
        """
        parts = split_message(text)
        markup = InlineKeyboardMarkup(keyboard) if keyboard else None
        chat_id = self.chat_id
        message: Message | None = None
        for index, part in enumerate(parts):
            for attempt, pause in enumerate((*REPLY_RETRY_PAUSES, None)):
                try:
                    message = await self.context.bot.send_message(
                        chat_id=chat_id,
                        text=part,
                        parse_mode=ParseMode.HTML,
                        reply_markup=markup if index == len(parts) - 1 else None,
                        disable_web_page_preview=True,
                    )
                    break
                except BadRequest:
                    raise  # the message itself is wrong: sending it again changes nothing
                except NetworkError as error:  # includes TimedOut and 5xx answers
                    if pause is None:
                        raise
                    logger.warning(
                        "update %s: reply attempt %d failed (%s); trying again",
                        self.update.update_id,
                        attempt + 1,
                        error,
                    )
                    await asyncio.sleep(pause)
        assert message is not None  # split_message returns at least one part
        return message


#: The unit of work of the update being handled in this task (None outside a turn).
_CURRENT: ContextVar[SqlUnitOfWork | None] = ContextVar("repaybot_turn_uow", default=None)


def release_turn(endpoint: str) -> None:
    """End the current turn's transaction before a call to Telegram, if it only read.

    Every call to Telegram passes through the application's rate limiter, which calls this: the
    one place that keeps a transaction from staying open across a network await. A turn that
    only read lets go of its transaction (on SQLite, ``BEGIN IMMEDIATE`` is the write lock); a
    turn that wrote and has not committed keeps it, and is logged: it should commit first.
    """
    uow = _CURRENT.get()
    if uow is not None and not uow.release():
        logger.warning("%s while a write is not committed: the lock waits on Telegram", endpoint)


class ReleasingRateLimiter(AIORateLimiter):
    """python-telegram-bot's rate limiter, which first ends the current turn's read transaction
    (``release_turn``): one process alone on its database (``bot.rate_limit`` for replicas)."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | JSONDict | list[JSONDict]:
        release_turn(endpoint)
        return await super().process_request(
            callback, args, kwargs, endpoint, data, rate_limit_args
        )


def _load_user(uow: SqlUnitOfWork, update: Update, settings: BotSettings) -> User:
    """The sender as a stored user, read without the write lock; created (or marked active)
    and committed on first contact (or when they come back)."""
    sender = update.effective_user
    chat = update.effective_chat
    assert sender is not None
    uow.reading()
    user = uow.users.get_by_telegram_id(sender.id)
    if user is not None and user.active:
        return user
    uow.writing()
    user = uow.users.get_by_telegram_id(sender.id)  # again, under the write lock
    if user is None:
        language = language_for(sender.language_code) if sender.language_code else None
        user = uow.users.add(
            User(
                telegram_user_id=sender.id,
                chat_id=chat.id if chat is not None else sender.id,
                language=Language(language or settings.default_language),
                timezone=settings.default_timezone,
                currency=settings.default_currency,
            )
        )
    elif not user.active:
        uow.users.mark_active(user)  # they wrote again: reminders may resume
    return user


@asynccontextmanager
async def turn(update: Update, context: Context, *, reading: bool = False) -> AsyncIterator[Turn]:
    """Open a unit of work for this update and answer domain errors in the user's language.

    ``reading=True``: the handler goes on in the read transaction the user was loaded in and
    calls ``uow.writing()`` before it writes (on SQLite the write lock is then held only for the
    writes, while other processes read and compute: ``bot.workers``); else its first statement
    takes the write lock, as one transaction from its first read to its commit.
    """
    d = deps(context)
    if update.effective_user is None:
        raise RuntimeError("turn() needs an update from a user")
    with d.uow() as uow:
        token = _CURRENT.set(uow)
        edits_token = edits.CURRENT.set(d.edits)
        try:
            async with _handled(update, context, uow, d, reading=reading) as t:
                yield t
        finally:
            edits.CURRENT.reset(edits_token)
            _CURRENT.reset(token)


@asynccontextmanager
async def _handled(
    update: Update, context: Context, uow: SqlUnitOfWork, d: Deps, *, reading: bool
) -> AsyncIterator[Turn]:
    """The body of ``turn()``: the user, the translator, and domain errors as replies."""
    user = _load_user(uow, update, d.settings)
    if uow.has_writes():
        uow.commit()  # the user exists from first contact, whatever the handler does next
    elif not reading:
        uow.writing()  # the handler's first statement takes the write lock
    # (a call to Telegram ends a transaction that only read: release_turn)
    t = Turn(update, context, uow, user, d.clock.now(), translator(user.language))
    try:
        yield t
    except BadCallback as error:
        # Old, malformed or someone else's button: nothing happens, and the user is told —
        # in the answer, or in the chat when the press was already answered.
        uow.rollback()
        logger.info("update %s: refused button data", update.update_id)
        logger.debug("update %s: refused button data (%s)", update.update_id, error)
        if not await t.answer(t._(STALE_BUTTON)):
            await t.reply(t._(STALE_BUTTON))
        return
    except DomainError as error:
        uow.rollback()
        # The code at INFO; the details (which may quote what the user typed) at DEBUG.
        logger.info("update %s: %s", update.update_id, error.code)
        logger.debug("update %s: %s (%s)", update.update_id, error.code, error)
        await t.answer()
        await t.reply(domain_error_text(error, t._, t.locale))
        return
    if not t.committed:
        uow.rollback()  # whatever the handler did not commit is not kept (bot.app's last
        # handler group notes that the update was handled)


def no_user_id(update: object) -> bool:
    """True for updates that carry no user (channel posts, polls): we ignore those."""
    return not isinstance(update, Update) or update.effective_user is None


def kb(*rows: Sequence[InlineKeyboardButton]) -> list[list[InlineKeyboardButton]]:
    """A keyboard from rows of buttons, dropping empty rows."""
    return [list(row) for row in rows if row]


async def remove_buttons(query: CallbackQuery) -> None:
    """Take the buttons off the message pressed, so they can't be pressed again.

    Already gone (a double tap) or too old to edit is fine: the work is saved by then, and a
    stale message must not undo it. Anything else is logged.
    """
    message = query.message
    if not isinstance(message, Message):
        return  # too old for Telegram to say what it is: too old to edit
    if message.reply_markup is None:
        return  # nothing to take off (Telegram would refuse the edit as "not modified")
    memory = edits.CURRENT.get()
    looks = edits.looks(message.text, None)
    if memory is not None and memory.unchanged(message.chat.id, message.message_id, looks):
        return  # a second tap: this process took them off already
    try:
        await query.edit_message_reply_markup(None)
    except BadRequest as error:
        if "not modified" not in str(error).lower():
            logger.warning("could not remove the buttons: %s", error)
            return
    if memory is not None:
        memory.remember(message.chat.id, message.message_id, looks)


async def edit_message(query: CallbackQuery, text: str, keyboard: Keyboard | None) -> None:
    """Show ``text`` (HTML) and ``keyboard`` in the message pressed, unless it shows them already
    (a double tap): Telegram would refuse that edit as "message is not modified"."""
    message = query.message
    markup = InlineKeyboardMarkup(keyboard) if keyboard else None
    memory = edits.CURRENT.get()
    looks = edits.looks(text, markup)
    if not isinstance(message, Message):
        return  # too old for Telegram to say what it is: too old to edit
    if memory is not None and memory.unchanged(message.chat.id, message.message_id, looks):
        return
    try:
        await query.edit_message_text(
            text, parse_mode=ParseMode.HTML, reply_markup=markup, disable_web_page_preview=True
        )
    except BadRequest as error:
        if "not modified" not in str(error).lower():
            raise
    if memory is not None:
        memory.remember(message.chat.id, message.message_id, looks)
