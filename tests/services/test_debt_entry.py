"""Services behind /adddebt, /debts, /schedule and /status: storing, finding, archiving, sums.

What the borrower types is read in tracker.parsing: tests/core/test_parsing_debt_*.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from tracker.errors import DomainError, NotFound
from tracker.parsing.debt_terms import DebtSpec
from tracker.rates import Rate, RateUnit
from tracker.schedule_types import LoanTerms, Method
from tracker.services.debts import (
    add_debt,
    archive_debt,
    check_spec,
    due_so_far,
    due_within,
    find_debts,
    from_app_figures,
    known_lenders,
    lender_of,
    owed_by_currency,
    paid_before_tracking,
    position,
    positions,
    set_lender,
)
from tracker.storage.enums import DebtStatus
from tracker.storage.models import User
from tracker.storage.uow import SqlUnitOfWork

D = Decimal
TODAY = date(2026, 12, 1)
NOW = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)


# ---- finding, archiving, sums ---------------------------------------------------------------


def _spec(name: str, **terms: Any) -> DebtSpec:
    fields: dict[str, Any] = {
        "principal": D(12000),
        "rate": Rate(D("0.0005"), RateUnit.DAY),
        "term": 12,
        "method": Method.ANNUITY,
        "first_due": date(2026, 12, 5),
    }
    fields.update(terms)
    return DebtSpec(name=name, terms=LoanTerms(**fields))


@pytest.fixture
def user_with_debts(make_uow: Callable[[], SqlUnitOfWork]) -> tuple[int, list[int]]:
    with make_uow() as uow:
        user = uow.users.add(User(telegram_user_id=7, chat_id=7))
        assert user.id is not None
        ids = []
        for spec in (
            _spec("Jintiao"),
            _spec("Baitiao", first_due=date(2026, 12, 20)),
            _spec("Bank card", currency="USD", principal=D(1000)),
        ):
            debt, _ = add_debt(uow, user_id=user.id, spec=spec, now=NOW)
            assert debt.id is not None
            ids.append(debt.id)
        uow.commit()
        return user.id, ids


def test_find_debts_exact_then_unique_prefix(
    make_uow: Callable[[], SqlUnitOfWork], user_with_debts: tuple[int, list[int]]
) -> None:
    user_id, _ = user_with_debts
    with make_uow() as uow:
        assert [d.name for d in find_debts(uow, user_id=user_id, query="JINTIAO")] == ["Jintiao"]
        assert [d.name for d in find_debts(uow, user_id=user_id, query="bai")] == ["Baitiao"]
        assert [d.name for d in find_debts(uow, user_id=user_id, query="ba")] == [
            "Baitiao",
            "Bank card",
        ]
        assert find_debts(uow, user_id=user_id, query="x") == []
        assert find_debts(uow, user_id=user_id, query=" ") == []
        assert find_debts(uow, user_id=user_id + 1, query="Jintiao") == []


def test_archive_hides_a_debt_once_and_only_the_owners(
    make_uow: Callable[[], SqlUnitOfWork], user_with_debts: tuple[int, list[int]]
) -> None:
    user_id, ids = user_with_debts
    with make_uow() as uow:
        with pytest.raises(NotFound):
            archive_debt(uow, user_id=user_id + 1, debt_id=ids[0], now=NOW)
        debt, changed = archive_debt(uow, user_id=user_id, debt_id=ids[0], now=NOW)
        assert changed
        assert debt.status is DebtStatus.ARCHIVED
        uow.commit()
    with make_uow() as uow:
        assert not archive_debt(uow, user_id=user_id, debt_id=ids[0], now=NOW)[1]
        assert [p.debt.name for p in positions(uow, user_id=user_id, today=TODAY)] == [
            "Baitiao",
            "Bank card",
        ]
        assert find_debts(uow, user_id=user_id, query="Jintiao") == []


def test_a_debts_lender_is_apart_from_its_name_and_stands_in_for_it_until_said(
    make_uow: Callable[[], SqlUnitOfWork], user_with_debts: tuple[int, list[int]]
) -> None:
    """Issue 10: the lender (the company repaid) is asked once; the name stands in till then."""
    user_id, ids = user_with_debts
    with make_uow() as uow:
        assert known_lenders(uow, user_id=user_id) == []
        card, _ = add_debt(
            uow, user_id=user_id, spec=replace(_spec("信用卡"), lender=" 招商银行 "), now=NOW
        )
        assert (card.name, card.lender, lender_of(card)) == ("信用卡", "招商银行", "招商银行")
        jintiao = uow.debts.require_for_user(user_id, ids[0])
        assert (jintiao.lender, lender_of(jintiao)) == (None, "Jintiao")  # not said yet
        assert (
            set_lender(
                uow, user_id=user_id, debt_id=ids[0], lender="  JD   Finance ", now=NOW
            ).lender
            == "JD Finance"
        )
        set_lender(
            uow, user_id=user_id, debt_id=ids[1], lender="jd finance", now=NOW
        )  # the same lender, once
        with pytest.raises(NotFound):
            set_lender(uow, user_id=user_id + 1, debt_id=ids[2], lender="CMB", now=NOW)
        for bad, code in ((" ", "lender_empty"), ("x" * 41, "lender_too_long")):
            with pytest.raises(DomainError) as info:
                set_lender(uow, user_id=user_id, debt_id=ids[2], lender=bad, now=NOW)
            assert info.value.code == code
        uow.commit()
    with make_uow() as uow:
        # Each once, the most recently added debt's first.
        assert known_lenders(uow, user_id=user_id) == ["招商银行", "jd finance"]
        assert known_lenders(uow, user_id=user_id + 1) == []
    with pytest.raises(DomainError):
        check_spec(replace(_spec("信用卡"), lender=""))


def test_due_within_and_totals_per_currency(
    make_uow: Callable[[], SqlUnitOfWork], user_with_debts: tuple[int, list[int]]
) -> None:
    user_id, _ = user_with_debts
    with make_uow() as uow:
        current = positions(uow, user_id=user_id, today=TODAY)
        soon = due_within(current, TODAY, 7)
        assert [(s.debt.name, s.installment.due_date) for s in soon] == [
            ("Bank card", date(2026, 12, 5)),
            ("Jintiao", date(2026, 12, 5)),
        ]
        assert soon[1].amount == current[0].rows[0].payment
        assert len(due_within(current, TODAY, 19)) == 3
        totals = owed_by_currency(current)
        assert set(totals) == {"CNY", "USD"}
        assert totals["USD"] == current[2].state.owed_today.total
        assert totals["CNY"] == sum((p.state.owed_today.total for p in current[:2]), D(0))


# ---- a loan already running when it is added (issue 9) ---------------------------------------

#: Due on the 20th from August 2026: by 1 December, 20 Aug, 20 Sep, 20 Oct and 20 Nov were due.
RUNNING = _spec("Jintiao", first_due=date(2026, 8, 20), start_date=date(2026, 7, 20))


def test_installments_due_so_far_include_today() -> None:
    due = due_so_far(RUNNING, TODAY)
    assert [row.due_date for row in due] == [
        date(2026, 8, 20),
        date(2026, 9, 20),
        date(2026, 10, 20),
        date(2026, 11, 20),
    ]
    assert len(due_so_far(RUNNING, date(2026, 12, 20))) == 5  # due today counts as due
    assert due_so_far(RUNNING, date(2026, 8, 19)) == ()


def test_paid_before_tracking_is_at_most_what_was_due() -> None:
    assert paid_before_tracking(RUNNING, 4, TODAY).paid_before_tracking == 4
    assert paid_before_tracking(RUNNING, 0, TODAY).paid_before_tracking == 0
    with pytest.raises(DomainError) as info:
        paid_before_tracking(RUNNING, 5, TODAY)
    assert (info.value.code, info.value.params) == ("paid_count_too_many", {"count": 5, "due": 4})
    # Without a today, the count is only bounded by the installments there are.
    check_spec(replace(RUNNING, paid_before_tracking=12))
    with pytest.raises(DomainError):
        check_spec(replace(RUNNING, paid_before_tracking=13))


def test_add_debt_stores_installments_paid_before_tracking(
    make_uow: Callable[[], SqlUnitOfWork],
) -> None:
    with make_uow() as uow:
        user = uow.users.add(User(telegram_user_id=9, chat_id=9))
        assert user.id is not None
        with pytest.raises(DomainError):  # nothing is stored for a count beyond what was due
            add_debt(
                uow,
                user_id=user.id,
                spec=replace(RUNNING, paid_before_tracking=5),
                now=NOW,
                today=TODAY,
            )
        assert uow.debts.list_for_user(user.id) == []
        debt, result = add_debt(
            uow,
            user_id=user.id,
            spec=replace(RUNNING, paid_before_tracking=3),
            now=NOW,
            today=TODAY,
        )
        assert debt.id is not None
        uow.commit()
        pos = position(uow, user_id=user.id, debt_id=debt.id, today=TODAY)
        assert pos.debt.paid_before_tracking == 3
    states = pos.state.installments
    assert [s.before_tracking for s in states[:4]] == [True, True, True, False]
    assert [s.status.value for s in states[:5]] == ["paid", "paid", "paid", "overdue", "upcoming"]
    assert pos.state.total_paid == 0  # no payment was invented
    assert pos.state.overdue_amount == result.rows[3].payment


def test_the_remaining_schedule_built_from_the_apps_figures() -> None:
    built = from_app_figures(RUNNING, D(8000), 8, date(2026, 12, 20))
    terms = built.terms
    assert (terms.principal, terms.term, terms.first_due) == (D(8000), 8, date(2026, 12, 20))
    assert (terms.rate, terms.method, terms.start_date) == (
        RUNNING.terms.rate,
        Method.ANNUITY,
        None,
    )
    assert (built.name, built.paid_before_tracking) == ("Jintiao", 0)
    with pytest.raises(DomainError) as info:
        from_app_figures(RUNNING, D(13000), 8, date(2026, 12, 20))
    assert info.value.code == "remaining_principal_above_loan"


def test_a_flat_fee_plan_built_from_the_app_keeps_its_fee_per_installment() -> None:
    # 白条: 0.5 % of the original ¥6,000 a period is ¥30, whatever principal is left.
    baitiao = _spec(
        "Baitiao",
        principal=D(6000),
        rate=Rate(D(0), RateUnit.MONTH),
        method=Method.FLAT_FEE,
        fee_rate=D("0.005"),
        first_due=date(2026, 8, 20),
        upfront_fee=D(50),
    )
    built = from_app_figures(baitiao, D(4000), 8, date(2026, 12, 20))
    rows = check_spec(built).rows
    assert [row.fee for row in rows] == [D(30)] * 8
    assert sum(row.principal for row in rows) == D(4000)
    assert built.terms.upfront_fee == 0  # taken when the money was paid out, not again
