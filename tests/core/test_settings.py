"""Settings: defaults, validation and the documented .env.example; the core's and the bot's."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.settings import TELEGRAM_API_BASE_URL, BotSettings
from tracker.settings import DEFAULT_DATABASE_URL, Settings

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Keep the developer's own environment and .env out of these tests."""
    for name in BotSettings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
    monkeypatch.chdir(tmp_path)


def test_defaults_need_no_environment() -> None:
    settings = BotSettings()
    assert settings.telegram_bot_token is None
    assert settings.telegram_api_base_url == TELEGRAM_API_BASE_URL
    assert settings.database_url == DEFAULT_DATABASE_URL
    assert (settings.default_timezone, settings.default_language) == ("Asia/Shanghai", "zh")
    assert settings.default_currency == "CNY"


def test_token_is_secret_and_blank_means_none(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123:abc")
    settings = BotSettings()
    assert settings.telegram_bot_token is not None
    assert settings.telegram_bot_token.get_secret_value() == "123:abc"
    assert "123:abc" not in repr(settings)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "  ")
    assert BotSettings().telegram_bot_token is None


def test_file_url_is_derived_from_api_base(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_API_BASE_URL", "http://127.0.0.1:8081/bot/")
    assert BotSettings().file_base_url == "http://127.0.0.1:8081/file/bot"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DEFAULT_TIMEZONE", "Mars/Olympus"),
        ("DEFAULT_CURRENCY", "XYZ"),
        ("DEFAULT_LANGUAGE", "fr"),
        ("TELEGRAM_API_BASE_URL", "api.telegram.org"),
        ("SCAN_INTERVAL_SECONDS", "1"),
        ("LOG_LEVEL", "LOUD"),
    ],
)
def test_bad_values_are_rejected_by_name(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError, match=name.lower()):
        BotSettings()


def test_currency_is_normalised(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEFAULT_CURRENCY", "usd")
    assert BotSettings().default_currency == "USD"


def test_env_example_documents_every_setting_and_parses(tmp_path: Path) -> None:
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    documented = {
        line.split("=", 1)[0].lstrip("# ").strip()
        for line in text.splitlines()
        if ("=" in line and not line.startswith("# ")) or line.startswith("# TEST_")
    }
    assert {name.upper() for name in BotSettings.model_fields} <= documented
    settings = BotSettings(_env_file=ROOT / ".env.example")  # type: ignore[call-arg]
    assert settings.default_language == "zh"
    assert settings.scan_interval_seconds == 60
    assert settings.telegram_bot_token is None


def test_webhook_mode_is_off_by_default_and_listens_on_8080() -> None:
    settings = BotSettings()
    assert settings.telegram_webhook_url is None
    assert settings.telegram_webhook_secret is None
    assert (settings.webhook_host, settings.webhook_port) == ("0.0.0.0", 8080)


@pytest.mark.parametrize(
    ("url", "path"),
    [
        ("https://bot.example.org/telegram/hook", "/telegram/hook"),
        ("https://bot.example.org", "/"),
        ("http://127.0.0.1:8443/hook", "/hook"),  # tests and the local emulator
        ("http://localhost/hook", "/hook"),
    ],
)
def test_webhook_url_and_its_path(monkeypatch: pytest.MonkeyPatch, url: str, path: str) -> None:
    monkeypatch.setenv("TELEGRAM_WEBHOOK_URL", url)
    settings = BotSettings()
    assert settings.telegram_webhook_url == url
    assert settings.webhook_path == path


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("TELEGRAM_WEBHOOK_URL", "http://bot.example.org/hook"),  # Telegram calls https only
        ("TELEGRAM_WEBHOOK_URL", "bot.example.org/hook"),
        ("TELEGRAM_WEBHOOK_SECRET", "has spaces"),
        ("TELEGRAM_WEBHOOK_SECRET", "x" * 257),
        ("WEBHOOK_PORT", "0"),
    ],
)
def test_bad_webhook_settings_are_rejected_by_name(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError, match=name.lower()):
        BotSettings()


