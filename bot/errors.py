"""Turning errors into replies: domain errors get a clear message and an example; bugs get logged."""

from __future__ import annotations

import contextlib
import html
import logging
from typing import Any

from telegram import Update
from telegram.constants import ParseMode
from telegram.error import Conflict, Forbidden, NetworkError, TelegramError
from telegram.ext import ContextTypes

from bot.i18n import N_, Translator, language_for, translator
from tracker.errors import DomainError

logger = logging.getLogger(__name__)

# Examples shown after a message; each family of codes shares one.
EXAMPLES = {
    "amount": N_(
        "For example: <code>500</code>, <code>1,234.50</code>, <code>¥800</code> or <code>12k</code>."
    ),
    "rate": N_(
        "For example: <code>18%</code> (a year), <code>1.5%/month</code>, <code>0.05%/day</code>, <code>0.05% a day</code> or <code>18%/year</code>."
    ),
    "date": N_(
        "For example: <code>2026-12-15</code>, <code>2026/12/15</code> or <code>12/15</code>."
    ),
    "term": N_(
        "For example: <code>12</code> (months), <code>24 months</code> or <code>2 years</code>."
    ),
    "method": N_("Choose one of: annuity, equal principal, interest-only, flat fee, daily."),
    "name": N_("For example: <code>Jintiao</code> or <code>Visa card</code>."),
    "timezone": N_(
        "For example: <code>/timezone Asia/Shanghai</code> or <code>/timezone Europe/London</code>."
    ),
    "custom": N_(
        "Write one installment per line, a date and an amount, for example:\n<code>2027-01-15 1000</code>\n<code>2027-02-15 1000</code>"
    ),
}

MESSAGES: dict[str, str] = {
    "amount_empty": N_("Please type an amount."),
    "amount_garbage": N_("I couldn't read “{text}” as an amount."),
    "amount_separators": N_(
        "“{text}” mixes up separators: use a dot for decimals and commas between thousands."
    ),
    "amount_negative": N_("The amount can't be negative."),
    "amount_zero": N_("The amount can't be zero."),
    "amount_too_large": N_("That amount is larger than anything I can track."),
    "amount_too_precise": N_("“{text}” has more decimals than the currency has."),
    "amount_not_number": N_("That is not a number."),
    "amount_currency_unknown": N_("I don't know the currency “{currency}”."),
    "amount_currency_conflict": N_("“{text}” names two different currencies."),
    "rate_empty": N_("Please give the rate as a number with %."),
    "rate_garbage": N_("I couldn't read “{text}” as an interest rate."),
    "rate_negative": N_("A rate can't be negative."),
    "rate_too_high": N_("That rate is implausibly high — please check it against your contract."),
    "rate_not_number": N_("That rate is not a number."),
    "rate_unit_conflict": N_("“{text}” names two different periods."),
    "rate_unit_missing": N_("Per day, per month or per year? Please add the period."),
    "rate_ambiguous": N_("Is “{text}” a percentage? Please add % and the period."),
    "rate_basis": N_("The day-count basis must be 365 or 360."),
    "date_garbage": N_("I couldn't read “{text}” as a date."),
    "date_impossible": N_("That date doesn't exist."),
    "date_out_of_range": N_("That date is too far in the past or future."),
    "date_range": N_("That date is out of range."),
    "date_in_future": N_("A payment can't be dated in the future."),
    "start_date_order": N_("The start date must be before the first due date."),
    "term_garbage": N_("I couldn't read “{text}” as a number of months."),
    "term_range": N_("The term must be between 1 and 600 months."),
    "method_unknown": N_("I don't know the repayment method “{text}”."),
    "name_empty": N_("The debt needs a name."),
    "name_too_long": N_("That name is too long: at most {limit} characters."),
    "grace_range": N_("Grace days must be between 0 and {max}."),
    "fee_rate_range": N_("The fee rate must be between 0% and 100% per period."),
    "fee_rate_method": N_("A per-period fee only applies to the flat-fee method."),
    "flat_fee_rate": N_(
        "With the flat-fee method, give the per-period fee rather than an interest rate."
    ),
    "upfront_fee_range": N_("The upfront fee must be less than the principal."),
    "due_day_range": N_("The due day must be between 1 and 31."),
    "day_count": N_("The day-count basis must be 365 or 360."),
    "allocation_order": N_(
        "The allocation order must name penalty, fee, interest and principal once each."
    ),
    "custom_short": N_("These installments don't cover the balance: {shortfall} is missing."),
    "custom_dates": N_("The installment dates must go forward in time."),
    "custom_amount": N_("Each installment needs an amount above zero."),
    "custom_missing": N_("Please list at least one installment."),
    "custom_term": N_("There are more installments than I can track."),
    "custom_first_due": N_("The first installment must be the first due date."),
    "custom_method": N_("Installments can only be listed for a custom plan."),
    "debt_not_found": N_("I can't find that debt. /debts lists yours."),
    "plan_not_found": N_("I can't find that plan."),
    "plan_rejected": N_("That plan was rejected and can't be activated."),
    "plan_active": N_("That plan is already active."),
    "no_payment_to_undo": N_("There is no payment to undo."),
    "payment_already_undone": N_("That payment was already undone."),
    "timezone_unknown": N_("I don't know the timezone “{text}”."),
    "irr_no_solution": N_("I couldn't compute an annualised rate for these payments."),
}


