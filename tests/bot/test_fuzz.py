"""Property tests: arbitrary text, numbers, dates and button data at every entry point.

Whatever a user (or a modified client) sends, the bot answers, never crashes, and never makes
a Bot API call that Telegram would refuse.
"""

from __future__ import annotations

import logging
import os
import string
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.app import menu
from bot.localapi import EmulatorState, SimUser
from tests.bot.helpers import forge_press

COMMANDS = sorted({c.command for language in ("en", "zh") for c in menu(language)})
ACTIONS = [
    "lang",
    "tz",
    "cur",
    "pay",
    "undo",
    "debt",
    "sched",
    "arch",
    "plan",
    "budget",
    "del",
    "x",
]

# Pieces people (and attackers) type: amounts, rates, dates, Chinese, HTML, emoji, huge numbers.
TOKENS = [
    "500", "1,234.50", "¥800", "1.2万", "-5", "0", "1e999", "NaN", "9" * 40, "0.05%/day",
    "年化18%", "日息万五", "12期", "2026-12-15", "2026-02-30", "15号", "明天", "等额本息",
    "annuity", "金条", "<b>", "</i>", "&amp;", "<script>", "*_[]()~`>#+-=|{}.!", "🙂", "\u200b",
    "还了500", "paid 500", "我失业了", "/cancel", " ", "\n",
]  # fmt: skip
text = st.one_of(
    st.text(max_size=80),
    st.lists(st.sampled_from(TOKENS), max_size=6).map(" ".join),
    st.text(alphabet=string.digits + ".,%¥万千元-/ ", max_size=20),
    st.dates().map(str),
    st.decimals(allow_nan=False, allow_infinity=False).map(str),
)
command = st.tuples(st.sampled_from([*COMMANDS, "nosuchcommand"]), text).map(
    lambda pair: f"/{pair[0]} {pair[1]}".strip()
)
callback_args = st.lists(
    st.one_of(st.integers(min_value=-5, max_value=10**12).map(str), st.text(max_size=8)),
    max_size=4,
)


class ErrorLog(logging.Handler):
    """Collects ERROR records: the error handler logs every unexpected exception."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def errors() -> Iterator[ErrorLog]:
    handler = ErrorLog()
    logging.getLogger().addHandler(handler)
    yield handler
    logging.getLogger().removeHandler(handler)


def refused_calls(state: EmulatorState) -> list[dict[str, Any]]:
    with state.lock:
        return [call for call in state.api_calls if "error" in call]


async def answered(state: EmulatorState, sim: SimUser, before: int) -> None:
    """Wait until the bot has put something new in the chat."""
    await state.wait_for(
        lambda: (
            True
            if any(e.kind == "bot_message" for e in state.events_after(before, sim.chat_id))
            else None
        ),
        timeout=10,
    )


FUZZ = settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@FUZZ
@given(message=st.one_of(command, text.filter(lambda s: s.strip() != "")))
async def test_any_message_gets_a_reply_and_no_refused_call(
    app: Any, state: EmulatorState, en_user: SimUser, errors: ErrorLog, message: str
) -> None:
    before = state.last_event_seq
    en_user.send_text(message)
    await answered(state, en_user, before)
    assert refused_calls(state) == []
    assert errors.records == []


@FUZZ
@given(message=st.one_of(command, text.filter(lambda s: s.strip() != "")))
async def test_any_message_in_chinese_gets_a_reply(
    app: Any, state: EmulatorState, zh_user: SimUser, errors: ErrorLog, message: str
) -> None:
    before = state.last_event_seq
    zh_user.send_text(message)
    await answered(state, zh_user, before)
    assert refused_calls(state) == []
    assert errors.records == []


@FUZZ
@given(action=st.sampled_from(ACTIONS), args=callback_args, own=st.booleans())
async def test_any_button_data_is_answered_and_changes_nothing_it_should_not(
    app: Any,
    state: EmulatorState,
    en_user: SimUser,
    given_debt: Any,
    errors: ErrorLog,
    action: str,
    args: list[str],
    own: bool,
) -> None:
    if not en_user.bot_messages():
        given_debt(en_user)
        en_user.send_text("/start")
        await en_user.next_message()
    owner = en_user.id if own else en_user.id + 1
    data = ":".join([action, str(owner), *(a.replace(":", "") for a in args)]).encode()[:64]
    message = en_user.bot_messages()[-1].raw
    update = forge_press(state, en_user, message, data.decode(errors="ignore") or "x")
    await en_user.wait_for_answer(update, timeout=10)
    assert refused_calls(state) == []
    assert errors.records == []