def test_webhook_secret_is_secret_and_blank_means_none(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET", "abc-DEF_123")
    settings = BotSettings()
    assert settings.telegram_webhook_secret is not None
    assert settings.telegram_webhook_secret.get_secret_value() == "abc-DEF_123"
    assert "abc-DEF_123" not in repr(settings)
    monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET", "")
    monkeypatch.setenv("TELEGRAM_WEBHOOK_URL", "")
    assert BotSettings().telegram_webhook_secret is None
    assert BotSettings().telegram_webhook_url is None


def test_the_core_knows_only_what_it_uses(monkeypatch: pytest.MonkeyPatch) -> None:
    bot_only = set(BotSettings.model_fields) - set(Settings.model_fields)
    assert not {
        name
        for name in Settings.model_fields
        if name.startswith(("telegram", "webhook", "sandbox"))
    }
    assert {"telegram_bot_token", "telegram_webhook_url", "sandbox_port", "log_level"} <= bot_only
    # The bot's variables in the same environment are none of the core's business.
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123:abc")
    monkeypatch.setenv("SANDBOX_PORT", "not a port")
    monkeypatch.setenv("DATABASE_URL", "sqlite:////tmp/core.sqlite3")
    core = Settings()
    assert core.database_url == "sqlite:////tmp/core.sqlite3"
    assert not hasattr(core, "telegram_bot_token")


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DEFAULT_TIMEZONE", "Mars/Olympus"),
        ("DEFAULT_CURRENCY", "XYZ"),
        ("DEFAULT_LANGUAGE", "fr"),
        ("SCAN_INTERVAL_SECONDS", "1"),
    ],
)
def test_the_core_rejects_bad_values_by_name(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError, match=name.lower()):
        Settings()


@pytest.mark.parametrize(
    ("value", "port"), [("", 0), ("  ", 0), ("0", 0), ("8081", 8081), ("65535", 65535)]
)
def test_sandbox_port_blank_or_zero_is_any_free_port(
    monkeypatch: pytest.MonkeyPatch, value: str, port: int
) -> None:
    monkeypatch.setenv("SANDBOX_PORT", value)
    assert BotSettings().sandbox_port == port


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("SANDBOX_PORT", "65536"),
        ("SANDBOX_PORT", "-1"),
        ("SANDBOX_PORT", "eighty"),
        ("SANDBOX_LANGUAGE", "fr"),
        ("SANDBOX_LANGUAGE", "zh-TW"),
        ("SANDBOX_FLOOD", "maybe"),
    ],
)
def test_bad_sandbox_settings_are_rejected_by_name(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError, match=name.lower()):
        BotSettings()


@pytest.mark.parametrize(
    ("language", "flood", "expected"),
    [
        ("", "", (None, False)),
        ("ZH", "1", ("zh", True)),
        (" en ", "true", ("en", True)),
        ("zh", "false", ("zh", False)),
    ],
)
def test_sandbox_language_and_flood(
    monkeypatch: pytest.MonkeyPatch, language: str, flood: str, expected: tuple[str | None, bool]
) -> None:
    monkeypatch.setenv("SANDBOX_LANGUAGE", language)
    monkeypatch.setenv("SANDBOX_FLOOD", flood)
    settings = BotSettings()
    assert (settings.sandbox_language, settings.sandbox_flood) == expected


def test_sandbox_settings_from_env_file(tmp_path: Path) -> None:
    env = tmp_path / "sandbox.env"
    env.write_text("SANDBOX_PORT=0\nSANDBOX_LANGUAGE=en\nSANDBOX_FLOOD=1\n", encoding="utf-8")
    settings = BotSettings(_env_file=env)  # type: ignore[call-arg]
    assert (settings.sandbox_port, settings.sandbox_language, settings.sandbox_flood) == (
        0,
        "en",
        True,
    )
