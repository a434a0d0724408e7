"""/hardship: what changed, the month after it, ranked options and a negotiation pack.

The guided flow (the ``hardship`` conversation) starts from /hardship, from the reminders'
"I can't pay" button (``rc``) and from "Get options" under the reply to free text that reads
like hardship (``我失业了``). It asks what changed and since when, the income now, (the
essential expenses when no budget was given), a new monthly cost, a one-off cost, how long it
may last and the savings, then stores the report and a budget snapshot and shows the options.

The buttons after that work without the conversation, from the stored data, so they keep
working later: ``hsr`` switches the split rule (saying so when that changes nothing), ``hsm``
shows "More options" (every option the planner computed is reachable), ``hsdt`` one option's
"Details" (with [Choose this] and [Back to options]), ``hsp`` picks an option (stored as a proposal
per lender, then the pack, its PDF and the next steps), ``hstx`` sends the plain text to copy,
``hsno`` marks a proposal refused. "I agreed a plan" (``plan_prop``) belongs to /plan, which
starts from the proposal's terms and makes what was agreed the active plan.

Before options whose figures depend on it (a settlement of a flat-fee debt, 分期手续费), the
borrower is asked once whether the lender still charges the remaining fees on an early payoff;
``hsfp`` stores the answer on the debt (Yes, No, or I don't know = yes) and shows the options.

Before the first pack for a debt whose lender is not said yet (issue 10: the pack is addressed
to the lender, 招商银行, not the debt's nickname, 信用卡), the ``hardship_lender`` conversation
asks who it is: ``hsl`` buttons for the lenders the user named before and "the name itself",
or the name typed; it is stored on the debt and the pack follows.

Register before reminders (so ``rc`` starts this flow) and before payments (free text).
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable, Coroutine
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from telegram import Message, Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot.callbacks import BadCallback, decode
from bot.errors import register
from bot.features import hardship_pack as packs
from bot.features import hardship_views as views
from bot.features.payments import PAYMENT_TEXT
from bot.features.plans_flow import pressed, text_please, use_buttons
from bot.features.reminders_buttons import CANT_PAY, HARDSHIP_TEXT
from bot.features.start import cancel
from bot.formatting import esc
from bot.i18n import N_
from bot.runtime import Context, Turn, kb, turn
from bot.views import d, m
from tracker.errors import DomainError, InvalidAmount, NotFound
from tracker.money import from_minor
from tracker.parsing import normalise_text, parse_amount, parse_term
from tracker.parsing.hardship_text import Cause, recognise_hardship
from tracker.planner import Option, OptionKind
from tracker.services.debts import known_lenders, set_lender
from tracker.services.hardship import (
    HardshipAnswers,
    HardshipPlan,
    check_duration,
    check_since,
    hardship_defaults,
    hardship_options,
    latest_report,
    lender_unknown,
    proposal,
    propose,
    reject_proposal,
    report_cause,
    report_hardship,
    set_fees_on_payoff,
)
from tracker.services.plans import parse_past_date
from tracker.storage.enums import DebtStatus, HardshipKind, PlanStatus
from tracker.storage.models import Debt, HardshipReport, Installment

COMMANDS = [("hardship", N_("Can't pay? Options and a pack for your lender"))]

#: "I can't pay" within this long of a /hardship report continues from it instead of asking.
RECENT_REPORT = timedelta(days=30)

register(
    {
        "date_hardship_future": N_("What changed can't have started in the future."),
        "term_hardship_range": N_(
            "Give a number of months from 1 to {max}, or press “For good / I don't know”."
        ),
        "amount_hardship_currency": N_("Please give the amount in your currency, {currency}."),
        "hardship_missing": N_("Tell me first what changed: send /hardship."),
        "hardship_option_gone": N_(
            "That option is no longer on the list: send /hardship to see the current options."
        ),
        "hardship_options_stale": N_(
            "These options are out of date: send /hardship to see the current ones."
        ),
        "lender_empty": N_("The lender needs a name."),
        "lender_too_long": N_("That lender's name is too long: at most {limit} characters."),
        "proposal_closed": N_(
            "That proposal was already answered. /plan history shows your plan versions."
        ),
    },
    {"lender": N_("For example: <code>China Merchants Bank</code> or <code>JD Finance</code>.")},
)

END = ConversationHandler.END
#: Conversation states, one per question (strings: they are stored as JSON).
CHANGE = "change"
SINCE = "since"
INCOME = "income"
EXPENSES = "expenses"
NEW_EXPENSE = "new_expense"
ONE_OFF = "one_off"
DURATION = "duration"
SAVINGS = "savings"
#: The lender of a debt, asked before its first pack (the ``hardship_lender`` conversation).
LENDER = "lender"
#: user_data key of the option waiting for the lender: [report, rule, option, debt].
LENDER_DRAFT = "hardship_lender"
#: At most this many buttons with the lenders the user named before.
MAX_LENDER_BUTTONS = 6

#: The draft's key in user_data (amounts and dates kept as strings).
DRAFT = "hardship"
#: Typed for "none" where an amount may be skipped.
NONE_WORDS = frozenset({"skip", "none", "no", "nothing", "-", "跳过", "无", "没有", "不", "没"})
#: Typed for "for good / I don't know" where the duration is asked.
FOR_GOOD_WORDS = frozenset(
    {
        "for good",
        "forever",
        "permanent",
        "permanently",
        "don't know",
        "dont know",
        "i don't know",
        "not sure",
        "unknown",
        "?",
        "一直",
        "永久",
        "长期",
        "不知道",
        "不确定",
        "说不准",
        "未知",
    }
)
#: The duration buttons, in months.
DURATIONS = (3, 6, 12)

INTRO = N_(
    "Let's work out what you can still pay and what to ask your lender for. A few questions, amounts in {currency}; /cancel stops at any step and saves nothing."
)
WHAT_CHANGED = N_("<b>What changed?</b>")
SUGGESTION = N_(
    "I'm sorry to hear that. If it makes repaying hard, I can work out with you what you can still pay and what to ask your lender for (a pause, smaller payments, a waiver of penalty interest), and prepare a pack to send them. It takes a few questions."
)
KEEP_PAYING = N_(
    "Then you don't need a new arrangement: keep to the current plan and pay any overdue amount as soon as you can. Reminders continue as before. If things change, send /hardship again."
)

Handler = Callable[[Update, Context], Coroutine[Any, Any, object]]


# ---- the draft ------------------------------------------------------------------------------


def _draft(context: Context) -> dict[str, Any]:
    assert context.user_data is not None  # updates from users always have user_data
    value = context.user_data.setdefault(DRAFT, {})
    assert isinstance(value, dict)
    return value


def _drop(context: Context) -> None:
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
            await t.reply(t._("This step has expired: send /hardship to start again."))
        return END

    return step


def _typed(update: Update) -> str:
    message = update.message
    assert message is not None
    assert message.text is not None
    return message.text


def _amount(t: Turn, text: str) -> Decimal:
    """An amount in the user's currency, 0 allowed."""
    parsed = parse_amount(text, t.user.currency, allow_zero=True)
    if parsed.currency != t.user.currency:
        raise InvalidAmount(
            "another currency", code="amount_hardship_currency", currency=t.user.currency
        )
    return parsed.amount


