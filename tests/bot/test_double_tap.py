"""A double tap on a button that edits its message: one edit, no refused call (issue 11)."""

from __future__ import annotations

import asyncio
from typing import Any

from bot.edits import EditMemory, looks
from bot.localapi import EmulatorState, SimUser
from tests.bot.test_debts import say


def refused(state: EmulatorState) -> list[str]:
    return [
        f"{c['method']}: {c['error'].get('description', '')}"
        for c in state.api_calls
        if c.get("error", {}).get("error_code") == 400
    ]


def calls(state: EmulatorState, method: str) -> int:
    return sum(1 for c in state.api_calls if c["method"] == method)


async def answered(sim: SimUser, query_ids: list[str]) -> None:
    for _ in range(250):
        if all(sim.callback_answer(q) is not None for q in query_ids):
            return
        await asyncio.sleep(0.02)
    raise AssertionError("a press was never answered")


async def test_turning_a_page_twice_edits_once_and_nothing_is_refused(
    app: Any, state: EmulatorState, zh_user: SimUser, given_debt: Any
) -> None:
    given_debt(zh_user, term=36)
    schedule = await say(zh_user, "/schedule")
    # Both presses leave before the bot has handled either: the second asks for the same page.
    presses = [
        zh_user.press_button(schedule.message_id, text="后几期 ▶")["callback_query"]["id"]
        for _ in range(2)
    ]
    await answered(zh_user, presses)
    assert calls(state, "editMessageText") == 1
    assert refused(state) == []
    assert "▫️ 7. 2027年6月15日" in (zh_user.message(schedule.message_id).text or "")


def test_the_memory_forgets_the_oldest_message_first() -> None:
    memory = EditMemory(capacity=2)
    page = looks("第 7–12 期", None)
    memory.remember(1, 10, page)
    memory.remember(1, 11, page)
    assert memory.unchanged(1, 10, page)
    assert not memory.unchanged(1, 10, looks("第 13–18 期", None))
    memory.remember(1, 12, page)
    assert not memory.unchanged(1, 10, page)  # forgotten: an edit would be sent again
    assert memory.unchanged(1, 12, page)
    assert len(memory) == 2
