"""The `make run` sandbox: the real bot over local HTTP, driven by scripted terminal lines."""

from __future__ import annotations

import asyncio
import io
import os
import socket
import subprocess
import sys
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.localapi.ptb import in_process_bot
from bot.runtime import Deps
from bot.sandbox import Sandbox, run_sandbox
from bot.sandbox_render import parse_duration, render_text
from bot.sandbox_setup import (
    SANDBOX_DATABASE_URL,
    check_port_free,
    sandbox_settings,
    user_language,
)
from bot.settings import BotSettings
from tests.bot.conftest import START
from tracker.storage.enums import Language
from tracker.storage.uow import SqlUnitOfWork

TIMEOUT = 30


def make_sandbox(
    deps: Deps, lines: list[str], tmp_path: Path, *, color: bool = False, name: str = "Alice"
) -> tuple[Sandbox, io.StringIO]:
    out = io.StringIO()
    sandbox = Sandbox(
        deps,
        stdin=io.StringIO("".join(line + "\n" for line in lines)),
        stdout=out,
        user_name=name,
        language_code="zh-hans",
        downloads=tmp_path / "downloads",
        color=color,
        reply_timeout=10,
    )
    return sandbox, out


async def chat(deps: Deps, lines: list[str], tmp_path: Path) -> tuple[Sandbox, str]:
    """Run the sandbox over the lines; it must exit 0 by itself."""
    sandbox, out = make_sandbox(deps, lines, tmp_path)
    assert await asyncio.wait_for(sandbox.run(), TIMEOUT) == 0
    return sandbox, out.getvalue()


def port_of(url: str) -> int:
    return int(url.rsplit(":", 1)[1])


async def test_start_greeting_then_quit_stops_everything(deps: Deps, tmp_path: Path) -> None:
    sandbox, output = await chat(deps, [":quit"], tmp_path)
    assert ":skip 3d" in output  # the banner, in English
    assert "快进时间" in output  # and in Chinese
    assert "you: /start" in output  # sent automatically
    assert "bot: 你好，Alice！" in output
    assert "/adddebt" in output
    assert output.rstrip().endswith("bye · 再见")
    with (
        pytest.raises(ConnectionRefusedError),
        socket.create_connection(("127.0.0.1", port_of(sandbox.root_url)), 1),
    ):
        pass  # the port is closed


async def test_buttons_are_numbered_and_a_number_presses(
    deps: Deps, tmp_path: Path, make_uow: Callable[[], SqlUnitOfWork]
) -> None:
    sandbox, output = await chat(deps, ["/language", "2", "/help", ":quit"], tmp_path)
    assert "[1] 中文  [2] English" in output
    assert "(pressed [2] English)" in output
    assert "Done: from now on I'll speak to you in English." in output
    assert "record a plan agreed with the lender" in output  # /help, now in English
    with make_uow() as uow:
        user = uow.users.get_by_telegram_id(sandbox.user.id)
        assert user is not None
        assert user.language is Language.EN


async def test_bare_number_is_text_unless_the_newest_message_has_buttons(
    deps: Deps, tmp_path: Path
) -> None:
    sandbox, output = await chat(deps, ["/language", "/help", "1", "#1", "#7"], tmp_path)
    sent = [m.text for m in sandbox.user.transcript() if not m.from_bot]
    assert "1" in sent  # after /help (no buttons) a bare 1 is just a message
    assert "(pressed [1] 中文)" in output  # #1 reaches back to the language menu
    assert "that message has buttons 1–2" in output
    assert "bye · 再见" in output  # end of input quits like :quit


async def test_skip_moves_both_clocks(deps: Deps, tmp_path: Path) -> None:
    sandbox, output = await chat(deps, [":skip 1d", ":skip 2h30m", ":skip soon", ":time"], tmp_path)
    moved = START + timedelta(days=1, hours=2, minutes=30)
    assert deps.clock.now() == moved
    assert sandbox.state.now() == moved.timestamp()
    assert "⏩ +1d → 2026-12-02 Wed 09:00 Asia/Shanghai (UTC+08:00)" in output
    assert "not a duration like 3d, 2h or 30m" in output
    assert "sandbox time · 沙盒时间: 2026-12-02 Wed 11:30 Asia/Shanghai" in output
    assert "1d 2h 30m ahead of real time" in output


async def test_send_uploads_a_file_and_the_bot_answers(deps: Deps, tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("hello")
    sandbox, output = await chat(
        deps, [f":send {notes} my notes", ":send /no/such/file", ":help"], tmp_path
    )
    uploaded = [m for m in sandbox.user.transcript() if m.document]
    assert uploaded[0].document is not None
    assert uploaded[0].document["file_name"] == "notes.txt"
    assert uploaded[0].file_bytes == b"hello"
    assert "(sent document notes.txt, 5 bytes)" in output
    assert "cannot read /no/such/file" in output
    assert "no answer after" not in output
    assert ":send FILE [caption]" in output  # :help


async def test_a_second_run_on_the_same_database_is_answered(deps: Deps, tmp_path: Path) -> None:
    await chat(deps, ["/help"], tmp_path)
    _, output = await chat(deps, ["/help"], tmp_path)  # fresh emulator, same database
    assert output.count("/adddebt") >= 2  # greeting and help: not dropped as redeliveries
    assert "no answer after" not in output


async def test_messages_edits_and_files_are_rendered(deps: Deps, tmp_path: Path) -> None:
    sandbox, out = make_sandbox(deps, [], tmp_path, color=True)
    chat_id = sandbox.user.chat_id
    markup = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("还清", callback_data="a"),
                InlineKeyboardButton("x", url="https://e.org"),
            ]
        ]
    )
    async with in_process_bot(sandbox.state) as bot:
        sent = await bot.send_message(
            chat_id, "<b>¥1,000</b> &amp; 😀 <i>due</i>", parse_mode="HTML", reply_markup=markup
        )
        await bot.edit_message_text("paid ✅", chat_id=chat_id, message_id=sent.message_id)
        await bot.send_document(chat_id, b"a,b\n", filename="export.csv", caption="your data")
        await bot.send_document(chat_id, b"a,b,c\n", filename="export.csv")
    sandbox.show_new_events()
    output = out.getvalue()
    assert "\033[36mbot: \033[0m\033[1m¥1,000\033[0m & 😀 \033[3mdue\033[0m" in output
    assert "[1] 还清  [↗ x <https://e.org>]" in output
    assert "bot (edited): \033[0mpaid ✅" in output
    assert "[file export.csv, 4 bytes]\033[0m saved to" in output
    downloads = tmp_path / "downloads"
    assert (downloads / "export.csv").read_bytes() == b"a,b\n"
    assert (downloads / "export-1.csv").read_bytes() == b"a,b,c\n"


