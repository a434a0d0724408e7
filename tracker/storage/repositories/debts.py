"""Debts, plan versions, installments and payments — always scoped to their user."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime

from sqlalchemy import delete, or_, true, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, func, select
from sqlmodel.sql.expression import Select, SelectOfScalar

from tracker.errors import Conflict, NotFound
from tracker.money import to_minor
from tracker.schedule_types import ScheduleRow
from tracker.storage.enums import DebtStatus, OutboxStatus, PlanStatus
from tracker.storage.models import Debt, Installment, Outbox, Payment, PlanVersion, User
from tracker.storage.repositories.base import Repository

#: Outbox keys about one installment start with these (tracker.reminders: due, overdue, risk).
_INSTALLMENT_KINDS = frozenset({"due", "overdue", "risk"})


class DebtRepository(Repository):
    """A user's debts; nothing here returns another user's debt."""

    def add(self, debt: Debt) -> Debt:
        """Add a debt and flush, so it has an id."""
        self._session.add(debt)
        self._session.flush()
        return debt

    def get_for_user(self, user_id: int, debt_id: int) -> Debt | None:
        """The debt if it belongs to the user, else None."""
        # By primary key: a debt this unit of work already loaded costs no second query.
        found = self._session.get(Debt, debt_id)
        return found if found is not None and found.user_id == user_id else None

    def require_for_user(self, user_id: int, debt_id: int) -> Debt:
        """The debt if it belongs to the user; NotFound otherwise (ids may come from buttons)."""
        debt = self.get_for_user(user_id, debt_id)
        if debt is None:
            raise NotFound(f"debt {debt_id} not found", code="debt_not_found", debt_id=debt_id)
        return debt

    def list_for_user(
        self, user_id: int, *, statuses: Iterable[DebtStatus] | None = None
    ) -> list[Debt]:
        """The user's debts in the order they were added, optionally only some statuses."""
        statement = select(Debt).where(col(Debt.user_id) == user_id)
        if statuses is not None:
            statement = statement.where(col(Debt.status).in_([DebtStatus(s) for s in statuses]))
        statement = statement.order_by(col(Debt.created_at), col(Debt.id))
        return list(self._session.exec(statement).all())

    def delete_with_history(self, user_id: int, debt_id: int) -> None:
        """Delete the user's debt with its plans, installments, payments and reminders.

        The foreign keys cascade too; deleting children first says so without relying on it
        (and on SQLite, on the foreign-keys pragma). Reminder rows name an installment only in
        their key, so they are deleted by key, sent ones too: nothing about the debt is left.
        """
        debt = self.require_for_user(user_id, debt_id)
        installment_ids = [
            i
            for i in self._session.exec(
                select(col(Installment.id)).where(col(Installment.debt_id) == debt_id)
            ).all()
            if i is not None
        ]
        for chunk in _chunks(self._reminder_ids(user_id, installment_ids, pending_only=False)):
            self._session.exec(delete(Outbox).where(col(Outbox.id).in_(chunk)))
        self._session.exec(delete(Installment).where(col(Installment.debt_id) == debt_id))
        self._session.exec(delete(Payment).where(col(Payment.debt_id) == debt_id))
        self._session.exec(delete(PlanVersion).where(col(PlanVersion.debt_id) == debt_id))
        self._session.delete(debt)
        self._session.flush()

    def drop_pending_reminders(self, user_id: int, installment_ids: Iterable[int]) -> int:
        """Drop the user's pending reminders of these installments (replaced by a recompute)."""
        wanted = self._reminder_ids(user_id, installment_ids, pending_only=True)
        for chunk in _chunks(wanted):
            self._session.exec(
                update(Outbox)
                .where(col(Outbox.id).in_(chunk), col(Outbox.status) == OutboxStatus.PENDING)
                .values(status=OutboxStatus.DROPPED, last_error="installment replaced")
            )
        return len(wanted)

    def _reminder_ids(
        self, user_id: int, installment_ids: Iterable[int], *, pending_only: bool
    ) -> list[int]:
        """Outbox rows of the user about these installments: ``<kind>:<installment>[:n]``."""
        wanted = {str(i) for i in installment_ids}
        if not wanted:
            return []
        statement = select(col(Outbox.id), col(Outbox.key)).where(col(Outbox.user_id) == user_id)
        if pending_only:
            statement = statement.where(col(Outbox.status) == OutboxStatus.PENDING)
        found: list[int] = []
        for outbox_id, key in self._session.exec(statement).all():
            kind, _, rest = key.partition(":")
            installment = rest.partition(":")[0]
            if outbox_id is not None and kind in _INSTALLMENT_KINDS and installment in wanted:
                found.append(outbox_id)
        return found

    def max_grace_days(self) -> int:
        """The most grace days any active debt has (0 without debts): how far back a scan looks."""
        statement = select(func.max(col(Debt.grace_days))).where(
            col(Debt.status) == DebtStatus.ACTIVE
        )
        return int(self._session.exec(statement).one() or 0)


