"""`repaybot run` without a token: the real bot against the local Bot API, chatted with here.

The local Bot API server (bot.localapi) listens on 127.0.0.1; the real Application polls it
over HTTP exactly as it would poll Telegram, or with SANDBOX_WEBHOOK runs in webhook mode as in
production (``bot.webhook``, the code ``repaybot run`` uses): its own HTTP server on 127.0.0.1,
where the local Bot API POSTs each update with the secret the bot registered. The terminal is
the phone: what you type is sent as one simulated user, and the bot's messages, edits, files
and button answers are printed as they arrive. `:skip 3d` moves the bot's clock (and the
emulator's, which reads it) forward, then runs the reminder jobs once (`jobs.run_now`), so
reminders due by then arrive; `:scan` runs them without moving time.

Settings (``BotSettings``, validated once; environment or .env):
    SANDBOX_PORT      port of the local Bot API (default 0: any free port)
    SANDBOX_LANGUAGE  the simulated user's Telegram language, zh or en (default from $LANG:
                      zh* -> zh-hans)
    SANDBOX_FLOOD     true turns on Telegram-like flood control (429 after ~5 quick messages)
    SANDBOX_WEBHOOK   true: webhook mode (a free port, a secret made up per session)
Data: DATABASE_URL if it names anything but the production default file; otherwise
./data/sandbox.sqlite3, so trying the bot never touches ./data/repaybot.sqlite3. Files the
bot sends go to ./data/sandbox-downloads/; the last session's full log is ./data/sandbox.log
(the console shows warnings and errors only).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import shlex
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TextIO

from pydantic import SecretStr
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlmodel import col
from telegram import Update
from telegram.ext import Application, SimpleUpdateProcessor

import jobs
from bot.app import configure
from bot.fetcher import polling
from bot.localapi import (
    EmulatorError,
    EmulatorState,
    Event,
    FloodConfig,
    LocalBotApiServer,
    SimUser,
)
from bot.localapi.ptb import http_builder
from bot.main import SEND_CONNECTIONS, SEND_READ_TIMEOUT, send_request
from bot.reminder_render import render
from bot.runtime import Deps
from bot.sandbox_io import BOT, LineReader, Terminal, is_tty
from bot.sandbox_render import (
    JsonDict,
    bold,
    callback_buttons,
    describe_duration,
    human_size,
    local_time,
    numbered_buttons,
    parse_duration,
    render_text,
)
from bot.sandbox_setup import (
    check_port_free,
    free_port,
    sandbox_logging,
    sandbox_settings,
    user_language,
)
from bot.settings import BotSettings
from bot.types import App
from bot.webhook import Metrics, WebhookBot, builder
from tracker.storage.models.messaging import ProcessedUpdate

logger = logging.getLogger(__name__)

DOWNLOADS = Path("data/sandbox-downloads")
LOG_FILE = Path("data/sandbox.log")
#: The simulated user keeps one id across runs, so their debts are there next time.
SANDBOX_USER_ID = 100_000_001
#: How long to wait for the bot to finish handling one message before reading the next line.
REPLY_TIMEOUT = 30.0
#: Webhook mode: the path of the bot's webhook URL.
WEBHOOK_PATH = "/telegram"
PHOTO_SUFFIXES = {".png", ".jpg", ".jpeg"}
QUIT = {":quit", ":q", ":exit"}

BANNER = """\
repaybot sandbox — no Telegram token, so you are chatting with the real bot on this machine.
  Type messages or /commands as {name}. 1 or #1 presses button 1 of the latest buttons.
  :skip 3d / 2h / 30m moves the clock (reminders due by then arrive) · :scan · :time
  :send FILE uploads · :help · :quit or Ctrl-D
  以「{name}」的身份输入消息或 /命令；输入 1 或 #1 按下最新一排按钮中的第 1 个。
  :skip 3d / 2h / 30m 快进时间（到期的提醒随之送达）· :scan 立即检查提醒 · :time 查看时间
  :send 文件 上传 · :help 帮助 · :quit 退出
  Bot API {api} · data {database}"""
WEBHOOK_BANNER = "  webhook mode: the Bot API POSTs each update to {url}"

HELP = """\
Sandbox commands · 沙盒命令
  /start, /help, 还了500 …  sent to the bot as {name} · 以你的身份发给机器人
  1, 2 …          press that button of the newest message, if it has buttons · 按最新消息的按钮
  #1, #2 …        press that button of the latest message with buttons · 按最近一排按钮
  :say TEXT       send TEXT as is (e.g. the number 1) · 原样发送（例如数字 1）
  :send FILE [caption]  upload a file: .png/.jpg as a photo, anything else as a document · 上传文件
  :skip 3d|2h|30m|1d12h  move the bot's clock forward, then send the reminders due by then
                  快进时间，然后发送到那时为止该发的提醒
  :scan           look for due reminders now and send them · 立即检查并发送到期的提醒
  :time           the sandbox's time in your timezone · 沙盒当前时间
  :quit           quit (also Ctrl-D or Ctrl-C) · 退出
