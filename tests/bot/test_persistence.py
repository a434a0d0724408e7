"""python-telegram-bot persistence writes only what changed (issue 11: off the hot path)."""

from __future__ import annotations

from collections.abc import Callable

from bot.clock import Clock
from bot.persistence import DbPersistence
from tracker.storage.enums import StateNamespace
from tracker.storage.uow import SqlUnitOfWork

MakeUow = Callable[[], SqlUnitOfWork]


class CountingUow:
    """Units of work on the test database, counted: every persistence read or write opens one."""

    def __init__(self, make_uow: MakeUow) -> None:
        self.make_uow = make_uow
        self.opened = 0

    def __call__(self) -> SqlUnitOfWork:
        self.opened += 1
        return self.make_uow()


def stored(make_uow: MakeUow) -> dict[str, str]:
    with make_uow() as uow:
        return uow.bot_state.all_in(StateNamespace.USER_DATA)


async def test_an_unchanged_user_data_is_not_written_again(make_uow: MakeUow) -> None:
    counting = CountingUow(make_uow)
    persistence = DbPersistence(counting, Clock())
    assert await persistence.get_user_data() == {}
    loaded = counting.opened

    # PTB hands over every active user's user_data each interval, mostly empty: nothing to do.
    await persistence.update_user_data(7, {})
    assert counting.opened == loaded
    await persistence.update_user_data(7, {"step": 1})
    await persistence.update_user_data(7, {"step": 1})
    assert counting.opened == loaded + 1
    assert stored(make_uow) == {"7": '{"step": 1}'}
    await persistence.update_user_data(7, {"step": 2})
    assert stored(make_uow) == {"7": '{"step": 2}'}
    await persistence.update_user_data(7, {})
    await persistence.update_user_data(7, {})
    assert counting.opened == loaded + 3
    assert stored(make_uow) == {}


async def test_what_was_stored_before_a_restart_is_still_deleted_when_emptied(
    make_uow: MakeUow,
) -> None:
    await DbPersistence(make_uow, Clock()).update_user_data(8, {"draft": "金条"})
    restarted = DbPersistence(make_uow, Clock())
    assert await restarted.get_user_data() == {8: {"draft": "金条"}}
    await restarted.update_user_data(8, {})
    assert stored(make_uow) == {}


async def test_a_conversation_state_is_written_on_change_and_deleted_at_its_end(
    make_uow: MakeUow,
) -> None:
    counting = CountingUow(make_uow)
    persistence = DbPersistence(counting, Clock())
    await persistence.update_conversation("adddebt", (1, 1), 2)
    await persistence.update_conversation("adddebt", (1, 1), 2)
    assert counting.opened == 1
    assert await DbPersistence(make_uow, Clock()).get_conversations("adddebt") == {(1, 1): 2}
    await persistence.update_conversation("adddebt", (1, 1), None)
    assert await DbPersistence(make_uow, Clock()).get_conversations("adddebt") == {}
