"""Reconciling a lender's messages with the records: which debt, what differs, recorded once."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from tracker.errors import InvalidAmount, InvalidDate, NotFound
from tracker.parsing.lender_messages import Kind, LenderMessage, recognise_lender_message
from tracker.rates import ZERO_RATE
from tracker.schedule_types import LoanTerms, Method
from tracker.services.debts import DebtSpec, add_debt
from tracker.services.lender_messages import (
    Choice,
    Difference,
    DueCheck,
    OverdueCheck,
    Proposal,
    payment_key,
    reconcile,
    record_confirmed,
)
from tracker.storage.models import User
from tracker.storage.uow import SqlUnitOfWork

D = Decimal
NOW = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
TODAY = date(2026, 12, 1)
MONTHLY = D(12000) / 12  # no interest, equal principal: 1,000.00 on the 15th from 2026-12-15


@pytest.fixture
def uow(make_uow: Callable[[], SqlUnitOfWork]) -> Iterator[SqlUnitOfWork]:
    """An open unit of work on the test database."""
    with make_uow() as opened:
        yield opened


def new_user(uow: SqlUnitOfWork) -> int:
    user = uow.users.add(User(telegram_user_id=42, chat_id=42))
    assert user.id is not None
    return user.id


def new_debt(
    uow: SqlUnitOfWork, user_id: int, name: str, lender: str | None = None, **terms: object
) -> int:
    fields: dict[str, object] = {
        "principal": D(12000),
        "rate": ZERO_RATE,
        "term": 12,
        "method": Method.EQUAL_PRINCIPAL,
        "first_due": date(2026, 12, 15),
        "start_date": date(2026, 11, 15),
        **terms,
    }
    debt, _ = add_debt(
        uow,
        user_id=user_id,
        spec=DebtSpec(name=name, terms=LoanTerms(**fields), lender=lender),
        now=NOW,  # type: ignore[arg-type]
    )
    assert debt.id is not None
    return debt.id


def read(text: str) -> LenderMessage:
    found = recognise_lender_message(text, today=TODAY)
    assert found is not None
    return found


def test_the_lender_named_picks_the_debt(uow: SqlUnitOfWork) -> None:
    user = new_user(uow)
    new_debt(uow, user, "白条", "京东金融")
    jd = new_debt(uow, user, "金条", "京东金融")
    result = reconcile(
        uow,
        user_id=user,
        message=read("【京东金融】您的金条已于11月30日成功还款1,000.00元。"),
        today=TODAY,
    )
    assert isinstance(result, Proposal)
    assert (result.debt.id, result.amount, result.paid_on) == (jd, MONTHLY, date(2026, 11, 30))
    assert not result.unnamed


def test_when_names_tie_the_schedule_that_has_the_installment_decides(
    uow: SqlUnitOfWork,
) -> None:
    user = new_user(uow)
    new_debt(uow, user, "Loan A", principal=D(6000))  # 500.00 a month
    b = new_debt(uow, user, "Loan B")  # 1,000.00 a month
    notice = read("Dear customer, your payment of CNY 1,000.00 is due on Dec 15.")
    result = reconcile(uow, user_id=user, message=notice, today=TODAY)
    assert isinstance(result, DueCheck)
    assert result.position.debt.id == b
    assert result.differences == ()
    confirmation = read("Dear customer, we received your payment of CNY 500.00 on Nov 30.")
    assert isinstance(reconcile(uow, user_id=user, message=confirmation, today=TODAY), Choice)


def test_a_due_notice_between_two_installments_is_compared_with_the_nearest(
    uow: SqlUnitOfWork,
) -> None:
    user = new_user(uow)
    new_debt(uow, user, "金条")
    result = reconcile(
        uow,
        user_id=user,
        message=read("【京东金融】您本期应还1,000.00元，还款日1月13日。"),
        today=TODAY,
    )
    assert isinstance(result, DueCheck)
    assert result.installment is not None
    assert (result.installment.number, result.installment.due_date) == (2, date(2027, 1, 15))
    # Same amount, another day; the message names 京东金融, and this debt has no lender.
    assert result.differences == (Difference.DATE, Difference.DEBT)


def test_an_overdue_notice_when_nothing_is_overdue(uow: SqlUnitOfWork) -> None:
    user = new_user(uow)
    new_debt(uow, user, "金条")
    result = reconcile(
        uow, user_id=user, message=read("【金条】您的借款已逾期，逾期金额1,000.00元。"), today=TODAY
    )
    assert isinstance(result, OverdueCheck)
    assert (result.overdue, result.penalty) == (0, 0)
    assert result.differences == (Difference.NOTHING_OVERDUE,)


@pytest.mark.parametrize("debts", [1, 2])
def test_another_currency_is_refused(uow: SqlUnitOfWork, debts: int) -> None:
    user = new_user(uow)
    for n in range(debts):
        new_debt(uow, user, f"金条{n}")
    message = read("Your payment of $1,000.00 was received on Nov 30.")
    with pytest.raises(InvalidAmount) as error:
        reconcile(uow, user_id=user, message=message, today=TODAY)
    assert error.value.code == "amount_currency_mismatch"


def test_a_message_in_yuan_is_about_the_debt_in_yuan(uow: SqlUnitOfWork) -> None:
    user = new_user(uow)
    new_debt(uow, user, "Card", currency="USD")
    yuan = new_debt(uow, user, "金条")
    result = reconcile(uow, user_id=user, message=read("您已成功还款1,000.00元。"), today=TODAY)
    assert isinstance(result, Proposal)
    assert result.debt.id == yuan


def test_a_receipt_dated_after_today_is_refused(uow: SqlUnitOfWork) -> None:
    user = new_user(uow)
    new_debt(uow, user, "金条")
    message = read("【金条】您于2026年12月05日成功还款1,000.00元。")
    with pytest.raises(InvalidDate):
        reconcile(uow, user_id=user, message=message, today=TODAY)


def test_no_debt_no_reconciling(uow: SqlUnitOfWork) -> None:
    user = new_user(uow)
    with pytest.raises(NotFound):
        reconcile(
            uow,
            user_id=user,
            message=read("【金条】您已成功还款1,000.00元。"),
            today=TODAY,
        )


def test_a_confirmed_payment_is_recorded_once_per_message(uow: SqlUnitOfWork) -> None:
    user = new_user(uow)
    debt = new_debt(uow, user, "金条")
    message = read("【金条】您已于11月30日成功还款1,000.00元。")
    args = {
        "user_id": user,
        "debt_id": debt,
        "minor_units": 100000,
        "paid_on": date(2026, 11, 30),
        "today": TODAY,
        "now": NOW,
    }
    first = record_confirmed(uow, digest=message.digest, **args)  # type: ignore[arg-type]
    again = record_confirmed(uow, digest=message.digest, **args)  # type: ignore[arg-type]
    assert (first.created, again.created) == (True, False)
    assert first.payment.idempotency_key == payment_key(
        user, debt, 100000, date(2026, 11, 30), message.digest
    )
    # Another message (another receipt the same day) is another payment.
    other = read("【金条】您已于11月30日成功还款1,000.00元，感谢使用。")
    assert record_confirmed(uow, digest=other.digest, **args).created  # type: ignore[arg-type]
    assert len(uow.payments.list_for_debt(user, debt)) == 2
    assert Kind.CONFIRMATION is message.kind
