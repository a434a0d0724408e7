"""/budget: income and expenses, step by step or in one line, and what they leave for the debts."""

from __future__ import annotations

from decimal import Decimal

from babel.dates import format_skeleton
from babel.numbers import format_decimal
from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, ConversationHandler, MessageHandler

from bot.callbacks import decode
from bot.conversation import TEXT, Draft, Drafts, conversation
from bot.errors import domain_error_text, register
from bot.features.start import cancel
from bot.formatting import esc, listing, percent
from bot.i18n import N_
from bot.runtime import Context, Keyboard, Turn, kb, turn
from bot.types import Handler
from bot.views import d, m
from tracker.capacity import DTI_COMFORTABLE, DTI_LIMIT, Budget, DebtLoad
from tracker.errors import DomainError, InvalidAmount
from tracker.parsing import parse_amount
from tracker.services import budget as services

COMMANDS = [("budget", N_("Income and expenses: what you can afford"))]

register(
    {
        "budget_args": N_(
            "Give four or five amounts: monthly income, fixed expenses, payments on other debts, savings and, optionally, the living reserve."
        ),
        "budget_currency": N_(
            "Please give the budget in your currency, {currency} (change it with /currency)."
        ),
    },
    {
        "budget": N_(
            "For example: <code>/budget 8000 4000 0 6000</code>, or send /budget alone to go step by step."
        ),
    },
)

#: Conversation states, one per question.
INCOME, EXPENSES, OTHER_DEBTS, SAVINGS, RESERVE = range(5)
FIELDS = ("income", "expenses", "other_debts", "savings", "reserve")

QUESTIONS = {
    INCOME: N_(
        "<b>1/5</b> What is your monthly income after tax? Count salary and any other regular income."
    ),
    EXPENSES: N_(
        "<b>2/5</b> What are your fixed expenses a month: rent, utilities, food, transport, phone…? One total is enough."
    ),
    OTHER_DEBTS: N_(
        "<b>3/5</b> How much do you pay each month on debts you have <b>not</b> added here (a mortgage, a car loan, money owed to family)? Send <code>0</code> if none."
    ),
    SAVINGS: N_(
        "<b>4/5</b> How much savings could you use if you had to? Send <code>0</code> if none."
    ),
    RESERVE: N_(
        "<b>5/5</b> How much should stay untouched each month as a living reserve, for surprises? I suggest 10 % of your income: <b>{default}</b>. Type an amount, or press Skip to keep it."
    ),
}


class BudgetDraft(Draft):
    """The answers so far, one per question (in the user's currency)."""

    income: Decimal | None = None
    expenses: Decimal | None = None
    other_debts: Decimal | None = None
    savings: Decimal | None = None
    reserve: Decimal | None = None

    def answered(self, state: int) -> bool:
        """Whether the questions before ``state`` are answered."""
        return all(getattr(self, field) is not None for field in FIELDS[:state])

    def amounts(self) -> list[Decimal]:
        """The answers in order (the reserve only if given)."""
        values = (getattr(self, field) for field in FIELDS)
        return [value for value in values if value is not None]


#: The draft lives in user_data["budget"]; without one, the questions start again.
DRAFTS = Drafts("budget", BudgetDraft)


def _draft(context: Context) -> BudgetDraft:
    return DRAFTS.load(context) or DRAFTS.save(context, BudgetDraft())


def _amount(t: Turn, text: str, *, allow_zero: bool) -> Decimal:
    parsed = parse_amount(text, t.user.currency, allow_zero=allow_zero)
    if parsed.currency != t.user.currency:
        raise InvalidAmount(
            "the budget is in the user's currency", code="budget_currency", currency=t.user.currency
        )
    return parsed.amount


def _default_reserve(t: Turn, draft: BudgetDraft) -> Decimal:
    assert draft.income is not None  # asked first
    return Budget(t.user.currency, draft.income).reserve


def _question(t: Turn, state: int, draft: BudgetDraft) -> tuple[str, Keyboard | None]:
    if state != RESERVE:
        return t._(QUESTIONS[state]), None
    default = m(t, _default_reserve(t, draft), t.user.currency)
    skip = t.button(t._("Skip — keep {amount}", amount=default), "budskip")
    return t._(QUESTIONS[RESERVE], default=default), kb([skip])


async def _ask_first(t: Turn, context: Context) -> int:
    DRAFTS.save(context, BudgetDraft())
    text, _ = _question(t, INCOME, BudgetDraft())
    intro = t._(
        "Let's see what you can afford each month. Amounts in {currency}; /cancel stops at any step.",
        currency=t.user.currency,
    )
    await t.reply(f"{intro}\n\n{text}")
    return INCOME


