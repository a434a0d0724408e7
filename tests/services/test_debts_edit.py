"""Services: a debt's name, lender, rate and first due date corrected; a debt deleted (issue 10).

Runs on SQLite, and on PostgreSQL too when TEST_DATABASE_URL is set.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest
from sqlmodel import col, func, select

from tests.services.test_debts_and_payments import NOW, make_spec, new_user, pay
from tracker.errors import Conflict, InvalidDate, InvalidRate, InvalidTerms
from tracker.parsing.debt_line import parse_debt_line, take_lender
from tracker.parsing.debt_terms import parse_first_due, read_pricing
from tracker.rates import Rate, RateUnit
from tracker.schedule_types import Method
from tracker.services.debts import (
    add_debt,
    add_plan,
    change_lender,
    change_terms,
    delete_debt,
    position,
    rename_debt,
    terms_of,
)
from tracker.storage.enums import OutboxStatus, PlanOrigin
from tracker.storage.models import Debt, Installment, Outbox, Payment, PlanVersion
from tracker.storage.uow import SqlUnitOfWork

D = Decimal
MakeUow = Callable[[], SqlUnitOfWork]
TODAY = date(2026, 12, 1)


def level_payment(principal: int, monthly: Fraction, months: int) -> Decimal:
    """P·i·(1+i)^n / ((1+i)^n − 1), exactly, then rounded half up to cents."""
    growth = (1 + monthly) ** months
    exact = principal * monthly * growth / (growth - 1)
    return (D(exact.numerator) / D(exact.denominator)).quantize(D("0.01"), ROUND_HALF_UP)


@pytest.fixture
def ids(make_uow: MakeUow) -> tuple[int, int]:
    """金条: ¥12,000 at 0.05 % a day, 12 annuity installments from 2027-01-15: (user, debt)."""
    with make_uow() as uow:
        user_id = new_user(uow)
        debt, _ = add_debt(uow, user_id=user_id, spec=make_spec(), now=NOW)
        uow.commit()
        assert debt.id is not None
        return user_id, debt.id


def test_rename_and_lender_change_only_those(make_uow: MakeUow, ids: tuple[int, int]) -> None:
    user_id, debt_id = ids
    with make_uow() as uow:
        rename_debt(uow, user_id=user_id, debt_id=debt_id, name="  京东  金条 ", now=NOW)
        change_lender(uow, user_id=user_id, debt_id=debt_id, lender="京东金融", now=NOW)
        uow.commit()
    with make_uow() as uow:
        debt = uow.debts.require_for_user(user_id, debt_id)
        assert (debt.name, debt.lender) == ("京东 金条", "京东金融")
        change_lender(uow, user_id=user_id, debt_id=debt_id, lender=None, now=NOW)
        uow.commit()
    with make_uow() as uow:
        assert uow.debts.require_for_user(user_id, debt_id).lender is None
        with pytest.raises(InvalidTerms) as empty:
            rename_debt(uow, user_id=user_id, debt_id=debt_id, name="  ", now=NOW)
        assert empty.value.code == "name_empty"
        with pytest.raises(InvalidTerms) as long:
            change_lender(uow, user_id=user_id, debt_id=debt_id, lender="银" * 41, now=NOW)
        assert long.value.code == "lender_too_long"


def test_a_new_rate_recomputes_the_schedule_and_keeps_the_payments(
    make_uow: MakeUow, ids: tuple[int, int]
) -> None:
    user_id, debt_id = ids
    with make_uow() as uow:
        pay(uow, ids, "300", paid_on=date(2026, 12, 20), today=date(2026, 12, 20))
        uow.commit()
    with make_uow() as uow:
        plan_before = uow.plans.active_for_debt(debt_id)
        assert plan_before is not None
        pricing = read_pricing(Method.ANNUITY, "日息万三")
        change_terms(uow, user_id=user_id, debt_id=debt_id, now=NOW, today=TODAY, pricing=pricing)
        uow.commit()
    # 0.03 % a day over a 365-day year is 0.03 % × 365 / 12 a month.
    expected = level_payment(12000, Fraction(3, 10000) * 365 / 12, 12)
    with make_uow() as uow:
        pos = position(uow, user_id=user_id, debt_id=debt_id, today=date(2026, 12, 20))
        assert pos.plan.id == plan_before.id  # the contract corrected, not a new agreement
        assert pos.debt.rate_value == D("0.0003")
        assert [row.due_date for row in pos.rows] == [
            date(2027 + (m // 12), m % 12 + 1, 15) for m in range(12)
        ]
        assert pos.rows[0].payment == expected
        assert sum((row.principal for row in pos.rows), D(0)) == D(12000)
        assert pos.state.next_due is not None
        # The ¥300 paid on Dec 20 is still counted: paid ahead against the first installment.
        assert pos.state.next_due.remaining == expected - D(300)
        assert len(uow.payments.list_for_debt(user_id, debt_id)) == 1


def test_a_flat_fee_debt_takes_a_fee_per_installment(make_uow: MakeUow) -> None:
    with make_uow() as uow:
        user_id = new_user(uow)
        spec = make_spec(name="白条")
        terms = spec.terms.__class__(
            **{
                **{f: getattr(spec.terms, f) for f in spec.terms.__dataclass_fields__},
                "method": Method.FLAT_FEE,
                "rate": Rate(D(0), RateUnit.MONTH),
                "fee_rate": D("0.005"),
            }
        )
        debt, _ = add_debt(
            uow, user_id=user_id, spec=spec.__class__(name="白条", terms=terms), now=NOW
        )
        assert debt.id is not None
        change_terms(
            uow,
            user_id=user_id,
            debt_id=debt.id,
            now=NOW,
            today=TODAY,
            pricing=read_pricing(Method.FLAT_FEE, "0.6%"),
        )
        pos = position(uow, user_id=user_id, debt_id=debt.id, today=TODAY)
        # ¥12,000 in 12: ¥1,000 principal and 0.6 % of ¥12,000 = ¥72 fee each month.
        assert [(row.principal, row.fee) for row in pos.rows[:2]] == [(D(1000), D(72))] * 2


def test_a_new_first_due_date_moves_every_installment(
    make_uow: MakeUow, ids: tuple[int, int]
) -> None:
    user_id, debt_id = ids
    with make_uow() as uow:
        change_terms(
            uow, user_id=user_id, debt_id=debt_id, now=NOW, today=TODAY, first_due=date(2027, 1, 20)
        )
        uow.commit()
    with make_uow() as uow:
        pos = position(uow, user_id=user_id, debt_id=debt_id, today=TODAY)
        assert pos.debt.first_due == date(2027, 1, 20)
        assert {row.due_date.day for row in pos.rows} == {20}
        assert pos.rows[-1].due_date == date(2027, 12, 20)
        # Before the loan date (2026-12-15) is no first due date.
        with pytest.raises(InvalidTerms) as early:
            change_terms(
                uow,
                user_id=user_id,
                debt_id=debt_id,
                now=NOW,
                today=TODAY,
                first_due=date(2026, 12, 10),
            )
        assert early.value.code == "loan_date_order"


def test_bad_rates_are_refused_with_their_reason() -> None:
    with pytest.raises(InvalidRate) as garbage:
        read_pricing(Method.ANNUITY, "abc")
    assert garbage.value.code == "rate_garbage"
    with pytest.raises(InvalidRate) as no_period:
        read_pricing(Method.ANNUITY, "0.05%")
    assert no_period.value.code == "rate_unit_missing"
    with pytest.raises(InvalidRate) as daily_fee:
        read_pricing(Method.FLAT_FEE, "0.05%/day")
    assert daily_fee.value.code == "fee_rate_period"


def test_an_agreed_plan_is_not_recomputed(make_uow: MakeUow, ids: tuple[int, int]) -> None:
    user_id, debt_id = ids
    with make_uow() as uow:
        debt = uow.debts.require_for_user(user_id, debt_id)
        plan = uow.plans.active_for_debt(debt_id)
        assert plan is not None
        agreed = add_plan(
            uow, debt=debt, terms=terms_of(debt, plan), origin=PlanOrigin.RENEGOTIATED, now=NOW
        )
        uow.plans.activate(agreed, NOW)
        uow.commit()
    with make_uow() as uow:
        pricing = read_pricing(Method.ANNUITY, "18%/year")
        with pytest.raises(Conflict) as refused:
            change_terms(
                uow, user_id=user_id, debt_id=debt_id, now=NOW, today=TODAY, pricing=pricing
            )
        assert refused.value.code == "debt_edit_agreed"
        # The name and the lender may still change.
        rename_debt(uow, user_id=user_id, debt_id=debt_id, name="金条2", now=NOW)


def _reminder(uow: SqlUnitOfWork, key: str, user_id: int, status: OutboxStatus) -> None:
    at = NOW + timedelta(days=1)
    kind = key.split(":")[0]
    row = Outbox(key=key, user_id=user_id, chat_id=1001, kind=kind, due_at=at, next_attempt_at=at)
    row.status = status
    uow.session.add(row)


def test_recomputing_drops_the_pending_reminders_of_the_old_installments(
    make_uow: MakeUow, ids: tuple[int, int]
) -> None:
    user_id, debt_id = ids
    with make_uow() as uow:
        first = uow.installments.for_debt(user_id, debt_id)[0].id
        _reminder(uow, f"due:{first}:3", user_id, OutboxStatus.PENDING)
        _reminder(uow, f"due:{first}999:3", user_id, OutboxStatus.PENDING)  # not this debt's
        _reminder(uow, f"digest:{user_id}:2026-W49", user_id, OutboxStatus.PENDING)
        uow.commit()
        change_terms(
            uow, user_id=user_id, debt_id=debt_id, now=NOW, today=TODAY, first_due=date(2027, 1, 16)
        )
        uow.commit()
    with make_uow() as uow:
        rows = uow.session.exec(select(Outbox.key, Outbox.status).order_by(col(Outbox.key))).all()
        assert [(key, status) for key, status in rows] == [
            (f"digest:{user_id}:2026-W49", OutboxStatus.PENDING),
            (f"due:{first}999:3", OutboxStatus.PENDING),
            (f"due:{first}:3", OutboxStatus.DROPPED),
        ]


def _count(uow: SqlUnitOfWork, model: type, debt_id: int) -> int:
    column = getattr(model, "id" if model is Debt else "debt_id")
    return int(uow.session.exec(select(func.count()).where(column == debt_id)).one())


def test_delete_takes_everything_of_the_debt_and_nothing_else(
    make_uow: MakeUow, ids: tuple[int, int]
) -> None:
    user_id, debt_id = ids
    with make_uow() as uow:
        other, _ = add_debt(uow, user_id=user_id, spec=make_spec(name="白条"), now=NOW)
        assert other.id is not None
        other_id = other.id
        pay(uow, ids, "500", idempotency_key="k1")
        pay(uow, ids, "200", idempotency_key="k2")
        pay(uow, (user_id, other_id), "100", idempotency_key="k3")
        debt = uow.debts.require_for_user(user_id, debt_id)
        plan = uow.plans.active_for_debt(debt_id)
        assert plan is not None
        add_plan(
            uow, debt=debt, terms=terms_of(debt, plan), origin=PlanOrigin.PROPOSAL, now=NOW
        )  # hardship
        mine = uow.installments.for_debt(user_id, debt_id)[0].id
        theirs = uow.installments.for_debt(user_id, other_id)[0].id
        _reminder(uow, f"due:{mine}:0", user_id, OutboxStatus.SENT)
        _reminder(uow, f"risk:{mine}", user_id, OutboxStatus.PENDING)
        _reminder(uow, f"due:{theirs}:0", user_id, OutboxStatus.PENDING)
        uow.commit()
    with make_uow() as uow:
        deleted = delete_debt(uow, user_id=user_id, debt_id=debt_id)
        uow.commit()
    assert deleted is not None
    assert (deleted.name, deleted.payments) == ("金条", 2)
    with make_uow() as uow:
        for model in (Debt, PlanVersion, Installment, Payment):
            assert _count(uow, model, debt_id) == 0, model
        assert _count(uow, Installment, other_id) == 12
        assert _count(uow, Payment, other_id) == 1
        assert uow.session.exec(select(Outbox.key)).all() == [f"due:{theirs}:0"]
        assert position(uow, user_id=user_id, debt_id=other_id, today=TODAY).debt.name == "白条"
        # A second delete (a double tap) finds nothing and changes nothing.
        assert delete_debt(uow, user_id=user_id, debt_id=debt_id) is None


def test_another_users_debt_is_not_deleted(make_uow: MakeUow, ids: tuple[int, int]) -> None:
    _, debt_id = ids
    with make_uow() as uow:
        stranger = new_user(uow, telegram_id=2002)
        assert delete_debt(uow, user_id=stranger, debt_id=debt_id) is None
        uow.commit()
    with make_uow() as uow:
        assert _count(uow, Debt, debt_id) == 1


# ---- the lender in the one-line form ----------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "name", "lender"),
    [
        ("金条 20000 日息万五 12 等额本息 2027-01-20 机构:京东金融", "金条", "京东金融"),
        ("金条 20000 日息万五 12 机构：京东金融", "金条", "京东金融"),
        ("信用卡 20000 年化18% 24 贷款机构: 招商银行", "信用卡", "招商银行"),
        ("Jintiao 20000 0.05%/day 12 annuity lender: JD Finance", "Jintiao", "JD Finance"),
        ("Jintiao 20000 0.05%/day 12 Lender:JD", "Jintiao", "JD"),
        # The marker may come before the loan date: the lender ends where the date begins.
        ("金条 20000 日息万五 12 机构:京东金融 放款日2026-11-20", "金条", "京东金融"),
        ("金条 20000 日息万五 12", "金条", None),
    ],
)
def test_one_line_with_a_lender(line: str, name: str, lender: str | None) -> None:
    spec = parse_debt_line(line, today=TODAY, currency="CNY")
    assert (spec.name, spec.lender, spec.terms.principal) == (name, lender, D(20000))


def test_a_lender_marker_needs_a_lender_and_a_name_is_not_a_marker() -> None:
    with pytest.raises(InvalidTerms) as empty:
        parse_debt_line("金条 20000 日息万五 12 机构:", today=TODAY, currency="CNY")
    assert (empty.value.code, empty.value.params["part"]) == ("lender_empty", "lender")
    assert take_lender(["lender", "loan"]) == (["lender", "loan"], None)  # no colon: a name
    assert take_lender(["机构:京东金融"]) == (["机构:京东金融"], None)  # the first word is a name


def test_a_wrong_date_for_an_edit_is_refused() -> None:
    with pytest.raises(InvalidDate):
        parse_first_due("2027-02-30", today=TODAY)
    assert parse_first_due("Jan 20", today=TODAY) == date(2027, 1, 20)