Files the bot sends are saved in {downloads} · 机器人发的文件保存在该目录"""


class EmulatorStartError(Exception):
    """The local Bot API server did not start (its port could not be bound)."""


class _UpdateTracker(SimpleUpdateProcessor):
    """Processes updates one at a time and tells the sandbox when each one is done."""

    def __init__(self) -> None:
        super().__init__(max_concurrent_updates=1)
        self._done: dict[int, asyncio.Event] = {}

    def _event(self, update_id: int) -> asyncio.Event:
        return self._done.setdefault(update_id, asyncio.Event())

    async def do_process_update(self, update: object, coroutine: Any) -> None:
        try:
            await coroutine
        finally:
            if isinstance(update, Update):
                self._event(update.update_id).set()

    async def wait(self, update_id: int, timeout: float) -> bool:
        """True once the bot has handled the update, False after `timeout` seconds."""
        try:
            async with asyncio.timeout(timeout):
                await self._event(update_id).wait()
        except TimeoutError:
            return False
        self._done.pop(update_id, None)
        return True


class Sandbox:
    """The local Bot API, the real Application polling it, and a terminal chat as one user."""

    def __init__(
        self,
        deps: Deps,
        *,
        stdin: TextIO,
        stdout: TextIO,
        user_name: str = "You",
        language_code: str | None = "en",
        port: int = 0,
        downloads: Path = DOWNLOADS,
        color: bool | None = None,
        reply_timeout: float = REPLY_TIMEOUT,
        flood: bool = False,
        webhook: bool = False,
    ) -> None:
        self.deps = deps
        self.webhook = webhook
        self.downloads = downloads
        self.reply_timeout = reply_timeout
        self.port = port
        # The emulator reads the bot's clock, so `:skip` moves both; update ids continue after
        # the last one this database saw, or the bot would drop them as redeliveries.
        # Flood control is off unless asked for: lines piped in arrive faster than anyone
        # types, and the bot has no rate limiter yet, so Telegram's 429s would cut replies.
        self.state = EmulatorState(
            now=lambda: deps.clock.now().timestamp(),
            first_update_id=_next_update_id(deps),
            flood=FloodConfig(enabled=flood),
        )
        self.user: SimUser = self.state.create_user(
            user_name, user_id=SANDBOX_USER_ID, language_code=language_code
        )
        interactive = is_tty(stdin)
        if color is None:
            color = is_tty(stdout) and "NO_COLOR" not in os.environ
        self.term = Terminal(stdout, color=color, interactive=interactive)
        self.reader = LineReader(stdin)
        self.server: LocalBotApiServer | None = None
        self.root_url = ""  # http://127.0.0.1:PORT once serving (kept after shutdown)
        self.application: Application[Any, Any, Any, Any, Any, Any] | None = None
        self.webhook_url = ""  # webhook mode: http://127.0.0.1:PORT/telegram once serving
        # Webhook mode: the bot's metrics (updates_received counts the webhook's deliveries).
        self.metrics: Metrics | None = None
        self._tracker = _UpdateTracker()
        self._cursor = self.state.last_event_seq
        self._reading = False  # waiting for the user's next line
        self._shown: dict[int, tuple[str, Any]] = {}  # message_id -> (text, markup) printed

    # ---- life cycle ---------------------------------------------------------------------
    async def run(self) -> int:
        """Serve, run the bot and chat until :quit or end of input; all is stopped on return."""
        # The local Bot API serves from a thread of its own, as Telegram is elsewhere: the
        # bot's threads (bot.answers) can reach it even while the bot's loop waits on them.
        server = self.server = LocalBotApiServer(self.state, port=self.port)
        try:
            await asyncio.to_thread(server.start)
        except RuntimeError as error:
            raise EmulatorStartError(str(error)) from error
        self.root_url = server.root_url
        try:
            if self.webhook:
                await self._run_webhook(server)
            else:
                await self._run_polling(server)
        finally:
            await asyncio.to_thread(server.stop)
        self.term.note("bye · 再见")
        return 0

    async def _run_polling(self, server: LocalBotApiServer) -> None:
        application = self.application = configure(
            # Sent as the real bot sends (bot.http), to the local Bot API.
            http_builder(server).request(send_request()),
            self.deps,
            processor=self._tracker,
        )
        _register_jobs(application, self.deps)
        async with application:  # initialize() … shutdown()
            if application.post_init is not None:
                await application.post_init(application)  # run_polling would call it
            await application.start()
            try:
                async with polling(application, self.deps):  # as ``repaybot run`` polls
                    await self._chat_and_print()
            finally:
                await application.stop()
                if application.post_stop is not None:
                    await application.post_stop(application)  # run_polling would call it

    async def _run_webhook(self, server: LocalBotApiServer) -> None:
        """The bot as ``repaybot run`` starts it with TELEGRAM_WEBHOOK_URL, on local ports."""
        port = free_port()
        self.webhook_url = f"http://127.0.0.1:{port}{WEBHOOK_PATH}"
        settings = self.deps.settings.model_copy(
            update={
                "telegram_bot_token": SecretStr(self.state.token),
                "telegram_api_base_url": server.base_url,
                "telegram_api_file_url": server.base_file_url,
                "telegram_webhook_url": self.webhook_url,
                # Made up per session: only this emulator can post updates to the bot.
                "telegram_webhook_secret": SecretStr(secrets.token_urlsafe(32)),
                "webhook_host": "127.0.0.1",
                "webhook_port": port,
            }
        )
        metrics = self.metrics = Metrics(self.deps.session_factory)
        application = self.application = configure(
            builder(
                settings, metrics, read_timeout=SEND_READ_TIMEOUT, connections=SEND_CONNECTIONS
            ),
            self.deps,
            processor=self._tracker,
        )
        _register_jobs(application, self.deps)
        hook = WebhookBot(application, settings, self.deps.session_factory, metrics)
        await hook.start()  # initialize, post_init, start, listen, setWebhook
        try:
            await self._chat_and_print()
        finally:
            await hook.stop()

    async def _chat_and_print(self) -> None:
        printer = asyncio.create_task(self._print_forever(), name="sandbox-printer")
        try:
            await self._chat()
        finally:
            printer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await printer

    async def _chat(self) -> None:
        self.term.note(self._banner())
        self.term.echo("/start")
        await self._send(self.user.send_text("/start"))
        self.reader.start()
        while True:
            self.term.prompt()
            self._reading = True
            try:
                line = await self.reader.readline()
            finally:
                self._reading = False
            if line is None:
                return  # a pending prompt stays pending: "bye" goes on a line of its own
            self.term.got_line()
            line = line.strip()
            if not line:
                continue
            self.term.echo(line)
            if line.lower() in QUIT:
                return
            await self._handle(line)

    def _banner(self) -> str:
        database = make_url(self.deps.settings.database_url).render_as_string(hide_password=True)
        name = self.user.record.first_name
        banner = BANNER.format(name=name, api=self.root_url, database=database)
        if self.webhook_url:
            banner += "\n" + WEBHOOK_BANNER.format(url=self.webhook_url)
        return banner

    # ---- input --------------------------------------------------------------------------
    async def _handle(self, line: str) -> None:
        command, _, rest = line.partition(" ")
        command = command.lower()
        if command.startswith(":") and command[1:2].isalpha():
            await self._sandbox_command(command, rest.strip())
            return
        number = line.removeprefix("#")
        if number.isdigit() and number.isascii():
            update = self._press(int(number), anywhere=line.startswith("#"))
            if update is not None:
                await self._send(update)
                return
            if line.startswith("#"):
                return
        await self._send_text(line)

    async def _sandbox_command(self, command: str, rest: str) -> None:
        if command == ":help":
            name = self.user.record.first_name
            self.term.note(HELP.format(name=name, downloads=self.downloads))
        elif command == ":time":
            self.term.note(f"sandbox time · 沙盒时间: {self._local_now()}{self._ahead()}")
        elif command == ":skip":
            if self._skip(rest):
                await self._run_jobs()
        elif command == ":scan":
            await self._run_jobs()
        elif command == ":send":
            await self._upload(rest)
        elif command == ":say":
            if rest:
                await self._send_text(rest)
        else:
            self.term.note(f"unknown sandbox command {command} — :help lists them")

    async def _send_text(self, text: str) -> None:
        try:
            update = self.user.send_text(text)
        except EmulatorError as error:
            self.term.note(f"not sent: {error}")
            return
        await self._send(update)

    def _press(self, number: int, *, anywhere: bool) -> JsonDict | None:
        """Press button `number`; a bare number counts only if the newest message has buttons."""
        messages = self.user.bot_messages()
        with_buttons = [m for m in messages if callback_buttons(m.reply_markup)]
        if not with_buttons or (not anywhere and with_buttons[-1] is not messages[-1]):
            if anywhere:
                self.term.note("no message with buttons to press")
            return None
        target = with_buttons[-1]
        buttons = callback_buttons(target.reply_markup)
        if not 1 <= number <= len(buttons):
            if anywhere:
                self.term.note(f"that message has buttons 1–{len(buttons)}")
            return None
        chosen = buttons[number - 1]
        self.term.note(f"(pressed [{number}] {chosen['text']})")
        return self.user.press_button(target, data=chosen["callback_data"])

    async def _upload(self, rest: str) -> None:
        try:
            words = shlex.split(rest)
        except ValueError as error:
            self.term.note(f"usage: :send FILE [caption] ({error})")
            return
        if not words:
            self.term.note("usage: :send FILE [caption]")
            return
        path = Path(words[0]).expanduser()
        caption = " ".join(words[1:]) or None
        try:
            data = path.read_bytes()
        except OSError as error:
            self.term.note(f"cannot read {path}: {error.strerror or error}")
            return
        try:
            if path.suffix.lower() in PHOTO_SUFFIXES:
                update = self.user.send_photo(data, caption=caption)
                kind = "photo"
            else:
                update = self.user.send_document(data, file_name=path.name, caption=caption)
                kind = "document"
        except EmulatorError as error:
            self.term.note(f"not sent: {error}")
            return
        self.term.note(f"(sent {kind} {path.name}, {human_size(len(data))})")
        await self._send(update)

    def _skip(self, rest: str) -> bool:
        try:
            delta = parse_duration(rest)
        except ValueError as error:
            self.term.note(f"{error} — e.g. :skip 3d, :skip 2h, :skip 30m")
            return False
        self.deps.clock.advance(delta)  # the emulator reads this clock too
        self.term.note(
            f"⏩ +{describe_duration(delta)} → {self._local_now()}{self._ahead()}",
        )
        return True

    async def _run_jobs(self) -> None:
        """One scan and one send now, as the repeating jobs would; then show what arrived."""
        if self.application is None:
            return
        try:
            scanned, sent = await jobs.run_now(self.application)
        except Exception:  # a job bug must not end the chat
            logger.exception("the reminder jobs failed")
            self.term.note(f"(the reminder jobs failed; see {LOG_FILE})")
            return
        self.show_new_events()
        if sent.sent:
            self.term.note(f"(reminders: {sent.sent} sent · 已发送 {sent.sent} 条提醒)")
        elif not scanned.enqueued:
            self.term.note("(no reminders due · 暂无到期提醒)")

    def _local_now(self) -> str:
        return local_time(self.deps.clock.now(), self._timezone())

    def _ahead(self) -> str:
        offset = self.deps.clock.offset
        return f" · {describe_duration(offset)} ahead of real time" if offset else ""

    def _timezone(self) -> str:
        with self.deps.uow() as uow:
            user = uow.users.get_by_telegram_id(self.user.id)
            return user.timezone if user is not None else self.deps.settings.default_timezone

    async def _send(self, update: JsonDict) -> None:
        """Wait until the bot has handled `update`, then print what it did."""
        if not await self._tracker.wait(update["update_id"], self.reply_timeout):
            self.term.note(f"(no answer after {self.reply_timeout:.0f} s; still listening)")
        self.show_new_events()

    # ---- output -------------------------------------------------------------------------
    async def _print_forever(self) -> None:
        """Print what the bot does on its own (reminders, late replies) as it happens."""
        while True:
            await self.state.wait_events(self._cursor, timeout=3600, chat_id=self.user.id)
            self.show_new_events()
            if self._reading:
                self.term.prompt()  # the bot spoke while the user was typing: ask again

    def show_new_events(self) -> None:
        """Print the bot's doings in this chat since the last call."""
        for event in self.state.events_after(self._cursor, self.user.id):
            self._cursor = event.seq
            try:
                self._print_event(event)
            except Exception:  # a rendering bug must not end the chat
                logger.exception("could not show event %s", event.seq)
                self.term.note(f"(could not show a {event.kind} event; see {LOG_FILE})")

    def _print_event(self, event: Event) -> None:
        snapshot = event.data.get("message") or {}
        raw: JsonDict = snapshot.get("message") or {}
        if event.kind == "bot_message":
            self._show_message(raw, BOT)
        elif event.kind == "edited":
            self._show_edit(raw)
        elif event.kind == "deleted" and snapshot.get("from_bot"):
            self.term.bot(["(deleted a message)"])
        elif event.kind == "callback_answer":
            answer = event.data.get("answer") or {}
            if answer.get("text"):
                kind = "alert" if answer.get("show_alert") else "notice"
                self.term.bot([f"({kind}) {answer['text']}"])
        # user_message, callback_query: the user's own doing, already echoed; chat_action: noise

    def _show_message(self, raw: JsonDict, label: str) -> None:
        lines = self._attachment(raw)
        body = raw.get("text", raw.get("caption"))
        if body is not None:
            entities = raw.get("entities") or raw.get("caption_entities")
            lines += render_text(body, entities, color=self.term.color).split("\n")
        lines += numbered_buttons(raw.get("reply_markup"))
        self._shown[raw["message_id"]] = (body or "", raw.get("reply_markup"))
        self.term.bot(lines, label)

    def _show_edit(self, raw: JsonDict) -> None:
        body = raw.get("text", raw.get("caption")) or ""
        markup = raw.get("reply_markup")
        before = self._shown.get(raw["message_id"])
        if before is not None and before[0] == body:  # only the buttons changed
            lines = numbered_buttons(markup) or ["(buttons removed)"]
            self._shown[raw["message_id"]] = (body, markup)
            self.term.bot(lines, "bot (edited buttons): ")
            return
        self._show_message({**raw, "photo": None, "document": None}, "bot (edited): ")

    def _attachment(self, raw: JsonDict) -> list[str]:
        if raw.get("document"):
            document = raw["document"]
            name = document.get("file_name") or "file"
            saved = self._save(document["file_id"], name)
            size = human_size(document.get("file_size") or 0)
            return [bold(f"[file {name}, {size}]", self.term.color) + f" saved to {saved}"]
        if raw.get("photo"):
            photo = raw["photo"][-1]
            saved = self._save(photo["file_id"], f"photo-{raw['message_id']}.jpg")
            size = human_size(photo.get("file_size") or 0)
            dims = f"{photo.get('width')}×{photo.get('height')}"
            return [bold(f"[photo {dims}, {size}]", self.term.color) + f" saved to {saved}"]
        kinds = ("sticker", "location", "contact", "audio", "video", "voice", "animation")
        return [f"[{kind}]" for kind in kinds if raw.get(kind)]

    def _save(self, file_id: str, name: str) -> Path:
        self.downloads.mkdir(parents=True, exist_ok=True)
        safe = Path(name).name or "file"
        target = self.downloads / safe
        stem, suffix = target.stem, target.suffix
        counter = 1
        while target.exists():
            target = self.downloads / f"{stem}-{counter}{suffix}"
            counter += 1
        target.write_bytes(self.state.file_bytes(file_id))
        return target