class PlanRepository(Repository):
    """The versions of a debt's repayment plan; at most one is active."""

    def add(self, plan: PlanVersion) -> PlanVersion:
        """Add a version (numbered next for its debt unless ``version`` is set) and flush."""
        self._lock_debt(plan.debt_id)
        if not plan.version:
            latest = self._session.exec(
                select(func.max(col(PlanVersion.version))).where(
                    col(PlanVersion.debt_id) == plan.debt_id
                )
            ).one()
            plan.version = (latest or 0) + 1
        self._session.add(plan)
        self._session.flush()
        return plan

    def get_for_user(self, user_id: int, plan_id: int) -> PlanVersion | None:
        """The plan version if its debt belongs to the user, else None."""
        statement = (
            select(PlanVersion)
            .join(Debt, col(Debt.id) == col(PlanVersion.debt_id))
            .where(col(PlanVersion.id) == plan_id, col(Debt.user_id) == user_id)
        )
        return self._session.exec(statement).first()

    def active_for_debt(self, debt_id: int) -> PlanVersion | None:
        """The debt's active plan, if any."""
        statement = select(PlanVersion).where(
            col(PlanVersion.debt_id) == debt_id, col(PlanVersion.status) == PlanStatus.ACTIVE
        )
        return self._session.exec(statement).first()

    def active_for_debts(self, debt_ids: Iterable[int]) -> dict[int, PlanVersion]:
        """The active plan of each of these debts that has one, by debt id (for batch jobs)."""
        found: dict[int, PlanVersion] = {}
        for chunk in _chunks(debt_ids):
            statement = select(PlanVersion).where(
                col(PlanVersion.debt_id).in_(chunk), col(PlanVersion.status) == PlanStatus.ACTIVE
            )
            found.update((plan.debt_id, plan) for plan in self._session.exec(statement).all())
        return found

    def list_for_debt(self, debt_id: int) -> list[PlanVersion]:
        """All versions of the debt's plan, oldest first."""
        statement = (
            select(PlanVersion)
            .where(col(PlanVersion.debt_id) == debt_id)
            .order_by(col(PlanVersion.version))
        )
        return list(self._session.exec(statement).all())

    def activate(self, plan: PlanVersion, at: datetime) -> PlanVersion | None:
        """Make ``plan`` the debt's active plan; return the version it superseded, if any."""
        # Only the new plan's installments stay is_active, so reminders follow it at once.
        if plan.id is None:
            self.add(plan)
        self._lock_debt(plan.debt_id)
        if plan.status is PlanStatus.ACTIVE:
            return None
        if plan.status is PlanStatus.REJECTED:
            raise Conflict(
                f"plan version {plan.version} was rejected", code="plan_rejected", plan_id=plan.id
            )
        previous = self.active_for_debt(plan.debt_id)
        if previous is not None:
            previous.status = PlanStatus.SUPERSEDED
            # Flush before activating: the partial unique index allows one active plan per debt.
            self._session.flush()
        plan.status = PlanStatus.ACTIVE
        plan.activated_at = at
        self._session.flush()
        self._session.exec(
            update(Installment)
            .where(
                col(Installment.debt_id) == plan.debt_id,
                col(Installment.is_active) == true(),
                col(Installment.plan_version_id) != plan.id,
            )
            .values(is_active=False)
        )
        self._session.exec(
            update(Installment)
            .where(col(Installment.plan_version_id) == plan.id)
            .values(is_active=True)
        )
        return previous

    def reject(self, plan: PlanVersion) -> None:
        """Mark a proposed plan as rejected; an active one must be superseded instead."""
        if plan.status is PlanStatus.ACTIVE:
            raise Conflict("the active plan cannot be rejected", code="plan_active")
        plan.status = PlanStatus.REJECTED

    def _lock_debt(self, debt_id: int) -> None:
        # Serialises plan changes of one debt on PostgreSQL (SQLite has one writer anyway).
        statement = select(Debt.id).where(col(Debt.id) == debt_id).with_for_update()
        if self._session.exec(statement).first() is None:
            raise NotFound(f"debt {debt_id} not found", code="debt_not_found", debt_id=debt_id)


