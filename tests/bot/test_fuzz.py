"""Property tests: arbitrary text, numbers, dates and button data at every entry point.

Whatever a user (or a modified client) sends, the bot answers, never crashes, and never makes
a Bot API call that Telegram would refuse.
"""

from __future__ import annotations

import html
import logging
import os
import re
import string
from collections.abc import Iterable, Iterator
from typing import Any

import matplotlib.figure  # noqa: F401 (see below)
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from telegram.ext import BaseHandler, CallbackQueryHandler, ConversationHandler

from bot.app import handlers as registered_handlers
from bot.app import menu
from bot.callbacks import MAX_CALLBACK_BYTES, Callback
from bot.i18n import translator
from bot.localapi import EmulatorState, SimUser
from bot.runtime import STALE_BUTTON
from tests.bot.helpers import forge_press

# The bot imports matplotlib (and numpy) on first chart, in a worker thread; Hypothesis looks
# numpy up in sys.modules while drawing, and would see it half imported. Import it up front.

COMMANDS = sorted({c.command for language in ("en", "zh") for c in menu(language)})

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


#: An English word; not CN (of CN¥) nor a currency code such as CNY, which Chinese text uses too.
LATIN_WORD = re.compile(r"\b(?!CN\b)(?![A-Z]{3}\b)[A-Za-z]{3,}\b")


#: Names the Chinese catalogue keeps as they are (apps, file formats, the language picker).
NAMES = re.compile(r"\b(?:App|Excel|JSON|Telegram|English)\b")
#: Commands (/paid, /plan history), time zones (Asia/Shanghai) and the English way to log a
#: payment the bot also understands ("paid 500") are not prose.
NOT_PROSE = re.compile(r"/[a-z_]+(?: history)?|\b[A-Z][a-z]+/[A-Za-z_]+\b|\bpaid (?=\d)")


def no_english(text: str) -> bool:
    """Chinese replies may quote commands, time zones and names, but no English words."""
    return LATIN_WORD.search(NAMES.sub("", NOT_PROSE.sub("", text))) is None


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


def fresh_user(state: EmulatorState, errors: ErrorLog, *, chinese: bool) -> SimUser:
    """A new user (a chat, a conversation and user data of their own) and empty logs, so no
    Hypothesis example sees what an earlier one left behind."""
    with state.lock:
        state.api_calls.clear()
    errors.records.clear()
    if chinese:
        return state.create_user("小明", language_code="zh-hans")
    return state.create_user("Alice", language_code="en")


def without_echo(reply: str, message: str) -> str:
    """The reply without the user's own words, which a Chinese reply may quote."""
    latin = [word for word in message.split() if LATIN_WORD.search(word)]
    for word in sorted(latin, key=len, reverse=True):
        reply = reply.replace(html.escape(word, quote=False), "").replace(word, "")
    return reply


@FUZZ
@given(message=st.one_of(command, text.filter(lambda s: s.strip() != "")))
async def test_any_message_gets_a_reply_and_no_refused_call(
    app: Any, state: EmulatorState, errors: ErrorLog, message: str
) -> None:
    sim = fresh_user(state, errors, chinese=False)
    before = state.last_event_seq
    sim.send_text(message)
    await answered(state, sim, before)
    assert refused_calls(state) == []
    assert errors.records == []


@FUZZ
@given(message=st.one_of(command, text.filter(lambda s: s.strip() != "")))
async def test_any_message_in_chinese_gets_a_chinese_reply(
    app: Any, state: EmulatorState, errors: ErrorLog, message: str
) -> None:
    sim = fresh_user(state, errors, chinese=True)
    before = state.last_event_seq
    sim.send_text(message)
    await answered(state, sim, before)
    assert refused_calls(state) == []
    assert errors.records == []
    replies = [m.text or m.caption or "" for m in sim.bot_messages()]
    assert [r for r in replies if not no_english(without_echo(r, message))] == []