def _register_jobs(application: App, deps: Deps) -> None:
    if jobs.JOBS_KEY not in application.bot_data:  # bot.app may register them itself
        jobs.register(application, deps, render=render)


def _next_update_id(deps: Deps) -> int:
    """One more than the largest update id this database has recorded as handled."""
    with deps.session_factory() as session:
        largest = session.execute(select(func.max(col(ProcessedUpdate.update_id)))).scalar()
    return int(largest or 0) + 1


# ---- the `repaybot run` entry point ---------------------------------------------------------
def run_sandbox(
    settings: BotSettings,
    *,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
    environ: Mapping[str, str] | None = None,
    downloads: Path = DOWNLOADS,
    log_file: Path | None = LOG_FILE,
) -> int:
    """Run the sandbox chat until :quit, end of input or Ctrl-C; 0 on a clean exit.

    ``environ`` gives only $USER (the simulated user's name) and $LANG (their language when
    SANDBOX_LANGUAGE is not set); the sandbox's settings come from ``settings``.
    """
    from bot.main import build_deps

    environ = os.environ if environ is None else environ
    stdin = sys.stdin if stdin is None else stdin
    stdout = sys.stdout if stdout is None else stdout
    try:
        check_port_free(settings.sandbox_port)
    except ValueError as error:
        print(f"repaybot run: {error}", file=sys.stderr)
        return 2
    settings = sandbox_settings(settings)
    with sandbox_logging(log_file, settings.log_level):
        deps = build_deps(settings)
        sandbox = Sandbox(
            deps,
            stdin=stdin,
            stdout=stdout,
            user_name=environ.get("USER") or "You",
            language_code=user_language(settings.sandbox_language, environ),
            port=settings.sandbox_port,
            downloads=downloads,
            flood=settings.sandbox_flood,
            webhook=settings.sandbox_webhook,
        )
        try:
            return asyncio.run(sandbox.run())
        except KeyboardInterrupt:
            sandbox.term.note("bye · 再见")
            return 0
        except EmulatorStartError as error:
            print(f"repaybot run: the local Bot API could not start ({error})", file=sys.stderr)
            return 1
        except SystemExit as exit_:  # uvicorn exits when it cannot bind the webhook's port
            print(f"repaybot run: the bot's webhook could not start ({exit_})", file=sys.stderr)
            return 1
