"""The /plan conversation's steps: from the new terms to the lender's confirmation and saving.

The answers so far live in ``user_data["plan"]`` (persisted as JSON: amounts and dates are kept
as strings), so the flow survives a restart; every step re-reads the debt for its owner.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Coroutine
from datetime import date
from decimal import Decimal
from typing import Any

from telegram import Update
from telegram.ext import ConversationHandler

from bot.callbacks import BadCallback, Callback, decode
from bot.errors import domain_error_text
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
from bot.runtime import Context, Turn, kb, turn
from bot.views import d, m
from tracker.errors import DomainError, InvalidTerms
from tracker.parsing import normalise_text, parse_amount, parse_date, parse_method, parse_term
from tracker.parsing.text import is_skip
from tracker.rates import ZERO_RATE, Rate, RateUnit
from tracker.schedule_types import CustomInstallment, LoanTerms, Method
from tracker.services.hardship import open_proposal, proposal_terms
from tracker.services.plans import (
    agreed_terms,
    check_confirmed_on,
    clean_agent,
    clean_reference,
    custom_terms,
    parse_installments,
    parse_past_date,
    parse_plan_rate,
    plan_defaults,
    plan_number,
    preview_agreed_plan,
    record_agreed_plan,
)
from tracker.storage.enums import Channel, DocumentKind
from tracker.storage.models import Debt, PlanVersion

END = ConversationHandler.END
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

#: The draft's key in user_data.
DRAFT = "plan"
#: Typed instead of pressing Skip: the shared words, and "don't know" (a reference or a name).
UNKNOWN_WORDS = frozenset({"不知道", "don't know", "dont know", "unknown"})

#: A screenshot or photo sent as a file (uncompressed): kept as the confirmation, like a photo.
IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/heic", "image/heif", "image/webp"})
IMAGE_EXTENSIONS = frozenset({"png", "jpg", "jpeg", "heic", "heif", "webp"})

Handler = Callable[[Update, Context], Coroutine[Any, Any, object]]


# ---- the draft ------------------------------------------------------------------------------


def draft(context: Context) -> dict[str, Any]:
    """This user's answers so far."""
    assert context.user_data is not None  # updates from users always have user_data
    value = context.user_data.setdefault(DRAFT, {})
    assert isinstance(value, dict)
    return value


def start_draft(context: Context, debt_id: int | None = None) -> dict[str, Any]:
    """Forget any earlier answers; remember the debt if it is already known."""
    assert context.user_data is not None
    context.user_data[DRAFT] = {} if debt_id is None else {"debt": debt_id}
    return draft(context)


def drop_draft(context: Context) -> None:
    """Forget the answers (saved or cancelled)."""
    if context.user_data is not None:
        context.user_data.pop(DRAFT, None)


def in_flow(handler: Handler) -> Handler:
    """Run a step only while its draft exists (a global /cancel may have cleared user_data)."""

    @functools.wraps(handler)
    async def step(update: Update, context: Context) -> object:
        if context.user_data is not None and DRAFT in context.user_data:
            return await handler(update, context)
        async with turn(update, context) as t:
            await t.answer()
            await t.reply(t._("This step has expired: send /plan to start again."))
        return END

    return step


def _debt(t: Turn, values: dict[str, Any]) -> Debt:
    return t.uow.debts.require_for_user(t.user_id, int(values["debt"]))


def _terms(t: Turn, values: dict[str, Any], debt: Debt) -> LoanTerms:
    """The terms the answers describe, taking effect today."""
    principal = Decimal(values["principal"])
    if values["mode"] == "list":
        items = tuple(
            CustomInstallment(date.fromisoformat(a), Decimal(b)) for a, b in values["custom"]
        )
        return custom_terms(debt, principal=principal, installments=items, start=t.today)
    value, unit = values["rate"]
    return agreed_terms(
        debt,
        principal=principal,
        rate=Rate(Decimal(value), RateUnit(unit)),
        months=int(values["months"]),
        method=Method(values["method"]),
        first_due=date.fromisoformat(values["first_due"]),
        start=t.today,
    )


