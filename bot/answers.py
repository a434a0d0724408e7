"""Button presses answered exactly once, and within a second even when the bot is busy.

Telegram shows a spinner on a pressed button until the bot answers the press, gives up after
about 15 seconds, and refuses a second answer. A press can wait behind the same user's earlier
updates (they run in order) or behind other users' updates (a fixed number run at once), so a
watchdog answers it, without text, when the handler has not within ``ACK_AFTER`` seconds of its
arrival; whoever claims a press first answers it, the other does not (the handler then says what
it had to say in the chat: ``bot.runtime.turn``).

The answers go out from a thread of their own, with its own event loop and HTTP connection,
when the bot talks to the Bot API over the network: on a busy event loop a timer fires late and
a request waits for its turn (a storm of inputs made answers 0.5–3 s late), while this thread
has nothing else to do. The watchdog's timer starts when the press arrives (``bot.fetcher``
hands it over before the batch is even stored), and a handler's own answer is sent from here
too (``send``). A bot whose requests are in-process (tests through the emulator's ASGI app)
keeps both on its own loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable

from telegram import Bot, Update
from telegram.error import TelegramError

from bot.http import AiohttpRequest
from bot.offloop import copy_bot, over_network

logger = logging.getLogger(__name__)

#: Seconds a press may wait for its handler, from its arrival, before the watchdog answers it:
#: an idle bot's handler answers well before (with its own text); a busy one's press is
#: answered from here, well inside the second Telegram's spinner should last.
ACK_AFTER = 0.2
#: Press ids remembered (a press older than Telegram's 15 s cannot be answered anyway).
REMEMBERED = 10_000
#: Seconds to wait for the answering thread to start or to stop.
THREAD_TIMEOUT = 10.0
#: Seconds between looks at whether the bot's event loop still runs.
OWNER_CHECK = 1.0


class CallbackAnswers:
    """Who answered which press: the handler (``Turn.answer``) or the watchdog."""

    def __init__(self, ack_after: float = ACK_AFTER) -> None:
        self.ack_after = ack_after
        # claim() is called from the event loop and from the answering thread.
        self._lock = threading.Lock()
        self._claimed: OrderedDict[str, None] = OrderedDict()
        self._watchdogs: set[asyncio.Task[None]] = set()
        self._thread: _AnsweringThread | None = None

    def claim(self, query_id: str) -> bool:
        """True for the first caller for this press: it answers it; later callers must not."""
        with self._lock:
            if query_id in self._claimed:
                return False
            self._claimed[query_id] = None
            if len(self._claimed) > REMEMBERED:
                self._claimed.popitem(last=False)
            return True

    def start(self, bot: Bot) -> bool:
        """Answer on a thread of its own if ``bot`` talks over the network; True if it does."""
        if self._thread is not None:
            return True
        if not over_network(bot):
            return False  # in-process (the emulator's ASGI app) or unknown: stay on the loop
        # Not waited for: the thread makes no request until a press is due (no getMe), and
        # until its loop runs watch() keeps the watchdog here.
        self._thread = _AnsweringThread(bot, self.claim, asyncio.get_running_loop())
        self._thread.start()
        return True

    def stop(self) -> None:
        """Stop the answering thread, if any (presses not answered yet stay for the handlers)."""
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.stop()

    def watch_query(self, query_id: str) -> bool:
        """From any thread: answer the press in ``ack_after`` seconds unless claimed by then;
        False if the answering thread does not run (the caller's handler must answer)."""
        return self._thread is not None and self._thread.schedule(self.ack_after, query_id)

    def send(self, query_id: str, text: str | None = None) -> bool:
        """Answer a press the caller claimed, from the answering thread (no wait for a turn of
        the bot's busy loop); False if that thread does not run: the caller answers it."""
        return self._thread is not None and self._thread.send(query_id, text)

    def wait_ready(self, timeout: float) -> bool:
        """Block until the answering thread takes presses (False: it does not, in time)."""
        thread = self._thread
        return thread is not None and thread.wait_running(timeout)

    def watch(self, update: Update) -> None:
        """Answer ``update``'s press in ``ack_after`` seconds unless its handler has by then."""
        query = update.callback_query
        if query is None:
            return
        if self._thread is not None and self._thread.schedule(self.ack_after, query.id):
            return
        task = asyncio.get_running_loop().create_task(self._acknowledge(update))
        self._watchdogs.add(task)
        task.add_done_callback(self._watchdogs.discard)

    async def _acknowledge(self, update: Update) -> None:
        query = update.callback_query
        assert query is not None  # watch() checked
        await asyncio.sleep(self.ack_after)
        if not self.claim(query.id):
            return
        logger.info("update %s: the press waited; answered before its turn", update.update_id)
        with contextlib.suppress(TelegramError):  # too old already: nothing more to do
            await query.answer()


class _AnsweringThread:
    """An event loop on a thread of its own that answers presses when their time comes."""

    def __init__(
        self, bot: Bot, claim: Callable[[str], bool], owner: asyncio.AbstractEventLoop
    ) -> None:
        # The same token and Bot API as the application's bot, a connection of its own.
        self._request = AiohttpRequest(connection_pool_size=8)
        self._bot = copy_bot(bot, self._request)
        self._claim = claim
        # The bot's event loop: once it is gone, so is this thread (an application stopped
        # without post_stop, as tests and benchmarks do, does not leave it behind).
        self._owner = owner
        self._loop = asyncio.new_event_loop()
        self._running = threading.Event()
        self._stopping: asyncio.Event | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._thread = threading.Thread(target=self._run, name="press-answers", daemon=True)

    def start(self) -> None:
        """Start the thread (it takes presses once its loop runs)."""
        self._thread.start()

    def wait_running(self, timeout: float) -> bool:
        """Block until the thread's loop takes presses; False if it does not within ``timeout``."""
        return self._running.wait(timeout)

    def schedule(self, delay: float, query_id: str) -> bool:
        """Answer ``query_id`` in ``delay`` seconds unless claimed; False if the thread does not
        run (yet or any more)."""
        if not self._running.is_set() or self._loop.is_closed():
            return False
        try:
            self._loop.call_soon_threadsafe(self._later, delay, query_id)
        except RuntimeError:  # closed between the check and the call
            return False
        return True

    def stop(self) -> None:
        """Let the answers in flight finish, then end the thread."""
        if not self._thread.is_alive():
            return
        with contextlib.suppress(RuntimeError):  # the loop closed already
            self._loop.call_soon_threadsafe(self._stop_soon)
        self._thread.join(THREAD_TIMEOUT)

    def _stop_soon(self) -> None:
        if self._stopping is not None:
            self._stopping.set()
        else:  # not started its loop yet: it checks the owner and stopping after a second
            self._loop.call_later(0.05, self._stop_soon)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        try:
            self._loop.run_until_complete(self._main())
        except Exception:
            logger.exception("the answering thread stopped: presses are answered on the loop")
        finally:
            self._running.clear()
            self._loop.close()

    async def _main(self) -> None:
        self._stopping = asyncio.Event()
        # Only the request, not Bot.initialize: its getMe is not needed to answer a press.
        await self._request.initialize()
        try:
            self._running.set()
            while self._owner.is_running() and not self._stopping.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), OWNER_CHECK)
            self._running.clear()
            if self._tasks:
                await asyncio.wait(self._tasks, timeout=THREAD_TIMEOUT)
        finally:
            await self._request.shutdown()

    def send(self, query_id: str, text: str | None) -> bool:
        """Answer a press its handler claimed, right away; False if the thread does not run."""
        if not self._running.is_set() or self._loop.is_closed():
            return False
        try:
            self._loop.call_soon_threadsafe(self._start_answer, query_id, text, False)
        except RuntimeError:  # closed between the check and the call
            return False
        return True

    def _later(self, delay: float, query_id: str) -> None:
        self._loop.call_later(delay, self._due, query_id)

    def _due(self, query_id: str) -> None:
        if self._claim(query_id):
            self._start_answer(query_id, None, True)

    def _start_answer(self, query_id: str, text: str | None, waited: bool) -> None:
        task = self._loop.create_task(self._answer(self._bot, query_id, text, waited))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    @staticmethod
    async def _answer(bot: Bot, query_id: str, text: str | None, waited: bool) -> None:
        if waited:
            logger.info("a press waited; answered before its turn")
        try:
            await bot.answer_callback_query(query_id, text=text)
        except TelegramError as error:  # too old already: nothing more to do
            logger.info("a press could not be answered: %s", error)
