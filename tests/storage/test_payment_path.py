"""The payment path's fast statements read and write what the ORM ones would."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import inspect
from sqlalchemy.exc import IntegrityError

from tests.storage.factories import make_debt, make_payment, make_plan, make_schedule, make_user
from tracker.services.debts import position, position_of
from tracker.storage.enums import DebtStatus, PlanStatus
from tracker.storage.models import Debt, Payment, PlanVersion, User
from tracker.storage.uow import SqlUnitOfWork

MakeUow = Callable[[], SqlUnitOfWork]
NOW = datetime(2025, 1, 15, 12, 0, tzinfo=UTC)


def _seed(make_uow: MakeUow) -> tuple[User, Debt, PlanVersion]:
    with make_uow() as uow:
        user = uow.users.add(make_user())
        debt = uow.debts.add(make_debt(user))
        plan = uow.plans.add(make_plan(debt, status=PlanStatus.ACTIVE))
        uow.installments.replace_for_plan(plan, make_schedule(term=6))
        uow.commit()
    return user, debt, plan


def test_ledger_figures_match_the_objects(make_uow: MakeUow) -> None:
    user, debt, plan = _seed(make_uow)
    assert user.id is not None
    assert debt.id is not None
    assert plan.id is not None
    with make_uow() as uow:
        other_user = uow.users.add(make_user())
        other_debt = uow.debts.add(make_debt(other_user))
        other_plan = uow.plans.add(make_plan(debt, status=PlanStatus.PROPOSED))
        uow.installments.replace_for_plan(other_plan, make_schedule(term=3))
        # Same day, recorded in another order than inserted; one undone; one of another user.
        later = make_payment(debt, paid_on=date(2025, 2, 1), recorded_at=NOW + timedelta(hours=2))
        earlier = make_payment(debt, paid_on=date(2025, 2, 1), recorded_at=NOW)
        first = make_payment(debt, paid_on=date(2025, 1, 20), recorded_at=NOW, amount_minor=7)
        undone = make_payment(debt, paid_on=date(2025, 1, 25), recorded_at=NOW)
        for payment in (later, earlier, first, undone, make_payment(other_debt)):
            uow.payments.add_once(payment)
        uow.payments.undo(undone, NOW)  # not flushed yet: the figures must leave it out anyway
        installments, payments = uow.payments.ledger_figures(user.id, debt.id, plan.id)
        objects = uow.payments.list_for_debt(user.id, debt.id)
        assert [(p.id, p.paid_on, p.amount_minor, p.currency) for p in objects] == [
            tuple(p) for p in payments
        ]
        assert [p.id for p in payments] == [first.id, earlier.id, later.id]
        stored = uow.installments.for_plan(plan.id)
        assert [
            (i.seq, i.due_date, i.principal_minor, i.interest_minor, i.fee_minor, i.total_minor)
            for i in stored
        ] == [tuple(i) for i in installments]
        assert len(installments) == 6


def test_add_once_leaves_what_a_flush_would(make_uow: MakeUow) -> None:
    _, debt, _ = _seed(make_uow)
    with make_uow() as uow:
        payment, created = uow.payments.add_once(make_payment(debt, note="cash"))
        assert created
        assert payment.id is not None
        state = inspect(payment)
        assert state.persistent
        assert not uow.session.new
        assert not uow.session.dirty
        assert uow.session.get(Payment, payment.id) is payment  # in the identity map
        assert uow.has_writes()  # so release() keeps the transaction
        assert not uow.release()
        payment.note = "changed"  # still tracked: the change is flushed and kept
        uow.commit()
        assert uow.session.get(Payment, payment.id) is payment
    with make_uow() as uow:
        stored = uow.payments.get_by_key(payment.idempotency_key)
        assert stored is not None
        assert (stored.id, stored.note, stored.amount_minor) == (payment.id, "changed", 105_555)


def test_add_once_rolled_back_is_transient_again(make_uow: MakeUow) -> None:
    _, debt, _ = _seed(make_uow)
    with make_uow() as uow:
        payment, created = uow.payments.add_once(make_payment(debt))
        assert created
        payment_id = payment.id
        uow.rollback()
        assert inspect(payment).transient  # as for any object this transaction inserted
        assert payment.id == payment_id  # and still readable
        assert uow.payments.get_by_key(payment.idempotency_key) is None


def test_add_once_refuses_a_payment_of_no_debt(make_uow: MakeUow) -> None:
    _, debt, _ = _seed(make_uow)
    with make_uow() as uow, pytest.raises(IntegrityError):
        uow.payments.add_once(make_payment(debt, debt_id=(debt.id or 0) + 1000))


def test_list_for_user_by_statuses(make_uow: MakeUow) -> None:
    user, debt, _ = _seed(make_uow)
    assert user.id is not None
    with make_uow() as uow:
        closed = uow.debts.add(make_debt(user, status=DebtStatus.CLOSED))
        uow.commit()
    with make_uow() as uow:
        assert [d.id for d in uow.debts.list_for_user(user.id)] == [debt.id, closed.id]
        active = uow.debts.list_for_user(user.id, statuses=[DebtStatus.ACTIVE])
        assert [d.id for d in active] == [debt.id]
        both = [DebtStatus.CLOSED, DebtStatus.ACTIVE, DebtStatus.CLOSED]
        assert [d.id for d in uow.debts.list_for_user(user.id, statuses=both)] == [
            debt.id,
            closed.id,
        ]
        assert uow.debts.list_for_user(user.id, statuses=[]) == []
        with pytest.raises(ValueError, match="nonsense"):
            uow.debts.list_for_user(user.id, statuses=["nonsense"])  # type: ignore[list-item]


def test_position_from_figures_equals_position_from_objects(make_uow: MakeUow) -> None:
    user, debt, _ = _seed(make_uow)
    assert user.id is not None
    assert debt.id is not None
    with make_uow() as uow:
        for day, minor in ((date(2025, 1, 10), 50_000), (date(2025, 2, 20), 130_000)):
            uow.payments.add_once(make_payment(debt, paid_on=day, amount_minor=minor))
        undone, _ = uow.payments.add_once(make_payment(debt, paid_on=date(2025, 3, 1)))
        uow.payments.undo(undone, NOW)
        today = date(2025, 4, 20)
        fast = position(uow, user_id=user.id, debt_id=debt.id, today=today)
        plan = fast.plan
        assert plan.id is not None
        slow = position_of(
            fast.debt,
            plan,
            uow.installments.for_plan(plan.id),
            uow.payments.list_for_debt(user.id, debt.id),
            today,
        )
        assert repr(fast) == repr(slow)
        assert fast.state.total_paid == Decimal("1800.00")
