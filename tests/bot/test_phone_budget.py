"""Every reply of the everyday commands fits a phone and speaks one language (issue 10).

A Chinese conversation shows no English words except commands and what the user typed; an
English one no Chinese except the user's own names. Each reply is at most 12 lines (the /help
page and the one-off welcome are the exceptions, being reference pages), and one command or tap
sends at most 3 messages plus files.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from bot.localapi import SimUser
from bot.localapi.models import ChatMessage

MAX_LINES = 12
MAX_MESSAGES = 3
#: Latin words allowed in a Chinese reply: the bot's commands, currency codes and abbreviations.
ZH_ALLOWED = re.compile(
    r"^(?:adddebt|addcard|debts|schedule|status|paid|undo|history|budget|hardship|prepay|plan"
    r"|reminders|export|deletedata|timezone|currency|language|cancel|help|start|IRR|CNY|Asia"
    r"|Shanghai|PDF|App|app)$"
)
#: What the users type below (their debt names may appear in any reply).
USER_WORDS = {"金条", "Jintiao", "白条"}

COMMANDS_ZH = [
    "/adddebt 金条 12000 日利率0.05% 12 等额本息 2027-01-15",
    "/debts",
    "/status",
    "/schedule",
    "还了500",
    "/history",
    "/prepay",
    "/budget 8000 4000 0 6000",
    "/reminders",
    "/undo",
]
COMMANDS_EN = [
    "/adddebt Jintiao 12000 0.05%/day 12 annuity 2027-01-15",
    "/debts",
    "/status",
    "/schedule",
    "paid 500",
    "/history",
    "/prepay",
    "/budget 8000 4000 0 6000",
    "/reminders",
    "/undo",
]


def texts(message: ChatMessage) -> list[str]:
    return [
        message.text or message.caption or "",
        *(b for row in message.button_texts for b in row),
    ]


def english_words(message: ChatMessage) -> set[str]:
    words = {w for text in texts(message) for w in re.findall(r"[A-Za-z]{3,}", text)}
    return {w for w in words if not ZH_ALLOWED.match(w)}


def chinese(message: ChatMessage) -> str:
    han = "".join(ch for t in texts(message) for ch in t if "\u4e00" <= ch <= "\u9fff")
    for word in USER_WORDS:
        han = han.replace(word, "")
    return han


async def replies_to(sim: SimUser, text: str) -> list[ChatMessage]:
    """Every message the bot sends for one input (it answers with at least one)."""
    sim.send_text(text)
    first = await sim.next_message()
    out = [first]
    while True:
        try:
            out.append(await sim.next_message(timeout=0.6))
        except TimeoutError:
            return out


@pytest.mark.parametrize(("language", "commands"), [("zh", COMMANDS_ZH), ("en", COMMANDS_EN)])
async def test_everyday_replies_fit_a_phone_in_one_language(
    app: Any, zh_user: SimUser, en_user: SimUser, language: str, commands: list[str]
) -> None:
    sim = zh_user if language == "zh" else en_user
    problems: list[str] = []
    for command in commands:
        messages = await replies_to(sim, command)
        if len(messages) > MAX_MESSAGES:
            problems.append(f"{command}: {len(messages)} messages")
        for message in messages:
            lines = (message.text or message.caption or "").splitlines()
            if len(lines) > MAX_LINES:
                problems.append(f"{command}: {len(lines)} lines")
            mixed = english_words(message) if language == "zh" else set(chinese(message))
            if mixed:
                problems.append(f"{command}: mixed {sorted(mixed)}")
    assert problems == []
