"""Plans agreed with the lender: recorded, activated over the old plan, validated, listed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from tracker.errors import Conflict, InvalidDate, InvalidTerms, NotFound
from tracker.ledger import Status
from tracker.parsing.plan_terms import (
    parse_installments,
)
from tracker.rates import ZERO_RATE, Rate, RateUnit
from tracker.schedule_types import CustomInstallment, LoanTerms, Method
from tracker.services.debts import DebtSpec, add_debt, add_plan, position, terms_of
from tracker.services.payments import record_payment
from tracker.services.plans import (
    PlanFigures,
    agreed_terms,
    custom_terms,
    plan_defaults,
    plan_document,
    plan_history,
    plan_number,
    preview_agreed_plan,
    record_agreed_plan,
)
from tracker.storage.enums import Channel, DebtStatus, DocumentKind, PlanOrigin, PlanStatus
from tracker.storage.models import User
from tracker.storage.uow import SqlUnitOfWork

D = Decimal
NOW = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
TODAY = date(2026, 12, 1)


def new_user(uow: SqlUnitOfWork, telegram_id: int = 1001) -> int:
    user = uow.users.add(User(telegram_user_id=telegram_id, chat_id=telegram_id))
    assert user.id is not None
    return user.id


@pytest.fixture
def debt_of(make_uow: Callable[[], SqlUnitOfWork]) -> tuple[int, int]:
    """金条: ¥12,000 at 0.05 %/day, 12 annuity installments from 2026-12-15: (user, debt)."""
    terms = LoanTerms(
        principal=D(12000),
        rate=Rate(D("0.0005"), RateUnit.DAY),
        term=12,
        method=Method.ANNUITY,
        first_due=date(2026, 12, 15),
        start_date=date(2026, 11, 15),
    )
    with make_uow() as uow:
        user_id = new_user(uow)
        debt, _ = add_debt(uow, user_id=user_id, spec=DebtSpec(name="金条", terms=terms), now=NOW)
        uow.commit()
        assert debt.id is not None
        return user_id, debt.id


def record(uow: SqlUnitOfWork, ids: tuple[int, int], terms: LoanTerms, **overrides: Any) -> Any:
    user_id, debt_id = ids
    fields: dict[str, Any] = {
        "confirmed_on": TODAY,
        "channel": Channel.HOTLINE,
        "reference": "KF-2026-0042",
        "agent": "王女士",
        "document_file_id": "file-1",
        "document_kind": DocumentKind.PDF,
        "note": None,
        "now": NOW,
        "today": TODAY,
    }
    fields.update(overrides)
    return record_agreed_plan(uow, user_id=user_id, debt_id=debt_id, terms=terms, **fields)


def new_terms(uow: SqlUnitOfWork, ids: tuple[int, int], **overrides: Any) -> LoanTerms:
    debt = uow.debts.require_for_user(*ids)
    fields: dict[str, Any] = {
        "principal": plan_defaults(uow, user_id=ids[0], debt_id=ids[1], today=TODAY).owed_today,
        "rate": ZERO_RATE,
        "months": 24,
        "method": Method.EQUAL_PRINCIPAL,
        "first_due": date(2027, 1, 15),
        "start": TODAY,
    }
    fields.update(overrides)
    return agreed_terms(debt, **fields)


def test_activation_supersedes_the_old_plan_and_moves_the_installments(
    make_uow: Callable[[], SqlUnitOfWork], debt_of: tuple[int, int]
) -> None:
    user_id, debt_id = debt_of
    with make_uow() as uow:
        terms = new_terms(uow, debt_of)
        _plan, result = record(uow, debt_of, terms)
        uow.commit()
        assert len(result.rows) == 24
    with make_uow() as uow:
        old, new = uow.plans.list_for_debt(debt_id)
        assert (old.version, old.status, old.origin) == (
            1,
            PlanStatus.SUPERSEDED,
            PlanOrigin.ORIGINAL,
        )
        assert (new.version, new.status, new.origin) == (
            2,
            PlanStatus.ACTIVE,
            PlanOrigin.RENEGOTIATED,
        )
        assert (new.confirmed_on, new.channel, new.reference, new.agent) == (
            TODAY,
            Channel.HOTLINE,
            "KF-2026-0042",
            "王女士",
        )
        assert (new.document_file_id, new.document_kind) == ("file-1", DocumentKind.PDF)
        assert new.start_date == TODAY
        active = uow.installments.for_debt(user_id, debt_id)
        assert {i.plan_version_id for i in active} == {new.id}
        assert len(active) == 24
        assert old.id is not None
        kept = uow.installments.for_plan(old.id)
        assert len(kept) == 12
        assert not any(i.is_active for i in kept)
        pos = position(uow, user_id=user_id, debt_id=debt_id, today=TODAY)
        assert pos.plan.id == new.id
        assert pos.state.owed_today.total == terms.principal  # nothing accrues at 0 %
        history = plan_history(uow, user_id=user_id, debt_id=debt_id)
        assert [r.plan.version for r in history] == [1, 2]
        assert history[1].figures.installments == 24
        assert history[1].figures.total == terms.principal


def test_preview_compares_with_what_the_current_plan_still_asks(
    make_uow: Callable[[], SqlUnitOfWork], debt_of: tuple[int, int]
) -> None:
    with make_uow() as uow:
        defaults = plan_defaults(uow, user_id=debt_of[0], debt_id=debt_of[1], today=TODAY)
        assert defaults.first_due == date(2026, 12, 15)
        assert defaults.current.installments == 12
        preview = preview_agreed_plan(
            uow,
            user_id=debt_of[0],
            debt_id=debt_of[1],
            terms=new_terms(uow, debt_of, method=Method.ANNUITY, months=12),
            today=TODAY,
        )
        assert preview.new.installments == 12
        assert preview.new.total == defaults.owed_today
        # The old plan charged interest on every future month: the frozen-rate plan costs less.
        assert preview.difference < 0
        assert preview.current.total == defaults.current.total


def pay_today(uow: SqlUnitOfWork, ids: tuple[int, int], amount: str, key: str) -> None:
    user_id, debt_id = ids
    record_payment(
        uow,
        user_id=user_id,
        debt_id=debt_id,
        amount=D(amount),
        paid_on=TODAY,
        today=TODAY,
        idempotency_key=key,
        now=NOW,
    )


def test_a_payment_made_today_counts_towards_the_new_plan_once(
    make_uow: Callable[[], SqlUnitOfWork], debt_of: tuple[int, int]
) -> None:
    """Issue 8 item 2: one definition of what a plan starts from; no payment counted twice."""
    user_id, debt_id = debt_of
    with make_uow() as uow:
        before = plan_defaults(uow, user_id=debt_of[0], debt_id=debt_of[1], today=TODAY).owed_today
        pay_today(uow, debt_of, "500", "tg:update:7")
        defaults = plan_defaults(uow, user_id=debt_of[0], debt_id=debt_of[1], today=TODAY)
        # What the plan starts from is what settling takes after the payment: 500 less.
        assert defaults.owed_today == before - 500
        assert (
            defaults.owed_today
            == position(
                uow, user_id=debt_of[0], debt_id=debt_of[1], today=TODAY
            ).state.owed_today.total
        )
        record(uow, debt_of, new_terms(uow, debt_of))
        now_owed = position(
            uow, user_id=user_id, debt_id=debt_id, today=TODAY
        ).state.owed_today.total
        assert now_owed == before - 500  # the 500 is not taken off a second time
        # A payment recorded after the agreement counts towards the new plan, once.
        pay_today(uow, debt_of, "300", "tg:update:8")
        after = position(uow, user_id=user_id, debt_id=debt_id, today=TODAY).state
        assert after.owed_today.total == before - 500 - 300
        first = after.installments[0]
        assert first.paid == 300
        assert first.status is not Status.PAID  # its installment is still reminded of


def test_a_proposal_and_the_manual_plan_start_from_the_same_figure(
    make_uow: Callable[[], SqlUnitOfWork], debt_of: tuple[int, int]
) -> None:
    """The plan confirmed from a proposal counts the payments recorded after the proposal."""
    user_id, debt_id = debt_of
    with make_uow() as uow:
        pay_today(uow, debt_of, "500", "tg:update:7")
        base = plan_defaults(uow, user_id=debt_of[0], debt_id=debt_of[1], today=TODAY).owed_today
        debt = uow.debts.require_for_user(*debt_of)
        proposal_plan = add_plan(
            uow,
            debt=debt,
            terms=agreed_terms(
                debt,
                principal=base,
                rate=ZERO_RATE,
                months=12,
                method=Method.EQUAL_PRINCIPAL,
                first_due=date(2027, 1, 15),
                start=TODAY,
            ),
            origin=PlanOrigin.PROPOSAL,
            now=NOW,
        )
        proposal_plan.after_payment_id = uow.payments.last_id_for_debt(debt_id)
        # Paid between the proposal and the lender's yes: it counts towards the agreed plan.
        pay_today(uow, debt_of, "200", "tg:update:8")
        record(
            uow,
            debt_of,
            new_terms(uow, debt_of, principal=base, months=12),
            proposal=proposal_plan,
        )
        assert (
            position(uow, user_id=user_id, debt_id=debt_id, today=TODAY).state.owed_today.total
            == base - 200
        )


def test_a_custom_plan_from_a_list_and_a_short_one_refused(
    make_uow: Callable[[], SqlUnitOfWork], debt_of: tuple[int, int]
) -> None:
    with make_uow() as uow:
        debt = uow.debts.require_for_user(*debt_of)
        owed = plan_defaults(uow, user_id=debt_of[0], debt_id=debt_of[1], today=TODAY).owed_today
        listed = parse_installments("1000 x 11 from 2027-01-15", today=TODAY, currency="CNY")
        short = custom_terms(debt, principal=owed, installments=listed, start=TODAY)
        with pytest.raises(InvalidTerms) as info:
            record(uow, debt_of, short)
        assert info.value.code == "custom_short"
        enough = (*listed, CustomInstallment(date(2027, 12, 15), owed))
        plan, result = record(
            uow,
            debt_of,
            custom_terms(debt, principal=owed, installments=enough, start=TODAY),
            document_kind=DocumentKind.PHOTO,
        )
        assert plan.method is Method.CUSTOM
        assert [row.payment for row in result.rows][:2] == [D(1000), D(1000)]
        assert result.totals.fee == D(11000)  # paid beyond what was owed


def test_future_confirmation_and_bad_details_are_refused(
    make_uow: Callable[[], SqlUnitOfWork], debt_of: tuple[int, int]
) -> None:
    cases: list[tuple[dict[str, Any], str]] = [
        ({"confirmed_on": date(2026, 12, 2)}, "date_confirmed_future"),
        ({"confirmed_on": date(2026, 1, 1)}, "date_confirmed_early"),
        ({"reference": "X" * 65}, "reference_too_long"),
        ({"agent": "Y" * 65}, "agent_too_long"),
        ({"document_kind": None}, "document_invalid"),
    ]
    for overrides, code in cases:
        with make_uow() as uow, pytest.raises((InvalidTerms, InvalidDate)) as info:
            record(uow, debt_of, new_terms(uow, debt_of), **overrides)
        assert info.value.code == code
    with make_uow() as uow:
        for overrides, code in [
            ({"first_due": TODAY}, "date_first_due_order"),
            ({"start": date(2026, 12, 2)}, "date_plan_future"),
            ({"start": date(2026, 11, 1)}, "date_plan_early"),
        ]:
            with pytest.raises(InvalidDate) as info:
                record(uow, debt_of, new_terms(uow, debt_of, **overrides))
            assert info.value.code == code
    with make_uow() as uow:
        assert len(uow.plans.list_for_debt(debt_of[1])) == 1


def test_another_users_debt_and_plan_are_refused(
    make_uow: Callable[[], SqlUnitOfWork], debt_of: tuple[int, int]
) -> None:
    with make_uow() as uow:
        mine = record(uow, debt_of, new_terms(uow, debt_of))[0]
        uow.commit()
        plan_id = mine.id
    with make_uow() as uow:
        stranger = new_user(uow, telegram_id=2002)
        uow.commit()
    with make_uow() as uow:
        terms = new_terms(uow, debt_of)
        with pytest.raises(NotFound) as info:
            record(uow, (stranger, debt_of[1]), terms)
        assert info.value.code == "debt_not_found"
        with pytest.raises(NotFound):
            plan_history(uow, user_id=stranger, debt_id=debt_of[1])
        with pytest.raises(NotFound):
            plan_document(uow, user_id=stranger, plan_id=plan_id)
        assert plan_document(uow, user_id=debt_of[0], plan_id=plan_id).file_id == "file-1"


def test_a_closed_debt_gets_no_new_plan(
    make_uow: Callable[[], SqlUnitOfWork], debt_of: tuple[int, int]
) -> None:
    with make_uow() as uow:
        terms = new_terms(uow, debt_of)
        uow.debts.require_for_user(*debt_of).status = DebtStatus.CLOSED
        with pytest.raises(Conflict) as info:
            record(uow, debt_of, terms)
        assert info.value.code == "plan_debt_closed"


def test_figures_pick_the_usual_payment() -> None:
    figures = PlanFigures.of(
        [(date(2027, m, 1), amount) for m, amount in ((1, D(5)), (2, D(3)), (3, D(3)), (4, D(9)))]
    )
    assert (figures.typical_payment, figures.lowest_payment, figures.highest_payment) == (
        D(3),
        D(3),
        D(9),
    )
    assert figures.total == D(20)


def test_shown_numbers_count_the_plans_in_force_and_skip_drafts(
    make_uow: Callable[[], SqlUnitOfWork], debt_of: tuple[int, int]
) -> None:
    """Stored rows 1-5: original, draft, prepayment recompute, draft, agreed. Shown: 1, -, 2, -, 3.

    A plan the lender recomputed after a prepayment replaced the schedule in force, so it is a
    version the borrower lived under; /hardship drafts never were.
    """
    user_id, debt_id = debt_of
    with make_uow() as uow:
        debt = uow.debts.require_for_user(user_id, debt_id)
        original = uow.plans.active_for_debt(debt_id)
        assert original is not None
        terms = terms_of(debt, original)
        add_plan(uow, debt=debt, terms=terms, origin=PlanOrigin.PROPOSAL, now=NOW)
        recomputed = add_plan(uow, debt=debt, terms=terms, origin=PlanOrigin.PREPAYMENT, now=NOW)
        uow.plans.activate(recomputed, NOW)
        add_plan(uow, debt=debt, terms=terms, origin=PlanOrigin.PROPOSAL, now=NOW)
        agreed, _ = record(uow, debt_of, new_terms(uow, debt_of))
        assert plan_number(uow, plan=agreed) == 3
        agreed_id = agreed.id
        uow.commit()
    with make_uow() as uow:
        history = plan_history(uow, user_id=user_id, debt_id=debt_id)
        assert [(r.plan.version, r.plan.origin, r.number) for r in history] == [
            (1, PlanOrigin.ORIGINAL, 1),
            (2, PlanOrigin.PROPOSAL, None),
            (3, PlanOrigin.PREPAYMENT, 2),
            (4, PlanOrigin.PROPOSAL, None),
            (5, PlanOrigin.RENEGOTIATED, 3),
        ]
        assert agreed_id is not None
        assert plan_document(uow, user_id=user_id, plan_id=agreed_id).number == 3
