"""Credit cards in storage: adding one, what its statement asks, 账单分期, and /hardship.

Today is 2026-12-01. The usual card: a ¥15,000 statement, statement day 25, due day 15, and the
default terms (10 % of the principal plus all charges as the minimum, 0.05 % a day on the whole
statement from the first day of its cycle, no floor). Its statement is the one of 2026-11-25,
due 2026-12-15. Figures are derived by hand in the comments, from the calendar:

* minimum 1 = 10 % × 15,000 = 1,500.00;
* paying only that on Dec 15, the Dec 25 statement charges 0.05 % × (15,000 × 50 days
  [Oct 26 – Dec 14: 6 + 30 + 14] + 13,500 × 11 days [Dec 15 – Dec 25]) = 0.05 % × 898,500 =
  449.25, so it is 13,500 + 449.25 = 13,949.25 and asks 10 % × 13,500 + 449.25 = 1,799.25 by
  2027-01-15.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

import pytest

from tracker.cards import (
    CardTerms,
    MinimumRule,
    minimum_only_projection,
    open_statement,
    this_month_minimum_cost,
)
from tracker.errors import Conflict, DomainError, InvalidAmount, InvalidTerms
from tracker.ledger import PenaltyMode
from tracker.parsing.hardship_text import Cause
from tracker.planner import Note, OptionKind, plan_all
from tracker.rates import RateUnit
from tracker.schedule_types import Method
from tracker.services.budget import due_in_month
from tracker.services.cards import (
    add_card,
    card_summary,
    convert_to_installments,
    parse_card_line,
    parse_day_of_month,
    preview_installments,
    projection_rows,
)
from tracker.services.debts import position
from tracker.services.hardship import (
    HardshipAnswers,
    hardship_options,
    report_hardship,
    situation_of,
)
from tracker.storage.enums import DebtKind, DebtStatus, PlanOrigin
from tracker.storage.models import Payment, User
from tracker.storage.uow import SqlUnitOfWork

D = Decimal
NOW = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
TODAY = date(2026, 12, 1)
MakeUow = Callable[[], SqlUnitOfWork]


@pytest.fixture
def user_id(make_uow: MakeUow) -> int:
    with make_uow() as uow:
        user = uow.users.add(User(telegram_user_id=3001, chat_id=3001))
        uow.commit()
        assert user.id is not None
        return user.id


def card(make_uow: MakeUow, user_id: int, **overrides: Any) -> int:
    fields: dict[str, Any] = {
        "name": "招行信用卡",
        "balance": D(15000),
        "statement_day": 25,
        "due_day": 15,
        "currency": "CNY",
        "today": TODAY,
        "now": NOW,
    }
    fields.update(overrides)
    with make_uow() as uow:
        debt, _ = add_card(uow, user_id=user_id, **fields)
        uow.commit()
        assert debt.id is not None
        return debt.id


def pay(make_uow: MakeUow, user_id: int, debt_id: int, amount: str, on: date) -> None:
    with make_uow() as uow:
        uow.payments.add_once(
            Payment(
                debt_id=debt_id,
                user_id=user_id,
                amount_minor=int(D(amount) * 100),
                currency="CNY",
                paid_on=on,
                idempotency_key=f"test:{debt_id}:{on}:{amount}",
            )
        )
        uow.commit()


def debt_count(make_uow: MakeUow, user_id: int) -> int:
    with make_uow() as uow:
        return len(uow.debts.list_for_user(user_id))


# ---- adding a card --------------------------------------------------------------------------


def test_a_card_is_stored_with_its_minimum_payments_as_installments(
    make_uow: MakeUow, user_id: int
) -> None:
    debt_id = card(make_uow, user_id)
    with make_uow() as uow:
        pos = position(uow, user_id=user_id, debt_id=debt_id, today=TODAY)
        debt, plan = pos.debt, pos.plan
        assert debt.kind is DebtKind.CREDIT_CARD
        assert (debt.card_statement_day, debt.card_due_day) == (25, 15)
        assert debt.card_statement_date == date(2026, 11, 25)
        assert debt.card_statement_balance_minor == 1500000
        assert debt.card_plan_id == plan.id
        # The plan is the minimum-only projection, at the card's own daily rate, and a late
        # minimum keeps bearing that rate a day.
        assert (plan.method, plan.rate_value, plan.rate_unit) == (
            Method.CUSTOM,
            D("0.0005"),
            RateUnit.DAY,
        )
        assert (debt.penalty_mode, debt.penalty_daily_rate) == (
            PenaltyMode.DAILY_RATE_ON_OVERDUE,
            D("0.0005"),
        )
        first, second = pos.rows[0], pos.rows[1]
        assert (first.due_date, first.payment, first.interest, first.principal) == (
            date(2026, 12, 15),
            D("1500.00"),
            D("0.00"),
            D("1500.00"),
        )
        assert (second.due_date, second.payment, second.interest, second.principal) == (
            date(2027, 1, 15),
            D("1799.25"),
            D("449.25"),
            D("1350.00"),
        )
        # The minimums repay exactly the statement; settling today takes the statement (the
        # interest-free period runs until Dec 15).
        assert sum((row.principal for row in pos.rows), D(0)) == D(15000)
        assert pos.state.owed_today.total == D(15000)
        assert pos.state.next_due is not None
        assert pos.state.next_due.remaining == D(1500)


def test_a_statement_past_its_due_date_means_the_coming_one(
    make_uow: MakeUow, user_id: int
) -> None:
    # Statement day 5, due day 23: on Dec 1 the Nov 5 statement was due Nov 23, so the balance
    # is the Dec 5 statement's, due Dec 23; nothing is overdue on the day the card is added.
    debt_id = card(make_uow, user_id, statement_day=5, due_day=23)
    with make_uow() as uow:
        summary = card_summary(uow, user_id=user_id, debt_id=debt_id, today=TODAY)
        assert summary.statement.statement_date == date(2026, 12, 5)
        assert summary.statement.due_date == date(2026, 12, 23)
        assert summary.statement.minimum_due == D("1500.00")
        # 0.05 % × (15,000 × 47 days [Nov 6 – Dec 22: 25 + 22] + 13,500 × 14 days
        # [Dec 23 – Jan 5: 9 + 5]) = 0.05 % × 894,000 = 447.00
        assert summary.this_month_cost == D("447.00")
        assert not position(uow, user_id=user_id, debt_id=debt_id, today=TODAY).state.overdue


def test_the_summary_is_tracker_cards_arithmetic_for_the_same_statement(
    make_uow: MakeUow, user_id: int
) -> None:
    debt_id = card(make_uow, user_id)
    terms = CardTerms("CNY", 25, 15)
    statement = open_statement(terms, date(2026, 11, 25), D(15000))
    expected = minimum_only_projection(terms, statement)
    with make_uow() as uow:
        summary = card_summary(uow, user_id=user_id, debt_id=debt_id, today=TODAY)
        rows = position(uow, user_id=user_id, debt_id=debt_id, today=TODAY).rows
    assert summary.statement == statement
    assert (summary.statement.minimum_due, summary.statement.due_date) == (
        D("1500.00"),
        date(2026, 12, 15),
    )
    assert summary.this_month_cost == this_month_minimum_cost(terms, statement) == D("449.25")
    assert summary.projection == expected
    assert not summary.estimated
    assert summary.paid == 0
    # The horizon: one installment per minimum, the last on the payoff date; everything paid is
    # the statement plus the interest (no late fee when every minimum is paid on time).
    assert expected.clears
    assert expected.months is not None
    assert expected.months > 12
    assert len(rows) == expected.months
    assert rows[-1].due_date == expected.payoff_date
    assert sum((r.payment for r in rows), D(0)) == expected.total_paid
    assert expected.total_paid == D(15000) + expected.total_interest
    assert sum((r.interest for r in rows), D(0)) == expected.total_interest


def test_a_due_day_31_falls_on_the_last_day_of_shorter_months(
    make_uow: MakeUow, user_id: int
) -> None:
    # Statement day 10: the Nov 10 statement was due Nov 30 (31 → 30), so the card's is Dec 10's.
    debt_id = card(make_uow, user_id, statement_day=10, due_day=31)
    with make_uow() as uow:
        rows = position(uow, user_id=user_id, debt_id=debt_id, today=TODAY).rows
    assert [r.due_date for r in rows[:4]] == [
        date(2026, 12, 31),
        date(2027, 1, 31),
        date(2027, 2, 28),
        date(2027, 3, 31),
    ]


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"statement_day": 32}, "card_statement_day_range"),
        ({"due_day": 0}, "card_due_day_range"),
        ({"statement_day": 30, "due_day": 31}, "card_due_day_gap"),
        ({"balance": D(-500)}, "amount_negative"),
        ({"balance": D(0)}, "amount_zero"),
        ({"balance": D("100.001")}, "card_amount_precision"),
        ({"name": "  "}, "name_empty"),
    ],
)
def test_a_bad_card_is_refused_with_its_code_and_nothing_is_stored(
    make_uow: MakeUow, user_id: int, overrides: dict[str, Any], code: str
) -> None:
    with pytest.raises(DomainError) as raised:
        card(make_uow, user_id, **overrides)
    assert raised.value.code == code
    assert debt_count(make_uow, user_id) == 0


# ---- the statement as time passes -----------------------------------------------------------


def test_payments_in_the_cycle_count_towards_the_minimum(make_uow: MakeUow, user_id: int) -> None:
    debt_id = card(make_uow, user_id)
    pay(make_uow, user_id, debt_id, "500", date(2026, 12, 10))
    with make_uow() as uow:
        summary = card_summary(uow, user_id=user_id, debt_id=debt_id, today=date(2026, 12, 10))
    assert (summary.paid, summary.minimum_left, summary.left) == (D(500), D(1000), D(14500))


def test_after_the_next_statement_date_the_statement_is_rolled_forward_with_the_payments(
    make_uow: MakeUow, user_id: int
) -> None:
    debt_id = card(make_uow, user_id)
    pay(make_uow, user_id, debt_id, "1500", date(2026, 12, 15))
    with make_uow() as uow:
        summary = card_summary(uow, user_id=user_id, debt_id=debt_id, today=date(2026, 12, 26))
    # Exactly the minimum on Dec 15: the Dec 25 statement of the module docstring.
    assert summary.estimated
    assert summary.statement.statement_date == date(2026, 12, 25)
    assert summary.statement.balance == D("13949.25")
    assert summary.statement.interest == D("449.25")
    assert summary.statement.minimum_due == D("1799.25")
    assert summary.statement.due_date == date(2027, 1, 15)
    assert summary.paid == 0


# ---- 账单分期 -------------------------------------------------------------------------------


def test_converting_the_whole_statement_makes_a_flat_fee_debt_and_closes_the_card(
    make_uow: MakeUow, user_id: int
) -> None:
    debt_id = card(make_uow, user_id)
    with make_uow() as uow:
        preview = preview_installments(
            uow, user_id=user_id, debt_id=debt_id, periods=12, fee_rate=D("0.006"), today=TODAY
        )
        # 15,000 / 12 = 1,250.00 a month, plus 0.6 % × 15,000 = 90.00: 1,340.00; 1,080.00 in all.
        assert preview.amount == D(15000)
        first = preview.quote.rows[0]
        assert (first.payment, first.principal, first.fee) == (D("1340.00"), D(1250), D(90))
        assert preview.quote.totals.fee == D("1080.00")
        # The first installment comes with the next statement (Dec 25), on its due date.
        assert first.due_date == date(2027, 1, 15)
        assert preview.quote.rows[-1].due_date == date(2027, 12, 15)
        done = convert_to_installments(
            uow,
            user_id=user_id,
            debt_id=debt_id,
            periods=12,
            fee_rate=D("0.006"),
            today=TODAY,
            now=NOW,
            amount=D(15000),
        )
        uow.commit()
        installments = done.installments
        assert installments.kind is DebtKind.CREDIT_CARD
        assert installments.card_statement_day is None  # a debt, not a card account
        assert (installments.method, installments.principal_minor) == (Method.FLAT_FEE, 1500000)
        assert installments.fee_rate == D("0.006")
        assert installments.name == "招行信用卡 账单分期"
        assert done.card_summary is None
        assert done.card.status is DebtStatus.CLOSED
    with make_uow() as uow, pytest.raises(Conflict) as again:
        convert_to_installments(
            uow,
            user_id=user_id,
            debt_id=debt_id,
            periods=12,
            fee_rate=D("0.006"),
            today=TODAY,
            now=NOW,
        )
    assert again.value.code == "cardstate_closed"
    assert debt_count(make_uow, user_id) == 2


def test_converting_part_keeps_the_rest_on_the_card_with_the_payments_made(
    make_uow: MakeUow, user_id: int
) -> None:
    debt_id = card(make_uow, user_id)
    pay(make_uow, user_id, debt_id, "1500", date(2026, 12, 1))
    with make_uow() as uow:
        assert preview_installments(
            uow, user_id=user_id, debt_id=debt_id, periods=6, fee_rate=D("0.006"), today=TODAY
        ).amount == D(13500)  # the statement less what was paid in its cycle
        done = convert_to_installments(
            uow,
            user_id=user_id,
            debt_id=debt_id,
            periods=6,
            fee_rate=D("0.006"),
            today=TODAY,
            now=NOW,
            amount=D(10000),
        )
        uow.commit()
        # 10,000 over 6: 1,666.67 five times and 1,666.65 (rounding goes last), +60.00 each.
        assert [r.principal for r in done.quote.rows] == [D("1666.67")] * 5 + [D("1666.65")]
        assert {r.fee for r in done.quote.rows} == {D("60.00")}
        left = done.card_summary
        assert left is not None
        # The card keeps 5,000 of the Nov 25 statement: a minimum of 500.00, which the 1,500
        # paid on Dec 1 already covers; 3,500 is left to pay by Dec 15 to owe no interest.
        assert (left.statement.balance, left.statement.minimum_due) == (D(5000), D(500))
        assert (left.paid, left.minimum_left, left.left) == (D(1500), D(0), D(3500))
    with make_uow() as uow:
        pos = position(uow, user_id=user_id, debt_id=debt_id, today=TODAY)
        assert pos.plan.origin is PlanOrigin.RENEGOTIATED
        assert pos.debt.card_plan_id == pos.plan.id
        assert pos.state.owed_today.total == D(3500)


def test_a_conversion_is_refused_when_the_statement_changed_since_the_preview(
    make_uow: MakeUow, user_id: int
) -> None:
    debt_id = card(make_uow, user_id)
    pay(make_uow, user_id, debt_id, "500", date(2026, 12, 1))
    with make_uow() as uow, pytest.raises(Conflict) as raised:
        convert_to_installments(
            uow,
            user_id=user_id,
            debt_id=debt_id,
            periods=12,
            fee_rate=D("0.006"),
            today=TODAY,
            now=NOW,
            amount=D(15000),  # what the borrower saw before paying 500
        )
    assert (raised.value.code, raised.value.params["most"]) == ("billinst_stale", D(14500))
    assert debt_count(make_uow, user_id) == 1


def test_a_statement_not_out_yet_cannot_be_converted(make_uow: MakeUow, user_id: int) -> None:
    debt_id = card(make_uow, user_id, statement_day=5, due_day=23)
    with make_uow() as uow, pytest.raises(InvalidTerms) as raised:
        preview_installments(
            uow, user_id=user_id, debt_id=debt_id, periods=12, fee_rate=D("0.006"), today=TODAY
        )
    assert (raised.value.code, raised.value.params["date"]) == (
        "billinst_not_out",
        date(2026, 12, 5),
    )


# ---- /hardship: 个性化分期 under art. 70 -----------------------------------------------------


def annuity(principal: int, months: int) -> Decimal:
    """P·i(1+i)^n / ((1+i)^n − 1) at 0.05 % a day × 365 / 12 a month, rounded half up."""
    i = Fraction(5, 10000) * 365 / 12
    growth = (1 + i) ** months
    value = principal * i * growth / (growth - 1)
    return (D(value.numerator) / D(value.denominator)).quantize(D("0.01"), ROUND_HALF_UP)


def test_hardship_offers_a_card_personalised_installments_within_sixty_months(
    make_uow: MakeUow, user_id: int
) -> None:
    debt_id = card(make_uow, user_id)
    answers = HardshipAnswers(
        cause=Cause.JOB_LOSS,
        since=date(2026, 11, 20),
        currency="CNY",
        income=D(3000),
        fixed_expenses=D(2000),
        duration_months=6,
    )
    with make_uow() as uow:
        report_hardship(uow, user_id=user_id, answers=answers, today=TODAY, now=NOW)
        uow.commit()
    with make_uow() as uow:
        plan = hardship_options(uow, user_id=user_id, today=TODAY)
        situation = situation_of(plan.position(debt_id))
    # 3,000 − 2,000 − a 10 % reserve leaves 700 a month; the minimums ask 1,500 now and
    # 1,799.25 next month, and run for years (the projection's rows).
    assert plan.result.affordable == D(700)
    assert situation.revolving
    assert situation.rate.value == D("0.0005")
    assert situation.rate.unit is RateUnit.DAY
    assert len(situation.remaining) > 60
    assert situation.max_term == 60  # art. 70, not the projection's length
    lower = next(o for o in plan.result.ranked if o.kind is OptionKind.LOWER_PAYMENT)
    # At 18.25 % a year, 26 months ask about 702.80 a month (> 700), 27 about 681.56.
    assert annuity(15000, 26) > D(700) >= annuity(15000, 27)
    assert lower.months == 27
    assert lower.max_payment <= D(700)
    assert Note.PERSONALISED_INSTALLMENTS in lower.notes
    # Read as a plan of its own length instead, the card could never be offered fewer months.
    as_a_loan = replace(situation, revolving=False)
    assert as_a_loan.max_term == len(situation.remaining)
    alone = plan_all([as_a_loan], plan.hardship, TODAY)
    assert OptionKind.LOWER_PAYMENT not in {o.kind for o in alone.ranked}


# ---- reading what the borrower types --------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "day"),
    [("5", 5), ("5号", 5), ("每月5日", 5), ("二十三号", 23), ("23rd", 23), ("31", 31)],
)
def test_days_of_the_month_are_read_as_people_write_them(text: str, day: int) -> None:
    assert parse_day_of_month(text, "card_statement_day_range") == day


def test_a_day_out_of_range_or_unreadable_is_refused() -> None:
    with pytest.raises(InvalidTerms) as raised:
        parse_day_of_month("32", "card_statement_day_range")
    assert (raised.value.code, raised.value.params["day"]) == ("card_statement_day_range", 32)
    with pytest.raises(InvalidTerms) as raised:
        parse_day_of_month("月底", "card_due_day_range")
    assert raised.value.code == "card_day_garbage"


def test_the_one_line_form_reads_name_balance_and_days_and_leaves_out_what_is_missing() -> None:
    line = parse_card_line("招行 信用卡 1.5万 5号 23", "CNY")
    assert line.name == "招行 信用卡"
    assert line.balance is not None
    assert line.balance.amount == D(15000)
    assert (line.statement_day, line.due_day) == (5, 23)
    partial = parse_card_line("信用卡 15000", "CNY")
    assert (partial.name, partial.statement_day, partial.due_day) == ("信用卡", None, None)
    assert parse_card_line("招行信用卡", "CNY").balance is None
    with pytest.raises(InvalidAmount) as raised:
        parse_card_line("招行信用卡 -500 5 23", "CNY")
    assert (raised.value.code, raised.value.params["part"]) == ("amount_negative", "balance")
    with pytest.raises(InvalidTerms) as gap:
        parse_card_line("招行信用卡 500 30 31", "CNY")
    assert gap.value.code == "card_due_day_gap"


def test_budget_counts_the_cards_minimum_as_what_it_asks_this_month(
    make_uow: MakeUow, user_id: int
) -> None:
    card(make_uow, user_id)
    with make_uow() as uow:
        due = due_in_month(uow, user_id=user_id, today=TODAY, currency="CNY")
    # December asks the minimum of the Nov 25 statement, due Dec 15: 1,500.00, not 15,000.
    assert [(item.name, item.amount) for item in due.debts] == [("招行信用卡", D("1500.00"))]


def test_the_installments_repay_a_statement_with_charges_and_one_that_never_clears() -> None:
    # A statement of 1,000 holding 20.00 of interest, 5.00 of late fee and 100 of an earlier
    # minimum left unpaid: the minimum asks the charges and that minimum in full, and
    # 10 % × (1,000 − 125) = 87.50. Its charges are posted already, so the whole 1,000 is owed
    # as it stands (principal to the ledger); later statements' interest is interest.
    terms = CardTerms("CNY", 25, 15)
    statement = open_statement(
        terms,
        date(2026, 11, 25),
        D(1000),
        interest=D(20),
        late_fee=D(5),
        overdue_minimum=D(100),
    )
    assert statement.minimum_due == D("212.50")
    projection = minimum_only_projection(terms, statement)
    rows = projection_rows(terms, projection)
    first, second = rows[0], rows[1]
    assert (first.payment, first.fee, first.interest, first.principal) == (
        D("212.50"),
        D(0),
        D(0),
        D("212.50"),
    )
    assert second.interest == projection.statements[1].interest > 0
    assert sum((r.principal for r in rows), D(0)) == D(1000)
    assert sum((r.payment for r in rows), D(0)) == projection.total_paid
    # A 1 % share of the whole balance is below a month's interest (0.05 % × 31 days): the
    # balance never clears, and the last installment holds everything still owed after 600.
    slow = CardTerms(
        "CNY", 25, 15, minimum_rate=D("0.01"), minimum_rule=MinimumRule.SHARE_OF_BALANCE
    )
    never = minimum_only_projection(slow, open_statement(slow, date(2026, 11, 25), D(1000)))
    assert not never.clears
    rows = projection_rows(slow, never)
    assert len(rows) == 600
    assert sum((r.principal for r in rows), D(0)) == D(1000)
    assert sum((r.payment for r in rows), D(0)) == never.total_paid + never.balance_left


def test_converting_an_estimated_statement_does_not_count_its_payments_twice(
    make_uow: MakeUow, user_id: int
) -> None:
    debt_id = card(make_uow, user_id)
    pay(make_uow, user_id, debt_id, "1500", date(2026, 12, 15))
    later = date(2026, 12, 26)
    with make_uow() as uow:
        done = convert_to_installments(
            uow,
            user_id=user_id,
            debt_id=debt_id,
            periods=12,
            fee_rate=D("0.006"),
            today=later,
            now=NOW,
        )
        uow.commit()
        # The Dec 25 statement (13,949.25, of which 449.25 interest) already holds the 1,500
        # paid on Dec 15; its principal, 13,500, is converted and the interest stays on the card.
        assert done.installments.principal_minor == 1350000
        left = done.card_summary
        assert left is not None
        assert (left.statement.balance, left.statement.minimum_due) == (D("449.25"), D("449.25"))
        assert left.paid == 0
    with make_uow() as uow:
        pos = position(uow, user_id=user_id, debt_id=debt_id, today=later)
        assert pos.state.owed_today.total == D("449.25")
        assert [r.payment for r in pos.rows] == [D("449.25")]


def test_paying_the_whole_statement_by_its_due_date_costs_no_interest(
    make_uow: MakeUow, user_id: int
) -> None:
    debt_id = card(make_uow, user_id)
    pay(make_uow, user_id, debt_id, "15000", date(2026, 12, 15))
    with make_uow() as uow:
        pos = position(uow, user_id=user_id, debt_id=debt_id, today=date(2026, 12, 16))
        summary = card_summary(uow, user_id=user_id, debt_id=debt_id, today=date(2026, 12, 26))
    assert pos.state.is_settled
    assert pos.state.owed_today.total == 0
    # The Dec 25 statement: nothing left and no interest (the interest-free period held).
    assert (summary.statement.balance, summary.statement.interest) == (D(0), D(0))
    assert summary.left == 0
