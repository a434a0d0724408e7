"""The /plan conversation's draft and questions: from the new terms to the lender's
confirmation; the steps that read the answers live in ``plans_steps``.

The answers so far are a ``PlanDraft`` in ``user_data["plan"]`` (bot.conversation), so the
flow survives a restart; every step re-reads the debt for its owner.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, model_validator

from bot.conversation import Draft, Drafts, need
from bot.features.plans_views import (
    CHANNEL_LABELS,
    DOCUMENT_LABELS,
    METHOD_LABELS,
    METHODS,
    installments,
    payment_text,
    preview_text,
    rate_label,
)
from bot.formatting import esc
from bot.i18n import N_
from bot.runtime import Context, Turn, kb
from bot.views import d, m
from tracker.rates import Rate, RateUnit
from tracker.schedule_types import CustomInstallment, LoanTerms, Method
from tracker.services.hardship import open_proposal
from tracker.services.plans import (
    agreed_terms,
    custom_terms,
    plan_defaults,
    preview_agreed_plan,
)
from tracker.storage.enums import Channel, DocumentKind
from tracker.storage.models import Debt

#: Conversation states, one per question (strings: they are stored as JSON).
DEBT = "debt"
HOW = "how"
PRINCIPAL = "principal"
RATE = "rate"
MONTHS = "months"
METHOD = "method"
FIRST_DUE = "first_due"
LIST = "list"
REVIEW = "review"
CONFIRMED = "confirmed"
CHANNEL = "channel"
REFERENCE = "reference"
AGENT = "agent"
DOCUMENT = "document"
SUMMARY = "summary"


def _pair(value: Any, names: tuple[str, str]) -> Any:
    """The older draft's ``[a, b]`` as the fields ``names``."""
    if isinstance(value, list | tuple) and len(value) == 2:
        return dict(zip(names, value, strict=True))
    return value


class PlanRate(BaseModel):
    """The new plan's rate (older drafts: ``[value, unit]``)."""

    value: Decimal
    unit: RateUnit

    @model_validator(mode="before")
    @classmethod
    def _from_pair(cls, value: Any) -> Any:
        return _pair(value, ("value", "unit"))

    def rate(self) -> Rate:
        """As the calculator's rate."""
        return Rate(self.value, self.unit)


class PlanItem(BaseModel):
    """One installment of a plan given as a list (older drafts: ``[due date, amount]``)."""

    due: date
    amount: Decimal

    @model_validator(mode="before")
    @classmethod
    def _from_pair(cls, value: Any) -> Any:
        return _pair(value, ("due", "amount"))


class PlanDocument(BaseModel):
    """The written confirmation sent (older drafts: ``[file_id, kind]``)."""

    file_id: str
    kind: DocumentKind

    @model_validator(mode="before")
    @classmethod
    def _from_pair(cls, value: Any) -> Any:
        return _pair(value, ("file_id", "kind"))


class PlanDraft(Draft):
    """The answers so far."""

    debt: int | None = None
    #: New terms (rate, months, method, first due date) or a list of installments.
    mode: Literal["terms", "list"] | None = None
    principal: Decimal | None = None
    rate: PlanRate | None = None
    months: int | None = None
    method: Method | None = None
    first_due: date | None = None
    custom: list[PlanItem] | None = None
    #: The /hardship proposal this plan started from, if it did.
    proposal: int | None = None
    confirmed_on: date | None = None
    channel: Channel | None = None
    reference: str | None = None
    agent: str | None = None
    doc: PlanDocument | None = None


DRAFTS = Drafts("plan", PlanDraft, N_("This step has expired: send /plan to start again."))


def start_draft(context: Context, debt_id: int | None = None) -> PlanDraft:
    """Forget any earlier answers; remember the debt if it is already known."""
    return DRAFTS.save(context, PlanDraft(debt=debt_id))


def debt_of(t: Turn, draft: PlanDraft) -> Debt:
    """The draft's debt, checked to be the user's."""
    return t.uow.debts.require_for_user(t.user_id, need(draft.debt))


def terms_of(t: Turn, draft: PlanDraft, debt: Debt) -> LoanTerms:
    """The terms the answers describe, taking effect today."""
    principal = need(draft.principal)
    if draft.mode == "list":
        items = tuple(CustomInstallment(item.due, item.amount) for item in need(draft.custom))
        return custom_terms(debt, principal=principal, installments=items, start=t.today)
    return agreed_terms(
        debt,
        principal=principal,
        rate=need(draft.rate).rate(),
        months=need(draft.months),
        method=need(draft.method),
        first_due=need(draft.first_due),
        start=t.today,
    )