class InstallmentRepository(Repository):
    """Scheduled installments of plan versions."""

    def get_for_user(self, user_id: int, installment_id: int) -> Installment | None:
        """The user's installment with this id, else None (ids may come from buttons)."""
        found = self._session.get(Installment, installment_id)
        return found if found is not None and found.user_id == user_id else None

    def replace_for_plan(self, plan: PlanVersion, rows: Sequence[ScheduleRow]) -> list[Installment]:
        """Store a computed schedule as the plan's installments, replacing any there were."""
        if plan.id is None:
            raise ValueError("flush the plan version before adding its installments")
        debt = self._session.get(Debt, plan.debt_id)
        if debt is None:
            raise NotFound(f"debt {plan.debt_id} not found", code="debt_not_found")
        self._session.exec(delete(Installment).where(col(Installment.plan_version_id) == plan.id))
        currency = debt.currency
        installments = [
            Installment(
                plan_version_id=plan.id,
                debt_id=plan.debt_id,
                user_id=debt.user_id,
                seq=row.number,
                due_date=row.due_date,
                principal_minor=to_minor(row.principal, currency),
                interest_minor=to_minor(row.interest, currency),
                fee_minor=to_minor(row.fee, currency),
                total_minor=to_minor(row.payment, currency),
                is_active=plan.status is PlanStatus.ACTIVE,
            )
            for row in rows
        ]
        self._session.add_all(installments)
        self._session.flush()
        return installments

    @staticmethod
    def due_between_query(
        start: date, end: date, *, active_only: bool = True, user_id: int | None = None
    ) -> SelectOfScalar[Installment]:
        """The due_between statement, exposed so tests can EXPLAIN it."""
        statement = select(Installment).where(
            col(Installment.due_date) >= start, col(Installment.due_date) <= end
        )
        if active_only:
            # "= true", not "IS true": only an equality can use ix_installments_active_due.
            statement = statement.where(col(Installment.is_active) == true())
        if user_id is not None:
            statement = statement.where(col(Installment.user_id) == user_id)
        return statement.order_by(col(Installment.due_date), col(Installment.id))

    @staticmethod
    def due_for_scan_query(start: date, end: date) -> Select[Installment, Debt, User]:
        """The due_for_scan statement, exposed so tests can EXPLAIN it."""
        return (
            select(Installment, Debt, User)
            .join(Debt, col(Debt.id) == col(Installment.debt_id))
            .join(User, col(User.id) == col(Installment.user_id))
            .where(
                # "= true" again, so ix_installments_active_due drives the query.
                col(Installment.is_active) == true(),
                col(Installment.due_date) >= start,
                col(Installment.due_date) <= end,
                col(Debt.status) == DebtStatus.ACTIVE,
                col(User.active) == true(),
                or_(col(User.reminders_enabled) == true(), col(User.digest_enabled) == true()),
            )
            .order_by(
                col(Installment.user_id),
                col(Installment.debt_id),
                col(Installment.due_date),
                col(Installment.id),
            )
        )

    def due_for_scan(self, start: date, end: date) -> list[tuple[Installment, Debt, User]]:
        """What a reminder scan looks at, in one query: active installments due from ``start`` to
        ``end`` of active debts, with their debt and user, for users who have not blocked the bot
        and want reminders or the digest. By user, debt and due date.
        """
        rows = self._session.exec(self.due_for_scan_query(start, end)).all()
        return [(installment, debt, user) for installment, debt, user in rows]

    def due_between(
        self, start: date, end: date, *, active_only: bool = True, user_id: int | None = None
    ) -> list[Installment]:
        """Installments due from ``start`` to ``end`` inclusive, by due date."""
        statement = self.due_between_query(start, end, active_only=active_only, user_id=user_id)
        return list(self._session.exec(statement).all())

    def for_debt(
        self, user_id: int, debt_id: int, *, active_only: bool = True
    ) -> list[Installment]:
        """The debt's installments (of its active plan by default), by plan and sequence."""
        statement = select(Installment).where(
            col(Installment.debt_id) == debt_id, col(Installment.user_id) == user_id
        )
        if active_only:
            statement = statement.where(col(Installment.is_active) == true())
        statement = statement.order_by(col(Installment.plan_version_id), col(Installment.seq))
        return list(self._session.exec(statement).all())

    def for_plans(self, plan_ids: Iterable[int]) -> dict[int, list[Installment]]:
        """The installments of each of these plan versions in sequence, by plan id."""
        found: dict[int, list[Installment]] = {}
        for chunk in _chunks(plan_ids):
            statement = (
                select(Installment)
                .where(col(Installment.plan_version_id).in_(chunk))
                .order_by(col(Installment.plan_version_id), col(Installment.seq))
            )
            for item in self._session.exec(statement).all():
                found.setdefault(item.plan_version_id, []).append(item)
        return found

    def for_plan(self, plan_id: int) -> list[Installment]:
        """A plan version's installments in sequence."""
        statement = (
            select(Installment)
            .where(col(Installment.plan_version_id) == plan_id)
            .order_by(col(Installment.seq))
        )
        return list(self._session.exec(statement).all())


