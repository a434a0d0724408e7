"""Typed conversation drafts (bot.conversation): a draft the older code stored (plain strings and
positional lists) still loads after an upgrade, and one that no longer reads is dropped with a
"start again" reply instead of an error."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlmodel import select

from bot.clock import Clock
from bot.features.budget import BudgetDraft
from bot.features.debts_steps import DebtDraft, draft_of, spec_of
from bot.features.hardship_flow import HardshipDraft
from bot.features.hardship_options import LenderChoice
from bot.features.plans_flow import PlanDraft
from bot.localapi import EmulatorState, SimUser
from bot.localapi.models import ChatMessage
from bot.runtime import Deps
from tests.bot.helpers import running
from tracker.parsing.debt_line import parse_debt_line
from tracker.parsing.hardship_text import Cause
from tracker.rates import RateUnit
from tracker.schedule_types import Method
from tracker.storage.enums import Channel, DocumentKind, Language, PlanOrigin, StateNamespace
from tracker.storage.models import Debt, HardshipReport, PlanVersion, User
from tracker.storage.uow import SqlUnitOfWork

MakeUow = Callable[[], SqlUnitOfWork]


async def say(user: SimUser, text: str) -> ChatMessage:
    user.send_text(text)
    return await user.next_message()


async def press(user: SimUser, message: ChatMessage, label: str) -> ChatMessage:
    user.press_button(message, text=label)
    return await user.next_message()


def mid_flow(
    make_uow: MakeUow, clock: Clock, user: SimUser, name: str, state: object, user_data: Any
) -> None:
    """Store what the persistence held for ``user`` in conversation ``name`` before an upgrade."""
    with make_uow() as uow:
        key = f"{name}|{json.dumps([user.chat_id, user.id])}"
        uow.bot_state.put(StateNamespace.CONVERSATIONS, key, json.dumps(state), clock.now())
        text = json.dumps(user_data, ensure_ascii=False)
        uow.bot_state.put(StateNamespace.USER_DATA, str(user.id), text, clock.now())
        uow.commit()


# ---- the older drafts, as the code before the typed drafts stored them ------------------------

OLD_HARDSHIP = {
    "cause": "job_loss",
    "since": "2026-11-20",
    "income": "3000",
    "new_expense": "0",
    "one_off": "250.50",
    "duration": 6,
}
OLD_PLAN = {
    "debt": 7,
    "mode": "terms",
    "principal": "6000.00",
    "rate": ["0.005", "month"],
    "months": 12,
    "method": "annuity",
    "first_due": "2027-01-15",
    "custom": [["2027-01-15", "3000"], ["2027-02-15", "3000.00"]],
    "confirmed_on": "2026-11-28",
    "channel": "hotline",
    "reference": None,
    "doc": ["AgAD-file", "photo"],
}


def test_an_older_hardship_draft_loads_with_its_answers() -> None:
    draft = HardshipDraft.model_validate(OLD_HARDSHIP)
    assert draft.cause is Cause.JOB_LOSS
    assert draft.since == date(2026, 11, 20)
    assert (draft.income, draft.new_expense, draft.one_off) == (
        Decimal(3000),
        Decimal(0),
        Decimal("250.50"),
    )
    assert draft.duration == 6
    assert draft.complete()
    assert draft.savings is None


def test_an_older_plan_draft_reads_its_positional_lists() -> None:
    draft = PlanDraft.model_validate(OLD_PLAN)
    assert draft.rate is not None
    assert (draft.rate.value, draft.rate.unit) == (Decimal("0.005"), RateUnit.MONTH)
    assert draft.custom is not None
    assert [(i.due, i.amount) for i in draft.custom] == [
        (date(2027, 1, 15), Decimal(3000)),
        (date(2027, 2, 15), Decimal(3000)),
    ]
    assert draft.doc is not None
    assert (draft.doc.file_id, draft.doc.kind) == ("AgAD-file", DocumentKind.PHOTO)
    assert (draft.method, draft.channel) == (Method.ANNUITY, Channel.HOTLINE)


def test_an_older_lender_choice_reads_its_list() -> None:
    choice = LenderChoice.model_validate([3, "av", 1, 9])
    assert choice.args() == (3, "av", 1, 9)


@pytest.mark.parametrize(
    "line",
    [
        "金条 1.2万 日息万五 12 等额本息 2027-01-20",
        "白条 6000 0.5%/month 6 flat fee 2027-01-05",
    ],
)
def test_an_older_adddebt_draft_reads_back_as_the_same_debt(line: str) -> None:
    """The older draft was strings only (``"12"``, ``"1"`` for yes): the same debt comes out."""
    spec = parse_debt_line(line, today=date(2026, 12, 1), currency="CNY")
    terms = spec.terms
    old: dict[str, str] = {
        "name": spec.name,
        "principal": str(terms.principal),
        "currency": terms.currency,
        "rate": str(terms.rate.value),
        "unit": terms.rate.unit.value,
        "term": str(terms.term),
        "method": terms.method.value,
        "first_due": terms.first_due.isoformat(),
    }
    if terms.method is Method.FLAT_FEE:
        old["fee"] = str(terms.fee_rate)
    assert spec_of(DebtDraft.model_validate(old)) == spec
    # The optional terms in their older form: "1"/"0" flags and numbers as strings.
    old.update(grace="3", pmode="rate_multiplier", pmult="2", pdaily="0", pint="1", pfees="0")
    changed = spec_of(DebtDraft.model_validate(old))
    assert changed.grace_days == 3
    assert (changed.penalty.multiplier, changed.penalty.on_interest) == (Decimal(2), True)
    assert changed.fees_on_payoff is False


def test_drafts_survive_their_json_form() -> None:
    spec = parse_debt_line(
        "信用卡 20000 年化18% 24 等额本息 2027-01-05", today=date(2026, 12, 1), currency="CNY"
    )
    for draft in (
        HardshipDraft.model_validate(OLD_HARDSHIP),
        PlanDraft.model_validate(OLD_PLAN),
        BudgetDraft(income=Decimal("8000.50")),
        draft_of(spec),
    ):
        stored = json.loads(json.dumps(draft.model_dump(mode="json")))
        assert type(draft).model_validate(stored) == draft


# ---- through the running bot ----------------------------------------------------------------


async def test_a_hardship_answered_before_an_upgrade_finishes_after_it(
    state: EmulatorState,
    deps: Deps,
    clock: Clock,
    en_user: SimUser,
    make_uow: MakeUow,
    given_debt: Callable[..., int],
) -> None:
    given_debt(en_user)
    mid_flow(make_uow, clock, en_user, "hardship", "savings", {"hardship": OLD_HARDSHIP})
    async with running(state, deps, with_jobs=False):
        saved = await say(en_user, "1000")
        assert (saved.text or "").startswith("✅ Saved.")
    with make_uow() as uow:
        (report,) = uow.session.exec(select(HardshipReport)).all()
        figures = (report.income_after_minor, report.one_off_minor, report.savings_minor)
        assert figures == (300_000, 25_050, 100_000)
        assert report.duration_months == 6


async def test_a_draft_that_no_longer_reads_asks_to_start_again(
    state: EmulatorState,
    deps: Deps,
    clock: Clock,
    en_user: SimUser,
    make_uow: MakeUow,
    given_debt: Callable[..., int],
) -> None:
    given_debt(en_user)
    damaged = {"hardship": {**OLD_HARDSHIP, "cause": "bored", "since": "last spring"}}
    mid_flow(make_uow, clock, en_user, "hardship", "savings", damaged)
    async with running(state, deps, with_jobs=False) as app:
        reply = await say(en_user, "1000")
        assert reply.text == "This step has expired: send /hardship to start again."
        assert "hardship" not in app.user_data[en_user.id]
    with make_uow() as uow:
        assert not uow.session.exec(select(HardshipReport)).all()


async def test_a_plan_draft_with_the_older_lists_is_saved_after_an_upgrade(
    state: EmulatorState,
    deps: Deps,
    clock: Clock,
    en_user: SimUser,
    make_uow: MakeUow,
    given_debt: Callable[..., int],
) -> None:
    debt_id = given_debt(en_user)
    old = {**OLD_PLAN, "debt": debt_id, "rate": ["0", "month"]}
    for key in ("custom", "reference", "doc"):
        old.pop(key)
    mid_flow(make_uow, clock, en_user, "plan", "reference", {"plan": old})
    async with running(state, deps, with_jobs=False):
        await say(en_user, "KF-2026-7")
        await say(en_user, "skip")
        summary = await say(en_user, "skip")
        assert "Reference: KF-2026-7" in (summary.text or "")
        await press(en_user, summary, "Save")
    with make_uow() as uow:
        plan = uow.session.exec(
            select(PlanVersion).where(PlanVersion.origin == PlanOrigin.RENEGOTIATED)
        ).one()
        confirmation = (plan.reference, plan.confirmed_on, plan.channel)
        assert confirmation == ("KF-2026-7", date(2026, 11, 28), Channel.HOTLINE)
        assert plan.term_months == 12


async def test_an_adddebt_draft_from_before_an_upgrade_is_saved_after_it(
    state: EmulatorState, deps: Deps, clock: Clock, zh_user: SimUser, make_uow: MakeUow
) -> None:
    old = {
        "name": "金条",
        "principal": "12000",
        "currency": "CNY",
        "rate": "0.0005",
        "unit": "day",
        "term": "12",
        "method": "annuity",
        "grace": "3",
        "pint": "1",
    }
    with make_uow() as uow:
        uow.users.add(
            User(telegram_user_id=zh_user.id, chat_id=zh_user.chat_id, language=Language.ZH)
        )
        uow.commit()
    mid_flow(make_uow, clock, zh_user, "adddebt", 6, {"adddebt": old})  # state FIRST_DUE
    async with running(state, deps, with_jobs=False):
        summary = await say(zh_user, "2027-01-15")
        await press(zh_user, summary, "💾 保存")
    with make_uow() as uow:
        (debt,) = uow.session.exec(select(Debt)).all()
        assert (debt.name, debt.principal_minor, debt.term_months) == ("金条", 1_200_000, 12)
        terms = (debt.first_due, debt.grace_days, debt.penalty_on_interest)
        assert terms == (date(2027, 1, 15), 3, True)


async def test_a_draft_missing_an_answer_asks_to_start_again(
    state: EmulatorState,
    deps: Deps,
    clock: Clock,
    en_user: SimUser,
    make_uow: MakeUow,
    given_debt: Callable[..., int],
) -> None:
    """A draft that reads but lacks an answer a later step needs: no error, a fresh start."""
    debt_id = given_debt(en_user)
    old = {**OLD_PLAN, "debt": debt_id}
    for key in ("custom", "doc", "confirmed_on"):
        old.pop(key)
    mid_flow(make_uow, clock, en_user, "plan", "document", {"plan": old})
    async with running(state, deps, with_jobs=False) as app:
        reply = await say(en_user, "skip")  # the summary needs the confirmation date
        assert reply.text == "This step has expired: send /plan to start again."
        assert "plan" not in app.user_data[en_user.id]
    with make_uow() as uow:
        agreed = select(PlanVersion).where(PlanVersion.origin == PlanOrigin.RENEGOTIATED)
        assert not uow.session.exec(agreed).all()
