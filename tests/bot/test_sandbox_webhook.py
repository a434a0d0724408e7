"""Issue 12: the sandbox with the bot in webhook mode (SANDBOX_WEBHOOK), driven by typed lines.

The local Bot API POSTs each typed message and button press to the bot's own HTTP server with
the secret the bot registered, as Telegram does; the bot never calls getUpdates.
"""

from __future__ import annotations

import asyncio
import io
import socket
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from bot.localapi import EmulatorState
from bot.runtime import Deps
from bot.sandbox import (
    SANDBOX_USER_ID,
    WEBHOOK_PATH,
    EmulatorStartError,
    Sandbox,
    run_sandbox,
)
from bot.settings import BotSettings
from tracker.storage.uow import SqlUnitOfWork

TIMEOUT = 30


async def webhook_chat(deps: Deps, lines: list[str], tmp_path: Path) -> tuple[Sandbox, str]:
    """Run the sandbox in webhook mode over the lines (an English user); it must exit 0."""
    out = io.StringIO()
    sandbox = Sandbox(
        deps,
        stdin=io.StringIO("".join(line + "\n" for line in lines)),
        stdout=out,
        user_name="Alice",
        language_code="en",
        downloads=tmp_path / "downloads",
        color=False,
        reply_timeout=10,
        webhook=True,
    )
    assert await asyncio.wait_for(sandbox.run(), TIMEOUT) == 0
    return sandbox, out.getvalue()


def called(sandbox: Sandbox, method: str) -> list[dict[str, object]]:
    """The emulator's record of the bot's calls of one Bot API method."""
    return [call for call in sandbox.state.api_calls if call["method"].lower() == method.lower()]


def delivered_by_webhook(sandbox: Sandbox) -> float:
    """Updates the bot's webhook server took and stored (its own Prometheus counter)."""
    assert sandbox.metrics is not None
    value = sandbox.metrics.registry.get_sample_value("repaybot_updates_received_total")
    assert value is not None
    return value


async def test_a_payment_typed_in_webhook_mode_is_delivered_by_post_and_answered(
    deps: Deps,
    tmp_path: Path,
    given_debt: Callable[..., int],
    make_uow: Callable[[], SqlUnitOfWork],
) -> None:
    lines = ["/paid 500", "/language", "2", ":quit"]
    # The sandbox's user keeps one id across runs: store their debt before the chat starts.
    user = EmulatorState().create_user("Alice", user_id=SANDBOX_USER_ID, language_code="en")
    debt_id = given_debt(user)

    sandbox, output = await webhook_chat(deps, lines, tmp_path)

    assert "bot: Hello Alice!" in output  # /start, sent automatically
    assert "✅ Recorded CN¥500.00 to 金条" in output
    assert "(pressed [2] English)" in output  # a button press travels by webhook too
    assert "Done: from now on I'll speak to you in English." in output
    assert "no answer after" not in output
    with make_uow() as uow:
        user = uow.users.get_by_telegram_id(sandbox.user.id)
        assert user is not None
        assert user.id is not None
        payments = uow.payments.list_for_debt(user.id, debt_id)
        assert [p.amount_minor for p in payments] == [50000]

    # Delivered by webhook: registered at a local URL with a secret, never polled, and the
    # bot's webhook server took /start, /paid, /language and the press: four updates.
    webhook = sandbox.state.webhook
    assert webhook is not None
    assert webhook.url == sandbox.webhook_url
    url = urlsplit(webhook.url)
    assert (url.scheme, url.hostname, url.path) == ("http", "127.0.0.1", WEBHOOK_PATH)
    assert webhook.secret_token
    assert called(sandbox, "setWebhook")
    assert called(sandbox, "getUpdates") == []
    assert delivered_by_webhook(sandbox) == 4
    assert sandbox.state.pending_updates() == []
    assert sandbox.state.webhook_last_error is None
    assert f"webhook mode: the Bot API POSTs each update to {webhook.url}" in output


async def test_polling_mode_stays_the_default(deps: Deps, tmp_path: Path) -> None:
    sandbox = Sandbox(
        deps,
        stdin=io.StringIO("/help\n"),
        stdout=io.StringIO(),
        downloads=tmp_path / "downloads",
        reply_timeout=10,
    )
    assert await asyncio.wait_for(sandbox.run(), TIMEOUT) == 0
    assert sandbox.state.webhook is None
    assert called(sandbox, "getUpdates")
    assert called(sandbox, "setWebhook") == []
    assert sandbox.metrics is None


@pytest.mark.parametrize(
    ("given", "expected"), [(None, False), ("", False), ("true", True), ("false", False)]
)
def test_sandbox_webhook_setting(
    monkeypatch: pytest.MonkeyPatch, given: str | None, expected: bool
) -> None:
    monkeypatch.delenv("SANDBOX_WEBHOOK", raising=False)
    if given is not None:
        monkeypatch.setenv("SANDBOX_WEBHOOK", given)
    assert BotSettings(_env_file=None).sandbox_webhook is expected  # type: ignore[call-arg]


def test_run_sandbox_with_sandbox_webhook(db_url: str, tmp_path: Path) -> None:
    settings = BotSettings(_env_file=None, database_url=db_url, sandbox_webhook=True)  # type: ignore[call-arg]
    out = io.StringIO()
    code = run_sandbox(
        settings,
        stdin=io.StringIO("/help\n"),
        stdout=out,
        environ={"USER": "dev", "LANG": "en_US.UTF-8"},
        downloads=tmp_path / "downloads",
        log_file=tmp_path / "sandbox.log",
    )
    assert code == 0
    output = out.getvalue()
    assert "webhook mode: the Bot API POSTs each update to http://127.0.0.1:" in output
    assert "bot: Hello dev!" in output
    assert "/adddebt — add a debt step by step" in output  # /help's answer
    log = (tmp_path / "sandbox.log").read_text()
    assert "repaybot webhook listening on port" in log


# uvicorn ends its thread with SystemExit when the port is taken (Python ignores that silently).
@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
async def test_a_local_bot_api_that_cannot_start_is_one_error(deps: Deps, tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        sandbox = Sandbox(
            deps,
            stdin=io.StringIO("/help\n"),
            stdout=io.StringIO(),
            port=taken.getsockname()[1],
            downloads=tmp_path / "downloads",
        )
        with pytest.raises(EmulatorStartError, match="failed to start"):
            await asyncio.wait_for(sandbox.run(), TIMEOUT)
    assert sandbox.application is None  # the bot never started
