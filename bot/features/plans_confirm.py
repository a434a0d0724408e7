"""The /plan conversation after the new plan is shown: when and how the lender confirmed it,
its reference, who agreed it and the written confirmation; then the plan is saved."""

from __future__ import annotations

from datetime import date

from telegram import Update

from bot.callbacks import BadCallback
from bot.conversation import END, need, pressed, text_of
from bot.features.plans_flow import (
    DRAFTS,
    PlanDocument,
    PlanDraft,
    ask_agent,
    ask_channel,
    ask_confirmed,
    ask_document,
    ask_reference,
    debt_of,
    skip_button,
    summary,
    terms_of,
)
from bot.features.plans_views import installments
from bot.formatting import esc
from bot.runtime import Context, Turn, turn
from bot.views import d, m
from tracker.parsing.plan_terms import clean_agent, clean_reference, parse_past_date
from tracker.parsing.text import is_dont_know, is_skip
from tracker.services.plans import check_confirmed_on, plan_number, record_agreed_plan
from tracker.storage.enums import Channel, DocumentKind
from tracker.storage.models import PlanVersion

#: A screenshot or photo sent as a file (uncompressed): kept as the confirmation, like a photo.
IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/heic", "image/heif", "image/webp"})
IMAGE_EXTENSIONS = frozenset({"png", "jpg", "jpeg", "heic", "heif", "webp"})


def _is_skip(text: str) -> bool:
    """Typed instead of pressing Skip: the shared words, and "don't know" (a reference or a name)."""
    return is_skip(text) or is_dont_know(text)


@DRAFTS.step
async def review_accepted(update: Update, context: Context, draft: PlanDraft) -> object:
    """The plan shown is the one agreed: on to the confirmation details."""
    async with turn(update, context) as t:
        await pressed(t)
        return await ask_confirmed(t)
    return None


async def _confirmed(t: Turn, draft: PlanDraft, confirmed_on: date) -> str:
    check_confirmed_on(debt_of(t, draft), confirmed_on, t.today)
    draft.confirmed_on = confirmed_on
    return await ask_channel(t)


@DRAFTS.step
async def confirmed_typed(update: Update, context: Context, draft: PlanDraft) -> object:
    """The day the lender confirmed the plan."""
    async with turn(update, context) as t:
        return await _confirmed(t, draft, parse_past_date(text_of(update), today=t.today))
    return None


@DRAFTS.step
async def confirmed_today(update: Update, context: Context, draft: PlanDraft) -> object:
    """Confirmed today."""
    async with turn(update, context) as t:
        await pressed(t)
        return await _confirmed(t, draft, t.today)
    return None


@DRAFTS.step
async def channel_chosen(update: Update, context: Context, draft: PlanDraft) -> object:
    """How it was agreed."""
    async with turn(update, context) as t:
        value = (await pressed(t)).arg(0)
        if value not in {channel.value for channel in Channel}:
            raise BadCallback(f"unknown channel {value!r}")
        draft.channel = Channel(value)
        return await ask_reference(t)
    return None


@DRAFTS.step
async def reference_typed(update: Update, context: Context, draft: PlanDraft) -> object:
    """The lender's reference number."""
    async with turn(update, context) as t:
        text = text_of(update)
        draft.reference = None if _is_skip(text) else clean_reference(text)
        return await ask_agent(t)
    return None


@DRAFTS.step
async def reference_skipped(update: Update, context: Context, draft: PlanDraft) -> object:
    """No reference number."""
    async with turn(update, context) as t:
        await pressed(t)
        draft.reference = None
        return await ask_agent(t)
    return None


@DRAFTS.step
async def agent_typed(update: Update, context: Context, draft: PlanDraft) -> object:
    """Who agreed it."""
    async with turn(update, context) as t:
        text = text_of(update)
        draft.agent = None if _is_skip(text) else clean_agent(text)
        return await ask_document(t)
    return None


@DRAFTS.step
async def agent_skipped(update: Update, context: Context, draft: PlanDraft) -> object:
    """No name."""
    async with turn(update, context) as t:
        await pressed(t)
        draft.agent = None
        return await ask_document(t)
    return None


@DRAFTS.step
async def photo_sent(update: Update, context: Context, draft: PlanDraft) -> object:
    """A photo or screenshot of the confirmation: its file_id is kept."""
    async with turn(update, context) as t:
        assert update.message is not None
        assert update.message.photo
        file_id = update.message.photo[-1].file_id
        draft.doc = PlanDocument(file_id=file_id, kind=DocumentKind.PHOTO)
        return await summary(t, draft)
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


@DRAFTS.step
async def document_sent(update: Update, context: Context, draft: PlanDraft) -> object:
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
                skip_button(t),
            )
            return None
        draft.doc = PlanDocument(file_id=document.file_id, kind=kind)
        return await summary(t, draft)
    return None


@DRAFTS.step
async def document_skipped(update: Update, context: Context, draft: PlanDraft) -> object:
    """No written confirmation."""
    async with turn(update, context) as t:
        if update.callback_query is not None:
            await pressed(t)
        elif not _is_skip(text_of(update)):
            await t.reply(t._("Please send a photo or a PDF, or press Skip."), skip_button(t))
            return None
        draft.doc = None
        return await summary(t, draft)
    return None


@DRAFTS.step
async def not_a_document(update: Update, context: Context, draft: PlanDraft) -> object:
    """A sticker, video or voice note where the confirmation was asked for."""
    async with turn(update, context) as t:
        await t.reply(t._("Please send a photo or a PDF, or press Skip."), skip_button(t))
    return None


def _proposal(t: Turn, draft: PlanDraft) -> PlanVersion | None:
    """The /hardship proposal this plan started from, if it did (its figures' starting point)."""
    if draft.proposal is None:
        return None
    return t.uow.plans.get_for_user(t.user_id, draft.proposal)


@DRAFTS.step
async def save(update: Update, context: Context, draft: PlanDraft) -> object:
    """Store the plan, make it the active one, and say what follows."""
    async with turn(update, context) as t:
        await pressed(t)
        debt = debt_of(t, draft)
        doc = draft.doc
        plan, result = record_agreed_plan(
            t.uow,
            user_id=t.user_id,
            debt_id=need(draft.debt),
            terms=terms_of(t, draft, debt),
            confirmed_on=need(draft.confirmed_on),
            channel=need(draft.channel),
            reference=draft.reference,
            agent=draft.agent,
            document_file_id=doc.file_id if doc else None,
            document_kind=doc.kind if doc else None,
            note=None,
            now=t.now,
            today=t.today,
            proposal=_proposal(t, draft),
        )
        DRAFTS.drop(context)
        first = result.rows[0]
        lines = [
            t._("✅ The new plan is active; reminders follow it. Keep the written confirmation."),
            t._(
                "<b>{debt}</b>, plan v{version}: {installments}, the first {amount} due {date}.",
                debt=esc(debt.name),
                version=plan_number(t.uow, plan=plan),
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
        DRAFTS.drop(context)
        await t.reply(t._("Cancelled. Nothing was saved. /help shows what you can do."))
    return END
