"""Fixtures: an emulator state on a fake clock, a simulated user, and a real PTB Bot."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from telegram import Bot

from bot.localapi import EmulatorState, FakeClock, LocalBotApiServer, SimUser
from bot.localapi.limits import FloodConfig
from bot.localapi.ptb import in_process_bot


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def state(clock: FakeClock) -> EmulatorState:
    # Flood control is off by default here; the flood tests switch it on explicitly.
    return EmulatorState(now=clock, flood=FloodConfig(enabled=False))


@pytest.fixture
def user(state: EmulatorState) -> SimUser:
    return state.create_user("Alice", username="alice", language_code="en")


@pytest.fixture
async def bot(state: EmulatorState) -> AsyncIterator[Bot]:
    async with in_process_bot(state) as ptb_bot:
        yield ptb_bot


@pytest.fixture
def server(state: EmulatorState) -> Iterator[LocalBotApiServer]:
    with LocalBotApiServer(state) as running:
        yield running


@pytest.fixture
async def http_bot(server: LocalBotApiServer) -> AsyncIterator[Bot]:
    async with Bot(
        server.state.token, base_url=server.base_url, base_file_url=server.base_file_url
    ) as ptb_bot:
        yield ptb_bot
