"""Payment services: choosing the debt, one payment per key and user, undo, history."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from tracker.errors import Conflict, InvalidDate, NotFound
from tracker.ledger import Component
from tracker.rates import ZERO_RATE, Rate, RateUnit
from tracker.schedule_types import LoanTerms, Method
from tracker.services.debts import DebtSpec, add_debt, position
from tracker.services.payments import (
    choose_debt,
    find_debts,
    last_payment,
    match_debts,
    payment_history,
    record_payment,
    undo_payment,
)
from tracker.services.plans import agreed_terms, record_agreed_plan
from tracker.storage.enums import DebtStatus
from tracker.storage.models import Debt, User
from tracker.storage.uow import SqlUnitOfWork

D = Decimal
NOW = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
TODAY = date(2026, 12, 1)


def spec(name: str) -> DebtSpec:
    """¥12,000 at 0.05 % a day over 12 annuity installments from 2026-12-15."""
    terms = LoanTerms(
        principal=D(12000),
        rate=Rate(D("0.0005"), RateUnit.DAY),
        term=12,
        method=Method.ANNUITY,
        first_due=date(2026, 12, 15),
        start_date=date(2026, 11, 15),
    )
    return DebtSpec(name=name, terms=terms)


def new_user(uow: SqlUnitOfWork, telegram_id: int) -> int:
    user = uow.users.add(User(telegram_user_id=telegram_id, chat_id=telegram_id))
    assert user.id is not None
    return user.id


def new_debt(uow: SqlUnitOfWork, user_id: int, name: str) -> int:
    debt, _ = add_debt(uow, user_id=user_id, spec=spec(name), now=NOW)
    assert debt.id is not None
    return debt.id


def pay(uow: SqlUnitOfWork, user_id: int, debt_id: int, amount: str, key: str, **more: Any) -> Any:
    fields: dict[str, Any] = {
        "user_id": user_id,
        "debt_id": debt_id,
        "amount": D(amount),
        "paid_on": TODAY,
        "today": TODAY,
        "idempotency_key": key,
        "now": NOW,
    }
    fields.update(more)
    return record_payment(uow, **fields)


def test_match_debts_exact_before_prefix_ignoring_case() -> None:
    debts = [Debt(name=n) for n in ("金条", "金条Plus", "JD 白条", "招行信用卡")]
    assert [d.name for d in match_debts(debts, "金条")] == ["金条"]
    assert [d.name for d in match_debts(debts, "金")] == ["金条", "金条Plus"]
    assert [d.name for d in match_debts(debts, "jd  白条")] == ["JD 白条"]
    assert [d.name for d in match_debts(debts, "jd")] == ["JD 白条"]
    assert match_debts(debts, "花呗") == []
    assert match_debts(debts, "  ") == []


def test_choose_debt(make_uow: Callable[[], SqlUnitOfWork]) -> None:
    with make_uow() as uow:
        user_id = new_user(uow, 1)
        with pytest.raises(NotFound) as info:
            choose_debt(uow, user_id=user_id, name=None)
        assert info.value.code == "nodebt"
        jd = new_debt(uow, user_id, "金条")
        only = choose_debt(uow, user_id=user_id, name=None)
        assert only.debt is not None
        assert only.debt.id == jd
        card = new_debt(uow, user_id, "招行信用卡")
        assert [d.id for d in choose_debt(uow, user_id=user_id, name=None).candidates] == [jd, card]
        named = choose_debt(uow, user_id=user_id, name="招行")
        assert named.debt is not None
        assert named.debt.id == card
        unknown = choose_debt(uow, user_id=user_id, name="花呗")
        assert (unknown.debt, unknown.unmatched, len(unknown.candidates)) == (None, True, 2)
        # A closed debt takes no payments.
        closed = uow.debts.require_for_user(user_id, card)
        closed.status = DebtStatus.CLOSED
        only_active = choose_debt(uow, user_id=user_id, name=None)
        assert only_active.debt is not None
        assert only_active.debt.id == jd


def test_outcome_says_what_was_paid_ahead_and_what_is_a_credit(
    make_uow: Callable[[], SqlUnitOfWork],
) -> None:
    with make_uow() as uow:
        user_id = new_user(uow, 1)
        debt_id = new_debt(uow, user_id, "金条")
        exact = pay(uow, user_id, debt_id, "1101.59", "k1")
        # Paid before its due date: held for installment 1 and counted on that date.
        assert (exact.installments, exact.paid_ahead, exact.credit) == ((1,), (1,), D(0))
        ahead = pay(uow, user_id, debt_id, "2500", "k2")
        # Nothing is due yet: all 2,500 is held for installments 2, 3 and 4 (1,101.59 twice,
        # then the 296.82 left), counted on their due dates.
        assert (ahead.installments, ahead.paid_ahead) == ((2, 3, 4), (2, 3, 4))
        assert ahead.ahead_amount == D(2500)
        assert not ahead.paid_off
        beyond = pay(uow, user_id, debt_id, "20000", "k3")
        assert beyond.position.state.is_settled
        assert beyond.credit == D(20000) - sum((a.amount for a in beyond.allocations), D(0))
        assert beyond.credit > 0


def test_a_key_of_another_user_is_refused(make_uow: Callable[[], SqlUnitOfWork]) -> None:
    with make_uow() as uow:
        alice = new_user(uow, 1)
        bob = new_user(uow, 2)
        alice_debt = new_debt(uow, alice, "金条")
        bob_debt = new_debt(uow, bob, "金条")
        pay(uow, alice, alice_debt, "100", "tg:update:7")
        uow.commit()
    with make_uow() as uow, pytest.raises(Conflict) as info:
        pay(uow, bob, bob_debt, "100", "tg:update:7")
    assert info.value.code == "payment_key_conflict"


def test_undo_one_payment_once(make_uow: Callable[[], SqlUnitOfWork]) -> None:
    with make_uow() as uow:
        user_id = new_user(uow, 1)
        stranger = new_user(uow, 2)
        debt_id = new_debt(uow, user_id, "金条")
        first = pay(uow, user_id, debt_id, "100", "k1").payment.id
        second = pay(uow, user_id, debt_id, "200", "k2", now=NOW + timedelta(minutes=1))
        assert last_payment(uow, user_id=user_id).payment.id == second.payment.id
        with pytest.raises(NotFound):
            undo_payment(uow, user_id=stranger, payment_id=first, now=NOW, today=TODAY)
        outcome = undo_payment(
            uow, user_id=user_id, payment_id=second.payment.id, now=NOW, today=TODAY
        )
        assert outcome.amount == D(200)
        assert outcome.position.state.total_paid == D(100)
        with pytest.raises(Conflict) as info:
            undo_payment(uow, user_id=user_id, payment_id=second.payment.id, now=NOW, today=TODAY)
        assert info.value.code == "payment_already_undone"
        assert last_payment(uow, user_id=user_id).payment.id == first
        undo_payment(uow, user_id=user_id, payment_id=first, now=NOW, today=TODAY)
        with pytest.raises(NotFound) as info:
            last_payment(uow, user_id=user_id)
        assert info.value.code == "no_payment_to_undo"


def test_history_newest_first_with_a_limit(make_uow: Callable[[], SqlUnitOfWork]) -> None:
    with make_uow() as uow:
        user_id = new_user(uow, 1)
        jd = new_debt(uow, user_id, "金条")
        card = new_debt(uow, user_id, "招行信用卡")
        pay(uow, user_id, jd, "1", "a", paid_on=date(2026, 11, 20))
        pay(uow, user_id, card, "2", "b", paid_on=date(2026, 11, 25))
        undone = pay(uow, user_id, jd, "3", "c", now=NOW + timedelta(minutes=1))
        undo_payment(uow, user_id=user_id, payment_id=undone.payment.id, now=NOW, today=TODAY)
        everything = payment_history(uow, user_id=user_id)
        assert [e.amount for e in everything.entries] == [D(3), D(2), D(1)]
        assert everything.entries[0].payment.undone_at is not None
        assert [e.debt.name for e in everything.entries] == ["金条", "招行信用卡", "金条"]
        assert everything.total == 3
        short = payment_history(uow, user_id=user_id, limit=2)
        assert (len(short.entries), short.total) == (2, 3)
        assert [e.amount for e in payment_history(uow, user_id=user_id, debt_id=card).entries] == [
            D(2)
        ]
        assert [d.id for d in find_debts(uow, user_id=user_id, name="招")] == [card]


# ---- payments on past dates (issue 9) ----------------------------------------------------------


def late_spec(name: str = "金条", **terms: Any) -> DebtSpec:
    """¥12,000 at 0.05 %/day, 12 annuity installments of 1,101.59 from 2026-10-25.

    Installment 1: interest 12,000 × 0.05 % × 365 / 12 = 182.50, principal 919.09.
    Installment 2: interest 11,080.91 × 0.05 % × 365 / 12 = 168.52, principal 933.07.
    Penalty interest: 1.5 × 0.05 % = 0.075 % of the overdue principal a day.
    """
    fields: dict[str, Any] = {
        "principal": D(12000),
        "rate": Rate(D("0.0005"), RateUnit.DAY),
        "term": 12,
        "method": Method.ANNUITY,
        "first_due": date(2026, 10, 25),
        "start_date": date(2026, 9, 25),
    }
    fields.update(terms)
    return DebtSpec(name=name, terms=LoanTerms(**fields))


def late_debt(uow: SqlUnitOfWork, user_id: int, **terms: Any) -> int:
    debt, _ = add_debt(uow, user_id=user_id, spec=late_spec(**terms), now=NOW)
    assert debt.id is not None
    return debt.id


def parts(outcome: Any) -> dict[tuple[int, Component], Decimal]:
    """What the payment paid, by installment and component."""
    out: dict[tuple[int, Component], Decimal] = {}
    for a in outcome.allocations:
        out[(a.installment, a.component)] = out.get((a.installment, a.component), D(0)) + a.amount
    return out


def test_a_payment_dated_on_the_due_date_owes_no_penalty_when_logged_later(
    make_uow: Callable[[], SqlUnitOfWork],
) -> None:
    with make_uow() as uow:
        user_id = new_user(uow, 1)
        debt_id = late_debt(uow, user_id)
        # Logged on Dec 1, 37 days after the due date, but paid on Oct 25.
        outcome = pay(uow, user_id, debt_id, "1101.59", "k1", paid_on=date(2026, 10, 25))
        assert parts(outcome) == {
            (1, Component.INTEREST): D("182.50"),
            (1, Component.PRINCIPAL): D("919.09"),
        }
        first = outcome.position.state.installments[0]
        assert (first.remaining, first.penalty_accrued, first.settled_on) == (
            D(0),
            D(0),
            date(2026, 10, 25),
        )


def test_a_payment_dated_five_days_late_pays_that_much_penalty(
    make_uow: Callable[[], SqlUnitOfWork],
) -> None:
    with make_uow() as uow:
        user_id = new_user(uow, 1)
        debt_id = late_debt(uow, user_id)
        # Oct 25 → Oct 30: 919.09 × 0.075 % × 5 = 3.4465875 → 3.45, as it stood on Oct 30
        # (not the 37 days to the day it was logged).
        outcome = pay(uow, user_id, debt_id, "1105.04", "k1", paid_on=date(2026, 10, 30))
        assert parts(outcome) == {
            (1, Component.PENALTY): D("3.45"),
            (1, Component.INTEREST): D("182.50"),
            (1, Component.PRINCIPAL): D("919.09"),
        }
        first = outcome.position.state.installments[0]
        assert (first.remaining, first.penalty_unpaid, first.settled_on) == (
            D(0),
            D(0),
            date(2026, 10, 30),
        )


def test_payments_count_in_date_order_whatever_order_they_were_logged(
    make_uow: Callable[[], SqlUnitOfWork],
) -> None:
    with make_uow() as uow:
        user_id = new_user(uow, 1)
        debt_id = late_debt(uow, user_id)
        later = pay(uow, user_id, debt_id, "1101.59", "k1", paid_on=date(2026, 11, 30))
        earlier = pay(
            uow,
            user_id,
            debt_id,
            "1101.59",
            "k2",
            paid_on=date(2026, 10, 25),
            now=NOW + timedelta(minutes=1),
        )
        # Logged second, the Oct 25 payment still pays installment 1 on its due date…
        assert parts(earlier) == {
            (1, Component.INTEREST): D("182.50"),
            (1, Component.PRINCIPAL): D("919.09"),
        }
        # …and the Nov 30 one goes to installment 2, due Nov 25, five days late:
        # 933.07 × 0.075 % × 5 = 3.4990125 → 3.50 penalty, 168.52 interest,
        # 1,101.59 − 3.50 − 168.52 = 929.57 principal, 933.07 − 929.57 = 3.50 left.
        after = position(uow, user_id=user_id, debt_id=debt_id, today=TODAY)
        mine = [a for a in after.state.allocations if a.payment_ref == later.payment.id]
        assert {(a.installment, a.component): a.amount for a in mine} == {
            (2, Component.PENALTY): D("3.50"),
            (2, Component.INTEREST): D("168.52"),
            (2, Component.PRINCIPAL): D("929.57"),
        }
        assert after.state.installments[1].remaining == D("3.50")


def test_a_payment_before_the_loan_began_is_refused_and_not_saved(
    make_uow: Callable[[], SqlUnitOfWork],
) -> None:
    with make_uow() as uow:
        user_id = new_user(uow, 1)
        debt_id = late_debt(uow, user_id)
        with pytest.raises(InvalidDate) as info:
            pay(uow, user_id, debt_id, "500", "k1", paid_on=date(2026, 9, 24))
        assert info.value.code == "paydate_before_loan"
        assert info.value.params == {
            "date": date(2026, 9, 24),
            "start": date(2026, 9, 25),
            "debt": "金条",
        }
        assert uow.payments.list_for_debt(user_id, debt_id, include_undone=True) == []
        # The day the money arrived is fine.
        assert pay(uow, user_id, debt_id, "500", "k2", paid_on=date(2026, 9, 25)).created


def test_without_a_loan_date_the_loan_began_a_month_before_the_first_due_date(
    make_uow: Callable[[], SqlUnitOfWork],
) -> None:
    with make_uow() as uow:
        user_id = new_user(uow, 1)
        debt_id = late_debt(uow, user_id, start_date=None)  # first due 2026-10-25
        with pytest.raises(InvalidDate) as info:
            pay(uow, user_id, debt_id, "500", "k1", paid_on=date(2026, 9, 24))
        assert info.value.params["start"] == date(2026, 9, 25)
        assert pay(uow, user_id, debt_id, "500", "k2", paid_on=date(2026, 9, 25)).created


def test_after_a_new_plan_the_loan_still_began_on_its_original_date(
    make_uow: Callable[[], SqlUnitOfWork],
) -> None:
    with make_uow() as uow:
        user_id = new_user(uow, 1)
        debt_id = late_debt(uow, user_id)
        debt = uow.debts.require_for_user(user_id, debt_id)
        terms = agreed_terms(
            debt,
            principal=D(12000),
            rate=ZERO_RATE,
            months=24,
            method=Method.EQUAL_PRINCIPAL,
            first_due=date(2027, 1, 15),
            start=TODAY,
        )
        record_agreed_plan(
            uow,
            user_id=user_id,
            debt_id=debt_id,
            terms=terms,
            confirmed_on=TODAY,
            channel=None,
            reference=None,
            agent=None,
            document_file_id=None,
            document_kind=None,
            note=None,
            now=NOW,
            today=TODAY,
        )
        # The new plan starts today; a payment dated before it, after the loan began, stands.
        assert pay(uow, user_id, debt_id, "500", "k1", paid_on=date(2026, 10, 1)).created
        with pytest.raises(InvalidDate) as info:
            pay(uow, user_id, debt_id, "500", "k2", paid_on=date(2026, 9, 24))
        assert (info.value.code, info.value.params["start"]) == (
            "paydate_before_loan",
            date(2026, 9, 25),
        )