def register(messages: dict[str, str], examples: dict[str, str] | None = None) -> None:
    """Let a feature add messages for its own error codes (and examples for new families)."""
    for code in messages:
        if code in MESSAGES:
            raise ValueError(f"error code {code!r} already has a message")
    MESSAGES.update(messages)
    EXAMPLES.update(examples or {})


FALLBACK = N_("Something in that didn't add up: please check it and try again.")


def _family(code: str) -> str:
    return code.split("_", 1)[0]


def domain_error_text(error: DomainError, _: Translator, locale: str) -> str:
    """The reply to a domain error: what was wrong, then a correct example."""
    params: dict[str, Any] = {
        key: html.escape(str(value), quote=False) for key, value in error.params.items()
    }
    template = MESSAGES.get(error.code, FALLBACK)
    try:
        text = _(template, **params)
    except (KeyError, IndexError):  # a parameter the message expects is missing
        text = _(FALLBACK)
    example = EXAMPLES.get(_family(error.code))
    return f"{text}\n{_(example)}" if example else text


APOLOGY = N_(
    "Sorry — something went wrong on my side and nothing was saved. Please try again in a moment."
)
#: When the change was committed and only the reply announcing it failed: sending it again
#: would record it twice, so the apology must say it was saved.
SAVED_APOLOGY = N_(
    "Sorry — your change <b>was saved</b>, but I couldn't show you the confirmation. /history and /status show what is recorded: please don't send it again."
)


#: bot_data key: the 409 Conflict warning was logged.
CONFLICT_SEEN = "conflict_seen"


async def error_handler(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the error with its update first, then tell the user truthfully whether it was saved."""
    update_id = update.update_id if isinstance(update, Update) else None
    if isinstance(context.error, Conflict):
        # Another process polls the same token: python-telegram-bot keeps retrying, so say it
        # once, clearly, and then only at DEBUG.
        if not context.bot_data.get(CONFLICT_SEEN):
            context.bot_data[CONFLICT_SEEN] = True
            logger.warning(
                "another process is polling this bot token (409 Conflict): only one may poll; "
                "this one keeps retrying until the other stops"
            )
        else:
            logger.debug("409 Conflict again: %s", context.error)
        return
    if update is None and isinstance(context.error, NetworkError):
        # Fetching updates failed on the way (python-telegram-bot tries again by itself).
        logger.warning("fetching updates failed, retrying: %s", context.error)
        return
    if isinstance(context.error, Forbidden):
        logger.warning("update %s: the user blocked the bot: %s", update_id, context.error)
        return
    logger.error("update %s failed", update_id, exc_info=context.error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    sender = update.effective_user
    language = language_for(sender.language_code) if sender is not None else "en"
    # bot.runtime's turn() lists an update here once its effects are committed.
    handled: set[int] = getattr(context.bot_data.get("deps"), "handled", set())
    apology = SAVED_APOLOGY if update.update_id in handled else APOLOGY
    answers = getattr(context.bot_data.get("deps"), "answers", None)
    query = update.callback_query
    if query is not None and (answers is None or answers.claim(query.id)):
        with contextlib.suppress(TelegramError):  # too old, or answered outside turn()
            await query.answer()
    try:
        await context.bot.send_message(
            update.effective_chat.id, translator(language)(apology), parse_mode=ParseMode.HTML
        )
    except Exception:  # the apology must never raise: the error is already logged
        logger.exception("update %s: could not send the apology", update_id)