def _none(text: str) -> bool:
    return normalise_text(text).casefold() in NONE_WORDS


# ---- the questions --------------------------------------------------------------------------


async def _start(
    t: Turn, context: Context, lead: str | None = None, cause: Cause | None = None
) -> object:
    """The first question (after ``lead``, if any); the user needs a debt to plan for.

    With ``cause`` (what the user already wrote, e.g. 我失业了) "what changed?" is not asked again.
    """
    debts = t.uow.debts.list_for_user(t.user_id, statuses=[DebtStatus.ACTIVE])
    if not debts:
        _drop(context)
        text = t._("Add your debts first with /adddebt: the options are worked out from them.")
        await t.reply(f"{lead}\n\n{text}" if lead else text)
        return END
    assert context.user_data is not None
    context.user_data[DRAFT] = {}
    if cause is not None:
        _draft(context)["cause"] = cause.value
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
    defaults = hardship_defaults(t.uow, t.user_id, t.today, t.user.currency)
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
    if hardship_defaults(t.uow, t.user_id, t.today, t.user.currency).base is None:
        return await _ask_expenses(t)
    return await _ask_new_expense(t)


async def _finish(t: Turn, context: Context, values: dict[str, Any]) -> object:
    """Store the report and the budget, then show the options."""
    duration = values.get("duration")
    expenses = values.get("expenses")
    answers = HardshipAnswers(
        cause=Cause(values["cause"]),
        since=date.fromisoformat(values["since"]),
        currency=t.user.currency,
        income=Decimal(values["income"]),
        new_monthly_expense=Decimal(values["new_expense"]),
        one_off_expense=Decimal(values["one_off"]),
        duration_months=int(duration) if duration else None,
        savings=Decimal(values["savings"]),
        fixed_expenses=Decimal(expenses) if expenses is not None else None,
    )
    _report, budget = report_hardship(t.uow, t.user_id, answers, today=t.today, now=t.now)
    t.commit()
    _drop(context)
    cur = budget.currency
    await t.reply(
        t._(
            "✅ Saved. From today your budget is: income {income}, essential expenses {expenses}, savings {savings}. /budget and the reminders use it; update it with /budget when things change.",
            income=m(t, from_minor(budget.monthly_income_minor, cur), cur),
            expenses=m(t, from_minor(budget.fixed_expenses_minor, cur), cur),
            savings=m(t, from_minor(budget.savings_minor, cur), cur),
        )
    )
    await _show_options(t, hardship_options(t.uow, t.user_id, t.today))
    return END


