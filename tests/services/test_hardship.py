"""Hardship: the report and its budget snapshot, options from real positions, proposals that
never activate by themselves, and confirming what the lender agreed."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from tracker.capacity import Budget
from tracker.errors import Conflict, InvalidDate, NotFound
from tracker.ledger import PenaltyPolicy
from tracker.parsing.hardship_text import Cause
from tracker.planner import OptionKind, SplitRule
from tracker.rates import Rate, RateUnit
from tracker.schedule_types import CustomInstallment, LoanTerms, Method
from tracker.services.budget import assessment, current_budget, save_budget
from tracker.services.debts import DebtSpec, add_debt, position
from tracker.services.hardship import (
    HardshipAnswers,
    confirm_proposal,
    hardship_defaults,
    hardship_options,
    open_proposal,
    proposal,
    proposal_terms,
    propose,
    reject_proposal,
    report_hardship,
    situation_of,
)
from tracker.services.payments import record_payment
from tracker.storage.enums import (
    BudgetSource,
    Channel,
    HardshipKind,
    PaymentSource,
    PlanOrigin,
    PlanStatus,
)
from tracker.storage.models import User
from tracker.storage.uow import SqlUnitOfWork

D = Decimal
NOW = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
TODAY = date(2026, 12, 1)
MakeUow = Callable[[], SqlUnitOfWork]


def terms(**overrides: Any) -> LoanTerms:
    fields: dict[str, Any] = {
        "principal": D(12000),
        "rate": Rate(D("0.0005"), RateUnit.DAY),
        "term": 12,
        "method": Method.ANNUITY,
        "first_due": date(2026, 12, 15),
        "start_date": date(2026, 11, 15),
    }
    fields.update(overrides)
    return LoanTerms(**fields)


@pytest.fixture
def user_id(make_uow: MakeUow) -> int:
    with make_uow() as uow:
        user = uow.users.add(User(telegram_user_id=2001, chat_id=2001))
        uow.commit()
        assert user.id is not None
        return user.id


def add(make_uow: MakeUow, user_id: int, name: str = "金条", **overrides: Any) -> int:
    with make_uow() as uow:
        debt, _ = add_debt(
            uow, user_id=user_id, spec=DebtSpec(name=name, terms=terms(**overrides)), now=NOW
        )
        uow.commit()
        assert debt.id is not None
        return debt.id


def answers(**overrides: Any) -> HardshipAnswers:
    fields: dict[str, Any] = {
        "cause": Cause.JOB_LOSS,
        "since": date(2026, 11, 20),
        "currency": "CNY",
        "income": D(3000),
        "new_monthly_expense": D(0),
        "one_off_expense": D(0),
        "duration_months": 6,
        "savings": D(2000),
    }
    fields.update(overrides)
    return HardshipAnswers(**fields)


def report(make_uow: MakeUow, user_id: int, **overrides: Any) -> None:
    with make_uow() as uow:
        report_hardship(uow, user_id=user_id, answers=answers(**overrides), today=TODAY, now=NOW)
        uow.commit()


def plans(make_uow: MakeUow, debt_id: int) -> list[tuple[int, PlanStatus, PlanOrigin]]:
    with make_uow() as uow:
        return [(p.version, p.status, p.origin) for p in uow.plans.list_for_debt(debt_id)]


# ---- the report and the budget snapshot -----------------------------------------------------


def test_the_report_and_a_budget_snapshot_are_stored_from_the_budget_before(
    make_uow: MakeUow, user_id: int
) -> None:
    with make_uow() as uow:
        save_budget(
            uow,
            user_id=user_id,
            budget=Budget("CNY", D(9000), D(2500), D(300), D(5000)),
            today=TODAY,
            now=NOW - timedelta(days=30),
        )
        uow.commit()
    report(make_uow, user_id, new_monthly_expense=D(400), one_off_expense=D(1500), savings=D(4000))
    with make_uow() as uow:
        [stored] = uow.hardship.recent_for_user(user_id)
        assert stored.kind is HardshipKind.INCOME_DROP
        assert (stored.income_after_minor, stored.extra_expense_minor) == (300000, 40000)
        assert (stored.one_off_minor, stored.savings_minor, stored.duration_months) == (
            150000,
            400000,
            6,
        )
        # The cause and its start in their own columns (issue 13), no longer inside the text.
        assert (stored.cause, stored.started_on, stored.text) == (
            Cause.JOB_LOSS,
            date(2026, 11, 20),
            None,
        )
        found = current_budget(uow, user_id=user_id, today=TODAY)
        assert found is not None
        budget, valid_from = found
        assert valid_from == TODAY
        # The new expense joins the fixed ones, the one-off comes off savings; the default
        # reserve (a tenth of income) follows the new income.
        assert budget == Budget("CNY", D(3000), D(2900), D(300), D(2500), D(300))
        assert uow.budgets.latest_for_user(user_id).source is BudgetSource.HARDSHIP  # type: ignore[union-attr]
        # The budget every feature reads (/budget, the reminders' risk score) is the new one.
        result = assessment(uow, user_id=user_id, today=TODAY)
        assert result is not None
        assert result.budget.monthly_income == D(3000)


def test_without_a_budget_the_reported_expenses_are_used(make_uow: MakeUow, user_id: int) -> None:
    report(
        make_uow, user_id, cause=Cause.ILLNESS, fixed_expenses=D(1800), new_monthly_expense=D(600)
    )
    with make_uow() as uow:
        [stored] = uow.hardship.recent_for_user(user_id)
        assert stored.kind is HardshipKind.NEW_EXPENSE
        found = current_budget(uow, user_id=user_id, today=TODAY)
        assert found is not None
        assert found[0] == Budget("CNY", D(3000), D(2400), D(0), D(2000), D(300))


def test_a_second_report_starts_again_from_the_borrowers_own_budget(
    make_uow: MakeUow, user_id: int
) -> None:
    with make_uow() as uow:
        save_budget(
            uow,
            user_id=user_id,
            budget=Budget("CNY", D(9000), D(2500), D(0), D(5000), D(500)),
            today=TODAY,
            now=NOW - timedelta(days=1),
        )
        uow.commit()
    report(make_uow, user_id, new_monthly_expense=D(400))
    report(make_uow, user_id, new_monthly_expense=D(400))
    with make_uow() as uow:
        found = current_budget(uow, user_id=user_id, today=TODAY)
        assert found is not None
        # Not 2,500 + 400 + 400: the snapshot derives from the budget the borrower entered,
        # and the reserve they chose stays.
        assert found[0] == Budget("CNY", D(3000), D(2900), D(0), D(2000), D(500))
        defaults = hardship_defaults(uow, user_id=user_id, today=TODAY, currency="CNY")
        assert defaults.base is not None
        assert defaults.base.monthly_income == D(9000)
        assert defaults.savings == D(2000)


def test_a_start_in_the_future_is_refused_and_nothing_is_stored(
    make_uow: MakeUow, user_id: int
) -> None:
    with make_uow() as uow, pytest.raises(InvalidDate):
        report_hardship(
            uow, user_id=user_id, answers=answers(since=date(2026, 12, 2)), today=TODAY, now=NOW
        )
    with make_uow() as uow:
        assert uow.hardship.recent_for_user(user_id) == []
        assert current_budget(uow, user_id=user_id, today=TODAY) is None


# ---- options --------------------------------------------------------------------------------


def test_options_are_built_from_the_real_positions(make_uow: MakeUow, user_id: int) -> None:
    debt_id = add(make_uow, user_id, first_due=date(2026, 11, 15), start_date=date(2026, 10, 15))
    with make_uow() as uow:  # the first installment was paid only in part: 1,101.59 − 500 overdue
        record_payment(
            uow,
            user_id=user_id,
            debt_id=debt_id,
            amount=D(500),
            paid_on=date(2026, 11, 15),
            today=TODAY,
            idempotency_key="test:1",
            now=NOW,
            source=PaymentSource.COMMAND,
        )
        uow.commit()
    report(make_uow, user_id, income=D(2500), savings=D(0))
    with make_uow() as uow:
        pos = position(uow, user_id=user_id, debt_id=debt_id, today=TODAY)
        situation = situation_of(pos)
        assert situation.overdue == pos.state.overdue_amount > 0
        assert situation.penalty == pos.state.owed_today.penalty > 0
        assert situation.principal == pos.state.owed_today.principal
        assert len(situation.remaining) == 11
        assert situation.remaining[0].due_date == date(2026, 12, 15)
        assert situation.monthly_payment == D("1101.59")
        found = hardship_options(uow, user_id=user_id, today=TODAY)
        result = found.result
        assert result.affordable == D(2250)  # 2,500 less the 10 % reserve
        assert [d.debt_id for d in result.debts] == [debt_id]
        kinds = {o.kind for o in result.ranked}
        assert {OptionKind.CURRENT, OptionKind.WAIVER, OptionKind.EXTENSION_PAUSE} <= kinds
        assert found.cause is Cause.JOB_LOSS
        assert found.since == date(2026, 11, 20)
        assert found.income_before is None


def test_the_split_rule_and_nothing_fits(make_uow: MakeUow, user_id: int) -> None:
    add(make_uow, user_id, "金条")
    add(make_uow, user_id, "白条", principal=D(3000), term=6, rate=Rate(D("0.24"), RateUnit.YEAR))
    report(make_uow, user_id, income=D(0), savings=D(0))
    with make_uow() as uow:
        for rule in SplitRule:
            found = hardship_options(uow, user_id=user_id, today=TODAY, rule=rule)
            assert found.result.rule is rule
            assert found.result.nothing_fits
            assert found.result.shortfall > 0
            assert len(found.result.combined) >= 2


def test_no_report_no_options(make_uow: MakeUow, user_id: int) -> None:
    add(make_uow, user_id)
    with make_uow() as uow, pytest.raises(NotFound):
        hardship_options(uow, user_id=user_id, today=TODAY)


# ---- proposals ------------------------------------------------------------------------------


def _propose(make_uow: MakeUow, user_id: int, kind: OptionKind | None = None) -> list[int]:
    with make_uow() as uow:
        found = hardship_options(uow, user_id=user_id, today=TODAY)
        option = (
            found.option(kind)
            if kind
            else next(o for o in found.result.ranked if o.kind is not OptionKind.CURRENT)
        )
        stored = propose(uow, user_id=user_id, plan=found, option=option, now=NOW, today=TODAY)
        uow.commit()
        return [p.id for p in stored if p.id is not None]


def test_a_proposal_never_activates_by_itself(make_uow: MakeUow, user_id: int) -> None:
    debt_id = add(make_uow, user_id)
    report(make_uow, user_id, income=D(2000), savings=D(0))
    [plan_id] = _propose(make_uow, user_id, OptionKind.EXTENSION_INTEREST_ONLY)
    assert plans(make_uow, debt_id) == [
        (1, PlanStatus.ACTIVE, PlanOrigin.ORIGINAL),
        (2, PlanStatus.PROPOSED, PlanOrigin.PROPOSAL),
    ]
    with make_uow() as uow:
        active = uow.installments.for_debt(user_id, debt_id)
        assert {i.plan_version_id for i in active} != {plan_id}
        assert len(active) == 12
        assert position(uow, user_id=user_id, debt_id=debt_id, today=TODAY).plan.version == 1
        stored = proposal(uow, user_id=user_id, plan_id=plan_id)
        assert stored.kind is OptionKind.EXTENSION_INTEREST_ONLY
        assert stored.lender == "金条"
        assert stored.cause is Cause.JOB_LOSS
        assert stored.schedule[0][0] == date(2026, 12, 15)
        assert stored.monthly_payment > 0
        assert sum(amount for _, amount in stored.schedule) == stored.total_paid
        assert open_proposal(uow, user_id=user_id, debt_id=debt_id) is not None
        raw = uow.plans.get_for_user(user_id, plan_id)
        assert raw is not None
        assert json.loads(raw.proposal_json or "")["format"] == 1
    # Choosing the same option again keeps it; another option replaces it.
    assert _propose(make_uow, user_id, OptionKind.EXTENSION_INTEREST_ONLY) == [plan_id]
    _propose(make_uow, user_id, OptionKind.WAIVER)
    assert plans(make_uow, debt_id)[1:] == [
        (2, PlanStatus.SUPERSEDED, PlanOrigin.PROPOSAL),
        (3, PlanStatus.PROPOSED, PlanOrigin.PROPOSAL),
    ]


def test_confirming_activates_the_new_plan_and_supersedes_the_old(
    make_uow: MakeUow, user_id: int
) -> None:
    debt_id = add(make_uow, user_id)
    report(make_uow, user_id, income=D(2000), savings=D(0))
    [plan_id] = _propose(make_uow, user_id, OptionKind.WAIVER)
    with make_uow() as uow:
        start = proposal_terms(uow, user_id=user_id, plan_id=plan_id)
        new, result = confirm_proposal(
            uow,
            user_id=user_id,
            plan_id=plan_id,
            confirmed_on=TODAY,
            channel=Channel.APP_CHAT,
            reference="JD-88",
            agent=None,
            now=NOW,
            today=TODAY,
        )
        uow.commit()
        assert [r.payment for r in result.rows] == [i.amount for i in start.installments]
    assert plans(make_uow, debt_id) == [
        (1, PlanStatus.SUPERSEDED, PlanOrigin.ORIGINAL),
        (2, PlanStatus.SUPERSEDED, PlanOrigin.PROPOSAL),
        (3, PlanStatus.ACTIVE, PlanOrigin.RENEGOTIATED),
    ]
    with make_uow() as uow:
        active = uow.installments.for_debt(user_id, debt_id)
        assert {i.plan_version_id for i in active} == {new.id}
        assert active[0].due_date == start.installments[0].due_date
        plan = position(uow, user_id=user_id, debt_id=debt_id, today=TODAY).plan
        assert (plan.reference, plan.channel) == ("JD-88", Channel.APP_CHAT)
        assert open_proposal(uow, user_id=user_id, debt_id=debt_id) is None
        with pytest.raises(Conflict):
            proposal_terms(uow, user_id=user_id, plan_id=plan_id)


def test_what_the_lender_agreed_may_differ_from_the_proposal(
    make_uow: MakeUow, user_id: int
) -> None:
    debt_id = add(make_uow, user_id)
    report(make_uow, user_id, income=D(2000), savings=D(0))
    [plan_id] = _propose(make_uow, user_id, OptionKind.WAIVER)
    agreed = tuple(CustomInstallment(date(2027, 1, 10 + k), D(1000)) for k in range(12))
    with make_uow() as uow:
        confirm_proposal(
            uow,
            user_id=user_id,
            plan_id=plan_id,
            confirmed_on=TODAY,
            channel=Channel.HOTLINE,
            reference=None,
            agent="王女士",
            now=NOW,
            today=TODAY,
            installments=agreed,
            principal=D(12000),
        )
        uow.commit()
    with make_uow() as uow:
        pos = position(uow, user_id=user_id, debt_id=debt_id, today=TODAY)
        assert [r.payment for r in pos.rows] == [D(1000)] * 12
        assert pos.plan.agent == "王女士"


def test_a_refused_proposal_keeps_the_current_plan(make_uow: MakeUow, user_id: int) -> None:
    debt_id = add(make_uow, user_id)
    report(make_uow, user_id, income=D(1000), savings=D(0))
    [plan_id] = _propose(make_uow, user_id, OptionKind.LOWER_PAYMENT)
    with make_uow() as uow:
        reject_proposal(uow, user_id=user_id, plan_id=plan_id)
        uow.commit()
    assert plans(make_uow, debt_id) == [
        (1, PlanStatus.ACTIVE, PlanOrigin.ORIGINAL),
        (2, PlanStatus.REJECTED, PlanOrigin.PROPOSAL),
    ]
    with make_uow() as uow, pytest.raises(Conflict):
        confirm_proposal(
            uow,
            user_id=user_id,
            plan_id=plan_id,
            confirmed_on=TODAY,
            channel=None,
            reference=None,
            agent=None,
            now=NOW,
            today=TODAY,
        )


def test_a_combined_option_proposes_to_each_lender_it_asks_something_of(
    make_uow: MakeUow, user_id: int
) -> None:
    jintiao = add(make_uow, user_id, "金条")
    baitiao = add(make_uow, user_id, "白条", principal=D(3000), term=6)
    report(make_uow, user_id, income=D(1500), savings=D(0))
    ids = _propose(make_uow, user_id, OptionKind.WAIVER)
    assert len(ids) == 2
    with make_uow() as uow:
        first, second = (proposal(uow, user_id=user_id, plan_id=plan_id) for plan_id in ids)
        assert {first.debt_id, second.debt_id} == {jintiao, baitiao}
        assert first.chosen is OptionKind.WAIVER
        assert [d.name for d in first.debts] == ["金条", "白条"]
        assert first.affordable + second.affordable <= D(1350)


def test_another_users_proposal_is_not_found(make_uow: MakeUow, user_id: int) -> None:
    add(make_uow, user_id)
    report(make_uow, user_id, income=D(2000), savings=D(0))
    [plan_id] = _propose(make_uow, user_id, OptionKind.WAIVER)
    with make_uow() as uow:
        other = uow.users.add(User(telegram_user_id=2002, chat_id=2002))
        assert other.id is not None
        with pytest.raises(NotFound):
            proposal(uow, user_id=other.id, plan_id=plan_id)
        with pytest.raises(NotFound):
            proposal_terms(uow, user_id=other.id, plan_id=plan_id)


def test_a_flat_fee_debt_is_planned_at_its_true_rate(make_uow: MakeUow, user_id: int) -> None:
    with make_uow() as uow:
        spec = DebtSpec(
            name="白条",
            terms=terms(
                principal=D(6000),
                rate=Rate(D(0), RateUnit.MONTH),
                term=12,
                method=Method.FLAT_FEE,
                fee_rate=D("0.006"),
            ),
            penalty=PenaltyPolicy(),
        )
        debt, _ = add_debt(uow, user_id=user_id, spec=spec, now=NOW)
        uow.commit()
        pos = position(uow, user_id=user_id, debt_id=debt.id or 0, today=TODAY)
        rate = situation_of(pos).rate
        assert rate.unit is RateUnit.YEAR
        assert D("0.12") < rate.value < D("0.14")  # 0.6 % a month costs about 13 % a year


@pytest.mark.parametrize("paid", ["500", "1101.59", "2500"])
def test_options_after_a_payment_made_ahead_of_its_due_date(
    make_uow: MakeUow, user_id: int, paid: str
) -> None:
    """Money paid before its due date is held for the next installments (issue 8's ledger):
    the planner's view of the debt must still add up, and match what settling today takes."""
    debt_id = add(make_uow, user_id)
    report(make_uow, user_id)
    with make_uow() as uow:
        record_payment(
            uow,
            user_id=user_id,
            debt_id=debt_id,
            amount=D(paid),
            paid_on=TODAY,
            today=TODAY,
            idempotency_key=f"k-{paid}",
            now=NOW,
        )
        found = hardship_options(uow, user_id=user_id, today=TODAY)
        situation = situation_of(position(uow, user_id=user_id, debt_id=debt_id, today=TODAY))
        settle = position(uow, user_id=user_id, debt_id=debt_id, today=TODAY).state.owed_today.total
    # 12,000 + 16 days (Nov 15 → Dec 1) × 12,000 × 0.05 % = 12,096.00, less what was paid.
    assert settle == D("12096.00") - D(paid)
    parts = situation.principal + situation.interest + situation.penalty + situation.fees
    assert parts == settle
    assert situation.principal == sum((r.principal for r in situation.remaining), D(0))
    assert found.result.ranked