def test_render_text_without_colour_keeps_links() -> None:
    entities = [
        {"type": "bold", "offset": 0, "length": 2},
        {"type": "text_link", "offset": 3, "length": 4, "url": "https://x.org"},
    ]
    assert render_text("😀 here now", entities) == "😀 here <https://x.org> now"


def test_durations() -> None:
    assert parse_duration("3d") == timedelta(days=3)
    assert parse_duration("1d 12h") == timedelta(days=1, hours=12)
    assert parse_duration("30m") == timedelta(minutes=30)
    for bad in ("", "3", "soon", "0d", "-1d"):
        with pytest.raises(ValueError, match=r"duration|forward"):
            parse_duration(bad)


def test_language_and_database_choices() -> None:
    assert user_language(None, {"LANG": "zh_CN.UTF-8"}) == "zh-hans"
    assert user_language(None, {"LANG": "en_GB.UTF-8"}) == "en"
    assert user_language(None, {"LANG": "C.UTF-8"}) == "en"
    assert user_language(None, {}) is None
    assert user_language("zh", {"LANG": "en_US.UTF-8"}) == "zh-hans"  # SANDBOX_LANGUAGE wins
    assert user_language("en", {"LANG": "zh_CN.UTF-8"}) == "en"
    default = BotSettings(_env_file=None)  # type: ignore[call-arg]
    assert sandbox_settings(default).database_url == SANDBOX_DATABASE_URL
    other = BotSettings(_env_file=None, database_url="sqlite:////tmp/x.sqlite3")  # type: ignore[call-arg]
    assert sandbox_settings(other).database_url == "sqlite:////tmp/x.sqlite3"


def test_run_sandbox_in_process(db_url: str, tmp_path: Path) -> None:
    settings = BotSettings(_env_file=None, database_url=db_url)  # type: ignore[call-arg]
    out = io.StringIO()
    code = run_sandbox(
        settings,
        stdin=io.StringIO(":time\n"),
        stdout=out,
        environ={"USER": "dev", "LANG": "en_US.UTF-8"},
        downloads=tmp_path / "downloads",
        log_file=tmp_path / "sandbox.log",
    )
    assert code == 0
    assert "bot: Hello dev!" in out.getvalue()
    assert "Application started" in (tmp_path / "sandbox.log").read_text()


def test_repaybot_run_without_token_from_a_pipe(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "SANDBOX_"))}
    env |= {"DATABASE_URL": f"sqlite:///{tmp_path / 'pipe.sqlite3'}", "LANG": "en_US.UTF-8"}
    repaybot = Path(sys.executable).with_name("repaybot")
    result = subprocess.run(
        [str(repaybot), "run"],
        input="/help\n:quit\n",
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,  # no .env here; ./data/ goes to the temp directory
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "/adddebt — add a debt step by step" in result.stdout
    assert "bye · 再见" in result.stdout
    assert (tmp_path / "data" / "sandbox.log").exists()


def test_a_taken_sandbox_port_is_one_clear_line(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(ValueError, match=f"SANDBOX_PORT {port} is not free"):
            check_port_free(port)
        settings = BotSettings(_env_file=None, database_url=db_url, sandbox_port=port)  # type: ignore[call-arg]
        code = run_sandbox(
            settings,
            stdin=io.StringIO(":quit\n"),
            stdout=io.StringIO(),
            environ={"USER": "dev"},
            downloads=tmp_path / "downloads",
            log_file=tmp_path / "sandbox.log",
        )
    assert code == 2
    assert f"repaybot run: SANDBOX_PORT {port} is not free" in capsys.readouterr().err
    check_port_free(0)  # 0: any free port, nothing to check


def test_run_sandbox_takes_the_language_from_its_settings(db_url: str, tmp_path: Path) -> None:
    settings = BotSettings(_env_file=None, database_url=db_url, sandbox_language="en")  # type: ignore[call-arg]
    out = io.StringIO()
    code = run_sandbox(
        settings,
        stdin=io.StringIO(":time\n"),
        stdout=out,
        environ={"USER": "dev", "LANG": "zh_CN.UTF-8"},  # SANDBOX_LANGUAGE wins over $LANG
        downloads=tmp_path / "downloads",
        log_file=tmp_path / "sandbox.log",
    )
    assert code == 0
    assert "bot: Hello dev!" in out.getvalue()