async def _show_options(
    t: Turn, plan: HardshipPlan, *, summary: bool = True, unchanged: str | None = None
) -> None:
    if summary:
        await t.reply(views.summary_text(t, plan))
    question = views.fees_question(t, plan)
    if question is not None:  # asked once per debt: the answer is stored on it
        await t.reply(*question)
        return
    await t.reply(views.options_text(t, plan, unchanged=unchanged), views.option_buttons(t, plan))


# ---- entry points ---------------------------------------------------------------------------


async def hardship_command(update: Update, context: Context) -> object:
    """/hardship: start the questions."""
    async with turn(update, context) as t:
        return await _start(t, context)
    return END


async def get_options_pressed(update: Update, context: Context) -> object:
    """ "Get options" under the reply to free text that reads like hardship."""
    async with turn(update, context) as t:
        data = await pressed(t)
        written = data.args[0] if data.args else None  # the cause the message named
        cause = Cause(written) if written in {c.value for c in Cause} else None
        return await _start(t, context, cause=cause)
    return END


async def cant_pay_pressed(update: Update, context: Context) -> object:
    """The reminders' "I can't pay": note it (the risk score counts it), then the questions."""
    from bot.features.reminders import cant_pay_text  # the reminders' honest word

    query = update.callback_query
    assert query is not None
    async with turn(update, context) as t:
        inst_id = decode(query.data, t.update_user_id).int_arg(0)
        inst = t.uow.session.get(Installment, inst_id)
        if inst is None or inst.user_id != t.user_id:
            raise NotFound(f"installment {inst_id} not found", code="remindbtn_gone")
        debt = t.uow.debts.require_for_user(t.user_id, inst.debt_id)
        since = t.now - timedelta(days=1)
        noted = any(
            r.text == HARDSHIP_TEXT and r.created_at >= since
            for r in t.uow.hardship.recent_for_user(t.user_id, limit=20)
        )
        if not noted:  # a second tap the same day adds nothing
            t.uow.hardship.add(
                HardshipReport(
                    user_id=t.user_id,
                    created_at=t.now,
                    kind=HardshipKind.OTHER,
                    currency=debt.currency,
                    text=HARDSHIP_TEXT,
                )
            )
        t.commit()
        await t.answer()
        recent = latest_report(t.uow, t.user_id)
        if recent is not None and recent.created_at >= t.now - RECENT_REPORT:
            # A recent report already says what changed: continue from it (issue 10).
            cause, _started = report_cause(recent)
            await t.reply(
                cant_pay_text(t, debt.name, inst)
                + "\n\n"
                + t._(
                    "You told me on {date}: {cause}. Here are the options from that; /hardship starts again if things changed.",
                    date=d(t, recent.created_at.date()),
                    cause=t._(views.CAUSE_LABELS[cause]),
                )
            )
            await _show_options(t, hardship_options(t.uow, t.user_id, t.today), summary=False)
            return END
        return await _start(t, context, cant_pay_text(t, debt.name, inst))
    return END


