"""prepare_payment costs a payment by reading only; store_payment stores exactly that, once."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from tracker.errors import Conflict
from tracker.ledger import Allocation, LedgerState
from tracker.rates import Rate, RateUnit
from tracker.schedule_types import LoanTerms, Method
from tracker.services.debts import DebtSpec, add_debt
from tracker.services.debts_position import Position, position
from tracker.services.payments import (
    PaymentOutcome,
    prepare_payment,
    record_payment,
    store_payment,
)
from tracker.services.plans import agreed_terms, record_agreed_plan
from tracker.storage.models import Payment, User
from tracker.storage.uow import SqlUnitOfWork

D = Decimal
MakeUow = Callable[[], SqlUnitOfWork]

LOAN_START = date(2026, 11, 15)
#: Halfway through the loan: some installments paid, some late, some not due.
TODAY = date(2027, 6, 20)
NOW = datetime(2027, 6, 20, 9, 0, tzinfo=UTC)
#: The day a renegotiated plan takes effect, when a sequence has one.
AGREED_ON = date(2027, 3, 1)

_ids = itertools.count(8_100_000_000)


def new_user(uow: SqlUnitOfWork) -> int:
    n = next(_ids)
    user = uow.users.add(User(telegram_user_id=n, chat_id=n))
    assert user.id is not None
    return user.id


def given_debt(make_uow: MakeUow, **overrides: Any) -> tuple[int, int]:
    """A new user's ¥12,000 loan at 0.05 % a day, 12 annuity installments: (user, debt)."""
    fields: dict[str, Any] = {
        "principal": D(12000),
        "rate": Rate(D("0.0005"), RateUnit.DAY),
        "term": 12,
        "method": Method.ANNUITY,
        "first_due": date(2026, 12, 15),
        "start_date": LOAN_START,
    }
    with make_uow() as uow:
        user_id = new_user(uow)
        terms = LoanTerms(**(fields | overrides))
        debt, _ = add_debt(uow, user_id=user_id, spec=DebtSpec(name="金条", terms=terms), now=NOW)
        uow.commit()
    assert debt.id is not None
    return user_id, debt.id


def payment_facts(ids: tuple[int, int], **overrides: Any) -> dict[str, Any]:
    """A ¥500 payment made today under a fresh key; override any argument."""
    user_id, debt_id = ids
    fields: dict[str, Any] = {
        "user_id": user_id,
        "debt_id": debt_id,
        "amount": D(500),
        "paid_on": TODAY,
        "today": TODAY,
        "idempotency_key": f"tg:update:{next(_ids)}",
        "now": NOW,
    }
    return fields | overrides


def renegotiate(uow: SqlUnitOfWork, ids: tuple[int, int]) -> None:
    """The lender agreed 6 equal-principal months at 0.03 % a day on what is owed then."""
    user_id, debt_id = ids
    owed = position(uow, user_id=user_id, debt_id=debt_id, today=AGREED_ON).state.owed_today
    debt = uow.debts.require_for_user(user_id, debt_id)
    terms = agreed_terms(
        debt,
        principal=owed.total,
        rate=Rate(D("0.0003"), RateUnit.DAY),
        months=6,
        method=Method.EQUAL_PRINCIPAL,
        first_due=AGREED_ON + timedelta(days=14),
        start=AGREED_ON,
    )
    record_agreed_plan(
        uow,
        user_id=user_id,
        debt_id=debt_id,
        terms=terms,
        confirmed_on=AGREED_ON,
        channel=None,
        reference=None,
        agent=None,
        document_file_id=None,
        document_kind=None,
        note=None,
        now=NOW,
        today=AGREED_ON,
    )


@dataclass(frozen=True)
class Row:
    """A stored payment's columns, read in a unit of work of its own."""

    id: int | None
    user_id: int
    amount_minor: int
    paid_on: date


def stored_payments(make_uow: MakeUow, key: str) -> list[Row]:
    with make_uow() as uow:
        found = uow.session.exec(select(Payment).where(Payment.idempotency_key == key))
        return [Row(p.id, p.user_id, p.amount_minor, p.paid_on) for p in found]


def read_back(make_uow: MakeUow, ids: tuple[int, int]) -> Position:
    """The debt's position read afresh, after the commit."""
    with make_uow() as uow:
        return position(uow, user_id=ids[0], debt_id=ids[1], today=TODAY)


def by_installment(allocations: tuple[Allocation, ...]) -> list[tuple[Any, ...]]:
    """The allocations' figures, without the payment they come from."""
    return [(a.installment, a.component, a.amount, a.ahead) for a in allocations]


