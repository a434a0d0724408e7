"""The core's settings, read from the environment (and a ``.env`` file) once, at start-up.

Only what ``tracker`` and ``jobs`` use lives here: the database and a new user's defaults, and
how often the jobs scan. Telegram, webhook and sandbox settings are the bot's
(``bot.settings.BotSettings`` adds them over the same environment and ``.env``).
"""

from __future__ import annotations

from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.numbers import get_currency_name
from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///./data/repaybot.sqlite3"


class Settings(BaseSettings):
    """The core's configuration; every field is documented in ``.env.example``."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    default_timezone: str = "Asia/Shanghai"
    default_language: Literal["zh", "en"] = "zh"
    default_currency: str = "CNY"
    scan_interval_seconds: int = Field(default=60, ge=5, le=3600)

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