async def budget(update: Update, context: Context) -> int:
    """/budget: show the current assessment, start the questions, or save a one-line budget."""
    async with turn(update, context) as t:
        if context.args:
            return await _one_line(t, context, context.args)
        current = services.assessment(t.uow, user_id=t.user_id, today=t.today)
        if current is None:
            return await _ask_first(t, context)
        await t.reply(
            assessment_text(t, context, current),
            kb([t.button(t._("Update my budget"), "budnew")]),
        )
    return ConversationHandler.END


async def _one_line(t: Turn, context: Context, args: list[str]) -> int:
    if len(args) not in (4, 5):
        raise DomainError(f"{len(args)} budget amounts", code="budget_args")
    amounts = [_amount(t, text, allow_zero=index > 0) for index, text in enumerate(args)]
    return await _finish(t, context, amounts)


async def update_pressed(update: Update, context: Context) -> int:
    """The "Update my budget" button: start the questions."""
    query = update.callback_query
    assert query is not None
    async with turn(update, context) as t:
        decode(query.data, t.update_user_id)
        await t.answer()
        return await _ask_first(t, context)
    return ConversationHandler.END


async def _answer(update: Update, context: Context, state: int) -> int:
    message = update.effective_message
    assert message is not None
    assert message.text is not None
    async with turn(update, context) as t:
        draft = _draft(context)
        if not draft.answered(state):
            # The earlier answers are gone (the data was deleted meanwhile): start again.
            return await _ask_first(t, context)
        try:
            amount = _amount(t, message.text, allow_zero=state != INCOME)
        except DomainError as error:
            text, keyboard = _question(t, state, draft)
            await t.reply(f"{domain_error_text(error, t._, t.locale)}\n\n{text}", keyboard)
            return state
        setattr(draft, FIELDS[state], amount)
        DRAFTS.save(context, draft)
        if state == RESERVE:
            return await _finish_draft(t, context, draft)
        text, keyboard = _question(t, state + 1, draft)
        await t.reply(text, keyboard)
        return state + 1
    return state


async def income(update: Update, context: Context) -> int:
    """Answer to question 1."""
    return await _answer(update, context, INCOME)


async def expenses(update: Update, context: Context) -> int:
    """Answer to question 2."""
    return await _answer(update, context, EXPENSES)


async def other_debts(update: Update, context: Context) -> int:
    """Answer to question 3."""
    return await _answer(update, context, OTHER_DEBTS)


async def savings(update: Update, context: Context) -> int:
    """Answer to question 4."""
    return await _answer(update, context, SAVINGS)


async def reserve(update: Update, context: Context) -> int:
    """Answer to question 5."""
    return await _answer(update, context, RESERVE)


async def skip_reserve(update: Update, context: Context) -> int:
    """Skip on question 5: keep the default reserve."""
    query = update.callback_query
    assert query is not None
    async with turn(update, context) as t:
        decode(query.data, t.update_user_id)
        await t.answer()
        draft = _draft(context)
        if not draft.answered(RESERVE):
            return await _ask_first(t, context)
        draft.reserve = None
        DRAFTS.save(context, draft)
        return await _finish_draft(t, context, draft)
    return RESERVE


async def _finish_draft(t: Turn, context: Context, draft: BudgetDraft) -> int:
    return await _finish(t, context, draft.amounts())


async def _finish(t: Turn, context: Context, amounts: list[Decimal]) -> int:
    income, expenses, other, saved, *rest = amounts
    entered = Budget(t.user.currency, income, expenses, other, saved, rest[0] if rest else None)
    result = services.save_and_assess(
        t.uow, user_id=t.user_id, budget=entered, today=t.today, now=t.now
    )
    t.commit()
    DRAFTS.drop(context)
    await t.reply(assessment_text(t, context, result, saved=True))
    return ConversationHandler.END


LOAD_WORDS = {
    DebtLoad.COMFORTABLE: N_("comfortable"),
    DebtLoad.STRETCHED: N_("stretched"),
    DebtLoad.OVERLOADED: N_("too high"),
}


def _number(t: Turn, value: Decimal) -> str:
    return str(format_decimal(value, locale=t.locale))


