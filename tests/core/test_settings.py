"""Settings: defaults, validation and the documented .env.example."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from tracker.settings import DEFAULT_DATABASE_URL, TELEGRAM_API_BASE_URL, Settings

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Keep the developer's own environment and .env out of these tests."""
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
    monkeypatch.chdir(tmp_path)


def test_defaults_need_no_environment() -> None:
    settings = Settings()
    assert settings.telegram_bot_token is None
    assert not settings.has_token
    assert settings.telegram_api_base_url == TELEGRAM_API_BASE_URL
    assert settings.database_url == DEFAULT_DATABASE_URL
    assert (settings.default_timezone, settings.default_language) == ("Asia/Shanghai", "zh")
    assert settings.default_currency == "CNY"


def test_token_is_secret_and_blank_means_none(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123:abc")
    settings = Settings()
    assert settings.has_token
    assert "123:abc" not in repr(settings)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "  ")
    assert Settings().telegram_bot_token is None


def test_file_url_is_derived_from_api_base(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_API_BASE_URL", "http://127.0.0.1:8081/bot/")
    assert Settings().file_base_url == "http://127.0.0.1:8081/file/bot"


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
        Settings()


def test_currency_is_normalised(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEFAULT_CURRENCY", "usd")
    assert Settings().default_currency == "USD"


def test_env_example_documents_every_setting_and_parses(tmp_path: Path) -> None:
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    documented = {
        line.split("=", 1)[0].lstrip("# ").strip()
        for line in text.splitlines()
        if ("=" in line and not line.startswith("# ")) or line.startswith("# TEST_")
    }
    assert {name.upper() for name in Settings.model_fields} <= documented
    settings = Settings(_env_file=ROOT / ".env.example")  # type: ignore[call-arg]
    assert settings.default_language == "zh"
    assert settings.scan_interval_seconds == 60
    assert settings.telegram_bot_token is None


def test_webhook_mode_is_off_by_default_and_listens_on_8080() -> None:
    settings = Settings()
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
    settings = Settings()
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
        Settings()


def test_webhook_secret_is_secret_and_blank_means_none(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET", "abc-DEF_123")
    settings = Settings()
    assert settings.telegram_webhook_secret is not None
    assert settings.telegram_webhook_secret.get_secret_value() == "abc-DEF_123"
    assert "abc-DEF_123" not in repr(settings)
    monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET", "")
    monkeypatch.setenv("TELEGRAM_WEBHOOK_URL", "")
    assert Settings().telegram_webhook_secret is None
    assert Settings().telegram_webhook_url is None
