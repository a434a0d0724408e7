"""Inline-button data: short, within Telegram's 64 bytes, and tied to the user who may press it."""

from __future__ import annotations

from dataclasses import dataclass

#: Telegram's limit on callback_data, in bytes of UTF-8.
MAX_CALLBACK_BYTES = 64
_SEP = ":"


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
