"""Debts, plan versions, installments and payments — always scoped to their user."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from functools import cache
from typing import Any, NamedTuple

from sqlalchemy import (
    bindparam,
    delete,
    inspect,
    literal_column,
    null,
    or_,
    true,
    union_all,
    update,
)
from sqlalchemy import select as core_select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.sql.dml import ReturningInsert
from sqlmodel import col, func, select
from sqlmodel.sql.expression import Select, SelectOfScalar

from tracker.errors import Conflict, NotFound
from tracker.money import to_minor
from tracker.schedule_types import ScheduleRow
from tracker.storage.enums import DebtStatus, OutboxStatus, PlanStatus
from tracker.storage.models import Debt, Installment, Outbox, Payment, PlanVersion, User
from tracker.storage.repositories.base import WROTE, Repository, chunks, table_of, upsert_insert

#: Outbox keys about one installment start with these (tracker.reminders: due, overdue, risk).
_INSTALLMENT_KINDS = frozenset({"due", "overdue", "risk"})

# The statements of a payment's path are built once, with bind parameters: building a statement
# and computing its cache key cost more than running it. Where only figures are read (the
# ledger's inputs), Core rows skip the ORM's loading of whole objects.

_DEBTS_OF_USER = select(Debt).where(col(Debt.user_id) == bindparam("user_id"))
_DEBTS_ORDER = (col(Debt.created_at), col(Debt.id))
#: list_for_user's statement per set of statuses asked (None: all), built on first use.
_DEBTS_BY_STATUSES: dict[frozenset[DebtStatus] | None, SelectOfScalar[Debt]] = {}

_ACTIVE_PLAN = select(PlanVersion).where(
    col(PlanVersion.debt_id) == bindparam("debt_id"),
    col(PlanVersion.status) == PlanStatus.ACTIVE,
)

_PLAN_INSTALLMENTS = (
    select(Installment)
    .where(col(Installment.plan_version_id) == bindparam("plan_id"))
    .order_by(col(Installment.seq))
)

_PAYMENT_BY_KEY = select(Payment).where(
    col(Payment.idempotency_key) == bindparam("idempotency_key")
)
_PAYMENTS_ORDER = (col(Payment.paid_on), col(Payment.recorded_at), col(Payment.id))
_DEBT_PAYMENTS = (
    select(Payment)
    .where(
        col(Payment.debt_id) == bindparam("debt_id"), col(Payment.user_id) == bindparam("user_id")
    )
    .order_by(*_PAYMENTS_ORDER)
)
_DEBT_PAYMENTS_NOT_UNDONE = (
    select(Payment)
    .where(
        col(Payment.debt_id) == bindparam("debt_id"),
        col(Payment.user_id) == bindparam("user_id"),
        col(Payment.undone_at).is_(None),
    )
    .order_by(*_PAYMENTS_ORDER)
)
_INSTALLMENTS = table_of(Installment)
_PAYMENTS = table_of(Payment)
_PAYMENT_ID_BY_KEY = core_select(_PAYMENTS.c.id).where(
    _PAYMENTS.c.idempotency_key == bindparam("idempotency_key")
)
#: A plan's installments (kind 0) and the debt's payments not undone (kind 1), in one round trip:
#: installments by due date and sequence, payments in the order they were paid (list_for_debt's).
_LEDGER_FIGURES = union_all(
    core_select(
        literal_column("0").label("kind"),
        _INSTALLMENTS.c.seq.label("number"),
        _INSTALLMENTS.c.due_date.label("day"),
        _INSTALLMENTS.c.principal_minor.label("principal_or_amount"),
        _INSTALLMENTS.c.interest_minor.label("interest"),
        _INSTALLMENTS.c.fee_minor.label("fee"),
        _INSTALLMENTS.c.total_minor.label("total"),
        null().label("currency"),
        null().label("recorded_at"),
    ).where(_INSTALLMENTS.c.plan_version_id == bindparam("plan_id")),
    core_select(
        literal_column("1"),
        _PAYMENTS.c.id,
        _PAYMENTS.c.paid_on,
        _PAYMENTS.c.amount_minor,
        literal_column("0"),
        literal_column("0"),
        literal_column("0"),
        _PAYMENTS.c.currency,
        _PAYMENTS.c.recorded_at,
    ).where(
        _PAYMENTS.c.debt_id == bindparam("debt_id"),
        _PAYMENTS.c.user_id == bindparam("user_id"),
        _PAYMENTS.c.undone_at.is_(None),
    ),
).order_by("kind", "day", "recorded_at", "number")
#: The columns add_once inserts (the id comes from the database).
_PAYMENT_VALUES = tuple(column.key for column in _PAYMENTS.columns if not column.primary_key)


@cache
def _insert_payment(dialect: str) -> ReturningInsert[Any]:
    # ON CONFLICT names the idempotency key only: any other constraint still raises.
    return (
        upsert_insert(dialect, _PAYMENTS)
        .on_conflict_do_nothing(index_elements=["idempotency_key"])
        .returning(_PAYMENTS.c.id)
    )


class InstallmentAmounts(NamedTuple):
    """An installment's figures alone, as the ledger reads them (``services.debts.rows_of``)."""

    seq: int
    due_date: date
    principal_minor: int
    interest_minor: int
    fee_minor: int
    total_minor: int


