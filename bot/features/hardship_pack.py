"""The negotiation pack for a stored proposal: built from ``proposal_json`` alone, so the pack,
its two PDFs (the letter to the lender, the borrower's guide) and the plain text can be sent
again later from the proposal's buttons.

One pack per lender: each lender is asked only for its own part of the chosen option (with a
combined option across debts, every debt whose part changes something gets its own pack),
while each statement lists all the debts, so every lender sees the whole picture.
"""

from __future__ import annotations

import asyncio
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from telegram import InlineKeyboardButton
from telegram.constants import ParseMode

from bot.features.plans_views import rate_label
from bot.formatting import esc, listing, percent, split_message
from bot.i18n import N_
from bot.pack import (
    Change,
    DebtInput,
    Installment,
    OptionInput,
    PackInput,
    PauseInterest,
    build_pack,
    plain_text,
)
from bot.pack import OptionKind as PackKind
from bot.pack.content import MAX_SCHEDULE_ROWS, Pack, colon
from bot.runtime import Turn
from tracker.planner import OptionKind
from tracker.services.hardship import Proposal, ProposalDebt

#: The planner's kinds as the pack words them (the three extensions are one request).
PACK_KINDS = {
    OptionKind.EXTENSION_FROZEN: PackKind.EXTENSION,
    OptionKind.EXTENSION_INTEREST_ONLY: PackKind.EXTENSION,
    OptionKind.EXTENSION_PAUSE: PackKind.EXTENSION,
    OptionKind.LOWER_PAYMENT: PackKind.LOWER_PAYMENT,
    OptionKind.WAIVER: PackKind.WAIVER,
    OptionKind.OVERDUE_INSTALLMENTS: PackKind.OVERDUE_INSTALLMENTS,
    OptionKind.SETTLEMENT: PackKind.SETTLEMENT,
}

LETTER_CAPTION = N_(
    "The letter to {lender}: check every figure, sign and date it, then send it or attach it in the app chat."
)
GUIDE_CAPTION = N_(
    "Your guide, not for {lender}: what to say, what to gather, and what to do if they say no."
)
TXT_CAPTION = N_("What to send {lender}, as text to paste into its app chat or an email.")