# ---- small helpers --------------------------------------------------------------------------


async def pressed(t: Turn) -> Callback:
    """The button's data, checked to belong to the sender; answers the press."""
    query = t.update.callback_query
    assert query is not None
    data = decode(query.data, t.update_user_id)
    await t.answer()
    return data


def typed(update: Update) -> str:
    """The text of the message."""
    assert update.message is not None
    assert update.message.text is not None
    return update.message.text


def _is_skip(text: str) -> bool:
    return is_skip(text) or normalise_text(text).casefold() in UNKNOWN_WORDS


def _skip_button(t: Turn) -> list[list[Any]]:
    return kb([t.button(t._("Skip"), "plan_skip")])


# ---- the questions --------------------------------------------------------------------------


async def ask_how(t: Turn, debt_id: int) -> str:
    """Which way the lender described the new plan."""
    defaults = plan_defaults(t.uow, t.user_id, debt_id, t.today)
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
    proposed = open_proposal(t.uow, t.user_id, debt_id)
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


async def _ask_principal(t: Turn, values: dict[str, Any]) -> str:
    defaults = plan_defaults(t.uow, t.user_id, int(values["debt"]), t.today)
    owed = m(t, defaults.owed_today, defaults.debt.currency)
    lines = [
        t._(
            "How much does the new plan repay? Usually it is what you owe today: <b>{owed}</b>. If the lender waived a part (penalty interest, say), send the reduced amount.",
            owed=owed,
        )
    ]
    await t.reply("\n".join(lines), kb([t.button(t._("Use {owed}", owed=owed), "plan_owed")]))
    return PRINCIPAL