def skip_button(t: Turn) -> list[list[Any]]:
    """The Skip button of an optional question."""
    return kb([t.button(t._("Skip"), "plan_skip")])


# ---- the questions --------------------------------------------------------------------------


async def ask_how(t: Turn, debt_id: int) -> str:
    """Which way the lender described the new plan."""
    defaults = plan_defaults(t.uow, user_id=t.user_id, debt_id=debt_id, today=t.today)
    cur = defaults.debt.currency
    lines = [
        t._(
            "<b>{debt}</b>: you owe {owed} today.",
            debt=esc(defaults.debt.name),
            owed=m(t, defaults.owed_today, cur),
        )
    ]
    if defaults.current.installments:
        lines.append(
            t._(
                "The current plan asks {payment} a month, {installments} left.",
                payment=payment_text(t, defaults.current, cur),
                installments=installments(t, defaults.current.installments),
            )
        )
    lines.append(t._("How did the lender describe the new plan?"))
    proposed = open_proposal(t.uow, user_id=t.user_id, debt_id=debt_id)
    from_proposal = []
    if proposed is not None:
        from_proposal = [
            t.button(
                t._("Start from my proposal of {date}", date=d(t, proposed.created_at.date())),
                "plan_prop",
                proposed.id,
            )
        ]
    await t.reply(
        "\n".join(lines),
        kb(
            from_proposal,
            [t.button(t._("New rate and months"), "plan_how", "terms")],
            [t.button(t._("A list of installments"), "plan_how", "list")],
            [t.button(t._("Plan history"), "plan_hist", debt_id)],
        ),
    )
    return HOW


async def ask_principal(t: Turn, draft: PlanDraft) -> str:
    """How much the new plan repays."""
    defaults = plan_defaults(t.uow, user_id=t.user_id, debt_id=need(draft.debt), today=t.today)
    owed = m(t, defaults.owed_today, defaults.debt.currency)
    lines = [
        t._(
            "How much does the new plan repay? Usually it is what you owe today: <b>{owed}</b>. If the lender waived a part (penalty interest, say), send the reduced amount.",
            owed=owed,
        )
    ]
    await t.reply("\n".join(lines), kb([t.button(t._("Use {owed}", owed=owed), "plan_owed")]))
    return PRINCIPAL


async def after_principal(t: Turn, draft: PlanDraft) -> str:
    """The list of installments, or the rate."""
    if draft.mode == "list":
        debt = debt_of(t, draft)
        await t.reply(
            t._(
                "Send the installments the lender gave you, one per line, a date and an amount:\n<code>2027-01-15 1000</code>\n<code>2027-02-15 1000</code>\nIf they are all equal, one line is enough: <code>1000 x 12 from 2027-01-15</code>.\nTogether they must repay {principal}; anything above it is what the plan costs (interest and fees).",
                principal=m(t, need(draft.principal), debt.currency),
            )
        )
        return LIST
    await t.reply(
        t._(
            "What interest rate does the new plan charge? Many hardship plans stop interest: then send <code>0%</code>. For a flat-fee plan (分期手续费), send the monthly fee, for example <code>0.5%/month</code>."
        ),
        kb([t.button(t._("0% (no interest)"), "plan_rate0")]),
    )
    return RATE


async def ask_months(t: Turn) -> str:
    """How many months."""
    await t.reply(t._("Over how many months? For example <code>24</code> or <code>36期</code>."))
    return MONTHS


async def ask_method(t: Turn) -> str:
    """How it is repaid."""
    buttons = [
        t.button(t._(METHOD_LABELS[method]), "plan_method", method.value) for method in METHODS
    ]
    await t.reply(
        t._("How is it repaid? If unsure, ask the lender: 等额本息 is the most common."),
        kb(buttons[:2], buttons[2:4], buttons[4:]),
    )
    return METHOD


async def ask_first_due(t: Turn, draft: PlanDraft) -> str:
    """The first due date, with the likeliest one as a button."""
    suggested = plan_defaults(
        t.uow, user_id=t.user_id, debt_id=need(draft.debt), today=t.today
    ).first_due
    await t.reply(
        t._(
            "When is the first payment of the new plan due? For example <code>2027-01-15</code> or <code>1月15日</code>."
        ),
        kb([t.button(d(t, suggested), "plan_due", suggested.isoformat())]),
    )
    return FIRST_DUE