# ---- the steps ------------------------------------------------------------------------------


@in_flow
async def cause_chosen(update: Update, context: Context) -> object:
    """What changed, from the buttons."""
    async with turn(update, context) as t:
        value = (await pressed(t)).arg(0)
        if value not in {cause.value for cause in Cause}:
            raise BadCallback(f"unknown cause {value!r}")
        _draft(context)["cause"] = value
        return await _ask_since(t)
    return None


async def _since(t: Turn, context: Context, since: date) -> str:
    _draft(context)["since"] = check_since(since, t.today).isoformat()
    return await _ask_income(t)


@in_flow
async def since_typed(update: Update, context: Context) -> object:
    """The day it started."""
    async with turn(update, context) as t:
        return await _since(t, context, parse_past_date(_typed(update), today=t.today))
    return None


@in_flow
async def since_today(update: Update, context: Context) -> object:
    """It started today."""
    async with turn(update, context) as t:
        await pressed(t)
        return await _since(t, context, t.today)
    return None


@in_flow
async def income_typed(update: Update, context: Context) -> object:
    """The income a month now (0 allowed)."""
    async with turn(update, context) as t:
        _draft(context)["income"] = str(_amount(t, _typed(update)))
        return await _after_income(t)
    return None


@in_flow
async def expenses_typed(update: Update, context: Context) -> object:
    """The essential expenses a month (asked only without a budget)."""
    async with turn(update, context) as t:
        _draft(context)["expenses"] = str(_amount(t, _typed(update)))
        return await _ask_new_expense(t)
    return None


@in_flow
async def new_expense_typed(update: Update, context: Context) -> object:
    """A new monthly cost, or none."""
    async with turn(update, context) as t:
        text = _typed(update)
        _draft(context)["new_expense"] = "0" if _none(text) else str(_amount(t, text))
        return await _ask_one_off(t)
    return None


@in_flow
async def new_expense_none(update: Update, context: Context) -> object:
    """No new monthly cost."""
    async with turn(update, context) as t:
        await pressed(t)
        _draft(context)["new_expense"] = "0"
        return await _ask_one_off(t)
    return None


@in_flow
async def one_off_typed(update: Update, context: Context) -> object:
    """A one-off cost, or none."""
    async with turn(update, context) as t:
        text = _typed(update)
        _draft(context)["one_off"] = "0" if _none(text) else str(_amount(t, text))
        return await _ask_duration(t)
    return None


@in_flow
async def one_off_none(update: Update, context: Context) -> object:
    """No one-off cost."""
    async with turn(update, context) as t:
        await pressed(t)
        _draft(context)["one_off"] = "0"
        return await _ask_duration(t)
    return None