BUTTON_FUZZ = settings(
    max_examples=int(os.environ.get("FUZZ_BUTTON_EXAMPLES", "80")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
#: A registered pattern: ``^prefix:`` or ``^(?:one|other):``.
PREFIX_PATTERN = re.compile(r"\^(?:\(\?:(?P<many>[\w|]+)\)|(?P<one>\w+)):")


def walk(handlers: Iterable[BaseHandler[Any, Any, Any]]) -> Iterator[BaseHandler[Any, Any, Any]]:
    """Every handler, including a ConversationHandler's entry points, states and fallbacks."""
    for handler in handlers:
        if isinstance(handler, ConversationHandler):
            yield from walk(handler.entry_points)
            for state_handlers in handler.states.values():
                yield from walk(state_handlers)
            yield from walk(handler.fallbacks)
        else:
            yield handler


def button_prefixes(handlers: Iterable[BaseHandler[Any, Any, Any]]) -> list[str]:
    """The action of every CallbackQueryHandler's pattern (the catch-all has none)."""
    found: set[str] = set()
    for handler in walk(handlers):
        if not isinstance(handler, CallbackQueryHandler) or handler.pattern is None:
            continue
        pattern = handler.pattern
        assert isinstance(pattern, re.Pattern), pattern
        match = PREFIX_PATTERN.fullmatch(pattern.pattern)
        assert match is not None, f"unexpected button pattern {pattern.pattern!r}"
        found.update((match["many"] or match["one"]).split("|"))
    return sorted(found)


PREFIXES = button_prefixes(registered_handlers())

#: Arguments buttons carry: ids (real ones are added per example), words, junk.
arg = st.one_of(
    st.integers(min_value=0, max_value=10**18).map(str),
    st.sampled_from(["y", "n", "0", "1", "-1", "all", "full", "part", "next", "2026-12-15"]),
    st.text(alphabet=string.ascii_letters + string.digits + "_-.", max_size=8),
    st.text(max_size=4).map(lambda s: s.replace(":", "")),
)


def within_limit(data: str) -> str:
    """``data`` cut to Telegram's 64 bytes (a client cannot send more), never empty."""
    cut = data.encode()[:MAX_CALLBACK_BYTES].decode(errors="ignore")
    return cut or "x"


@st.composite
def button_data(draw: st.DrawFn, owner: int, other: int, ids: list[int]) -> str:
    """Data for a real prefix: valid-looking, stale, forged-owner or malformed."""
    action = draw(st.sampled_from(PREFIXES))
    args = draw(st.lists(st.one_of(arg, st.sampled_from(ids).map(str)), max_size=4))
    kind = draw(st.sampled_from(["valid", "stale", "forged", "malformed"]))
    if kind == "stale":  # ids that no longer (or never did) exist
        args = [str(max(ids) + draw(st.integers(1, 10**6))), *args[1:]]
    if kind == "malformed":
        return within_limit(
            draw(
                st.sampled_from(
                    [
                        f"{action}",
                        f"{action}:",
                        f"{action}:x:{':'.join(args)}",
                        f"{action}:{owner}:{':'.join(args)}:",
                        f"{action}:{owner}::",
                        f"{action}:-{owner}",
                        f"{action}:{owner}:" + "9" * 64,
                        f"{action}{owner}",
                    ]
                )
            )
        )
    callback = Callback(action, other if kind == "forged" else owner, tuple(args))
    while True:
        try:
            return callback.encode()
        except ValueError:  # over 64 bytes: a real button would carry fewer arguments
            callback = Callback(callback.action, callback.owner, callback.args[:-1])


def test_button_actions_come_from_the_registered_handlers() -> None:
    # The walker must see the conversations' buttons, not just the top-level ones.
    assert {"darc", "dsch", "deldata", "budnew", "payundo", "plan_hist", "hsr", "rp"} <= set(
        PREFIXES
    )
    assert {"adm", "cdd", "defl", "rq"} <= set(PREFIXES)  # inside ConversationHandlers


#: The catch-all's answer, in both languages.
STALE = {translator(language)(STALE_BUTTON) for language in ("en", "zh")}


def latest_buttons(sim: SimUser) -> tuple[dict[str, Any], list[str]]:
    """The newest bot message that has buttons (else the newest one), and its button data."""
    messages = sim.bot_messages()
    with_buttons = [m for m in messages if m.callback_data]
    chosen = (with_buttons or messages)[-1]
    return chosen.raw, list(chosen.callback_data)


@BUTTON_FUZZ
@given(data=st.data(), chinese=st.booleans())
async def test_any_button_data_is_answered_and_crashes_nothing(
    app: Any,
    state: EmulatorState,
    given_debt: Any,
    errors: ErrorLog,
    data: st.DataObject,
    chinese: bool,
) -> None:
    sim = fresh_user(state, errors, chinese=chinese)
    other = state.create_user("Bob", language_code="en")
    debt_id = given_debt(sim)
    first = state.last_event_seq
    last = None  # the last event while the user still speaks Chinese (a lang button switches)
    shown: list[str] = []
    sim.send_text("/status")
    await sim.next_message(timeout=10)
    for _ in range(data.draw(st.integers(1, 3), label="presses")):
        message, real = latest_buttons(sim)
        # Draws keep one shape whatever the bot replied, so Hypothesis can replay and shrink.
        made = data.draw(button_data(sim.id, other.id, [debt_id]), label="made data")
        tap = data.draw(st.booleans(), label="tap a real button instead")
        index = data.draw(st.integers(0, 63), label="which real button")
        pressed = real[index % len(real)] if tap and real else made
        assert len(pressed.encode()) <= MAX_CALLBACK_BYTES
        # Only the real "English" button switches; any other lang data is refused as stale.
        if last is None and pressed == Callback("lang", sim.id, ("en",)).encode():
            last = state.last_event_seq
        update = forge_press(state, sim, message, pressed)
        answer = await sim.wait_for_answer(update, timeout=10)
        if last is None:
            shown.append(answer.get("text") or "")
        # --hypothesis-show-statistics: how many presses a feature took, not the catch-all.
        event("stale" if answer.get("text") in STALE else f"taken: {pressed.split(':')[0]}")
    assert refused_calls(state) == []
    assert errors.records == []
    if chinese:
        shown += [
            e.data["message"].get("text") or e.data["message"].get("caption") or ""
            for e in state.events_after(first, sim.chat_id)
            if e.kind in ("bot_message", "edited") and (last is None or e.seq <= last)
        ]
        english = [text for text in shown if not no_english(text)]
        assert english == []