class PaymentAmounts(NamedTuple):
    """A payment's figures alone, as the ledger reads them (``services.debts.ledger_payments``)."""

    id: int
    paid_on: date
    amount_minor: int
    currency: str


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
        wanted = None if statuses is None else frozenset(DebtStatus(s) for s in statuses)
        statement = _DEBTS_BY_STATUSES.get(wanted)
        if statement is None:
            statement = _DEBTS_OF_USER
            if wanted is not None and len(wanted) == 1:
                # "=", not "IN": an IN list is rendered into the SQL on every execution.
                statement = statement.where(col(Debt.status) == next(iter(wanted)))
            elif wanted is not None:
                statement = statement.where(col(Debt.status).in_(sorted(wanted)))
            statement = statement.order_by(*_DEBTS_ORDER)
            _DEBTS_BY_STATUSES[wanted] = statement
        return list(self._session.exec(statement, params={"user_id": user_id}).all())

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
        for chunk in chunks(self._reminder_ids(user_id, installment_ids, pending_only=False)):
            self._session.exec(delete(Outbox).where(col(Outbox.id).in_(chunk)))
        self._session.exec(delete(Installment).where(col(Installment.debt_id) == debt_id))
        self._session.exec(delete(Payment).where(col(Payment.debt_id) == debt_id))
        self._session.exec(delete(PlanVersion).where(col(PlanVersion.debt_id) == debt_id))
        self._session.delete(debt)
        self._session.flush()

    def drop_pending_reminders(self, user_id: int, installment_ids: Iterable[int]) -> int:
        """Drop the user's pending reminders of these installments (replaced by a recompute)."""
        wanted = self._reminder_ids(user_id, installment_ids, pending_only=True)
        for chunk in chunks(wanted):
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
        return self._session.exec(_ACTIVE_PLAN, params={"debt_id": debt_id}).first()

    def active_for_debts(self, debt_ids: Iterable[int]) -> dict[int, PlanVersion]:
        """The active plan of each of these debts that has one, by debt id (for batch jobs)."""
        found: dict[int, PlanVersion] = {}
        for chunk in chunks(debt_ids):
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
        for chunk in chunks(plan_ids):
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
        return list(self._session.exec(_PLAN_INSTALLMENTS, params={"plan_id": plan_id}).all())


