"""The negotiation pack: what a borrower in hardship needs to ask a lender for a new arrangement.

``build_pack(PackInput)`` gives the pack as plain data; ``chat_messages`` renders it for Telegram,
``plain_text`` for pasting into the lender's app chat, ``letter_pdf`` as the letter the borrower
signs and sends to the lender, and ``guide_pdf`` as the borrower's own guide.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.pack.chat import chat_messages
from bot.pack.content import (
    Change,
    DebtInput,
    Installment,
    OptionInput,
    OptionKind,
    Pack,
    PackInput,
    PauseInterest,
    build_pack,
)
from bot.pack.plain import plain_text

if TYPE_CHECKING:
    from bot.pack.pdf import guide_pdf, letter_pdf

__all__ = [
    "Change",
    "DebtInput",
    "Installment",
    "OptionInput",
    "OptionKind",
    "Pack",
    "PackInput",
    "PauseInterest",
    "build_pack",
    "chat_messages",
    "guide_pdf",
    "letter_pdf",
    "plain_text",
]


def __getattr__(name: str) -> Any:
    # The PDF machinery (fpdf, fontTools, Pillow, numpy: tens of MB) loads when a pack is made.
    if name in ("guide_pdf", "letter_pdf"):
        from bot.pack import pdf

        return getattr(pdf, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
