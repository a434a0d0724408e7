"""The negotiation pack: what a borrower in hardship needs to ask a lender for a new arrangement.

``build_pack(PackInput)`` gives the pack as plain data; ``chat_messages``, ``plain_text`` and
``pdf_bytes`` render it for Telegram, for pasting into the lender's app chat, and for printing.
"""

from __future__ import annotations

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
from bot.pack.pdf import pdf_bytes
from bot.pack.plain import plain_text

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
    "pdf_bytes",
    "plain_text",
]
