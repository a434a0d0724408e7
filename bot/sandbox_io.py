"""Sandbox terminal I/O: lines from stdin without blocking the event loop, and tidy output."""

from __future__ import annotations

import asyncio
import codecs
import contextlib
import io
import os
import threading
from collections.abc import Iterator
from typing import TextIO

PROMPT = "you: "
BOT = "bot: "
INDENT = " " * len(BOT)


def is_tty(stream: object) -> bool:
    """True for an interactive terminal (False for pipes, files, StringIO)."""
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except (ValueError, OSError):  # closed or detached
        return False


def _fileno(stream: TextIO) -> int | None:
    try:
        return stream.fileno()
    except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
        return None


class LineReader:
    """Reads lines from a stream in a daemon thread; `await readline()` gets them in order.

    A real file descriptor is read with os.read, not through the buffered sys.stdin object: a
    daemon thread blocked inside sys.stdin.readline would keep its lock, and the interpreter
    could abort at exit ("could not acquire lock for <stdin>"). Being a daemon, the thread
    never delays exit either, even when it waits for a line that never comes.
    """

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._queue: asyncio.Queue[str | None] = asyncio.Queue()
        self._loop: asyncio.AbstractEventLoop | None = None

    def start(self) -> None:
        """Start reading (call from the event loop that will await readline)."""
        self._loop = asyncio.get_running_loop()
        thread = threading.Thread(target=self._run, name="sandbox-stdin", daemon=True)
        thread.start()

    async def readline(self) -> str | None:
        """The next line without its newline; None at end of input."""
        return await self._queue.get()

    def _put(self, line: str | None) -> bool:
        assert self._loop is not None
        try:
            self._loop.call_soon_threadsafe(self._queue.put_nowait, line)
        except RuntimeError:  # the loop is closed: nobody is listening any more
            return False
        return True

    def _run(self) -> None:
        fd = _fileno(self._stream)
        try:
            for line in _fd_lines(fd) if fd is not None else _stream_lines(self._stream):
                if not self._put(line):
                    return
        except (OSError, ValueError):
            pass  # stdin closed under us: treat as end of input
        self._put(None)


def _stream_lines(stream: TextIO) -> Iterator[str]:
    while line := stream.readline():
        yield line.rstrip("\r\n")


def _fd_lines(fd: int) -> Iterator[str]:
    """Lines from a raw file descriptor, decoded as UTF-8 (bad bytes replaced)."""
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    pending = ""
    while True:
        chunk = os.read(fd, 4096)
        pending += decoder.decode(chunk, final=not chunk)
        *lines, pending = pending.split("\n")
        for line in lines:
            yield line.rstrip("\r")
        if not chunk:
            break
    if pending:
        yield pending.rstrip("\r")


class Terminal:
    """Output side: system notes, the bot's messages and, interactively, a prompt."""

    def __init__(self, out: TextIO, *, color: bool, interactive: bool) -> None:
        self.out = out
        self.color = color
        self.interactive = interactive
        self._prompting = False

    def write(self, text: str) -> None:
        """Write lines, moving off a pending prompt first."""
        if self._prompting:
            self.out.write("\n")
            self._prompting = False
        self.out.write(text if text.endswith("\n") else text + "\n")
        with contextlib.suppress(OSError, ValueError):
            self.out.flush()

    def note(self, text: str) -> None:
        """A line from the sandbox itself (dim when colour is on)."""
        self.write(f"\033[2m{text}\033[0m" if self.color else text)

    def bot(self, lines: list[str], label: str = BOT) -> None:
        """A bot message: the first line labelled, the rest indented to match."""
        lines = lines or [""]
        head = f"\033[36m{label}\033[0m" if self.color else label
        body = [head + lines[0]] + [(INDENT + line).rstrip() for line in lines[1:]]
        self.write("\n".join(body))

    def echo(self, line: str) -> None:
        """Show what the user typed when the terminal did not (input from a pipe)."""
        if not self.interactive:
            self.write(PROMPT + line)

    def prompt(self) -> None:
        """Ask for the next line (interactive terminals only)."""
        if self.interactive and not self._prompting:
            self.out.write(PROMPT)
            with contextlib.suppress(OSError, ValueError):
                self.out.flush()
            self._prompting = True

    def got_line(self) -> None:
        """The user pressed Enter: the cursor is on a fresh line again."""
        self._prompting = False
