"""The /hardship questions: what changed and since when, the income now, (the essential
expenses when no budget was given), a new monthly cost, a one-off cost, how long it may last
and the savings; then the report and a budget snapshot are stored and the options shown.

The answers so far are a ``HardshipDraft`` in ``user_data["hardship"]`` (bot.conversation).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from telegram import Update

from bot.callbacks import BadCallback
from bot.conversation import END, Draft, Drafts, need, pressed, text_of
from bot.features import hardship_views as views
from bot.features.hardship_options import show_options
from bot.i18n import N_
from bot.runtime import Context, Turn, kb, turn
from bot.views import m
from tracker.errors import InvalidAmount
from tracker.money import from_minor
from tracker.parsing import normalise_text, parse_amount, parse_term
from tracker.parsing.hardship_text import Cause
from tracker.parsing.plan_terms import parse_past_date
from tracker.parsing.text import DONT_KNOW_WORDS, is_skip
from tracker.services.hardship import (
    HardshipAnswers,
    check_duration,
    check_since,
    hardship_defaults,
    hardship_options,
    report_hardship,
)
from tracker.storage.enums import DebtStatus

#: Conversation states, one per question (strings: they are stored as JSON).
CHANGE = "change"
SINCE = "since"
INCOME = "income"
EXPENSES = "expenses"
NEW_EXPENSE = "new_expense"
ONE_OFF = "one_off"
DURATION = "duration"
SAVINGS = "savings"

#: Typed for "for good / I don't know" where the duration is asked.
FOR_GOOD_WORDS = (
    frozenset({"for good", "forever", "permanent", "permanently", "一直", "永久", "长期"})
    | DONT_KNOW_WORDS
)
#: The duration buttons, in months.
DURATIONS = (3, 6, 12)

INTRO = N_(
    "Let's work out what you can still pay and what to ask your lender for. A few questions, amounts in {currency}; /cancel stops at any step and saves nothing."
)
WHAT_CHANGED = N_("<b>What changed?</b>")


class HardshipDraft(Draft):
    """The answers so far (amounts in the user's currency)."""

    cause: Cause | None = None
    since: date | None = None
    income: Decimal | None = None
    #: Asked only when no budget was given.
    expenses: Decimal | None = None
    new_expense: Decimal | None = None
    one_off: Decimal | None = None
    #: None: for good, or not known.
    duration: int | None = None
    savings: Decimal | None = None

    def complete(self) -> bool:
        """Whether every answer before the savings is there."""
        return None not in (self.cause, self.since, self.income, self.new_expense, self.one_off)


DRAFTS = Drafts(
    "hardship", HardshipDraft, N_("This step has expired: send /hardship to start again.")
)


def _amount(t: Turn, text: str) -> Decimal:
    """An amount in the user's currency, 0 allowed."""
    parsed = parse_amount(text, t.user.currency, allow_zero=True)
    if parsed.currency != t.user.currency:
        raise InvalidAmount(
            "another currency", code="amount_hardship_currency", currency=t.user.currency
        )
    return parsed.amount


# ---- the questions --------------------------------------------------------------------------


async def start(
    t: Turn, context: Context, lead: str | None = None, cause: Cause | None = None
) -> object:
    """The first question (after ``lead``, if any); the user needs a debt to plan for.

    With ``cause`` (what the user already wrote, e.g. 我失业了) "what changed?" is not asked again.
    """
    debts = t.uow.debts.list_for_user(t.user_id, statuses=[DebtStatus.ACTIVE])
    if not debts:
        DRAFTS.drop(context)
        text = t._("Add your debts first with /adddebt: the options are worked out from them.")
        await t.reply(f"{lead}\n\n{text}" if lead else text)
        return END
    DRAFTS.save(context, HardshipDraft(cause=cause))
    if cause is not None:
        await t.reply(t._(INTRO, currency=t.user.currency))
        return await _ask_since(t)
    text = t._(INTRO, currency=t.user.currency) + "\n\n" + t._(WHAT_CHANGED)
    buttons = [
        t.button(t._(label), "hsc", cause.value) for cause, label in views.CAUSE_LABELS.items()
    ]
    await t.reply(f"{lead}\n\n{text}" if lead else text, kb(buttons[:2], buttons[2:4], buttons[4:]))
    return CHANGE


async def _ask_since(t: Turn) -> str:
    await t.reply(
        t._(
            "Since when? For example <code>2026-11-20</code> or <code>11月20日</code>, or press Today."
        ),
        kb([t.button(t._("Today"), "hsst")]),
    )
    return SINCE


async def _ask_income(t: Turn) -> str:
    await t.reply(
        t._(
            "How much income do you have a month now, after tax? Count everything regular: salary, benefits, help from family. Send <code>0</code> if none."
        )
    )
    return INCOME


async def _ask_expenses(t: Turn) -> str:
    await t.reply(
        t._(
            "What do your essential expenses come to a month: rent, utilities, food, transport, phone…? One total is enough."
        )
    )
    return EXPENSES


async def _ask_new_expense(t: Turn) -> str:
    await t.reply(
        t._(
            "Is there a <b>new</b> monthly cost because of it, such as treatment or care? Send the amount a month, or press No."
        ),
        kb([t.button(t._("No new cost"), "hsz")]),
    )
    return NEW_EXPENSE


async def _ask_one_off(t: Turn) -> str:
    await t.reply(
        t._(
            "Is there a one-off cost to pay now, such as a hospital bill? Send the amount, or press No."
        ),
        kb([t.button(t._("No one-off cost"), "hsz")]),
    )
    return ONE_OFF


async def _ask_duration(t: Turn) -> str:
    months = [t.button(t._.plural("{n} month", "{n} months", n), "hsd", n) for n in DURATIONS]
    await t.reply(
        t._(
            "For how many months do you expect this to last? Send a number, for example <code>6</code>, or choose:"
        ),
        kb(months, [t.button(t._("For good / I don't know"), "hsd", "good")]),
    )
    return DURATION


async def _ask_savings(t: Turn) -> str:
    defaults = hardship_defaults(t.uow, user_id=t.user_id, today=t.today, currency=t.user.currency)
    keyboard = None
    if defaults.savings is not None:
        amount = m(t, defaults.savings, t.user.currency)
        keyboard = kb([t.button(t._("{amount}, as in /budget", amount=amount), "hsv")])
    await t.reply(
        t._(
            "Last question: how much savings could you use for your debts? Send <code>0</code> if none."
        ),
        keyboard,
    )
    return SAVINGS


async def _after_income(t: Turn) -> str:
    if (
        hardship_defaults(t.uow, user_id=t.user_id, today=t.today, currency=t.user.currency).base
        is None
    ):
        return await _ask_expenses(t)
    return await _ask_new_expense(t)


async def _finish(t: Turn, context: Context, draft: HardshipDraft) -> object:
    """Store the report and the budget, then show the options."""
    answers = HardshipAnswers(
        cause=need(draft.cause),
        since=need(draft.since),
        currency=t.user.currency,
        income=need(draft.income),
        new_monthly_expense=need(draft.new_expense),
        one_off_expense=need(draft.one_off),
        duration_months=draft.duration or None,
        savings=need(draft.savings),
        fixed_expenses=draft.expenses,
    )
    _report, budget = report_hardship(
        t.uow, user_id=t.user_id, answers=answers, today=t.today, now=t.now
    )
    t.commit()
    DRAFTS.drop(context)
    cur = budget.currency
    await t.reply(
        t._(
            "✅ Saved. From today your budget is: income {income}, essential expenses {expenses}, savings {savings}. /budget and the reminders use it; update it with /budget when things change.",
            income=m(t, from_minor(budget.monthly_income_minor, cur), cur),
            expenses=m(t, from_minor(budget.fixed_expenses_minor, cur), cur),
            savings=m(t, from_minor(budget.savings_minor, cur), cur),
        )
    )
    await show_options(t, hardship_options(t.uow, user_id=t.user_id, today=t.today))
    return END


# ---- the steps ------------------------------------------------------------------------------


@DRAFTS.step
async def cause_chosen(update: Update, context: Context, draft: HardshipDraft) -> object:
    """What changed, from the buttons."""
    async with turn(update, context) as t:
        value = (await pressed(t)).arg(0)
        if value not in {cause.value for cause in Cause}:
            raise BadCallback(f"unknown cause {value!r}")
        draft.cause = Cause(value)
        return await _ask_since(t)
    return None


async def _since(t: Turn, draft: HardshipDraft, since: date) -> str:
    draft.since = check_since(since, t.today)
    return await _ask_income(t)


@DRAFTS.step
async def since_typed(update: Update, context: Context, draft: HardshipDraft) -> object:
    """The day it started."""
    async with turn(update, context) as t:
        return await _since(t, draft, parse_past_date(text_of(update), today=t.today))
    return None


@DRAFTS.step
async def since_today(update: Update, context: Context, draft: HardshipDraft) -> object:
    """It started today."""
    async with turn(update, context) as t:
        await pressed(t)
        return await _since(t, draft, t.today)
    return None


@DRAFTS.step
async def income_typed(update: Update, context: Context, draft: HardshipDraft) -> object:
    """The income a month now (0 allowed)."""
    async with turn(update, context) as t:
        draft.income = _amount(t, text_of(update))
        return await _after_income(t)
    return None


@DRAFTS.step
async def expenses_typed(update: Update, context: Context, draft: HardshipDraft) -> object:
    """The essential expenses a month (asked only without a budget)."""
    async with turn(update, context) as t:
        draft.expenses = _amount(t, text_of(update))
        return await _ask_new_expense(t)
    return None


@DRAFTS.step
async def new_expense_typed(update: Update, context: Context, draft: HardshipDraft) -> object:
    """A new monthly cost, or none."""
    async with turn(update, context) as t:
        text = text_of(update)
        draft.new_expense = Decimal(0) if is_skip(text) else _amount(t, text)
        return await _ask_one_off(t)
    return None


@DRAFTS.step
async def new_expense_none(update: Update, context: Context, draft: HardshipDraft) -> object:
    """No new monthly cost."""
    async with turn(update, context) as t:
        await pressed(t)
        draft.new_expense = Decimal(0)
        return await _ask_one_off(t)
    return None


@DRAFTS.step
async def one_off_typed(update: Update, context: Context, draft: HardshipDraft) -> object:
    """A one-off cost, or none."""
    async with turn(update, context) as t:
        text = text_of(update)
        draft.one_off = Decimal(0) if is_skip(text) else _amount(t, text)
        return await _ask_duration(t)
    return None


@DRAFTS.step
async def one_off_none(update: Update, context: Context, draft: HardshipDraft) -> object:
    """No one-off cost."""
    async with turn(update, context) as t:
        await pressed(t)
        draft.one_off = Decimal(0)
        return await _ask_duration(t)
    return None


@DRAFTS.step
async def duration_typed(update: Update, context: Context, draft: HardshipDraft) -> object:
    """How many months, or for good."""
    async with turn(update, context) as t:
        text = text_of(update)
        s = normalise_text(text).casefold().replace("’", "'")
        draft.duration = None if s in FOR_GOOD_WORDS else check_duration(parse_term(text))
        return await _ask_savings(t)
    return None


@DRAFTS.step
async def duration_pressed(update: Update, context: Context, draft: HardshipDraft) -> object:
    """A duration from the buttons."""
    async with turn(update, context) as t:
        value = (await pressed(t)).arg(0)
        if value == "good":
            months = None
        elif value.isdigit() and int(value) in DURATIONS:
            months = int(value)
        else:
            raise BadCallback(f"unknown duration {value!r}")
        draft.duration = months
        return await _ask_savings(t)
    return None


@DRAFTS.step
async def savings_typed(update: Update, context: Context, draft: HardshipDraft) -> object:
    """The savings; then the report is stored and the options shown."""
    async with turn(update, context) as t:
        draft.savings = _amount(t, text_of(update))
        if not draft.complete():
            return await start(t, context)
        return await _finish(t, context, draft)
    return None


@DRAFTS.step
async def savings_prefilled(update: Update, context: Context, draft: HardshipDraft) -> object:
    """The savings in the budget."""
    async with turn(update, context) as t:
        await pressed(t)
        defaults = hardship_defaults(
            t.uow, user_id=t.user_id, today=t.today, currency=t.user.currency
        )
        if defaults.savings is None or not draft.complete():
            return await start(t, context)
        draft.savings = defaults.savings
        return await _finish(t, context, draft)
    return None