def debt_rate_text(t: Turn, debt: ProposalDebt) -> str:
    """What a debt costs as the statement prints it: a flat-fee debt's fee a period and its
    annualised rate (its contract rate is 0, which would read as interest-free), else its rate."""
    if debt.fee_rate <= 0:
        return rate_label(t, debt.rate)
    fee = percent(debt.fee_rate)
    if debt.annual is None:
        return t._("fee {fee} a period", fee=fee)
    annual = (debt.annual * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return t._("fee {fee} a period (about {annual}% a year)", fee=fee, annual=f"{annual:f}")


#: The planner's extensions by what their pause does to the interest.
PAUSES = {
    OptionKind.EXTENSION_PAUSE: PauseInterest.RUNNING,
    OptionKind.EXTENSION_INTEREST_ONLY: PauseInterest.INTEREST_ONLY,
    OptionKind.EXTENSION_FROZEN: PauseInterest.FROZEN,
}


def _typical(amounts: list[Decimal]) -> Decimal:
    """The most common positive amount (the larger on a tie), as the proposal's payment."""
    paying = [a for a in amounts if a > 0]
    if not paying:
        return Decimal(0)
    return max(paying, key=lambda a: (paying.count(a), a))


def _terms(found: Proposal) -> dict[str, object]:
    """The chosen option's own terms, from the stored request and schedule."""
    request = found.request
    schedule = found.schedule
    pause = PAUSES.get(found.kind)
    if pause is not None:
        months = int(request.get("months", "0"))
        if 0 < months < len(schedule):
            paused, after = schedule[:months], schedule[months:]
            return {
                "pause_months": months,
                "pause_first": paused[0][0],
                "pause_interest": pause,
                "pause_payment": max(amount for _, amount in paused),
                "first_payment": after[0][0],
                "monthly_payment": _typical([amount for _, amount in after]),
            }
        return {}
    if found.kind is OptionKind.WAIVER and "waived" in request and "principal" in request:
        return {"waived": Decimal(request["waived"]), "repaid": Decimal(request["principal"])}
    if found.kind is OptionKind.OVERDUE_INSTALLMENTS and "overdue" in request:
        return {
            "overdue": Decimal(request["overdue"]),
            "overdue_months": int(request["months"]),
            "overdue_extra": Decimal(request["extra"]),
        }
    if found.kind is OptionKind.SETTLEMENT and "owed" in request:
        return {"owed": Decimal(request["owed"])}
    return {}


def pack_input(t: Turn, found: Proposal) -> PackInput:
    """The pack's input from a stored proposal, in the user's language."""
    schedule = tuple(Installment(due, amount) for due, amount in found.schedule)
    terms: dict[str, Any] = {
        "monthly_payment": found.monthly_payment,
        "first_payment": found.first_payment,
        **_terms(found),
    }
    option = OptionInput(
        kind=PACK_KINDS[found.kind],
        months=max(1, found.months),
        total_paid=found.total_paid,
        interest_and_fees=found.interest_and_fees,
        difference=found.difference,
        schedule=schedule if len(schedule) <= MAX_SCHEDULE_ROWS else (),
        **terms,
    )
    debts = tuple(
        DebtInput(
            name=debt.name,
            outstanding=debt.outstanding,
            monthly_payment=debt.monthly,
            overdue=debt.overdue,
            rate_text=debt_rate_text(t, debt),
            is_fee=debt.fee_rate > 0,
        )
        for debt in found.debts
    )
    before = found.income_before
    return PackInput(
        language=t._.language,
        today=found.created,
        lender=found.lender,
        currency=found.currency,
        income_now=found.income_now,
        fixed_expenses=found.fixed_expenses,
        other_debt_payments=found.other_payments,
        savings=found.savings,
        what_changed=Change(found.cause.value),
        since=found.since,
        debts=debts,
        option=option,
        affordable_per_month=found.affordable,
        income_before=before if before is not None and before > found.income_now else None,
        duration_months=found.duration_months,
    )


def pack_of(t: Turn, found: Proposal) -> Pack:
    """The pack for a stored proposal."""
    return build_pack(pack_input(t, found))


def letter_name(t: Turn, day: date, index: int | None = None) -> str:
    """The letter's file name in the user's language (``-2`` for the second lender's)."""
    suffix = f"-{index}" if index else ""
    stem = "给贷款机构的申请信" if t._.language == "zh" else "repaybot-letter-to-lender"
    return f"{stem}-{day.isoformat()}{suffix}.pdf"


def guide_name(t: Turn, day: date, index: int | None = None) -> str:
    """The guide's file name in the user's language (``-2`` for the second lender's)."""
    suffix = f"-{index}" if index else ""
    stem = "协商指南" if t._.language == "zh" else "repaybot-negotiation-guide"
    return f"{stem}-{day.isoformat()}{suffix}.pdf"


def txt_name(t: Turn, day: date, index: int | None = None) -> str:
    """The lender-facing text's file name in the user's language."""
    suffix = f"-{index}" if index else ""
    stem = "给贷款机构的申请" if t._.language == "zh" else "repaybot-request"
    return f"{stem}-{day.isoformat()}{suffix}.txt"


def request_line(t: Turn, found: Proposal) -> str:
    """One line for the chat: the lender and exactly what the pack asks of it."""
    pack = pack_of(t, found)
    return f"· <b>{esc(found.lender)}</b>{colon(pack.language)}{esc(pack.request)}"


async def send_pack(t: Turn, found: Proposal, index: int | None = None) -> None:
    """The pack as files, not a stream of messages: the letter to the lender, the borrower's
    guide (two PDFs), and the letter's text as .txt to paste into the lender's app chat."""
    from bot.pack.pdf import guide_pdf, letter_pdf  # fpdf and the font: only when a pack is made

    pack = pack_of(t, found)
    bot = t.context.bot
    letter = await asyncio.to_thread(letter_pdf, pack)
    guide = await asyncio.to_thread(guide_pdf, pack)
    await bot.send_document(
        t.chat_id,
        document=letter,
        filename=letter_name(t, found.created, index),
        caption=t._(LETTER_CAPTION, lender=esc(found.lender)),
        parse_mode=ParseMode.HTML,
    )
    await bot.send_document(
        t.chat_id,
        document=guide,
        filename=guide_name(t, found.created, index),
        caption=t._(GUIDE_CAPTION, lender=esc(found.lender)),
        parse_mode=ParseMode.HTML,
    )
    await bot.send_document(
        t.chat_id,
        document=plain_text(pack).encode("utf-8"),
        filename=txt_name(t, found.created, index),
        caption=t._(TXT_CAPTION, lender=esc(found.lender)),
        parse_mode=ParseMode.HTML,
    )


async def send_plain(t: Turn, found: Proposal) -> None:
    """The lender-facing text without markup, to copy into the lender's app chat."""
    text = plain_text(pack_of(t, found))
    for part in split_message(text):
        await t.context.bot.send_message(t.chat_id, part, disable_web_page_preview=True)


def next_steps_text(t: Turn, proposals: list[Proposal]) -> str:
    """After the packs: what to do with them, and that nothing changes until a lender agrees."""
    lenders = listing((esc(p.lender) for p in proposals), t._.language)
    return "\n".join(
        [
            t._(
                "<b>Next:</b> contact {lenders} through the official channels, send the signed letter (or say it using the guide's script), and ask for the answer in writing.",
                lenders=lenders,
            ),
            t._(
                "Until a lender agrees, your current plan stays and reminders follow it: keep paying what you can. When the lender has agreed, press “I agreed a plan” (or send /plan) to record what was actually agreed."
            ),
        ]
    )


def next_steps_keyboard(t: Turn, proposals: list[Proposal]) -> list[list[InlineKeyboardButton]]:
    """Per proposal: the plain text, "I agreed a plan", "The lender said no"."""
    rows: list[list[InlineKeyboardButton]] = []
    several = len(proposals) > 1
    for p in proposals:
        lender = p.lender
        rows.append(
            [
                t.button(
                    t._("📋 Plain text for {lender}", lender=lender)
                    if several
                    else t._("📋 Plain text to copy"),
                    "hstx",
                    p.plan_id,
                )
            ]
        )
        rows.append(
            [
                t.button(
                    t._("✅ {lender} agreed", lender=lender)
                    if several
                    else t._("✅ I agreed a plan"),
                    "plan_prop",
                    p.plan_id,
                ),
                t.button(
                    t._("✖️ {lender} said no", lender=lender)
                    if several
                    else t._("✖️ The lender said no"),
                    "hsno",
                    p.plan_id,
                ),
            ]
        )
    return rows
