"""Small assertions shared by the emulator tests."""

from __future__ import annotations

import datetime as dt
import warnings

from telegram.error import RetryAfter
from telegram.warnings import PTBDeprecationWarning

from bot.localapi import EmulatorState


def last_error(state: EmulatorState) -> str:
    """The raw Bot API description of the most recent failed call."""
    with state.lock:
        failed = [call for call in state.api_calls if "error" in call]
    assert failed, "no failed call recorded"
    description: str = failed[-1]["error"]["description"]
    return description


def ptb_message(description: str) -> str:
    """What PTB's TelegramError.message makes of a raw description."""
    return description.removeprefix("Bad Request: ").capitalize()


def retry_seconds(exc: RetryAfter) -> float:
    """RetryAfter.retry_after in seconds, whether PTB hands out int or timedelta."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)