@in_flow
async def duration_typed(update: Update, context: Context) -> object:
    """How many months, or for good."""
    async with turn(update, context) as t:
        text = _typed(update)
        s = normalise_text(text).casefold().replace("’", "'")
        months = None if s in FOR_GOOD_WORDS else check_duration(parse_term(text))
        _draft(context)["duration"] = months
        return await _ask_savings(t)
    return None


@in_flow
async def duration_pressed(update: Update, context: Context) -> object:
    """A duration from the buttons."""
    async with turn(update, context) as t:
        value = (await pressed(t)).arg(0)
        if value == "good":
            months = None
        elif value.isdigit() and int(value) in DURATIONS:
            months = int(value)
        else:
            raise BadCallback(f"unknown duration {value!r}")
        _draft(context)["duration"] = months
        return await _ask_savings(t)
    return None


def _complete(values: dict[str, Any]) -> bool:
    return all(key in values for key in ("cause", "since", "income", "new_expense", "one_off"))


@in_flow
async def savings_typed(update: Update, context: Context) -> object:
    """The savings; then the report is stored and the options shown."""
    async with turn(update, context) as t:
        values = _draft(context)
        values["savings"] = str(_amount(t, _typed(update)))
        if not _complete(values):
            return await _start(t, context)
        return await _finish(t, context, values)
    return None


@in_flow
async def savings_prefilled(update: Update, context: Context) -> object:
    """The savings in the budget."""
    async with turn(update, context) as t:
        await pressed(t)
        values = _draft(context)
        defaults = hardship_defaults(t.uow, t.user_id, t.today, t.user.currency)
        if defaults.savings is None or not _complete(values):
            return await _start(t, context)
        values["savings"] = str(defaults.savings)
        return await _finish(t, context, values)
    return None


# ---- after the questions: options, packs, answers -------------------------------------------


def _plan(t: Turn, report_id: int, code: str) -> HardshipPlan:
    rule = views.RULES_BY_CODE.get(code)
    if rule is None:
        raise BadCallback(f"unknown rule {code!r}")
    plan = hardship_options(t.uow, t.user_id, t.today, rule)
    if plan.report_id != report_id:
        raise DomainError("options of an older report", code="hardship_options_stale")
    return plan


async def rule_pressed(update: Update, context: Context) -> None:
    """Another way to split the affordable amount across the debts; says so when it changes
    nothing against the rule shown before (the button's last argument)."""
    async with turn(update, context) as t:
        data = await pressed(t)
        plan = _plan(t, data.int_arg(0), data.arg(1))
        unchanged = None
        before_code = data.args[2] if len(data.args) > 2 else None
        if before_code is not None and before_code != data.arg(1):
            before = _plan(t, data.int_arg(0), before_code)
            if views.same_options(plan, before):
                unchanged = views.unchanged_text(t, plan, before)
        await _show_options(t, plan, summary=False, unchanged=unchanged)


async def more_pressed(update: Update, context: Context) -> None:
    """ "More options": the options after the first screen, a page at a time (0: the best)."""
    async with turn(update, context) as t:
        data = await pressed(t)
        plan = _plan(t, data.int_arg(0), data.arg(1))
        page = min(data.int_arg(2), views.pages(plan))
        await t.reply(views.options_text(t, plan, page=page), views.option_buttons(t, plan, page))


async def details_pressed(update: Update, context: Context) -> None:
    """An option's "Details": its terms and figures, [Choose this] and [Back to options]."""
    async with turn(update, context) as t:
        data = await pressed(t)
        kinds = list(OptionKind)
        index = data.int_arg(2)
        if index >= len(kinds):
            raise BadCallback(f"unknown option {index}")
        plan = _plan(t, data.int_arg(0), data.arg(1))
        option = plan.option(kinds[index])
        page = min(data.int_arg(3), views.pages(plan))
        await t.reply(
            views.details_text(t, plan, option), views.details_buttons(t, plan, option, page)
        )


