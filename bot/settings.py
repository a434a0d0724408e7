"""The bot's settings: the core's (``tracker.settings``) plus Telegram, webhook and sandbox.

One environment and one ``.env`` for operators: ``BotSettings`` reads the same variables as
``Settings`` and the bot's own; the composition root (``bot.main``) builds it once at start-up.
"""

from __future__ import annotations

import logging
import re
from typing import Literal
from urllib.parse import urlsplit

from pydantic import AliasChoices, Field, SecretStr, ValidationInfo, field_validator

from tracker.settings import Settings

TELEGRAM_API_BASE_URL = "https://api.telegram.org/bot"
#: Telegram's rule for a webhook's secret_token: 1-256 of A-Z, a-z, 0-9, _ and -.
WEBHOOK_SECRET_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,256}")
#: Hosts a webhook URL may name over plain http (tests and the local emulator).
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


class BotSettings(Settings):
    """repaybot's whole configuration; every field is documented in ``.env.example``."""

    telegram_bot_token: SecretStr | None = None
    telegram_api_base_url: str = TELEGRAM_API_BASE_URL
    telegram_api_file_url: str | None = None
    # Messages a second the bot sends in all (replies and reminders), all replicas together:
    # Telegram's broadcast limit is about 30; a local Bot API (tests, benchmarks) has none.
    # (TELEGRAM_SENDS_PER_SECOND, its name before issue 12, is still read.)
    telegram_rate_per_second: int = Field(
        default=29,
        ge=1,
        le=100_000,
        validation_alias=AliasChoices(
            "telegram_rate_per_second", "TELEGRAM_RATE_PER_SECOND", "TELEGRAM_SENDS_PER_SECOND"
        ),
    )
    # Due-today reminders and overdue alerts with Telegram's paid broadcast (allow_paid_broadcast:
    # up to 1,000 messages a second, charged in Stars to the bot's balance).
    telegram_paid_broadcast: bool = False
    # Long polling only: 1 handles everything in one process; N > 1 starts N worker processes
    # that handle the updates, each for a shard of the users, while the polling one stores them
    # and runs the jobs (bot.workers). About the number of cores.
    bot_workers: int = Field(default=1, ge=1, le=32)
    log_level: str = "INFO"
    # The local sandbox (no token): its Bot API port (0: any free port), the simulated user's
    # language (None: from $LANG), whether Telegram's flood limits are enforced, and webhook
    # mode (the local Bot API POSTs each update to the bot's own HTTP server on 127.0.0.1,
    # with the secret, as Telegram does). Checked here only; whether the port is free is
    # checked when the sandbox starts.
    sandbox_port: int = Field(default=0, ge=0, le=65535)
    sandbox_language: Literal["zh", "en"] | None = None
    sandbox_flood: bool = False
    sandbox_webhook: bool = False
    # Webhook mode (None: long polling): the public URL Telegram calls, the secret it sends
    # back in a header, and where the bot's HTTP server listens (behind the TLS proxy).
    telegram_webhook_url: str | None = None
    telegram_webhook_secret: SecretStr | None = None
    webhook_host: str = "0.0.0.0"  # noqa: S104 (inside a container, behind the proxy)
    webhook_port: int = Field(default=8080, ge=1, le=65535)

    @field_validator(
        "telegram_bot_token",
        "telegram_api_file_url",
        "telegram_webhook_url",
        "telegram_webhook_secret",
        "sandbox_port",
        "sandbox_language",
        "sandbox_flood",
        "sandbox_webhook",
        mode="before",
    )
    @classmethod
    def _blank_is_default(cls, value: object, info: ValidationInfo) -> object:
        # An empty line in .env (TELEGRAM_BOT_TOKEN=) means "not set": e.g. run the sandbox.
        if isinstance(value, str) and not value.strip():
            assert info.field_name is not None
            return cls.model_fields[info.field_name].default
        return value

    @field_validator("sandbox_language", mode="before")
    @classmethod
    def _lower_language(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("telegram_api_base_url")
    @classmethod
    def _check_base_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")

    @field_validator("telegram_webhook_url")
    @classmethod
    def _check_webhook_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value.strip())
        if not parts.hostname:
            raise ValueError(f"{value!r} is not a URL like https://bot.example.org/telegram")
        # Telegram calls only https URLs; plain http is for a local emulator (tests).
        if parts.scheme != "https" and not (
            parts.scheme == "http" and parts.hostname in LOCAL_HOSTS
        ):
            raise ValueError("must start with https:// (http:// only for 127.0.0.1/localhost)")
        return value.strip()

    @field_validator("telegram_webhook_secret")
    @classmethod
    def _check_webhook_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not WEBHOOK_SECRET_PATTERN.fullmatch(value.get_secret_value()):
            raise ValueError("must be 1-256 characters of A-Z, a-z, 0-9, _ and -")
        return value

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
    def webhook_path(self) -> str:
        """The path of the webhook URL, where the bot's server takes Telegram's calls."""
        return urlsplit(self.telegram_webhook_url or "").path or "/"