def assessment_text(
    t: Turn, context: Context, a: services.Assessment, *, saved: bool = False
) -> str:
    """The budget, what it leaves for the debts, and what the debts ask this month (≤ 12 lines)."""
    b, c, cur = a.budget, a.capacity, a.budget.currency
    month = format_skeleton("yMMMM", a.due.first_day, locale=t.locale)
    head = t._("<b>Your monthly budget</b> (from {date})", date=d(t, a.valid_from))
    dot = " · "
    lines = [
        f"{t._('Saved.')} {head}" if saved else head,
        dot.join(
            (
                t._("Income: {amount}", amount=m(t, b.monthly_income, cur)),
                t._("Fixed expenses: {amount}", amount=m(t, b.fixed_expenses, cur)),
                t._(
                    "Payments on debts not tracked here: {amount}",
                    amount=m(t, b.other_debt_payments, cur),
                ),
            )
        ),
        dot.join(
            (
                t._("Disposable income: <b>{amount}</b>", amount=m(t, c.disposable, cur)),
                t._("Living reserve: {amount}", amount=m(t, c.reserve, cur)),
            )
        ),
        t._("Affordable for your debts: <b>{amount}</b> a month", amount=m(t, c.affordable, cur)),
        t._(
            "Your tracked debts ask in {month}: <b>{amount}</b>",
            month=month,
            amount=m(t, c.planned, cur),
        ),
    ]
    if a.due.debts:
        lines.append("· " + dot.join(f"{esc(i.name)} {m(t, i.amount, cur)}" for i in a.due.debts))
    if a.due.other_currency:
        others = listing(
            (
                f"{esc(item.name)} {m(t, item.amount, item.currency)}"
                for item in a.due.other_currency
            ),
            t._.language,
        )
        lines.append(t._("Not counted (another currency): {debts}", debts=others))
    if c.fits:
        lines.append(t._("✅ Surplus: <b>{amount}</b> a month.", amount=m(t, c.surplus, cur)))
    else:
        lines.append(t._("⚠️ Shortfall: <b>{amount}</b> a month.", amount=m(t, -c.surplus, cur)))
    rule = t._(
        "Rule of thumb: debt payments up to {comfortable} of income are manageable; above {limit} they are too heavy.",
        comfortable=percent(DTI_COMFORTABLE),
        limit=percent(DTI_LIMIT),
    )
    if c.debt_to_income is None:
        lines.append(t._("Debt-to-income: there is no income to compare with."))
    elif not c.fits and c.load is DebtLoad.COMFORTABLE:
        # A low ratio next to a shortfall must not read as "all is well" (issue 10).
        lines.append(
            t._(
                "Debt-to-income: <b>{ratio}</b>, but the month does not add up.",
                ratio=percent(c.debt_to_income),
            )
            + " "
            + rule
        )
    else:
        lines.append(
            t._(
                "Debt-to-income: <b>{ratio}</b> — {load}.",
                ratio=percent(c.debt_to_income),
                load=t._(LOAD_WORDS[c.load]),
            )
            + " "
            + rule
        )
    if c.runway_months is not None:
        if b.savings > 0:
            lines.append(
                t._(
                    "Runway: your savings of {savings} would cover all your outgoings for {months} months if your income stopped.",
                    savings=m(t, b.savings, cur),
                    months=_number(t, c.runway_months),
                )
            )
        else:
            lines.append(t._("Runway: no savings to fall back on if your income stopped."))
    if not c.fits:
        if c.months_until_savings_run_out is not None:
            lines.append(
                t._(
                    "Covering the shortfall from savings would last {months} months.",
                    months=_number(t, c.months_until_savings_run_out),
                )
            )
        lines.append(
            t._(
                "<b>What to do:</b> talk to your lender <b>before</b> you miss a payment. Lenders usually agree to a deferral or smaller installments when asked early, while a missed payment costs penalty interest and marks your credit record."
            )
            + " "
            + t._("/hardship will propose options to put to your lender.")
        )
    return "\n".join(lines)


def handlers() -> list[Handler]:
    """The /budget conversation."""
    return [
        conversation(
            "budget",
            entry_points=[
                CommandHandler("budget", budget),
                CallbackQueryHandler(update_pressed, pattern=r"^budnew:"),
            ],
            states={
                INCOME: [MessageHandler(TEXT, income)],
                EXPENSES: [MessageHandler(TEXT, expenses)],
                OTHER_DEBTS: [MessageHandler(TEXT, other_debts)],
                SAVINGS: [MessageHandler(TEXT, savings)],
                RESERVE: [
                    MessageHandler(TEXT, reserve),
                    CallbackQueryHandler(skip_reserve, pattern=r"^budskip:"),
                ],
            },
            cancel=cancel,
        )
    ]
