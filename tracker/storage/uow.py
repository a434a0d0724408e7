"""The unit of work: one transaction per operation, rolled back unless committed."""

from __future__ import annotations

import abc
from collections.abc import Callable
from types import TracebackType
from typing import Self

from sqlalchemy import event
from sqlmodel import Session

from tracker.storage.db import read_only
from tracker.storage.repositories import (
    BotStateRepository,
    BudgetRepository,
    DebtRepository,
    HardshipRepository,
    InboxRepository,
    InstallmentRepository,
    OutboxRepository,
    PaymentRepository,
    PlanRepository,
    ProcessedUpdateRepository,
    SendRateRepository,
    UserRepository,
)
from tracker.storage.repositories.base import WROTE


class UnitOfWork(abc.ABC):
    """Repositories sharing one transaction; ``with uow:`` rolls back whatever is not committed."""

    # Usage:  with uow:  payment, created = uow.payments.add_once(payment);  uow.commit()

    users: UserRepository
    budgets: BudgetRepository
    hardship: HardshipRepository
    debts: DebtRepository
    plans: PlanRepository
    installments: InstallmentRepository
    payments: PaymentRepository
    outbox: OutboxRepository
    bot_state: BotStateRepository
    processed_updates: ProcessedUpdateRepository
    inbox: InboxRepository
    send_rate: SendRateRepository

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        # After commit() this is a no-op; otherwise (early return, exception) nothing leaks.
        self.rollback()

    @abc.abstractmethod
    def commit(self) -> None:
        """Make the work done so far permanent."""

    @abc.abstractmethod
    def rollback(self) -> None:
        """Discard the work done since the last commit."""

    @abc.abstractmethod
    def reading(self) -> None:
        """Read what follows in a transaction that takes no write lock, until ``writing()``."""

    @abc.abstractmethod
    def writing(self) -> None:
        """End a transaction begun by ``reading()``: the next statement takes the write lock."""


#: Session.info key: the current transaction flushed something (``SqlUnitOfWork.release``);
#: repositories that write with Core statements set it too.
_WROTE = WROTE


def _mark_wrote(session: Session, _context: object) -> None:
    session.info[_WROTE] = True


#: Session.info key: the open transaction was begun by ``reading()`` (SQLite: no write lock).
_READING = "reading"


def _clear_wrote(session: Session) -> None:
    session.info.pop(_WROTE, None)
    session.info.pop(_READING, None)


# Listened on the class once: a listener added per session costs more than a short transaction.
event.listen(Session, "after_flush", _mark_wrote)
event.listen(Session, "after_commit", _clear_wrote)
event.listen(Session, "after_rollback", _clear_wrote)


class SqlUnitOfWork(UnitOfWork):
    """A unit of work on a SQLAlchemy session; each ``with`` block opens a fresh session."""

    def __init__(self, session_factory: Callable[[], Session]) -> None:
        self._session_factory = session_factory
        self._session: Session | None = None

    @property
    def session(self) -> Session:
        """The open session, for queries no repository offers yet."""
        if self._session is None:
            raise RuntimeError("the unit of work is not open: use it in a with block")
        return self._session

    def __enter__(self) -> Self:
        if self._session is not None:
            raise RuntimeError("the unit of work is already open")
        session = self._session_factory()
        self._session = session
        self.users = UserRepository(session)
        self.budgets = BudgetRepository(session)
        self.hardship = HardshipRepository(session)
        self.debts = DebtRepository(session)
        self.plans = PlanRepository(session)
        self.installments = InstallmentRepository(session)
        self.payments = PaymentRepository(session)
        self.outbox = OutboxRepository(session)
        self.bot_state = BotStateRepository(session)
        self.processed_updates = ProcessedUpdateRepository(session)
        self.inbox = InboxRepository(session)
        self.send_rate = SendRateRepository(session)
        return super().__enter__()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        try:
            super().__exit__(exc_type, exc, traceback)
        finally:
            self.session.close()
            self._session = None

    def commit(self) -> None:
        """Commit the session's transaction."""
        self.session.commit()

    def has_writes(self) -> bool:
        """Whether the open transaction holds changes not committed yet."""
        session = self.session
        return bool(session.new or session.dirty or session.deleted or session.info.get(_WROTE))

    def release(self) -> bool:
        """End the open transaction if it wrote nothing, so no lock is held while waiting.

        Returns False (and keeps the transaction) when it holds writes not committed yet: those
        are the caller's to commit or roll back. Loaded objects stay readable either way.
        """
        session = self.session
        if not session.in_transaction():
            return True
        if self.has_writes():
            return False
        session.commit()  # nothing to write: this only ends the (read) transaction
        return True

    def rollback(self) -> None:
        """Roll the session's transaction back."""
        self.session.rollback()

    def reading(self) -> None:
        """Begin the transaction as a read, on SQLite: it takes no write lock, so the write
        lock is held only from ``writing()`` to the commit (another process's writers go on
        meanwhile). Nothing happens if a transaction is open already, or on PostgreSQL, where
        readers never wait for writers."""
        session = self.session
        if session.in_transaction() or session.get_bind().dialect.name != "sqlite":
            return
        read_only(session)
        session.info[_READING] = True

    def writing(self) -> None:
        """End the read begun by ``reading()`` (objects loaded stay readable); the next statement
        begins a transaction that takes the write lock. What was read may have changed since
        only if another process wrote it: callers use this where none does (a user's own data,
        handled by one process at a time)."""
        session = self.session
        if session.info.get(_READING) and session.in_transaction():
            if self.has_writes():
                raise RuntimeError("a read transaction wrote: call writing() before writes")
            session.commit()  # ends the read; after_commit forgets _READING