async def fees_answer_pressed(update: Update, context: Context) -> None:
    """Whether the lender still charges the remaining fees on an early payoff: stored, then
    the options (figured with the answer, or the next question)."""
    async with turn(update, context) as t:
        data = await pressed(t)
        answer = views.FEES_ANSWERS.get(data.arg(3))
        if answer is None:
            raise BadCallback(f"unknown answer {data.arg(3)!r}")
        plan = _plan(t, data.int_arg(0), data.arg(1))
        debt = set_fees_on_payoff(t.uow, t.user_id, data.int_arg(2), answer[1], now=t.now)
        t.commit()
        await t.reply(
            t._(
                "✅ Saved for {debt}: {answer}. /status and the options use it.",
                debt=esc(debt.name),
                answer=t._(answer[0]),
            )
        )
        rule = plan.result.rule
        await _show_options(t, hardship_options(t.uow, t.user_id, t.today, rule), summary=False)


async def option_pressed(update: Update, context: Context) -> object:
    """An option chosen: the lender asked for first when a debt has none yet (issue 10), else
    stored as a proposal per lender, then each lender's pack."""
    async with turn(update, context) as t:
        data = await pressed(t)
        return await _choose(t, context, data.int_arg(0), data.arg(1), data.int_arg(2))
    return END


async def _choose(t: Turn, context: Context, report_id: int, code: str, index: int) -> object:
    """The option ``index`` of the report's options under rule ``code``: its packs, or first
    the question of who the lender is for a debt it asks something of (state LENDER)."""
    kinds = list(OptionKind)
    if index >= len(kinds):
        raise BadCallback(f"unknown option {index}")
    plan = _plan(t, report_id, code)
    option = plan.option(kinds[index])
    assert context.user_data is not None  # updates from users always have user_data
    debt = lender_unknown(plan, option)
    if debt is not None:
        assert debt.id is not None
        context.user_data[LENDER_DRAFT] = [report_id, code, index, debt.id]
        await _ask_lender(t, debt, [report_id, code, index, debt.id])
        return LENDER
    context.user_data.pop(LENDER_DRAFT, None)
    await _send_packs(t, plan, option)
    return END


async def _send_packs(t: Turn, plan: HardshipPlan, option: Option) -> None:
    """Store ``option`` as a proposal per lender; the request per lender, the files, what next."""
    stored = propose(t.uow, t.user_id, plan, option, now=t.now, today=t.today)
    if not stored:
        await t.reply(t._(KEEP_PAYING))
        return
    t.commit()
    found = [proposal(t.uow, t.user_id, p.id) for p in stored if p.id is not None]
    several = len(found) > 1
    # One message and files (not a stream of chat messages): the request per lender here,
    # the whole pack in the PDF and the text to send in a .txt (issue 10: ≤ 3 messages).
    if several:
        lead = t._(
            "<b>{option}</b>: here is a pack for each lender to ask. Check every figure before you send anything.",
            option=esc(views.title(t, option)),
        )
    else:
        lead = t._(
            "<b>{option}</b>: here is your pack for {lender}. Check every figure before you send anything.",
            option=esc(views.title(t, option)),
            lender=esc(found[0].lender),
        )
    await t.reply("\n".join([lead, *(packs.request_line(t, item) for item in found)]))
    for number, item in enumerate(found, start=1):
        await packs.send_pack(t, item, number if several else None)
    await t.reply(packs.next_steps_text(t, found), packs.next_steps_keyboard(t, found))


# ---- the lender, asked once before a debt's first pack (issue 10) -----------------------------


async def _ask_lender(t: Turn, debt: Debt, choice: list[Any]) -> None:
    """Who the debt is repaid to: a button per lender the user named before, "the name itself",
    or typed; ``choice`` (report, rule, option, debt) rides on the buttons."""
    lenders = known_lenders(t.uow, t.user_id)[:MAX_LENDER_BUTTONS]
    rows = [[t.button(lender, "hsl", *choice, i)] for i, lender in enumerate(lenders)]
    rows.append([t.button(t._("It's {debt} itself", debt=debt.name), "hsl", *choice, "name")])
    await t.reply(
        t._(
            "Who is the lender of <b>{debt}</b>? The company you repay, for example JD Finance or China Merchants Bank: the pack is addressed to it. Press a button or type its name.",
            debt=esc(debt.name),
        ),
        rows,
    )


