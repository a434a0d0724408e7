"""The ledger: allocation of payments, overdue status, penalty interest and what is owed today.

The schedule is written out by hand so each expectation can be checked with a pencil:
three monthly installments of 1,000 principal on an 18 %-a-year loan (365-day basis).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.errors import InvalidTerms
from tracker.ledger import (
    Component,
    Ledger,
    LedgerPolicy,
    Payment,
    PenaltyMode,
    PenaltyPolicy,
    Status,
    parse_order,
)
from tracker.schedule_types import ScheduleRow

D = Decimal
START = date(2026, 12, 15)
DUE1, DUE2, DUE3 = date(2027, 1, 15), date(2027, 2, 15), date(2027, 3, 15)


def make_rows() -> list[ScheduleRow]:
    """Installments of 1,045, 1,030 and 1,015 (interest 45, 30, 15)."""
    return [
        ScheduleRow(1, DUE1, D(1045), D(45), D(0), D(1000), D(2000)),
        ScheduleRow(2, DUE2, D(1030), D(30), D(0), D(1000), D(1000)),
        ScheduleRow(3, DUE3, D(1015), D(15), D(0), D(1000), D(0)),
    ]


def make_ledger(rows: list[ScheduleRow] | None = None, **overrides: Any) -> Ledger:
    """A ledger for the hand-written schedule at 18 % a year, penalty 1.5 × the rate."""
    fields: dict[str, Any] = {
        "currency": "CNY",
        "contract_daily_rate": D("0.18") / 365,
        "start_date": START,
        "grace_days": 0,
    }
    fields.update(overrides)
    return Ledger(make_rows() if rows is None else rows, LedgerPolicy(**fields))


def pay(day: date, amount: str, ref: int | None = None) -> Payment:
    return Payment(paid_on=day, amount=D(amount), ref=ref)


def components(ledger_state: Any, ref: int | None = None) -> dict[Component, Decimal]:
    out: dict[Component, Decimal] = {}
    for a in ledger_state.allocations:
        if ref is None or a.payment_ref == ref:
            out[a.component] = out.get(a.component, D(0)) + a.amount
    return out


def test_exact_payment_on_the_due_date_settles_the_installment() -> None:
    state = make_ledger().state([pay(DUE1, "1045", ref=1)], today=DUE1)
    first = state.installments[0]
    assert first.status is Status.PAID
    assert first.settled_on == DUE1
    assert components(state) == {Component.INTEREST: D(45), Component.PRINCIPAL: D(1000)}
    assert state.next_due is not None
    assert state.next_due.number == 2
    assert state.on_time_streak == 1
    assert state.owed_today.principal == D(2000)


def test_ten_days_late_accrues_penalty_at_one_and_a_half_times_the_rate() -> None:
    state = make_ledger().state([], today=date(2027, 1, 25))
    first = state.installments[0]
    assert first.status is Status.OVERDUE
    assert first.days_overdue == 10
    # 1,000 × 18 % × 1.5 / 365 × 10 days = 7.397… → 7.40
    assert first.penalty_accrued == D("7.40")
    assert state.penalty_per_day == D("0.74")
    assert state.overdue_amount == D(1045)
    assert state.due_now == D("1052.40")
    owed = state.owed_today
    # Interest: 45 overdue plus 10 days of the second period at the daily rate on its opening
    # balance (art. 677: actual days): 2,000 × 18 % / 365 × 10 = 9.863… → 9.86.
    assert (owed.principal, owed.interest, owed.penalty, owed.fees) == (
        D(3000),
        D("54.86"),
        D("7.40"),
        D(0),
    )
    assert owed.total == D("3062.26")


def test_late_payment_goes_to_penalty_then_interest_then_principal() -> None:
    state = make_ledger().state([pay(date(2027, 1, 25), "1052.40")], today=date(2027, 1, 25))
    assert components(state) == {
        Component.PENALTY: D("7.40"),
        Component.INTEREST: D(45),
        Component.PRINCIPAL: D(1000),
    }
    assert state.installments[0].status is Status.PAID
    assert state.on_time_streak == 0  # settled, but late


def test_partial_payment_then_overdue_penalty_on_unpaid_principal_only() -> None:
    ledger = make_ledger()
    payments = [pay(DUE1, "500")]
    on_due_day = ledger.state(payments, today=DUE1).installments[0]
    assert (on_due_day.status, on_due_day.remaining) == (Status.DUE, D(545))
    later = ledger.state(payments, today=date(2027, 1, 25)).installments[0]
    assert later.status is Status.OVERDUE
    # 545 × 0.27 / 365 × 10 = 4.0315… → 4.03
    assert later.penalty_accrued == D("4.03")


def test_partial_payment_before_the_due_date_is_partial() -> None:
    state = make_ledger().state([pay(date(2027, 1, 5), "100")], today=date(2027, 1, 6))
    assert state.installments[0].status is Status.PARTIAL
    assert state.installments[1].status is Status.UPCOMING


def test_grace_days_forgive_lateness_inside_them() -> None:
    ledger = make_ledger(grace_days=3)
    state = ledger.state([pay(date(2027, 1, 18), "1045")], today=date(2027, 1, 20))
    assert state.installments[0].status is Status.PAID
    assert state.installments[0].penalty_accrued == 0
    assert state.on_time_streak == 1
    assert ledger.state([], today=date(2027, 1, 18)).installments[0].status is Status.DUE


def test_past_grace_the_penalty_counts_from_the_due_date() -> None:
    state = make_ledger(grace_days=3).state(
        [pay(date(2027, 1, 19), "1045")], today=date(2027, 1, 19)
    )
    first = state.installments[0]
    # Four days from the due date: 1,000 × 0.27 / 365 × 4 = 2.958… → 2.96, paid first.
    assert components(state)[Component.PENALTY] == D("2.96")
    assert first.remaining == D("2.96")
    assert first.status is Status.OVERDUE


def test_overpayment_pays_ahead_and_the_rest_is_a_credit() -> None:
    ledger = make_ledger()
    ahead = ledger.state([pay(date(2027, 1, 10), "2100")], today=date(2027, 1, 10))
    assert [i.status for i in ahead.installments] == [Status.PAID, Status.PAID, Status.PARTIAL]
    assert ahead.installments[2].remaining == D(990)
    assert ahead.unapplied == 0
    everything = ledger.state([pay(date(2027, 1, 10), "4000")], today=date(2027, 1, 10))
    assert everything.is_settled
    assert everything.paid_off_on == date(2027, 1, 10)
    # Paid off 26 days into the first period: 3,000 principal + 3,000 × 18 % / 365 × 26 days
    # (= 38.465… → 38.47) of interest; not the schedule's 3,090 (art. 677).
    assert everything.unapplied == D(4000) - D(3000) - D("38.47")
    assert everything.owed_today.total == 0


def test_undo_is_leaving_the_payment_out() -> None:
    ledger = make_ledger()
    today = date(2027, 1, 25)
    assert ledger.state([], today=today) == ledger.state([], today=today)
    with_payment = ledger.state([pay(DUE1, "1045")], today=today)
    without = ledger.state([], today=today)
    assert with_payment.installments[0].status is Status.PAID
    assert without.installments[0].status is Status.OVERDUE


def test_allocation_order_is_configurable_per_debt() -> None:
    order = parse_order("principal,interest,fee,penalty")
    state = make_ledger(order=order).state([pay(DUE1, "500")], today=DUE1)
    assert components(state) == {Component.PRINCIPAL: D(500)}


@pytest.mark.parametrize(
    "text", ["principal,interest", "principal,interest,fee,penalty,fee", "tip"]
)
def test_bad_allocation_order_is_refused(text: str) -> None:
    with pytest.raises(InvalidTerms) as info:
        parse_order(text)
    assert info.value.code == "allocation_order"


def test_flat_daily_late_fee_on_the_overdue_amount() -> None:
    # The domain notes' example: 265 overdue × 0.07 % a day × 10 days = 1.855 → 1.86.
    rows = [ScheduleRow(1, DUE1, D(265), D(0), D(15), D(250), D(0))]
    policy = PenaltyPolicy(mode=PenaltyMode.DAILY_RATE_ON_OVERDUE, daily_rate=D("0.0007"))
    state = make_ledger(rows, penalty=policy).state([], today=date(2027, 1, 25))
    assert state.installments[0].penalty_accrued == D("1.86")
    assert state.owed_today.fees == D(15)


def test_on_time_streak_counts_back_from_the_latest_matured_installment() -> None:
    ledger = make_ledger()
    on_time = [pay(DUE1, "1045"), pay(DUE2, "1030")]
    assert ledger.state(on_time, today=date(2027, 3, 14)).on_time_streak == 2
    assert ledger.state(on_time, today=date(2027, 3, 16)).on_time_streak == 0
    # Five days late costs 1,000 × 0.27 / 365 × 5 = 3.70 of penalty on top of the 1,045.
    late_first = [pay(date(2027, 1, 20), "1048.70"), pay(DUE2, "1030")]
    assert ledger.state(late_first, today=date(2027, 3, 1)).on_time_streak == 1


def test_an_empty_schedule_is_refused() -> None:
    with pytest.raises(InvalidTerms):
        make_ledger(rows=[])


day_offsets = st.integers(min_value=0, max_value=120)
amounts = st.decimals(min_value=D("0.01"), max_value=D(4000), places=2)


@settings(max_examples=150, deadline=None)
@given(
    payments=st.lists(st.tuples(day_offsets, amounts), max_size=6),
    today_offset=day_offsets,
    grace=st.integers(min_value=0, max_value=5),
)
def test_money_is_conserved_and_never_over_allocated(
    payments: list[tuple[int, Decimal]], today_offset: int, grace: int
) -> None:
    from datetime import timedelta

    ledger = make_ledger(grace_days=grace)
    paid = [pay(START + timedelta(days=d), str(a), ref=i) for i, (d, a) in enumerate(payments)]
    state = ledger.state(
        paid, today=START + timedelta(days=today_offset + max((d for d, _ in payments), default=0))
    )
    allocated = sum((a.amount for a in state.allocations), D(0))
    assert allocated + state.unapplied == sum((p.amount for p in paid), D(0))
    assert all(a.amount > 0 for a in state.allocations)
    for row, inst in zip(make_rows(), state.installments, strict=True):
        assert 0 <= inst.remaining <= row.payment
        assert inst.paid_by_component[Component.PRINCIPAL] <= row.principal
        assert inst.paid_by_component[Component.INTEREST] <= row.interest
        assert inst.penalty_unpaid >= 0
    owed = state.owed_today
    assert min(owed.principal, owed.interest, owed.penalty, owed.fees) >= 0
    if state.unapplied > 0:
        assert state.is_settled


def test_installments_paid_before_tracking_count_as_paid_without_invented_payments() -> None:
    # A loan already running: installment 1 (due Jan 15) was paid before the borrower came.
    ledger = make_ledger(paid_before_tracking=1)
    state = ledger.state([], today=date(2027, 2, 1))
    first, second = state.installments[0], state.installments[1]
    assert (first.status, first.before_tracking, first.settled_on) == (Status.PAID, True, DUE1)
    assert second.before_tracking is False
    assert state.overdue_amount == 0
    assert state.allocations == ()
    assert state.total_paid == 0  # nothing was paid through the bot
    # Owed: the 2,000 principal of installments 2 and 3 plus 17 days of the second period,
    # 2,000 × 18 % / 365 × 17 = 16.767… → 16.77.
    assert state.owed_today.total == D(2000) + D("16.77")
    # Without it the same day shows installment 1 overdue with penalty.
    assert make_ledger().state([], today=date(2027, 2, 1)).overdue_amount == D(1045)


def test_money_paid_while_later_installments_were_paid_before_tracking_is_held() -> None:
    # Installments 1 and 2 were paid before tracking; on Jan 20 (installment 2 not yet due)
    # 500 arrives: it is held for installment 3, not lost as a credit.
    ledger = make_ledger(paid_before_tracking=2)
    state = ledger.state([pay(date(2027, 1, 20), "500")], today=date(2027, 1, 20))
    assert state.unapplied == 0
    assert state.advance == 500
    assert state.installments[2].remaining == D(1015) - 500
    # Settling then takes the 1,000 of installment 3's principal, nothing of the interest of
    # installment 2's period (paid before tracking), less the 500 held.
    assert state.owed_today.total == D(1000) - 500
    done = ledger.state(
        [pay(date(2027, 1, 20), "500", ref=1), pay(date(2027, 1, 20), "500", ref=2)],
        today=date(2027, 1, 20),
    )
    assert done.is_settled
    assert done.unapplied == 0
    assert all(i.remaining == 0 for i in done.installments)
