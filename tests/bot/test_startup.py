"""Issue 11, housekeeping: a database that cannot be used at start-up ends with one clear line
and exit code 1; another poller on the token (409 Conflict) is one warning, not an error loop."""

from __future__ import annotations

import logging
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from telegram.error import Conflict, NetworkError

from bot.cli import main
from bot.errors import error_handler


@pytest.mark.parametrize("kind", ["a directory", "an unreachable server"])
def test_a_database_that_cannot_be_used_ends_start_up_with_one_line(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    kind: str,
) -> None:
    url = {
        "a directory": f"sqlite:///{tmp_path}",  # SQLite cannot open a directory as a file
        "an unreachable server": "postgresql+psycopg://bot:s3cret@127.0.0.1:1/repaybot",
    }[kind]
    monkeypatch.chdir(tmp_path)  # no .env here
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123:abc")
    monkeypatch.setenv("TELEGRAM_API_BASE_URL", "http://127.0.0.1:1/bot")  # never reached
    assert main(["run"]) == 1
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("repaybot run: cannot use the database ")
    assert "Traceback" not in err
    assert "s3cret" not in err  # the password is never printed


async def test_a_409_conflict_is_one_clear_warning(caplog: pytest.LogCaptureFixture) -> None:
    context: Any = SimpleNamespace(error=Conflict("terminated by other getUpdates request"))
    context.bot_data = {}
    with caplog.at_level(logging.DEBUG, logger="bot.errors"):
        for _ in range(5):  # python-telegram-bot retries getUpdates every few seconds
            await error_handler(None, context)
    records = [r for r in caplog.records if r.name == "bot.errors"]
    warnings = [r for r in records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "another" in warnings[0].getMessage()
    assert not [r for r in records if r.levelno >= logging.ERROR]


async def test_a_network_error_while_fetching_updates_is_a_warning_without_traceback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    context: Any = SimpleNamespace(error=NetworkError("httpx.ReadError: "), bot_data={})
    with caplog.at_level(logging.DEBUG, logger="bot.errors"):
        await error_handler(None, context)
    [record] = [r for r in caplog.records if r.name == "bot.errors"]
    assert record.levelno == logging.WARNING
    assert record.exc_info is None