async def _lender_saved(
    t: Turn, context: Context, debt_id: int, lender: str, choice: list[Any]
) -> object:
    debt = set_lender(t.uow, t.user_id, debt_id, lender, now=t.now)
    t.commit()
    await t.reply(
        t._(
            "✅ Saved: you repay <b>{debt}</b> to <b>{lender}</b>.",
            debt=esc(debt.name),
            lender=esc(debt.lender or ""),
        )
    )
    return await _choose(t, context, int(choice[0]), str(choice[1]), int(choice[2]))


async def lender_pressed(update: Update, context: Context) -> object:
    """A lender chosen with a button (one the user named before, or the debt's own name)."""
    async with turn(update, context) as t:
        data = await pressed(t)
        choice: list[Any] = [data.int_arg(0), data.arg(1), data.int_arg(2), data.int_arg(3)]
        debt = t.uow.debts.require_for_user(t.user_id, choice[3])
        if data.arg(4) == "name":
            lender = debt.name
        else:
            lenders = known_lenders(t.uow, t.user_id)
            at = data.int_arg(4)
            if at >= len(lenders):
                raise BadCallback(f"unknown lender {at}")
            lender = lenders[at]
        return await _lender_saved(t, context, choice[3], lender, choice)
    return END


async def lender_typed(update: Update, context: Context) -> object:
    """The lender typed while it is asked; a bad one gets the reason and an example."""
    assert context.user_data is not None
    choice = context.user_data.get(LENDER_DRAFT)
    async with turn(update, context) as t:
        if not (isinstance(choice, list) and len(choice) == 4):
            await t.reply(t._("I lost track of which option this was: send /hardship."))
            return END
        return await _lender_saved(t, context, int(choice[3]), _typed(update), choice)
    return LENDER


async def plain_pressed(update: Update, context: Context) -> None:
    """The lender-facing text without markup, to copy."""
    async with turn(update, context) as t:
        plan_id = (await pressed(t)).int_arg(0)
        found = proposal(t.uow, t.user_id, plan_id)
        await t.reply(
            t._(
                "Copy the next message into {lender}'s app chat, an email or a letter. Check the figures first.",
                lender=esc(found.lender),
            )
        )
        await packs.send_plain(t, found)


async def refused_pressed(update: Update, context: Context) -> None:
    """The lender said no: the proposal is marked refused; the current plan stays."""
    async with turn(update, context) as t:
        plan_id = (await pressed(t)).int_arg(0)
        found = proposal(t.uow, t.user_id, plan_id)
        if found.status is PlanStatus.PROPOSED:
            reject_proposal(t.uow, t.user_id, plan_id)
            t.commit()
        elif found.status is not PlanStatus.REJECTED:
            raise DomainError("already answered", code="proposal_closed")
        lender = esc(found.lender)
        await t.reply(
            "\n\n".join(
                [
                    t._(
                        "Noted: {lender} said no to this proposal. Your current plan stays, and reminders follow it.",
                        lender=lender,
                    ),
                    t._(
                        "Ask {lender} what it can offer instead and which documents would help. A smaller ask, such as installments on the overdue amount or a shorter pause, is often easier to accept: /hardship shows the other options.",
                        lender=lender,
                    ),
                    t._(views.FREE_HELP),
                    t._(views.AGENTS_WARNING),
                ]
            )
        )


# ---- free text ------------------------------------------------------------------------------


class _HardshipText(filters.MessageFilter):
    """Short messages that clearly read like hardship; any other text goes on."""

    __slots__ = ()

    def filter(self, message: Message) -> bool:
        return recognise_hardship(message.text) is not None


