"""The repository methods the reminder jobs use: the scan query, outbox keys and outcomes."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, event

from tests.databases import Database
from tests.storage.factories import make_debt, make_hardship, make_plan, make_schedule, make_user
from tracker.storage.enums import DebtStatus, OutboxStatus
from tracker.storage.models import Debt, User
from tracker.storage.repositories import NewMessage
from tracker.storage.uow import SqlUnitOfWork

MakeUow = Callable[[], SqlUnitOfWork]
NOW = datetime(2025, 3, 20, 8, 0, tzinfo=UTC)


def _debt(uow: SqlUnitOfWork, user: User, **overrides: Any) -> Debt:
    debt = uow.debts.add(make_debt(user, **overrides))
    plan = uow.plans.add(make_plan(debt))
    uow.installments.replace_for_plan(plan, make_schedule(12, date(2025, 1, 15)))
    uow.plans.activate(plan, NOW)
    return debt


def test_due_for_scan_loads_what_reminders_are_for(uow: SqlUnitOfWork) -> None:
    with uow:
        wanted = uow.users.add(make_user())
        digest_only = uow.users.add(make_user(reminders_enabled=False))
        silent = uow.users.add(make_user(reminders_enabled=False, digest_enabled=False))
        blocked = uow.users.add(make_user(active=False))
        debts = {
            "wanted": _debt(uow, wanted),
            "second": _debt(uow, wanted, name="白条"),
            "archived": _debt(uow, wanted, status=DebtStatus.ARCHIVED),
            "closed": _debt(uow, wanted, status=DebtStatus.CLOSED),
            "digest": _debt(uow, digest_only),
            "silent": _debt(uow, silent),
            "blocked": _debt(uow, blocked),
        }
        # A superseded plan's installments are not active: only the new plan's count.
        renegotiated = uow.plans.add(make_plan(debts["second"], version=2))
        uow.installments.replace_for_plan(renegotiated, make_schedule(3, date(2025, 3, 16)))
        uow.plans.activate(renegotiated, NOW)

        rows = uow.installments.due_for_scan(date(2025, 3, 15), date(2025, 4, 15))
        found = [(i.due_date, d.id, u.id) for i, d, u in rows]
        assert found == [
            (date(2025, 3, 15), debts["wanted"].id, wanted.id),
            (date(2025, 4, 15), debts["wanted"].id, wanted.id),
            (date(2025, 3, 16), debts["second"].id, wanted.id),  # 04-16 is past the window
            (date(2025, 3, 15), debts["digest"].id, digest_only.id),
            (date(2025, 4, 15), debts["digest"].id, digest_only.id),
        ]
        assert all(i.is_active for i, _, _ in rows)


def test_max_grace_days_of_active_debts(uow: SqlUnitOfWork) -> None:
    with uow:
        assert uow.debts.max_grace_days() == 0
        user = uow.users.add(make_user())
        uow.debts.add(make_debt(user, grace_days=3))
        uow.debts.add(make_debt(user, grace_days=20, status=DebtStatus.ARCHIVED))
        assert uow.debts.max_grace_days() == 3


def test_hardship_reports_counted_since(uow: SqlUnitOfWork) -> None:
    with uow:
        user = uow.users.add(make_user())
        assert user.id is not None
        for days in (1, 30, 61):
            uow.hardship.add(make_hardship(user, created_at=NOW - timedelta(days=days)))
        assert uow.hardship.count_since(user.id, NOW - timedelta(days=60)) == 2
        assert uow.hardship.count_since(user.id + 1, NOW - timedelta(days=60)) == 0


def _enqueue(uow: SqlUnitOfWork, user: User, key: str) -> int:
    assert user.id is not None
    row, _ = uow.outbox.enqueue_once(key, user_id=user.id, chat_id=1, kind="due", due_at=NOW)
    assert row.id is not None
    return row.id


def test_existing_keys_and_dropping_pending_ones(uow: SqlUnitOfWork) -> None:
    with uow:
        user = uow.users.add(make_user())
        for key in ("due:1:3", "due:1:1", "due:10:3", "overdue:1:1"):
            _enqueue(uow, user, key)
        many = [f"due:{n}:3" for n in range(1200)]  # more than one IN list
        found = uow.outbox.existing_keys([*many, "due:1:1", "x"])
        assert found == {"due:1:3", "due:1:1", "due:10:3"}
        uow.outbox.claim_due(NOW, 1, "w")  # due:1:3 is being sent: not dropped
        older = ["due:1:3", "due:1:1", "due:1:2", *many]
        assert uow.outbox.drop_pending_keys(older, reason="superseded") == 2  # 1:1 and 10:3
        rows = {k: uow.outbox.get_by_key(k) for k in ("due:1:3", "due:1:1", "overdue:1:1")}
        assert {k: (r.status, r.last_error) for k, r in rows.items() if r} == {
            "due:1:3": (OutboxStatus.SENDING, None),
            "due:1:1": (OutboxStatus.DROPPED, "superseded"),
            "overdue:1:1": (OutboxStatus.PENDING, None),
        }


def test_defer_does_not_count_the_attempt_and_drop_needs_the_claim(uow: SqlUnitOfWork) -> None:
    with uow:
        user = uow.users.add(make_user())
        first, second = _enqueue(uow, user, "a"), _enqueue(uow, user, "b")
        uow.outbox.claim_due(NOW, 2, "w")
        later = NOW + timedelta(seconds=7)
        assert uow.outbox.defer(first, worker_id="w", next_attempt_at=later, error="429")
        assert not uow.outbox.mark_dropped(second, worker_id="other", reason="expired")
        assert uow.outbox.mark_dropped(second, worker_id="w", reason="expired")
        a, b = uow.outbox.get_by_key("a"), uow.outbox.get_by_key("b")
        assert a is not None
        assert b is not None
        uow.session.refresh(a)
        uow.session.refresh(b)
        assert (a.status, a.attempts, a.next_attempt_at) == (OutboxStatus.PENDING, 0, later)
        assert (b.status, b.last_error, b.locked_by) == (OutboxStatus.DROPPED, "expired", None)


@pytest.fixture
def captured(engine: Engine) -> Iterator[list[tuple[str, Any]]]:
    statements: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, params: Any, *_: Any) -> None:
        statements.append((statement, params))

    event.listen(engine, "before_cursor_execute", capture)
    yield statements
    event.remove(engine, "before_cursor_execute", capture)


def test_due_for_scan_is_one_index_range_scan(
    uow: SqlUnitOfWork, database: Database, captured: list[tuple[str, Any]]
) -> None:
    with uow:
        for _ in range(20):
            _debt(uow, uow.users.add(make_user()))
        connection = uow.session.connection()
        if database.backend == "postgresql":
            connection.exec_driver_sql("ANALYZE")
            connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
        captured.clear()
        assert len(uow.installments.due_for_scan(date(2025, 3, 1), date(2025, 3, 31))) == 20
        [(statement, params)] = captured
        explain = "EXPLAIN QUERY PLAN " if database.backend == "sqlite" else "EXPLAIN "
        rows = connection.exec_driver_sql(explain + statement, params).all()
    plan = "\n".join(str(row[-1]) for row in rows)
    print(f"\n{database.backend} plan:\n{plan}")
    assert "ix_installments_active_due" in plan


def test_enqueue_many_inserts_new_keys_once(make_uow: MakeUow) -> None:
    with make_uow() as uow:
        user = uow.users.add(make_user())
        assert user.id is not None
        _enqueue(uow, user, "due:1:3")
        messages = [
            NewMessage(
                f"due:{n}:3", user.id, 42, "due", NOW, {"n": str(n)}, NOW + timedelta(days=1)
            )
            for n in range(1, 701)  # two statements
        ]
        created = uow.outbox.enqueue_many([*messages, messages[5]])
        assert created == {f"due:{n}:3" for n in range(2, 701)}
        assert uow.outbox.enqueue_many(messages) == set()
        row = uow.outbox.get_by_key("due:7:3")
        assert row is not None
        assert (row.status, row.attempts, row.next_attempt_at, row.payload) == (
            OutboxStatus.PENDING,
            0,
            NOW,
            '{"n": "7"}',
        )
        assert uow.outbox.enqueue_many([]) == set()


def test_what_changes_when_payments_budgets_or_reports_arrive(uow: SqlUnitOfWork) -> None:
    from tests.storage.factories import make_budget, make_payment

    with uow:
        alice, bob = uow.users.add(make_user()), uow.users.add(make_user())
        assert alice.id is not None
        assert bob.id is not None
        debt = _debt(uow, alice)
        assert uow.payments.summary_by_user([alice.id, bob.id]) == {}
        first, _ = uow.payments.add_once(make_payment(debt))
        second, _ = uow.payments.add_once(make_payment(debt))
        assert uow.payments.summary_by_user([alice.id, bob.id]) == {alice.id: (2, second.id, None)}
        uow.payments.undo(first, NOW)
        assert uow.payments.summary_by_user([alice.id]) == {alice.id: (2, second.id, NOW)}
        budget = uow.budgets.add(make_budget(alice))
        report = uow.hardship.add(make_hardship(bob))
        assert uow.budgets.latest_ids([alice.id, bob.id]) == {alice.id: budget.id}
        assert uow.hardship.latest_ids([alice.id, bob.id]) == {bob.id: report.id}
