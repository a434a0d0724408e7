"""The /plan conversation's first steps, up to the new plan shown for review: each reads an
answer into the ``PlanDraft`` (plans_flow) and asks the next question; ``plans_confirm`` has
the rest."""

from __future__ import annotations

from datetime import date

from telegram import Update

from bot.callbacks import BadCallback
from bot.conversation import need, pressed, text_of
from bot.errors import domain_error_text
from bot.features.plans_flow import (
    DRAFTS,
    PlanDraft,
    PlanItem,
    PlanRate,
    after_principal,
    ask_first_due,
    ask_how,
    ask_method,
    ask_months,
    ask_principal,
    debt_of,
    review,
    start_draft,
)
from bot.features.plans_views import METHODS
from bot.formatting import esc
from bot.runtime import Context, Turn, turn
from bot.views import d
from tracker.errors import DomainError, InvalidTerms
from tracker.parsing import parse_amount, parse_date, parse_method, parse_term
from tracker.parsing.plan_terms import parse_installments, parse_plan_rate
from tracker.rates import ZERO_RATE, Rate
from tracker.schedule_types import Method
from tracker.services.hardship import proposal_terms
from tracker.services.plans import plan_defaults
from tracker.storage.models import Debt


async def debt_chosen(update: Update, context: Context) -> object:
    """A debt was picked from the buttons."""
    async with turn(update, context) as t:
        debt_id = (await pressed(t)).int_arg(0)
        state = await ask_how(t, debt_id)  # checks the debt is the user's
        start_draft(context, debt_id)
        return state
    return None


@DRAFTS.step
async def how_chosen(update: Update, context: Context, draft: PlanDraft) -> object:
    """New terms, or a list of installments."""
    async with turn(update, context) as t:
        mode = (await pressed(t)).arg(0)
        if mode == "terms":
            draft.mode = "terms"
        elif mode == "list":
            draft.mode = "list"
        else:
            raise BadCallback(f"unknown mode {mode!r}")
        return await ask_principal(t, draft)
    return None


@DRAFTS.step
async def principal_typed(update: Update, context: Context, draft: PlanDraft) -> object:
    """The amount the new plan repays."""
    async with turn(update, context) as t:
        debt = debt_of(t, draft)
        parsed = parse_amount(text_of(update), debt.currency)
        if parsed.currency != debt.currency:
            raise InvalidTerms("another currency", code="plan_currency", currency=debt.currency)
        draft.principal = parsed.amount
        return await after_principal(t, draft)
    return None


@DRAFTS.step
async def principal_owed(update: Update, context: Context, draft: PlanDraft) -> object:
    """Use what is owed today."""
    async with turn(update, context) as t:
        await pressed(t)
        draft.principal = plan_defaults(
            t.uow, user_id=t.user_id, debt_id=need(draft.debt), today=t.today
        ).owed_today
        return await after_principal(t, draft)
    return None


def _keep_rate(draft: PlanDraft, rate: Rate) -> None:
    draft.rate = PlanRate(value=rate.value, unit=rate.unit)


@DRAFTS.step
async def rate_typed(update: Update, context: Context, draft: PlanDraft) -> object:
    """The new rate (0 % allowed)."""
    async with turn(update, context) as t:
        _keep_rate(draft, parse_plan_rate(text_of(update)))
        return await ask_months(t)
    return None


@DRAFTS.step
async def rate_zero(update: Update, context: Context, draft: PlanDraft) -> object:
    """Interest is frozen."""
    async with turn(update, context) as t:
        await pressed(t)
        _keep_rate(draft, ZERO_RATE)
        return await ask_months(t)
    return None


@DRAFTS.step
async def months_typed(update: Update, context: Context, draft: PlanDraft) -> object:
    """How many monthly installments."""
    async with turn(update, context) as t:
        draft.months = parse_term(text_of(update))
        return await ask_method(t)
    return None


async def _method(t: Turn, draft: PlanDraft, method: Method) -> str:
    if method not in METHODS:
        raise InvalidTerms("not offered", code="method_unknown", text=method.value)
    draft.method = method
    return await ask_first_due(t, draft)


@DRAFTS.step
async def method_chosen(update: Update, context: Context, draft: PlanDraft) -> object:
    """A repayment method from the buttons."""
    async with turn(update, context) as t:
        value = (await pressed(t)).arg(0)
        if value not in {method.value for method in METHODS}:
            raise BadCallback(f"unknown method {value!r}")
        return await _method(t, draft, Method(value))
    return None


@DRAFTS.step
async def method_typed(update: Update, context: Context, draft: PlanDraft) -> object:
    """A repayment method typed by name (等额本息, annuity…)."""
    async with turn(update, context) as t:
        return await _method(t, draft, parse_method(text_of(update)))
    return None


@DRAFTS.step
async def first_due_typed(update: Update, context: Context, draft: PlanDraft) -> object:
    """The first due date; then the new plan is shown."""
    async with turn(update, context) as t:
        first_due = parse_date(text_of(update), today=t.today)
        return await review(t, context, draft.model_copy(update={"first_due": first_due}))
    return None


@DRAFTS.step
async def first_due_suggested(update: Update, context: Context, draft: PlanDraft) -> object:
    """The suggested first due date."""
    async with turn(update, context) as t:
        value = (await pressed(t)).arg(0)
        try:
            first_due = date.fromisoformat(value)
        except ValueError:
            raise BadCallback(f"not a date: {value!r}") from None
        return await review(t, context, draft.model_copy(update={"first_due": first_due}))
    return None


@DRAFTS.step
async def list_typed(update: Update, context: Context, draft: PlanDraft) -> object:
    """The installments, one per line; then the new plan is shown."""
    async with turn(update, context) as t:
        debt = debt_of(t, draft)
        items = parse_installments(text_of(update), today=t.today, currency=debt.currency)
        custom = [PlanItem(due=item.due_date, amount=item.amount) for item in items]
        return await review(t, context, draft.model_copy(update={"custom": custom}))
    return None


async def proposal_chosen(update: Update, context: Context) -> object:
    """Start from a /hardship proposal: its payments, which the borrower confirms or changes."""
    async with turn(update, context) as t:
        plan_id = (await pressed(t)).int_arg(0)
        start = proposal_terms(t.uow, user_id=t.user_id, plan_id=plan_id)
        debt_id = _debt_id(start.debt)
        draft = start_draft(context, debt_id)
        draft.mode = "list"
        draft.principal = start.principal
        draft.custom = [PlanItem(due=i.due_date, amount=i.amount) for i in start.installments]
        draft.proposal = plan_id
        DRAFTS.save(context, draft)
        lead = t._(
            "<b>{debt}</b>: your proposal of {date}, as the starting point. If the lender agreed to something else, say so and enter that instead.",
            debt=esc(start.debt.name),
            date=d(t, start.plan.created_at.date()),
        )
        try:
            return await review(t, context, draft, lead=lead)
        except DomainError as error:
            # Its first payment date has passed, say: the agreed terms must be entered.
            await t.reply(domain_error_text(error, t._, t.locale))
            return await ask_how(t, debt_id)
    return None


def _debt_id(debt: Debt) -> int:
    assert debt.id is not None  # loaded from the database
    return debt.id


@DRAFTS.step
async def edit_chosen(update: Update, context: Context, draft: PlanDraft) -> object:
    """The lender agreed to something else than the proposal: enter it."""
    async with turn(update, context) as t:
        await pressed(t)
        return await ask_how(t, need(draft.debt))
    return None