class PaymentRepository(Repository):
    """Payments; the idempotency key makes a redelivered update record nothing twice."""

    def add_once(self, payment: Payment) -> tuple[Payment, bool]:
        """Add the payment unless its idempotency key exists: (the stored payment, created?)."""
        # The unique constraint decides, so a duplicate (a redelivery, a double tap, a
        # concurrent twin) ends with one row and this unit of work stays usable: ON CONFLICT DO
        # NOTHING for a new object, else (an object already in the session) inside a SAVEPOINT.
        # No look first: a new key is the common case, and the constraint is checked anyway.
        if inspect(payment).transient:
            return self._insert_once(payment)
        try:
            with self._session.begin_nested():
                self._session.add(payment)
        except IntegrityError:
            existing = self.get_by_key(payment.idempotency_key)
            if existing is None:  # another constraint failed: a real error
                raise
            return existing, False
        return payment, True

    def _insert_once(self, payment: Payment) -> tuple[Payment, bool]:
        """``add_once`` for a new object in one statement: INSERT … ON CONFLICT DO NOTHING on the
        key. No SAVEPOINT (its round trips and the ORM's flush cost more than the insert), and
        the object is then what a flush would have left: persistent, the transaction's own."""
        session = self._session
        session.flush()  # as begin_nested() would: what is pending goes first
        values = {name: getattr(payment, name) for name in _PAYMENT_VALUES}
        if payment.id is not None:
            values["id"] = payment.id
        statement = _insert_payment(self._dialect)
        payment_id = session.connection().execute(statement, values).scalar()
        if payment_id is None:  # the key is taken: a redelivery, a double tap, a twin
            existing = self.get_by_key(payment.idempotency_key)
            if existing is None:  # pragma: no cover - the conflicting row is committed or ours
                raise RuntimeError(f"payment {payment.idempotency_key!r} vanished")
            return existing, False
        payment.id = payment_id
        make_transient_to_detached(payment)
        session.add(payment)
        # The bookkeeping of a flush: a rollback makes the object transient again (as for
        # any row this transaction inserted), and the unit of work knows it wrote.
        transaction = session._transaction
        if transaction is not None:
            transaction._new[inspect(payment)] = True
        session.info[WROTE] = True
        return payment, True

    def get_by_key(self, idempotency_key: str) -> Payment | None:
        """The payment recorded under this idempotency key."""
        params = {"idempotency_key": idempotency_key}
        # Asked before every payment is stored, and a key is almost always new: looking up the
        # id alone costs a fraction of the ORM's query, which then runs only for a key in use.
        if self._core().execute(_PAYMENT_ID_BY_KEY, params).first() is None:
            return None
        return self._session.exec(_PAYMENT_BY_KEY, params=params).first()

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
        statement = _DEBT_PAYMENTS if include_undone else _DEBT_PAYMENTS_NOT_UNDONE
        params = {"debt_id": debt_id, "user_id": user_id}
        return list(self._session.exec(statement, params=params).all())

    def ledger_figures(
        self, user_id: int, debt_id: int, plan_id: int
    ) -> tuple[list[InstallmentAmounts], list[PaymentAmounts]]:
        """What the ledger reads, in one statement and without loading objects: the figures of
        plan ``plan_id``'s installments (by due date) and of the debt's payments not undone
        (in ``list_for_debt``'s order)."""
        params = {"plan_id": plan_id, "debt_id": debt_id, "user_id": user_id}
        installments: list[InstallmentAmounts] = []
        payments: list[PaymentAmounts] = []
        for kind, number, day, amount, interest, fee, total, currency, _ in self._core().execute(
            _LEDGER_FIGURES, params
        ):
            if kind == 0:
                installments.append(InstallmentAmounts(number, day, amount, interest, fee, total))
            else:
                payments.append(PaymentAmounts(number, day, amount, currency))
        return installments, payments

    def list_for_debts(
        self, debt_ids: Iterable[int], *, include_undone: bool = False
    ) -> dict[int, list[Payment]]:
        """Each of these debts' payments in the order they were paid, by debt id (batch jobs;
        callers scope the debts to their users)."""
        found: dict[int, list[Payment]] = {}
        for chunk in chunks(debt_ids):
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
        for chunk in chunks(user_ids):
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