def assert_same_figures(predicted: LedgerState, stored: LedgerState, payment_id: int) -> None:
    """Figure by figure, then as a whole once the pending payment's ref is its id."""
    assert predicted.owed_today == stored.owed_today
    assert predicted.owed_today.total == stored.owed_today.total  # what settling takes today
    assert [(i.number, i.remaining, i.paid, i.status) for i in predicted.installments] == [
        (i.number, i.remaining, i.paid, i.status) for i in stored.installments
    ]
    assert (predicted.due_now, predicted.advance, predicted.unapplied) == (
        stored.due_now,
        stored.advance,
        stored.unapplied,
    )
    refs = [payment_id if a.payment_ref is None else a.payment_ref for a in predicted.allocations]
    assert refs == [a.payment_ref for a in stored.allocations]
    assert by_installment(predicted.allocations) == by_installment(stored.allocations)


# ---- the prediction is what is stored -----------------------------------------------------


def test_prepare_only_reads_and_describes_the_payment_to_store(make_uow: MakeUow) -> None:
    ids = given_debt(make_uow)
    facts = payment_facts(ids, amount=D("1234.56"), note="  工资  ")
    with make_uow() as uow:
        outcome = prepare_payment(uow, **facts)
        assert not uow.has_writes()
        uow.commit()
    assert outcome.created
    assert outcome.payment.id is None
    assert (outcome.payment.amount_minor, outcome.payment.note) == (123456, "工资")
    assert outcome.allocations  # something is due on TODAY: the payment goes to it
    assert all(a.payment_ref is None for a in outcome.allocations)
    assert sum((a.amount for a in outcome.allocations), D(0)) + outcome.credit == D("1234.56")
    assert stored_payments(make_uow, facts["idempotency_key"]) == []


def test_store_writes_the_prepared_payment_and_its_position_holds(make_uow: MakeUow) -> None:
    ids = given_debt(make_uow)
    facts = payment_facts(ids, amount=D(3000), paid_on=date(2027, 2, 1))
    with make_uow() as uow:
        prepared = prepare_payment(uow, **facts)
        stored = store_payment(uow, outcome=prepared, user_id=ids[0], today=TODAY)
        uow.commit()
    assert stored.created
    assert stored.payment.id is not None
    assert stored.allocations == prepared.allocations  # as predicted, ref still None
    [row] = stored_payments(make_uow, facts["idempotency_key"])
    assert (row.id, row.amount_minor, row.paid_on) == (stored.payment.id, 300000, date(2027, 2, 1))
    after = read_back(make_uow, ids)
    assert row.id is not None
    assert_same_figures(prepared.position.state, after.state, row.id)


payment = st.tuples(
    st.decimals(min_value=D("0.01"), max_value=D(4000), places=2),
    st.integers(min_value=0, max_value=(TODAY - LOAN_START).days),
)


@dataclass(frozen=True)
class Plan:
    """Payments (amount, days after the loan began), and after how many a plan is agreed."""

    payments: list[tuple[Decimal, int]]
    agreed_after: int | None


@st.composite
def plans(draw: st.DrawFn) -> Plan:
    payments = draw(st.lists(payment, min_size=1, max_size=5))
    agreed_after = draw(st.none() | st.integers(min_value=0, max_value=len(payments) - 1))
    if agreed_after is not None:
        # Payments recorded after the agreement are dated from its day on.
        after = (TODAY - AGREED_ON).days
        payments[agreed_after:] = [
            (amount, (AGREED_ON - LOAN_START).days + days % (after + 1))
            for amount, days in payments[agreed_after:]
        ]
    return Plan(payments, agreed_after)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(plan=plans())
def test_the_position_prepared_is_the_position_stored(make_uow: MakeUow, plan: Plan) -> None:
    ids = given_debt(make_uow)
    for n, (amount, days) in enumerate(plan.payments):
        if n == plan.agreed_after:
            with make_uow() as uow:
                if (
                    position(
                        uow, user_id=ids[0], debt_id=ids[1], today=AGREED_ON
                    ).state.owed_today.total
                    > 0
                ):
                    renegotiate(uow, ids)
                    event("a renegotiated plan")
                    uow.commit()
        paid_on = LOAN_START + timedelta(days=days)
        facts = payment_facts(ids, amount=amount, paid_on=paid_on, now=NOW + timedelta(minutes=n))
        with make_uow() as uow:
            uow.reading()  # as the bot does: prepare under a read, store under the write lock
            prepared = prepare_payment(uow, **facts)
            assert prepared.payment.id is None
            stored = store_payment(uow, outcome=prepared, user_id=ids[0], today=TODAY)
            uow.commit()
        assert stored.created
        assert stored.payment.id is not None
        after = read_back(make_uow, ids)
        assert_same_figures(prepared.position.state, after.state, stored.payment.id)
        mine = [a for a in after.state.allocations if a.payment_ref == stored.payment.id]
        assert by_installment(prepared.allocations) == by_installment(tuple(mine))