HARDSHIP_FREE_TEXT = _HardshipText(name="hardship_text")


async def suggest(update: Update, context: Context) -> None:
    """A short, kind offer of help with a "Get options" button."""
    message = update.effective_message
    cause = recognise_hardship(message.text if message else None)
    async with turn(update, context) as t:
        args = [cause.value] if cause is not None else []
        await t.reply(t._(SUGGESTION), kb([t.button(t._("Get options"), "hsgo", *args)]))


def handlers() -> list[BaseHandler]:  # type: ignore[type-arg]
    """The hardship conversation, its buttons afterwards, and the free-text suggestion."""
    text = filters.TEXT & ~filters.COMMAND
    not_text = ~filters.TEXT & ~filters.COMMAND
    anything = filters.ALL & ~filters.COMMAND

    def button(callback: Handler, action: str) -> CallbackQueryHandler:  # type: ignore[type-arg]
        return CallbackQueryHandler(callback, pattern=rf"^{action}:")

    def typed(callback: Handler) -> list[BaseHandler]:  # type: ignore[type-arg]
        return [MessageHandler(text, callback), MessageHandler(not_text, text_please)]

    with warnings.catch_warnings():
        # The buttons belong to the user's conversation, not to one message: per_message=False
        # is intended, and PTB's reminder that it is so is noise.
        warnings.filterwarnings("ignore", message=".*per_message=False", category=PTBUserWarning)
        conversation = ConversationHandler(
            entry_points=[
                CommandHandler("hardship", hardship_command),
                button(get_options_pressed, "hsgo"),
                button(cant_pay_pressed, CANT_PAY),
            ],
            states={
                CHANGE: [button(cause_chosen, "hsc"), MessageHandler(anything, use_buttons)],
                SINCE: [button(since_today, "hsst"), *typed(since_typed)],
                INCOME: typed(income_typed),
                EXPENSES: typed(expenses_typed),
                NEW_EXPENSE: [button(new_expense_none, "hsz"), *typed(new_expense_typed)],
                ONE_OFF: [button(one_off_none, "hsz"), *typed(one_off_typed)],
                DURATION: [button(duration_pressed, "hsd"), *typed(duration_typed)],
                SAVINGS: [button(savings_prefilled, "hsv"), *typed(savings_typed)],
            },
            fallbacks=[CommandHandler("cancel", cancel)],
            name="hardship",
            persistent=True,
            allow_reentry=True,
        )
        # Choosing an option may ask the lender first; the typed answer reaches it in state
        # LENDER (its buttons work later without it, below).
        lender = ConversationHandler(
            entry_points=[button(option_pressed, "hsp")],
            states={
                LENDER: [
                    button(lender_pressed, "hsl"),
                    # A payment typed while the question waits (还了500) is no lender's name:
                    # it goes on to the payments handler, and the question stays open.
                    MessageHandler(text & ~PAYMENT_TEXT, lender_typed),
                    MessageHandler(not_text, text_please),
                ]
            },
            fallbacks=[CommandHandler("cancel", cancel)],
            name=LENDER_DRAFT,
            persistent=True,
            allow_reentry=True,
        )
    return [
        conversation,
        lender,
        CallbackQueryHandler(rule_pressed, pattern=r"^hsr:"),
        CallbackQueryHandler(more_pressed, pattern=r"^hsm:"),
        CallbackQueryHandler(details_pressed, pattern=r"^hsdt:"),
        CallbackQueryHandler(lender_pressed, pattern=r"^hsl:"),
        CallbackQueryHandler(fees_answer_pressed, pattern=r"^hsfp:"),
        CallbackQueryHandler(plain_pressed, pattern=r"^hstx:"),
        CallbackQueryHandler(refused_pressed, pattern=r"^hsno:"),
        MessageHandler(
            filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND & HARDSHIP_FREE_TEXT,
            suggest,
        ),
    ]
