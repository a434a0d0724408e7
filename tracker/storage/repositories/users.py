"""Users, budgets and hardship reports."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import bindparam
from sqlmodel import Session, col, func, select

from tracker.storage.models import Budget, HardshipReport, User
from tracker.storage.repositories.base import Repository

# Built once: a statement reused with new parameters skips building and cache-keying it again,
# which costs more than running it (every update starts with this look-up).
_BY_TELEGRAM_ID = select(User).where(col(User.telegram_user_id) == bindparam("telegram_user_id"))


class UserRepository(Repository):
    """Telegram users and their settings."""

    def add(self, user: User) -> User:
        """Add a user and flush, so it has an id."""
        self._session.add(user)
        self._session.flush()
        return user

    def get(self, user_id: int) -> User | None:
        """The user with this internal id."""
        return self._session.get(User, user_id)

    def get_by_telegram_id(self, telegram_user_id: int) -> User | None:
        """The user with this Telegram user id."""
        params = {"telegram_user_id": telegram_user_id}
        return self._session.exec(_BY_TELEGRAM_ID, params=params).first()

    def get_many(self, user_ids: Iterable[int]) -> dict[int, User]:
        """Users by internal id, for jobs that start from installments or outbox rows."""
        ids = set(user_ids)
        if not ids:
            return {}
        users = self._session.exec(select(User).where(col(User.id).in_(ids))).all()
        return {user.id: user for user in users if user.id is not None}

    def mark_blocked(self, user: User, at: datetime) -> None:
        """Record that the user blocked the bot: stop sending until they come back."""
        user.active = False
        user.blocked_at = at

    def mark_active(self, user: User) -> None:
        """Record that the user talks to the bot again."""
        user.active = True
        user.blocked_at = None


class BudgetRepository(Repository):
    """Capacity snapshots; history is kept and the latest valid one wins."""

    def add(self, budget: Budget) -> Budget:
        """Add a snapshot and flush."""
        self._session.add(budget)
        self._session.flush()
        return budget

    def latest_for_user(self, user_id: int, on: date | None = None) -> Budget | None:
        """The snapshot in force on ``on`` (default: the latest), newest entry first on ties."""
        statement = select(Budget).where(col(Budget.user_id) == user_id)
        if on is not None:
            statement = statement.where(col(Budget.valid_from) <= on)
        statement = statement.order_by(
            col(Budget.valid_from).desc(), col(Budget.created_at).desc(), col(Budget.id).desc()
        )
        return self._session.exec(statement.limit(1)).first()

    def latest_ids(self, user_ids: Iterable[int]) -> dict[int, int]:
        """The id of each user's newest snapshot (a new one means the budget changed)."""
        return _latest_ids(self._session, Budget, user_ids)

    def history_for_user(self, user_id: int) -> list[Budget]:
        """All snapshots, oldest first."""
        statement = (
            select(Budget)
            .where(col(Budget.user_id) == user_id)
            .order_by(col(Budget.valid_from), col(Budget.created_at), col(Budget.id))
        )
        return list(self._session.exec(statement).all())


class HardshipRepository(Repository):
    """What users told us changed in their lives."""

    def add(self, report: HardshipReport) -> HardshipReport:
        """Add a report and flush."""
        self._session.add(report)
        self._session.flush()
        return report

    def count_since(self, user_id: int, since: datetime) -> int:
        """How many reports the user made at or after ``since``."""
        statement = select(func.count()).where(
            col(HardshipReport.user_id) == user_id, col(HardshipReport.created_at) >= since
        )
        return int(self._session.exec(statement).one())

    def latest_ids(self, user_ids: Iterable[int]) -> dict[int, int]:
        """The id of each user's newest report."""
        return _latest_ids(self._session, HardshipReport, user_ids)

    def recent_for_user(self, user_id: int, limit: int = 10) -> list[HardshipReport]:
        """The user's reports, newest first."""
        statement = (
            select(HardshipReport)
            .where(col(HardshipReport.user_id) == user_id)
            .order_by(col(HardshipReport.created_at).desc(), col(HardshipReport.id).desc())
            .limit(limit)
        )
        return list(self._session.exec(statement).all())


def _latest_ids(
    session: Session, table: type[Budget] | type[HardshipReport], user_ids: Iterable[int]
) -> dict[int, int]:
    wanted = sorted(set(user_ids))
    found: dict[int, int] = {}
    for start in range(0, len(wanted), 500):
        statement = (
            select(col(table.user_id), func.max(col(table.id)))
            .where(col(table.user_id).in_(wanted[start : start + 500]))
            .group_by(col(table.user_id))
        )
        found.update((user_id, int(last or 0)) for user_id, last in session.exec(statement).all())
    return found