# ---- one payment per key --------------------------------------------------------------------


def test_a_repeated_key_prepares_the_first_payment_and_stores_nothing(make_uow: MakeUow) -> None:
    ids = given_debt(make_uow)
    facts = payment_facts(ids, amount=D(800))
    with make_uow() as uow:
        first = record_payment(uow, **facts)
        uow.commit()
    assert first.payment.id is not None
    with make_uow() as uow:
        # A double tap: another amount would not matter, the first payment stands.
        again = prepare_payment(uow, **(facts | {"amount": D(900)}))
        assert not again.created
        assert again.payment.id == first.payment.id
        assert again.amount == D(800)
        assert by_installment(again.allocations) == by_installment(first.allocations)
        assert all(a.payment_ref == first.payment.id for a in again.allocations)
        assert store_payment(uow, outcome=again, user_id=ids[0], today=TODAY) is again
        assert not uow.has_writes()
        uow.commit()
    assert len(stored_payments(make_uow, facts["idempotency_key"])) == 1
    assert read_back(make_uow, ids).state == again.position.state


def test_a_twin_stored_between_prepare_and_store_wins(make_uow: MakeUow) -> None:
    ids = given_debt(make_uow)
    facts = payment_facts(ids, amount=D(500))
    with make_uow() as uow:
        uow.reading()  # as the bot does: the twin's process can write meanwhile
        prepared = prepare_payment(uow, **facts)
        assert prepared.created
        with make_uow() as twin_uow:
            twin = record_payment(twin_uow, **(facts | {"amount": D(700)}))
            twin_uow.commit()
        assert twin.payment.id is not None
        outcome = store_payment(uow, outcome=prepared, user_id=ids[0], today=TODAY)
        uow.commit()
    assert not outcome.created
    assert outcome.payment.id == twin.payment.id
    assert outcome.amount == D(700)  # the twin's, not the one prepared
    [row] = stored_payments(make_uow, facts["idempotency_key"])
    assert row.id == twin.payment.id
    after = read_back(make_uow, ids)
    assert outcome.position.state == after.state
    assert by_installment(outcome.allocations) == by_installment(twin.allocations)
    assert all(a.payment_ref == twin.payment.id for a in outcome.allocations)


def test_another_users_key_is_a_conflict(make_uow: MakeUow) -> None:
    mine, theirs = given_debt(make_uow), given_debt(make_uow)
    key = "tg:update:4242"
    with make_uow() as uow:
        record_payment(uow, **payment_facts(theirs, idempotency_key=key))
        uow.commit()
    with make_uow() as uow, pytest.raises(Conflict) as info:
        prepare_payment(uow, **payment_facts(mine, idempotency_key=key))
    assert info.value.code == "payment_key_conflict"
    [row] = stored_payments(make_uow, key)
    assert row.user_id == theirs[0]


def test_another_users_twin_between_prepare_and_store_is_a_conflict(make_uow: MakeUow) -> None:
    mine, theirs = given_debt(make_uow), given_debt(make_uow)
    key = "tg:update:4343"
    with make_uow() as uow:
        uow.reading()
        prepared = prepare_payment(uow, **payment_facts(mine, idempotency_key=key))
        with make_uow() as other:
            record_payment(other, **payment_facts(theirs, idempotency_key=key))
            other.commit()
        with pytest.raises(Conflict) as info:
            store_payment(uow, outcome=prepared, user_id=mine[0], today=TODAY)
    assert info.value.code == "payment_key_conflict"
    [row] = stored_payments(make_uow, key)
    assert row.user_id == theirs[0]


def test_record_payment_is_prepare_then_store(make_uow: MakeUow) -> None:
    ids = given_debt(make_uow)
    facts = payment_facts(ids, amount=D("2000.50"), paid_on=date(2027, 4, 2))
    with make_uow() as uow:
        prepared = prepare_payment(uow, **facts)
        uow.rollback()
        recorded: PaymentOutcome = record_payment(uow, **facts)
        uow.commit()
    assert recorded.created
    assert by_installment(recorded.allocations) == by_installment(prepared.allocations)
    assert recorded.position.state.owed_today == prepared.position.state.owed_today
