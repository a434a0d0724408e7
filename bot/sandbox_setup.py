"""Sandbox start-up: which database, ports, language and flood control; where logs go."""

from __future__ import annotations

import contextlib
import logging
import socket
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path

from bot.settings import BotSettings
from tracker.settings import DEFAULT_DATABASE_URL

SANDBOX_DATABASE_URL = "sqlite:///./data/sandbox.sqlite3"


def sandbox_settings(settings: BotSettings) -> BotSettings:
    """Settings with the sandbox's own database unless DATABASE_URL names another one."""
    if settings.database_url != DEFAULT_DATABASE_URL:
        return settings
    return settings.model_copy(update={"database_url": SANDBOX_DATABASE_URL})


def user_language(chosen: str | None, environ: Mapping[str, str]) -> str | None:
    """The simulated user's language_code: SANDBOX_LANGUAGE (``chosen``), else from $LANG."""
    if chosen is None:
        lang = environ.get("LANG", "").strip()
        if not lang:
            return None  # like a Telegram app that sends none: the bot's DEFAULT_LANGUAGE
        chosen = lang.split(".")[0].replace("_", "-").lower()
        if chosen in ("c", "posix"):
            return "en"
    if chosen.startswith("zh"):
        return "zh-hans"
    return chosen.split("-")[0] or None


def check_port_free(port: int) -> None:
    """Raise ValueError if SANDBOX_PORT (already validated; 0 picks a free one) is taken."""
    if not port:
        return
    with socket.socket() as probe:  # say so plainly rather than let uvicorn exit
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does
        try:
            probe.bind(("127.0.0.1", port))
        except OSError as error:
            raise ValueError(f"SANDBOX_PORT {port} is not free: {error.strerror}") from None


def free_port() -> int:
    """A port of 127.0.0.1 that nothing listens on now (for the webhook's URL, known up front)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class _BriefFormatter(logging.Formatter):
    """One line per record for the chat terminal; tracebacks stay in the log file."""

    def __init__(self, details: Path | None) -> None:
        super().__init__()
        self._details = details

    def format(self, record: logging.LogRecord) -> str:
        text = f"{record.levelname} {record.name}: {record.getMessage()}"
        error = record.exc_info[1] if record.exc_info else None
        if error is not None:
            text += f" ({type(error).__name__}: {error})"
            if self._details is not None:
                text += f" — traceback in {self._details}"
        return text


@contextlib.contextmanager
def sandbox_logging(path: Path | None, level: str) -> Iterator[None]:
    """While the chat runs: one-line warnings on stderr, everything at `level` in `path`."""
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    console = logging.StreamHandler(sys.stderr)
    console.setLevel(logging.WARNING)
    console.setFormatter(_BriefFormatter(path))
    handlers: list[logging.Handler] = [console]
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("", encoding="utf-8")  # one session per file
        # Append mode: uvicorn's logging set-up closes existing handlers, and a closed
        # FileHandler only reopens itself if it would not truncate the file.
        file_handler = logging.FileHandler(path, mode="a", encoding="utf-8")
        file_handler.setLevel(level)
        file_handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s")
        )
        handlers.append(file_handler)
    root.handlers[:] = handlers
    root.setLevel(level if path is not None else logging.WARNING)
    try:
        yield
    finally:
        root.handlers[:] = saved_handlers
        root.setLevel(saved_level)
        for handler in handlers:
            handler.close()
