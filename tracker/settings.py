"""Settings read from the environment (and a ``.env`` file) once, at start-up."""

from __future__ import annotations

import logging
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.numbers import get_currency_name
from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

TELEGRAM_API_BASE_URL = "https://api.telegram.org/bot"
DEFAULT_DATABASE_URL = "sqlite:///./data/repaybot.sqlite3"


class Settings(BaseSettings):
    """repaybot's configuration; every field is documented in ``.env.example``."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    telegram_bot_token: SecretStr | None = None
    telegram_api_base_url: str = TELEGRAM_API_BASE_URL
    telegram_api_file_url: str | None = None
    database_url: str = DEFAULT_DATABASE_URL
    default_timezone: str = "Asia/Shanghai"
    default_language: Literal["zh", "en"] = "zh"
    default_currency: str = "CNY"
    scan_interval_seconds: int = Field(default=60, ge=5, le=3600)
    # Messages a second the bot sends in all (replies and reminders): Telegram's broadcast
    # limit is about 30; a local Bot API (tests, benchmarks) has none.
    telegram_sends_per_second: int = Field(default=30, ge=1, le=100_000)
    log_level: str = "INFO"
    # The local sandbox (no token): its Bot API port (None: any free port), the simulated
    # user's language (None: from $LANG) and whether Telegram's flood limits are enforced.
    sandbox_port: int | None = Field(default=None, ge=1, le=65535)
    sandbox_language: Literal["zh", "en"] | None = None
    sandbox_flood: bool = False

    @field_validator(
        "telegram_bot_token",
        "telegram_api_file_url",
        "sandbox_port",
        "sandbox_language",
        mode="before",
    )
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        # An empty line in .env (TELEGRAM_BOT_TOKEN=) means "not set": e.g. run the sandbox.
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @field_validator("telegram_api_base_url")
    @classmethod
    def _check_base_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")

    @field_validator("default_timezone")
    @classmethod
    def _check_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown IANA timezone {value!r}") from exc
        return value

    @field_validator("default_currency")
    @classmethod
    def _check_currency(cls, value: str) -> str:
        code = value.strip().upper()
        if len(code) != 3 or get_currency_name(code, locale="en") == code:
            raise ValueError(f"unknown ISO 4217 currency {value!r}")
        return code

    @field_validator("log_level")
    @classmethod
    def _check_log_level(cls, value: str) -> str:
        level = value.strip().upper()
        if level not in logging.getLevelNamesMapping():
            raise ValueError(f"unknown log level {value!r}")
        return level

    @property
    def file_base_url(self) -> str:
        """Where files are downloaded: as given, or …/bot → …/file/bot of the API base."""
        if self.telegram_api_file_url:
            return self.telegram_api_file_url.rstrip("/")
        root, _, tail = self.telegram_api_base_url.rpartition("/")
        return f"{root}/file/{tail}"

    @property
    def has_token(self) -> bool:
        """True when a real Telegram token is configured."""
        return self.telegram_bot_token is not None