async def review(
    t: Turn, context: Context, candidate: PlanDraft, *, lead: str | None = None
) -> str:
    """Show the new plan next to the current one; keep the answers (``candidate``) only if
    they make a plan.

    Started from a proposal (``lead`` says so), the borrower may also say the lender agreed
    to something else and enter that instead.
    """
    debt = debt_of(t, candidate)
    preview = preview_agreed_plan(
        t.uow,
        user_id=t.user_id,
        debt_id=need(candidate.debt),
        terms=terms_of(t, candidate, debt),
        today=t.today,
    )
    DRAFTS.save(context, candidate)
    edit = []
    if lead is not None:
        edit = [t.button(t._("No, enter what was agreed"), "plan_edit")]
    text = preview_text(t, preview) + "\n\n" + t._("Is this the plan the lender agreed to?")
    await t.reply(
        f"{lead}\n\n{text}" if lead else text,
        kb(
            [
                t.button(t._("Yes, continue"), "plan_next"),
                t.button(t._("Cancel"), "plan_stop"),
            ],
            edit,
        ),
    )
    return REVIEW


async def ask_confirmed(t: Turn) -> str:
    """When the lender confirmed it."""
    await t.reply(
        t._(
            "When did the lender confirm it? For example <code>2026-11-28</code> or <code>11月28日</code>."
        ),
        kb([t.button(t._("Today"), "plan_today")]),
    )
    return CONFIRMED


async def ask_channel(t: Turn) -> str:
    """How it was agreed."""
    buttons = [
        t.button(t._(label), "plan_channel", channel.value)
        for channel, label in CHANNEL_LABELS.items()
    ]
    await t.reply(t._("How was it agreed?"), kb(buttons[:2], buttons[2:4], buttons[4:]))
    return CHANNEL


async def ask_reference(t: Turn) -> str:
    """The lender's reference number, or Skip."""
    await t.reply(
        t._(
            "What reference number did the lender give (a case or ticket number, 工单号)? Send it, or press Skip."
        ),
        skip_button(t),
    )
    return REFERENCE


async def ask_agent(t: Turn) -> str:
    """Who agreed it, or Skip."""
    await t.reply(
        t._("Who agreed it: a name or staff number (工号)? Send it, or press Skip."),
        skip_button(t),
    )
    return AGENT


async def ask_document(t: Turn) -> str:
    """The written confirmation, or Skip."""
    await t.reply(
        t._(
            "Send the written confirmation if you have it: a screenshot or photo, or a PDF. Or press Skip."
        ),
        skip_button(t),
    )
    return DOCUMENT


async def summary(t: Turn, draft: PlanDraft) -> str:
    """Everything the plan will be saved with, to check before saving."""
    debt = debt_of(t, draft)
    preview = preview_agreed_plan(
        t.uow,
        user_id=t.user_id,
        debt_id=need(draft.debt),
        terms=terms_of(t, draft, debt),
        today=t.today,
    )
    new, cur = preview.new, debt.currency
    none = t._("none")
    doc = draft.doc
    lines = [
        t._("<b>Please check before saving</b>"),
        t._("Debt: {debt}", debt=esc(debt.name)),
        t._(
            "New plan: {installments} from {first}, {payment} a month, {total} in total",
            installments=installments(t, new.installments),
            first=d(t, new.first_due or t.today),
            payment=payment_text(t, new, cur),
            total=m(t, new.total, cur),
        ),
    ]
    if draft.mode == "terms":
        lines.append(
            t._(
                "Rate: {rate}; {method}",
                rate=rate_label(t, need(draft.rate).rate()),
                method=t._(METHOD_LABELS[need(draft.method)]),
            )
        )
    lines += [
        t._("Confirmed on: {date}", date=d(t, need(draft.confirmed_on))),
        t._("Channel: {channel}", channel=t._(CHANNEL_LABELS[need(draft.channel)])),
        t._("Reference: {reference}", reference=esc(draft.reference or none)),
        t._("Agent: {agent}", agent=esc(draft.agent or none)),
        t._(
            "Written confirmation: {document}",
            document=t._(DOCUMENT_LABELS[doc.kind]) if doc else none,
        ),
    ]
    await t.reply(
        "\n".join(lines),
        kb([t.button(t._("Save"), "plan_save"), t.button(t._("Cancel"), "plan_stop")]),
    )
    return SUMMARY