async def _after_principal(t: Turn, values: dict[str, Any]) -> str:
    if values["mode"] == "list":
        debt = _debt(t, values)
        await t.reply(
            t._(
                "Send the installments the lender gave you, one per line, a date and an amount:\n<code>2027-01-15 1000</code>\n<code>2027-02-15 1000</code>\nIf they are all equal, one line is enough: <code>1000 x 12 from 2027-01-15</code>.\nTogether they must repay {principal}; anything above it is what the plan costs (interest and fees).",
                principal=m(t, Decimal(values["principal"]), debt.currency),
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


async def _ask_months(t: Turn) -> str:
    await t.reply(t._("Over how many months? For example <code>24</code> or <code>36期</code>."))
    return MONTHS


async def _ask_method(t: Turn) -> str:
    buttons = [
        t.button(t._(METHOD_LABELS[method]), "plan_method", method.value) for method in METHODS
    ]
    await t.reply(
        t._("How is it repaid? If unsure, ask the lender: 等额本息 is the most common."),
        kb(buttons[:2], buttons[2:4], buttons[4:]),
    )
    return METHOD


async def _ask_first_due(t: Turn, values: dict[str, Any]) -> str:
    suggested = plan_defaults(t.uow, t.user_id, int(values["debt"]), t.today).first_due
    await t.reply(
        t._(
            "When is the first payment of the new plan due? For example <code>2027-01-15</code> or <code>1月15日</code>."
        ),
        kb([t.button(d(t, suggested), "plan_due", suggested.isoformat())]),
    )
    return FIRST_DUE


async def _review(
    t: Turn, values: dict[str, Any], changes: dict[str, Any], *, lead: str | None = None
) -> str:
    """Show the new plan next to the current one; keep the answers only if they make a plan.

    Started from a proposal (``lead`` says so), the borrower may also say the lender agreed
    to something else and enter that instead.
    """
    candidate = {**values, **changes}
    debt = _debt(t, candidate)
    preview = preview_agreed_plan(
        t.uow, t.user_id, int(candidate["debt"]), _terms(t, candidate, debt), t.today
    )
    values.update(changes)
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


async def _ask_confirmed(t: Turn) -> str:
    await t.reply(
        t._(
            "When did the lender confirm it? For example <code>2026-11-28</code> or <code>11月28日</code>."
        ),
        kb([t.button(t._("Today"), "plan_today")]),
    )
    return CONFIRMED


async def _ask_channel(t: Turn) -> str:
    buttons = [
        t.button(t._(label), "plan_channel", channel.value)
        for channel, label in CHANNEL_LABELS.items()
    ]
    await t.reply(t._("How was it agreed?"), kb(buttons[:2], buttons[2:4], buttons[4:]))
    return CHANNEL


async def _ask_reference(t: Turn) -> str:
    await t.reply(
        t._(
            "What reference number did the lender give (a case or ticket number, 工单号)? Send it, or press Skip."
        ),
        _skip_button(t),
    )
    return REFERENCE


async def _ask_agent(t: Turn) -> str:
    await t.reply(
        t._("Who agreed it: a name or staff number (工号)? Send it, or press Skip."),
        _skip_button(t),
    )
    return AGENT


async def _ask_document(t: Turn) -> str:
    await t.reply(
        t._(
            "Send the written confirmation if you have it: a screenshot or photo, or a PDF. Or press Skip."
        ),
        _skip_button(t),
    )
    return DOCUMENT


async def _summary(t: Turn, values: dict[str, Any]) -> str:
    debt = _debt(t, values)
    preview = preview_agreed_plan(
        t.uow, t.user_id, int(values["debt"]), _terms(t, values, debt), t.today
    )
    new, cur = preview.new, debt.currency
    none = t._("none")
    doc = values.get("doc")
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
    if values["mode"] == "terms":
        lines.append(
            t._(
                "Rate: {rate}; {method}",
                rate=rate_label(t, Rate(Decimal(values["rate"][0]), RateUnit(values["rate"][1]))),
                method=t._(METHOD_LABELS[Method(values["method"])]),
            )
        )
    lines += [
        t._("Confirmed on: {date}", date=d(t, date.fromisoformat(values["confirmed_on"]))),
        t._("Channel: {channel}", channel=t._(CHANNEL_LABELS[Channel(values["channel"])])),
        t._("Reference: {reference}", reference=esc(values.get("reference") or none)),
        t._("Agent: {agent}", agent=esc(values.get("agent") or none)),
        t._(
            "Written confirmation: {document}",
            document=t._(DOCUMENT_LABELS[DocumentKind(doc[1])]) if doc else none,
        ),
    ]
    await t.reply(
        "\n".join(lines),
        kb([t.button(t._("Save"), "plan_save"), t.button(t._("Cancel"), "plan_stop")]),
    )
    return SUMMARY


# ---- the steps ------------------------------------------------------------------------------


async def debt_chosen(update: Update, context: Context) -> object:
    """A debt was picked from the buttons."""
    async with turn(update, context) as t:
        debt_id = (await pressed(t)).int_arg(0)
        state = await ask_how(t, debt_id)  # checks the debt is the user's
        start_draft(context, debt_id)
        return state
    return None


@in_flow
async def how_chosen(update: Update, context: Context) -> object:
    """New terms, or a list of installments."""
    async with turn(update, context) as t:
        mode = (await pressed(t)).arg(0)
        if mode not in ("terms", "list"):
            raise BadCallback(f"unknown mode {mode!r}")
        values = draft(context)
        values["mode"] = mode
        return await _ask_principal(t, values)
    return None


@in_flow
async def principal_typed(update: Update, context: Context) -> object:
    """The amount the new plan repays."""
    async with turn(update, context) as t:
        values = draft(context)
        debt = _debt(t, values)
        parsed = parse_amount(typed(update), debt.currency)
        if parsed.currency != debt.currency:
            raise InvalidTerms("another currency", code="plan_currency", currency=debt.currency)
        values["principal"] = str(parsed.amount)
        return await _after_principal(t, values)
    return None


@in_flow
async def principal_owed(update: Update, context: Context) -> object:
    """Use what is owed today."""
    async with turn(update, context) as t:
        await pressed(t)
        values = draft(context)
        defaults = plan_defaults(t.uow, t.user_id, int(values["debt"]), t.today)
        values["principal"] = str(defaults.owed_today)
        return await _after_principal(t, values)
    return None


def _keep_rate(values: dict[str, Any], rate: Rate) -> None:
    values["rate"] = [str(rate.value), rate.unit.value]


@in_flow
async def rate_typed(update: Update, context: Context) -> object:
    """The new rate (0 % allowed)."""
    async with turn(update, context) as t:
        rate = parse_plan_rate(typed(update))
        _keep_rate(draft(context), rate)
        return await _ask_months(t)
    return None


@in_flow
async def rate_zero(update: Update, context: Context) -> object:
    """Interest is frozen."""
    async with turn(update, context) as t:
        await pressed(t)
        _keep_rate(draft(context), ZERO_RATE)
        return await _ask_months(t)
    return None


@in_flow
async def months_typed(update: Update, context: Context) -> object:
    """How many monthly installments."""
    async with turn(update, context) as t:
        months = parse_term(typed(update))
        draft(context)["months"] = months
        return await _ask_method(t)
    return None


async def _method(t: Turn, context: Context, method: Method) -> str:
    if method not in METHODS:
        raise InvalidTerms("not offered", code="method_unknown", text=method.value)
    values = draft(context)
    values["method"] = method.value
    return await _ask_first_due(t, values)


@in_flow
async def method_chosen(update: Update, context: Context) -> object:
    """A repayment method from the buttons."""
    async with turn(update, context) as t:
        value = (await pressed(t)).arg(0)
        if value not in {method.value for method in METHODS}:
            raise BadCallback(f"unknown method {value!r}")
        return await _method(t, context, Method(value))
    return None


@in_flow
async def method_typed(update: Update, context: Context) -> object:
    """A repayment method typed by name (等额本息, annuity…)."""
    async with turn(update, context) as t:
        return await _method(t, context, parse_method(typed(update)))
    return None


@in_flow
async def first_due_typed(update: Update, context: Context) -> object:
    """The first due date; then the new plan is shown."""
    async with turn(update, context) as t:
        first_due = parse_date(typed(update), today=t.today)
        return await _review(t, draft(context), {"first_due": first_due.isoformat()})
    return None


@in_flow
async def first_due_suggested(update: Update, context: Context) -> object:
    """The suggested first due date."""
    async with turn(update, context) as t:
        value = (await pressed(t)).arg(0)
        try:
            first_due = date.fromisoformat(value)
        except ValueError:
            raise BadCallback(f"not a date: {value!r}") from None
        return await _review(t, draft(context), {"first_due": first_due.isoformat()})
    return None


@in_flow
async def list_typed(update: Update, context: Context) -> object:
    """The installments, one per line; then the new plan is shown."""
    async with turn(update, context) as t:
        values = draft(context)
        debt = _debt(t, values)
        items = parse_installments(typed(update), today=t.today, currency=debt.currency)
        custom = [[item.due_date.isoformat(), str(item.amount)] for item in items]
        return await _review(t, values, {"custom": custom})
    return None


async def proposal_chosen(update: Update, context: Context) -> object:
    """Start from a /hardship proposal: its payments, which the borrower confirms or changes."""
    async with turn(update, context) as t:
        plan_id = (await pressed(t)).int_arg(0)
        start = proposal_terms(t.uow, t.user_id, plan_id)
        debt_id = _debt_id(start.debt)
        values = start_draft(context, debt_id)
        values.update(
            {
                "mode": "list",
                "principal": str(start.principal),
                "custom": [[i.due_date.isoformat(), str(i.amount)] for i in start.installments],
                "proposal": plan_id,
            }
        )
        lead = t._(
            "<b>{debt}</b>: your proposal of {date}, as the starting point. If the lender agreed to something else, say so and enter that instead.",
            debt=esc(start.debt.name),
            date=d(t, start.plan.created_at.date()),
        )
        try:
            return await _review(t, values, {}, lead=lead)
        except DomainError as error:
            # Its first payment date has passed, say: the agreed terms must be entered.
            await t.reply(domain_error_text(error, t._, t.locale))
            return await ask_how(t, debt_id)
    return None


def _proposal(t: Turn, values: dict[str, Any]) -> PlanVersion | None:
    """The /hardship proposal this plan started from, if it did (its figures' starting point)."""
    plan_id = values.get("proposal")
    if plan_id is None:
        return None
    return t.uow.plans.get_for_user(t.user_id, int(plan_id))


def _debt_id(debt: Debt) -> int:
    assert debt.id is not None  # loaded from the database
    return debt.id


@in_flow
async def edit_chosen(update: Update, context: Context) -> object:
    """The lender agreed to something else than the proposal: enter it."""
    async with turn(update, context) as t:
        await pressed(t)
        return await ask_how(t, int(draft(context)["debt"]))
    return None


@in_flow
async def review_accepted(update: Update, context: Context) -> object:
    """The plan shown is the one agreed: on to the confirmation details."""
    async with turn(update, context) as t:
        await pressed(t)
        return await _ask_confirmed(t)
    return None


async def _confirmed(t: Turn, context: Context, confirmed_on: date) -> str:
    values = draft(context)
    check_confirmed_on(_debt(t, values), confirmed_on, t.today)
    values["confirmed_on"] = confirmed_on.isoformat()
    return await _ask_channel(t)


@in_flow
async def confirmed_typed(update: Update, context: Context) -> object:
    """The day the lender confirmed the plan."""
    async with turn(update, context) as t:
        return await _confirmed(t, context, parse_past_date(typed(update), today=t.today))
    return None


@in_flow
async def confirmed_today(update: Update, context: Context) -> object:
    """Confirmed today."""
    async with turn(update, context) as t:
        await pressed(t)
        return await _confirmed(t, context, t.today)
    return None


@in_flow
async def channel_chosen(update: Update, context: Context) -> object:
    """How it was agreed."""
    async with turn(update, context) as t:
        value = (await pressed(t)).arg(0)
        if value not in {channel.value for channel in Channel}:
            raise BadCallback(f"unknown channel {value!r}")
        draft(context)["channel"] = value
        return await _ask_reference(t)
    return None


@in_flow
async def reference_typed(update: Update, context: Context) -> object:
    """The lender's reference number."""
    async with turn(update, context) as t:
        text = typed(update)
        draft(context)["reference"] = None if _is_skip(text) else clean_reference(text)
        return await _ask_agent(t)
    return None


@in_flow
async def reference_skipped(update: Update, context: Context) -> object:
    """No reference number."""
    async with turn(update, context) as t:
        await pressed(t)
        draft(context)["reference"] = None
        return await _ask_agent(t)
    return None


@in_flow
async def agent_typed(update: Update, context: Context) -> object:
    """Who agreed it."""
    async with turn(update, context) as t:
        text = typed(update)
        draft(context)["agent"] = None if _is_skip(text) else clean_agent(text)
        return await _ask_document(t)
    return None


@in_flow
async def agent_skipped(update: Update, context: Context) -> object:
    """No name."""
    async with turn(update, context) as t:
        await pressed(t)
        draft(context)["agent"] = None
        return await _ask_document(t)
    return None


@in_flow
async def photo_sent(update: Update, context: Context) -> object:
    """A photo or screenshot of the confirmation: its file_id is kept."""
    async with turn(update, context) as t:
        assert update.message is not None
        assert update.message.photo
        values = draft(context)
        values["doc"] = [update.message.photo[-1].file_id, DocumentKind.PHOTO.value]
        return await _summary(t, values)
    return None


def document_kind(mime_type: str | None, file_name: str | None) -> DocumentKind | None:
    """What a file sent as a document is kept as: a PDF, an image (a screenshot or photo sent
    as a file: kept like a photo), or nothing."""
    mime = (mime_type or "").casefold()
    name = (file_name or "").casefold()
    extension = name.rsplit(".", 1)[1] if "." in name else ""
    if mime == "application/pdf" or extension == "pdf":
        return DocumentKind.PDF
    if mime in IMAGE_TYPES or extension in IMAGE_EXTENSIONS:
        return DocumentKind.PHOTO
    return None


@in_flow
async def document_sent(update: Update, context: Context) -> object:
    """A PDF or an image file is kept; any other file is refused and the question asked again."""
    async with turn(update, context) as t:
        assert update.message is not None
        assert update.message.document is not None
        document = update.message.document
        name = document.file_name or ""
        kind = document_kind(document.mime_type, name)
        if kind is None:
            await t.reply(
                t._(
                    "I can keep a photo or a PDF only, and “{name}” is neither. Send a screenshot or photo of the confirmation, the PDF, or press Skip.",
                    name=esc(name or document.mime_type or "?"),
                ),
                _skip_button(t),
            )
            return None
        values = draft(context)
        values["doc"] = [document.file_id, kind.value]
        return await _summary(t, values)
    return None


@in_flow
async def document_skipped(update: Update, context: Context) -> object:
    """No written confirmation."""
    async with turn(update, context) as t:
        if update.callback_query is not None:
            await pressed(t)
        elif not _is_skip(typed(update)):
            await t.reply(t._("Please send a photo or a PDF, or press Skip."), _skip_button(t))
            return None
        values = draft(context)
        values["doc"] = None
        return await _summary(t, values)
    return None


@in_flow
async def not_a_document(update: Update, context: Context) -> object:
    """A sticker, video or voice note where the confirmation was asked for."""
    async with turn(update, context) as t:
        await t.reply(t._("Please send a photo or a PDF, or press Skip."), _skip_button(t))
    return None


@in_flow
async def save(update: Update, context: Context) -> object:
    """Store the plan, make it the active one, and say what follows."""
    async with turn(update, context) as t:
        await pressed(t)
        values = draft(context)
        debt = _debt(t, values)
        doc = values.get("doc")
        plan, result = record_agreed_plan(
            t.uow,
            t.user_id,
            int(values["debt"]),
            _terms(t, values, debt),
            confirmed_on=date.fromisoformat(values["confirmed_on"]),
            channel=Channel(values["channel"]),
            reference=values.get("reference"),
            agent=values.get("agent"),
            document_file_id=doc[0] if doc else None,
            document_kind=DocumentKind(doc[1]) if doc else None,
            note=None,
            now=t.now,
            today=t.today,
            proposal=_proposal(t, values),
        )
        drop_draft(context)
        first = result.rows[0]
        lines = [
            t._("✅ The new plan is active; reminders follow it. Keep the written confirmation."),
            t._(
                "<b>{debt}</b>, plan v{version}: {installments}, the first {amount} due {date}.",
                debt=esc(debt.name),
                version=plan_number(t.uow, plan),
                installments=installments(t, len(result.rows)),
                amount=m(t, first.payment, debt.currency),
                date=d(t, first.due_date),
            ),
        ]
        advice = _advice(t, has_reference=bool(plan.reference), has_document=bool(doc))
        if advice:
            lines += ["", advice]
        await t.commit_and_reply("\n".join(lines))  # the plan and its announcement, together
        return END
    return None


def _advice(t: Turn, *, has_reference: bool, has_document: bool) -> str | None:
    if not has_reference and not has_document:
        return t._(
            "Ask the lender for a written confirmation (an SMS, letter or in-app message) and the reference number. If they later say nothing was agreed, that is your proof."
        )
    if not has_document:
        return t._(
            "Ask the lender for a written confirmation (an SMS, letter or in-app message). If they later say nothing was agreed, that is your proof."
        )
    if not has_reference:
        return t._("Ask the lender for the reference number of this agreement and note it down.")
    return None


async def cancel(update: Update, context: Context) -> object:
    """Leave the flow; nothing is saved."""
    async with turn(update, context) as t:
        if update.callback_query is not None:
            await pressed(t)
        drop_draft(context)
        await t.reply(t._("Cancelled. Nothing was saved. /help shows what you can do."))
    return END


async def use_buttons(update: Update, context: Context) -> object:
    """Something typed where a button is expected: the state stays."""
    async with turn(update, context) as t:
        await t.reply(t._("Please choose with the buttons above, or send /cancel to stop."))
    return None


async def text_please(update: Update, context: Context) -> object:
    """A photo or sticker where an answer in words is expected: the state stays."""
    async with turn(update, context) as t:
        await t.reply(t._("Please answer with text, or send /cancel to stop."))
    return None
