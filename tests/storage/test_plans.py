"""Plan versions, installments, the reminder range query and per-user scoping."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Engine, event
from sqlalchemy.exc import IntegrityError

from tests.databases import Database
from tests.storage.factories import make_debt, make_payment, make_plan, make_schedule, make_user
from tracker.errors import Conflict, NotFound
from tracker.storage.enums import PlanOrigin, PlanStatus
from tracker.storage.models import Debt, PlanVersion, User
from tracker.storage.uow import SqlUnitOfWork

MakeUow = Callable[[], SqlUnitOfWork]
NOW = datetime(2025, 3, 20, 8, 0, tzinfo=UTC)


def _debt_with_active_plan(
    uow: SqlUnitOfWork, user: User | None = None
) -> tuple[Debt, PlanVersion]:
    user = user or uow.users.add(make_user())
    debt = uow.debts.add(make_debt(user))
    plan = uow.plans.add(make_plan(debt))
    uow.installments.replace_for_plan(plan, make_schedule(12, date(2025, 1, 15)))
    uow.plans.activate(plan, NOW)
    return debt, plan


def test_schedule_rows_become_minor_unit_installments(uow: SqlUnitOfWork) -> None:
    with uow:
        debt, plan = _debt_with_active_plan(uow)
        assert plan.version == 1
        assert plan.status is PlanStatus.ACTIVE
        assert plan.activated_at == NOW
        installments = uow.installments.for_plan(plan.id or 0)
        assert [i.seq for i in installments] == list(range(1, 13))
        first = installments[0]
        assert (first.principal_minor, first.interest_minor, first.total_minor) == (
            100_000,
            5_555,
            105_555,
        )
        assert first.user_id == debt.user_id
        assert first.is_active
        # Replacing the schedule keeps one set of rows.
        uow.installments.replace_for_plan(plan, make_schedule(6, date(2025, 1, 15)))
        assert len(uow.installments.for_plan(plan.id or 0)) == 6


def test_activation_supersedes_the_previous_plan_and_flips_installments(
    make_uow: MakeUow,
) -> None:
    with make_uow() as uow:
        debt, original = _debt_with_active_plan(uow)
        renegotiated = uow.plans.add(
            make_plan(
                debt,
                origin=PlanOrigin.RENEGOTIATED,
                rate_value=Decimal("0.0003"),
                term_months=24,
                first_due=date(2025, 4, 15),
                starts_after_installment=3,
            )
        )
        uow.installments.replace_for_plan(
            renegotiated, make_schedule(24, date(2025, 4, 15), principal=Decimal("300.00"))
        )
        assert renegotiated.version == 2
        assert not any(i.is_active for i in uow.installments.for_plan(renegotiated.id or 0))

        previous = uow.plans.activate(renegotiated, NOW)
        assert previous is original
        uow.commit()
    user_id, debt_id = debt.user_id, debt.id or 0
    with make_uow() as uow:
        versions = uow.plans.list_for_debt(debt_id)
        assert [(v.version, v.status) for v in versions] == [
            (1, PlanStatus.SUPERSEDED),
            (2, PlanStatus.ACTIVE),
        ]
        active = uow.plans.active_for_debt(debt_id)
        assert active is not None
        assert active.id == renegotiated.id
        assert not any(i.is_active for i in uow.installments.for_plan(original.id or 0))
        current = uow.installments.for_debt(user_id, debt_id)
        assert len(current) == 24
        assert {i.plan_version_id for i in current} == {active.id}
        everything = uow.installments.for_debt(user_id, debt_id, active_only=False)
        assert len(everything) == 36
        assert uow.plans.activate(active, NOW) is None  # already active: nothing to do


def test_a_rejected_plan_cannot_be_activated(uow: SqlUnitOfWork) -> None:
    with uow:
        debt, _ = _debt_with_active_plan(uow)
        proposal = uow.plans.add(make_plan(debt, origin=PlanOrigin.PROPOSAL))
        uow.plans.reject(proposal)
        with pytest.raises(Conflict) as caught:
            uow.plans.activate(proposal, NOW)
        assert caught.value.code == "plan_rejected"


def test_the_database_allows_one_active_plan_per_debt(uow: SqlUnitOfWork) -> None:
    with uow:
        debt, _ = _debt_with_active_plan(uow)
        with pytest.raises(IntegrityError):
            uow.plans.add(make_plan(debt, status=PlanStatus.ACTIVE))


def test_due_between_returns_active_installments_in_the_window(uow: SqlUnitOfWork) -> None:
    with uow:
        debt, plan = _debt_with_active_plan(uow)
        _other_debt, _ = _debt_with_active_plan(uow)
        proposal = uow.plans.add(make_plan(debt, origin=PlanOrigin.PROPOSAL))
        uow.installments.replace_for_plan(proposal, make_schedule(12, date(2025, 1, 15)))

        due = uow.installments.due_between(date(2025, 3, 15), date(2025, 4, 15))
        assert [(i.due_date, i.seq) for i in due] == [
            (date(2025, 3, 15), 3),
            (date(2025, 3, 15), 3),
            (date(2025, 4, 15), 4),
            (date(2025, 4, 15), 4),
        ]  # both ends included, proposal rows left out
        mine = uow.installments.due_between(
            date(2025, 3, 15), date(2025, 4, 15), user_id=debt.user_id
        )
        assert {i.plan_version_id for i in mine} == {plan.id}
        everything = uow.installments.due_between(
            date(2025, 3, 15), date(2025, 3, 15), active_only=False
        )
        assert len(everything) == 3
        assert uow.installments.due_between(date(2025, 3, 16), date(2025, 4, 14)) == []


def test_users_only_see_their_own_data(uow: SqlUnitOfWork) -> None:
    with uow:
        alice, bob = uow.users.add(make_user()), uow.users.add(make_user())
        assert alice.id is not None
        assert bob.id is not None
        alice_debt, alice_plan = _debt_with_active_plan(uow, alice)
        bob_debt, _ = _debt_with_active_plan(uow, bob)
        alice_payment, _ = uow.payments.add_once(make_payment(alice_debt))
        assert alice_debt.id is not None
        assert bob_debt.id is not None

        assert uow.debts.list_for_user(alice.id) == [alice_debt]
        assert uow.debts.get_for_user(alice.id, alice_debt.id) is alice_debt
        assert uow.debts.get_for_user(bob.id, alice_debt.id) is None
        with pytest.raises(NotFound):
            uow.debts.require_for_user(bob.id, alice_debt.id)
        assert uow.plans.get_for_user(bob.id, alice_plan.id or 0) is None
        assert uow.plans.get_for_user(alice.id, alice_plan.id or 0) is alice_plan
        assert uow.installments.for_debt(bob.id, alice_debt.id) == []
        assert uow.payments.list_for_debt(bob.id, alice_debt.id) == []
        assert uow.payments.get_for_user(bob.id, alice_payment.id or 0) is None
        assert uow.payments.last_for_user(bob.id) is None


@pytest.fixture
def captured(engine: Engine) -> Iterator[list[tuple[str, Any]]]:
    """The SQL statements the engine sends, with their parameters."""
    statements: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, params: Any, *_: Any) -> None:
        statements.append((statement, params))

    event.listen(engine, "before_cursor_execute", capture)
    yield statements
    event.remove(engine, "before_cursor_execute", capture)


def test_due_between_is_an_index_range_scan(
    uow: SqlUnitOfWork, database: Database, captured: list[tuple[str, Any]]
) -> None:
    with uow:
        for _ in range(20):
            _debt_with_active_plan(uow)
        connection = uow.session.connection()
        if database.backend == "postgresql":
            connection.exec_driver_sql("ANALYZE installments")
            # Tiny tables make a sequential scan cheapest; the plan shape is what we test.
            connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
        captured.clear()
        assert len(uow.installments.due_between(date(2025, 3, 1), date(2025, 3, 31))) == 20
        [(statement, params)] = [(s, p) for s, p in captured if "FROM installments" in s]
        explain = "EXPLAIN QUERY PLAN " if database.backend == "sqlite" else "EXPLAIN "
        rows = connection.exec_driver_sql(explain + statement, params).all()
    plan = "\n".join(str(row[-1]) for row in rows)
    print(f"\n{database.backend} plan:\n{plan}")
    assert "ix_installments_active_due" in plan
    if database.backend == "sqlite":
        assert "SEARCH installments USING INDEX ix_installments_active_due" in plan
    else:
        assert "Index Cond" in plan
        assert "due_date" in plan
