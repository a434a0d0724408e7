"""Small assertions shared by the emulator tests."""

from __future__ import annotations

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
