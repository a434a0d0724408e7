"""Inline-button data: short, within Telegram's 64 bytes, and tied to the user who may press it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

#: Telegram's limit on callback_data, in bytes of UTF-8.
MAX_CALLBACK_BYTES = 64
_SEP = ":"
_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


def base36(value: int) -> str:
    """A non-negative integer in base 36, for button arguments (amounts in minor units up to the
    limit fit in 10 characters)."""
    out = ""
    while True:
        value, digit = divmod(value, 36)
        out = _DIGITS[digit] + out
        if value == 0:
            return out


class BadCallback(ValueError):
    """Button data we did not make, or made for someone else."""


@dataclass(frozen=True, slots=True)
class Callback:
    """A button press: which action, for which Telegram user, with which short arguments."""

    action: str
    owner: int
    args: tuple[str, ...] = ()

    def encode(self) -> str:
        """The callback_data string; raises ValueError if it would exceed 64 bytes."""
        for part in (self.action, *self.args):
            if _SEP in part:
                raise ValueError(f"callback part {part!r} contains {_SEP!r}")
        data = _SEP.join((self.action, str(self.owner), *self.args))
        if len(data.encode()) > MAX_CALLBACK_BYTES:
            raise ValueError(f"callback data {data!r} exceeds {MAX_CALLBACK_BYTES} bytes")
        return data

    def arg(self, index: int) -> str:
        """Argument ``index``; BadCallback when missing."""
        try:
            return self.args[index]
        except IndexError:
            raise BadCallback(f"missing argument {index}") from None

    def int_arg(self, index: int) -> int:
        """Argument ``index`` as an integer; BadCallback when missing or not a number."""
        value = self.arg(index)
        if not value.isdigit() or len(value) > 18:
            raise BadCallback(f"argument {index} is not an id")
        return int(value)

    def base36_arg(self, index: int) -> int:
        """Argument ``index`` written by ``base36``; BadCallback when missing or malformed."""
        text = self.arg(index)
        if not 0 < len(text) <= 12 or any(ch not in _DIGITS for ch in text):
            raise BadCallback(f"argument {index} is not a base-36 number")
        return int(text, 36)

    def day_arg(self, index: int) -> date:
        """Argument ``index`` as a ``yyyymmdd`` date; BadCallback when missing or malformed."""
        text = self.arg(index)
        try:
            if len(text) != 8 or not text.isdigit():
                raise ValueError(text)
            return date(int(text[:4]), int(text[4:6]), int(text[6:]))
        except ValueError:
            raise BadCallback(f"argument {index} is not a yyyymmdd date") from None


def decode(data: str | None, sender: int) -> Callback:
    """Parse callback_data and check it belongs to ``sender``; BadCallback otherwise."""
    if not data or len(data.encode()) > MAX_CALLBACK_BYTES:
        raise BadCallback("empty or oversized callback data")
    action, _, rest = data.partition(_SEP)
    owner_text, _, args_text = rest.partition(_SEP)
    if not action or not owner_text.isdigit():
        raise BadCallback("malformed callback data")
    if int(owner_text) != sender:
        # Someone pressing another user's button (in a group, or with forged data).
        raise BadCallback("callback belongs to another user")
    args = tuple(args_text.split(_SEP)) if args_text else ()
    return Callback(action, int(owner_text), args)
