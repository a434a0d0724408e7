"""Bot persistence state, processed updates, budgets and hardship reports."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from tests.storage.factories import make_budget, make_hardship, make_user
from tracker.storage.enums import BudgetSource, StateNamespace
from tracker.storage.uow import SqlUnitOfWork

MakeUow = Callable[[], SqlUnitOfWork]
NOW = datetime(2025, 1, 14, 1, 0, tzinfo=UTC)


def test_bot_state_put_get_replace_delete(make_uow: MakeUow) -> None:
    with make_uow() as uow:
        uow.bot_state.put(StateNamespace.USER_DATA, "42", '{"step": 1}', NOW)
        uow.bot_state.put(StateNamespace.USER_DATA, "42", '{"step": 2}', NOW)
        uow.bot_state.put(StateNamespace.CHAT_DATA, "42", "{}", NOW)
        uow.commit()
    with make_uow() as uow:
        assert uow.bot_state.get(StateNamespace.USER_DATA, "42") == '{"step": 2}'
        assert uow.bot_state.all_in(StateNamespace.USER_DATA) == {"42": '{"step": 2}'}
        assert uow.bot_state.get(StateNamespace.BOT_DATA, "42") is None
        assert uow.bot_state.delete(StateNamespace.USER_DATA, "42")
        assert not uow.bot_state.delete(StateNamespace.USER_DATA, "42")
        uow.commit()


def test_a_redelivered_update_is_recognised(make_uow: MakeUow) -> None:
    with make_uow() as uow:
        assert uow.processed_updates.mark_processed(900_000_000_123, NOW)
        assert not uow.processed_updates.mark_processed(900_000_000_123, NOW)
        uow.commit()
    with make_uow() as uow:
        assert uow.processed_updates.is_processed(900_000_000_123)
        assert not uow.processed_updates.mark_processed(900_000_000_123, NOW)
        assert uow.processed_updates.prune(NOW + timedelta(days=2)) == 1
        assert not uow.processed_updates.is_processed(900_000_000_123)


def test_latest_budget_wins_and_history_is_kept(make_uow: MakeUow) -> None:
    with make_uow() as uow:
        user = uow.users.add(make_user())
        assert user.id is not None
        uow.budgets.add(make_budget(user, valid_from=date(2025, 1, 1)))
        newer = uow.budgets.add(
            make_budget(
                user,
                valid_from=date(2025, 3, 1),
                monthly_income_minor=500_000,
                source=BudgetSource.HARDSHIP,
            )
        )
        uow.budgets.add(make_budget(user, valid_from=date(2025, 6, 1)))  # in the future
        uow.commit()
    with make_uow() as uow:
        latest = uow.budgets.latest_for_user(user.id, on=date(2025, 4, 1))
        assert latest is not None
        assert latest.id == newer.id
        assert latest.source is BudgetSource.HARDSHIP
        assert len(uow.budgets.history_for_user(user.id)) == 3


def test_hardship_reports_newest_first(make_uow: MakeUow) -> None:
    with make_uow() as uow:
        user = uow.users.add(make_user())
        assert user.id is not None
        old = uow.hardship.add(make_hardship(user, created_at=NOW - timedelta(days=30)))
        new = uow.hardship.add(make_hardship(user, created_at=NOW, duration_months=None))
        uow.commit()
    with make_uow() as uow:
        reports = uow.hardship.recent_for_user(user.id)
        assert [r.id for r in reports] == [new.id, old.id]
        assert reports[0].duration_months is None