class PaymentRepository(Repository):
    """Payments; the idempotency key makes a redelivered update record nothing twice."""

    def add_once(self, payment: Payment) -> tuple[Payment, bool]:
        """Add the payment unless its idempotency key exists: (the stored payment, created?)."""
        # The unique constraint decides, inside a SAVEPOINT, so a duplicate (a redelivery, a
        # double tap, a concurrent twin) ends with one row and this unit of work stays usable.
        # No look first: a new key is the common case, and the constraint is checked anyway.
        try:
            with self._session.begin_nested():
                self._session.add(payment)
        except IntegrityError:
            existing = self.get_by_key(payment.idempotency_key)
            if existing is None:  # another constraint failed: a real error
                raise
            return existing, False
        return payment, True

    def get_by_key(self, idempotency_key: str) -> Payment | None:
        """The payment recorded under this idempotency key."""
        statement = select(Payment).where(col(Payment.idempotency_key) == idempotency_key)
        return self._session.exec(statement).first()

    def get_for_user(self, user_id: int, payment_id: int) -> Payment | None:
        """The payment if it belongs to the user, else None."""
        statement = select(Payment).where(
            col(Payment.id) == payment_id, col(Payment.user_id) == user_id
        )
        return self._session.exec(statement).first()

    def last_for_user(self, user_id: int, *, include_undone: bool = False) -> Payment | None:
        """The payment the user recorded last (what /undo undoes)."""
        statement = select(Payment).where(col(Payment.user_id) == user_id)
        if not include_undone:
            statement = statement.where(col(Payment.undone_at).is_(None))
        statement = statement.order_by(col(Payment.recorded_at).desc(), col(Payment.id).desc())
        return self._session.exec(statement.limit(1)).first()

    def last_id_for_debt(self, debt_id: int) -> int | None:
        """The newest payment id recorded for the debt (ids only grow), or None."""
        statement = select(func.max(col(Payment.id))).where(col(Payment.debt_id) == debt_id)
        return self._session.exec(statement).one()

    def list_for_debt(
        self, user_id: int, debt_id: int, *, include_undone: bool = False
    ) -> list[Payment]:
        """The debt's payments in the order they were paid."""
        statement = select(Payment).where(
            col(Payment.debt_id) == debt_id, col(Payment.user_id) == user_id
        )
        if not include_undone:
            statement = statement.where(col(Payment.undone_at).is_(None))
        statement = statement.order_by(
            col(Payment.paid_on), col(Payment.recorded_at), col(Payment.id)
        )
        return list(self._session.exec(statement).all())

    def list_for_debts(
        self, debt_ids: Iterable[int], *, include_undone: bool = False
    ) -> dict[int, list[Payment]]:
        """Each of these debts' payments in the order they were paid, by debt id (batch jobs;
        callers scope the debts to their users)."""
        found: dict[int, list[Payment]] = {}
        for chunk in _chunks(debt_ids):
            statement = select(Payment).where(col(Payment.debt_id).in_(chunk))
            if not include_undone:
                statement = statement.where(col(Payment.undone_at).is_(None))
            statement = statement.order_by(
                col(Payment.debt_id),
                col(Payment.paid_on),
                col(Payment.recorded_at),
                col(Payment.id),
            )
            for payment in self._session.exec(statement).all():
                found.setdefault(payment.debt_id, []).append(payment)
        return found

    def summary_by_user(
        self, user_ids: Iterable[int]
    ) -> dict[int, tuple[int, int, datetime | None]]:
        """Per user with payments: (how many, the last id, the last undo), undone ones included.

        Changes whenever a payment is recorded or undone: jobs use it to notice new payments.
        """
        found: dict[int, tuple[int, int, datetime | None]] = {}
        for chunk in _chunks(user_ids):
            statement = (
                select(
                    col(Payment.user_id),
                    func.count(col(Payment.id)),
                    func.max(col(Payment.id)),
                    func.max(col(Payment.undone_at)),
                )
                .where(col(Payment.user_id).in_(chunk))
                .group_by(col(Payment.user_id))
            )
            for user_id, count, last, undone in self._session.exec(statement).all():
                found[user_id] = (int(count), int(last or 0), undone)
        return found

    def undo(self, payment: Payment, at: datetime) -> None:
        """Soft-delete a payment; the row stays for the audit trail."""
        if payment.undone_at is not None:
            raise Conflict("the payment was already undone", code="payment_already_undone")
        payment.undone_at = at


#: Ids per ``IN (…)`` list: well under SQLite's and PostgreSQL's parameter limits.
_IN_CHUNK = 500


def _chunks(ids: Iterable[int]) -> Iterator[list[int]]:
    wanted = sorted(set(ids))
    for start in range(0, len(wanted), _IN_CHUNK):
        yield wanted[start : start + _IN_CHUNK]
