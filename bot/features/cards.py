"""Credit cards: /addcard (guided or in one line) and 账单分期 from a card's block in /status.

``/addcard`` asks the card's name, statement balance, statement day and due day (days as
buttons), shows what the statement asks and what paying only the minimum costs, and saves on
Save; ``/addcard 招行信用卡 15000 5 23`` saves at once, and a line with only some parts
(``/addcard 招行信用卡 15000``) asks the rest. The draft lives in ``context.user_data["card"]``
as strings (persistence is JSON), so a half-added card survives a restart.

Another conversation can hand a card over to these questions (``/adddebt 信用卡 15000``): put
``**card_states()`` into its ``states`` and return ``await start_card_flow(t, context, name,
balance)`` from its handler; the flow asks only what is missing and ends the conversation when
the card is saved or cancelled. The states are strings, so they never collide with int states.

账单分期: the "🧾" button under a card in /status asks the number of installments (3/6/12/24) and
the fee per installment (buttons, or typed), shows the plan, and converts the statement once
the borrower confirms the bank did it (the confirmation carries the amount shown, so a second
tap converts nothing).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Coroutine
from decimal import Decimal, InvalidOperation
from typing import Any

from telegram import Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot.callbacks import BadCallback, Callback, decode
from bot.errors import domain_error_text, register
from bot.features.start import cancel
from bot.formatting import esc, percent
from bot.i18n import N_
from bot.runtime import Context, Keyboard, Turn, kb, remove_buttons, turn
from bot.types import Handler
from bot.views import card_block, d, m
from tracker.cards import CardTerms
from tracker.errors import DomainError
from tracker.money import from_minor, to_minor
from tracker.parsing.debt_terms import clean_name, parse_fee_rate
from tracker.services.cards import (
    INSTALLMENT_PERIODS,
    InstallmentsPreview,
    add_card,
    check_day,
    convert_to_installments,
    installments_name,
    parse_balance,
    parse_card_line,
    parse_day_of_month,
    preview_card,
    preview_installments,
)

COMMANDS = [("addcard", N_("Add a credit card: statement, minimum, what it costs"))]

register(
    {
        "card_statement_day_range": N_(
            "The statement day is a day of the month, 1 to 31: {day} is not one."
        ),
        "card_due_day_range": N_("The due day is a day of the month, 1 to 31: {day} is not one."),
        "card_due_day_gap": N_(
            "A due day of {due_day} after a statement day of {statement_day} would fall after the next statement in February: with a statement that late in the month, the due day is in the following month. Please check the due day on your statement."
        ),
        "card_day_garbage": N_("I couldn't read “{text}” as a day of the month."),
        "card_amount_precision": N_("That amount has more decimals than the currency has."),
        "card_payment_precision": N_("That payment has more decimals than the currency has."),
        "card_minimum_rate_range": N_(
            "The minimum payment's share must be above 0 % and at most 100 %."
        ),
        "card_minimum_floor_range": N_("The smallest minimum payment can't be negative."),
        "card_minimum_floor_precision": N_(
            "The smallest minimum payment has more decimals than the currency has."
        ),
        "card_minimum_due_range": N_(
            "The minimum payment must be above zero and at most the statement balance, {balance}."
        ),
        "card_daily_rate_range": N_(
            "The card's daily rate must be at least 0 and at most 1000 % a year."
        ),
        "card_late_fee_rate_range": N_("The late fee must be between 0 % and 100 %."),
        "card_statement_parts": N_(
            "The interest, fees and overdue minimum on a statement can't add up to more than its balance."
        ),
        "card_statement_date": N_(
            "That is not this card's statement date: its statements close on day {statement_day}."
        ),
        "card_interest_from": N_(
            "Purchases on a statement are posted in its cycle, from {first} to {last}."
        ),
        "card_payment_date": N_("A payment in this cycle falls between {first} and {last}."),
        "card_max_months": N_("The number of months must be a positive whole number."),
        "card_installment_amount": N_(
            "Only part or all of the statement balance can be converted."
        ),
        "cardstate_not_card": N_("That debt is not a credit card."),
        "cardstate_closed": N_("That card is closed: nothing is owed on it."),
        "cardstate_agreed": N_(
            "This card now follows a plan agreed with the bank (/plan): its statement is no longer what you repay."
        ),
        "billinst_not_out": N_(
            "The statement of {date} isn't out yet: convert it once it is, before its due date."
        ),
        "billinst_nothing": N_("There is nothing left on this statement to convert."),
        "billinst_stale": N_(
            "The statement has changed since (a payment, or it was converted already): at most {most} can be converted now. Press 🧾 under /status again."
        ),
    },
    {
        "card": N_(
            "For example: <code>5</code> for the 5th of each month. In one line: <code>/addcard Visa 15000 5 23</code> (name, statement balance, statement day, due day)."
        ),
    },
)

END = ConversationHandler.END
#: Conversation states: strings, so another conversation can hold them beside its own ints.
NAME, BALANCE, STATEMENT_DAY, DUE_DAY, SUMMARY = (
    "card_name",
    "card_balance",
    "card_statement_day",
    "card_due_day",
    "card_summary",
)
FEE = "card_fee"  # 账单分期: the fee per installment, typed
DRAFT = "card"
FEE_DRAFT = "card_installments"
#: Buttons: a day picked, the default name, save or cancel, and 账单分期's steps.
DAY, DEFAULT_NAME, SAVE = "cdd", "cdn", "cds"
CONVERT, PERIODS, FEE_PICKED, CONFIRM, NOT_NOW = "cdi", "cdp", "cdf", "cdok", "cdx"
#: Fees per installment offered as buttons (what Chinese banks commonly charge).
FEE_BUTTONS = (Decimal("0.005"), Decimal("0.006"), Decimal("0.0075"))

USAGE = N_(
    "Add a card with /addcard and I'll ask four things, or in one line: <code>/addcard Visa 15000 5 23</code> (name, statement balance, statement day, due day)."
)
QUESTIONS = {
    NAME: N_(
        "<b>1/4</b> What is the card called? For example <code>Visa</code> or the bank's name."
    ),
    BALANCE: N_(
        "<b>2/4</b> How much is the statement balance of <b>{name}</b>: what the latest statement asks you to repay? For example <code>15000</code>."
    ),
    STATEMENT_DAY: N_(
        "<b>3/4</b> On which day of the month is the statement issued (the statement day)? Press it, or type it."
    ),
    DUE_DAY: N_(
        "<b>4/4</b> By which day of the month must the statement be paid (the due day)? Press it, or type it."
    ),
}
DEFAULT_CARD_NAME = N_("Credit card")
USE_BUTTONS = N_("Please use the buttons below.")

Draft = dict[str, str]


# ---- the guided flow ------------------------------------------------------------------------


def _draft(context: Context) -> Draft:
    data = context.user_data
    assert data is not None  # updates from a user always have user_data
    draft = data.get(DRAFT)
    if not isinstance(draft, dict):
        draft = data[DRAFT] = {}
    return draft


def _day_buttons(t: Turn) -> Keyboard:
    days = [t.button(str(day), DAY, day) for day in range(1, 32)]
    return [days[start : start + 7] for start in range(0, 31, 7)]


def _next_state(draft: Draft) -> str:
    for state, key in (
        (NAME, "name"),
        (BALANCE, "balance"),
        (STATEMENT_DAY, "statement_day"),
        (DUE_DAY, "due_day"),
    ):
        if key not in draft:
            return state
    return SUMMARY


async def _ask(t: Turn, state: str, draft: Draft, lead: str = "") -> str:
    """Ask the question of ``state`` (after ``lead``, e.g. an error); the summary shows the card."""
    keyboard: Keyboard | None = None
    if state == SUMMARY:
        card = preview_card(
            name=draft["name"],
            balance=Decimal(draft["balance"]),
            statement_day=int(draft["statement_day"]),
            due_day=int(draft["due_day"]),
            currency=draft["currency"],
            today=t.today,
        )
        question = t._("Save this card?")
        text = f"{card_block(t, card)}\n\n{question}"
        keyboard = kb([t.button(t._("✅ Save"), SAVE, "save"), t.button(t._("Cancel"), SAVE, "no")])
    elif state == NAME:
        text = t._(QUESTIONS[NAME])
        keyboard = kb([t.button(f"💳 {t._(DEFAULT_CARD_NAME)}", DEFAULT_NAME)])
    elif state == BALANCE:
        text = t._(QUESTIONS[BALANCE], name=esc(draft["name"]))
    else:
        text = t._(QUESTIONS[state])
        keyboard = _day_buttons(t)
    await t.reply(f"{lead}\n\n{text}" if lead else text, keyboard)
    return state


async def start_card_flow(
    t: Turn,
    context: Context,
    name: str | None = None,
    balance: Decimal | None = None,
    currency: str | None = None,
    lead: str = "",
) -> str:
    """Start (or hand over to) the card questions with what is already known; returns the state
    the conversation is in (the first missing part)."""
    assert context.user_data is not None
    draft: Draft = {"currency": currency or t.user.currency}
    if name is not None:
        draft["name"] = clean_name(name)
    if balance is not None:
        draft["balance"] = str(balance)
    context.user_data[DRAFT] = draft
    return await _ask(t, _next_state(draft), draft, lead)


def _read(state: str, t: Turn, draft: Draft, text: str) -> None:
    """Check one typed answer and keep it in the draft (or raise, changing nothing)."""
    if state == NAME:
        draft["name"] = clean_name(text)
    elif state == BALANCE:
        parsed = parse_balance(text, draft["currency"])
        draft["balance"], draft["currency"] = str(parsed.amount), parsed.currency
    elif state == STATEMENT_DAY:
        draft["statement_day"] = str(parse_day_of_month(text, "card_statement_day_range"))
    elif state == DUE_DAY:
        _keep_due_day(draft, parse_day_of_month(text, "card_due_day_range"))


def _keep_due_day(draft: Draft, day: int) -> None:
    check_day(day, "card_due_day_range")
    CardTerms(draft["currency"], int(draft["statement_day"]), day)  # card_due_day_gap
    draft["due_day"] = str(day)


def _typed(state: str) -> Callable[[Update, Context], Coroutine[Any, Any, object]]:
    async def handle(update: Update, context: Context) -> object:
        message = update.effective_message
        assert message is not None
        assert message.text is not None
        draft = _draft(context)
        async with turn(update, context) as t:
            if state == SUMMARY:
                return await _ask(t, SUMMARY, draft, t._(USE_BUTTONS))
            try:
                _read(state, t, draft, message.text)
                following = _next_state(draft)
                return await _ask(t, following, draft)
            except DomainError as error:
                return await _ask(t, state, draft, domain_error_text(error, t._, t.locale))
            except (KeyError, ValueError, InvalidOperation):
                return await _lost(t, context)
        return state

    return handle


async def _lost(t: Turn, context: Context) -> object:
    """The draft is incomplete (an old or damaged one): start again."""
    if context.user_data is not None:
        context.user_data.pop(DRAFT, None)
    await t.reply(t._("I lost track of this card — please start again with /addcard."))
    return END


async def day_pressed(update: Update, context: Context) -> object:
    """A day button: the statement day or the due day, whichever is asked."""
    query = update.callback_query
    assert query is not None
    draft = _draft(context)
    async with turn(update, context) as t:
        day = decode(query.data, t.update_user_id).int_arg(0)
        await t.answer()
        state = _next_state(draft)
        try:
            if state == STATEMENT_DAY:
                draft["statement_day"] = str(check_day(day, "card_statement_day_range"))
            elif state == DUE_DAY:
                _keep_due_day(draft, day)
            else:
                return await _lost(t, context)
            await remove_buttons(query)
            return await _ask(t, _next_state(draft), draft)
        except DomainError as error:
            return await _ask(t, state, draft, domain_error_text(error, t._, t.locale))
        except (KeyError, ValueError, InvalidOperation):
            return await _lost(t, context)
    return END


async def default_name_pressed(update: Update, context: Context) -> object:
    """The "💳 Credit card" button: the card is just called that."""
    query = update.callback_query
    assert query is not None
    draft = _draft(context)
    async with turn(update, context) as t:
        decode(query.data, t.update_user_id)
        await t.answer()
        if "currency" not in draft:
            return await _lost(t, context)
        await remove_buttons(query)
        draft["name"] = t._(DEFAULT_CARD_NAME)
        return await _ask(t, _next_state(draft), draft)
    return END


async def save_pressed(update: Update, context: Context) -> object:
    """Save the card, or cancel."""
    query = update.callback_query
    assert query is not None
    draft = _draft(context)
    async with turn(update, context) as t:
        action = decode(query.data, t.update_user_id).arg(0)
        await t.answer()
        await remove_buttons(query)
        assert context.user_data is not None
        if action != "save":
            context.user_data.pop(DRAFT, None)
            await t.reply(t._("Cancelled. Nothing was saved. /help shows what you can do."))
            return END
        try:
            await _save(t, draft)
        except (KeyError, ValueError, InvalidOperation):
            return await _lost(t, context)
        except DomainError as error:
            t.uow.rollback()
            return await _ask(t, SUMMARY, draft, domain_error_text(error, t._, t.locale))
        context.user_data.pop(DRAFT, None)
        return END
    return END


async def _save(t: Turn, draft: Draft) -> None:
    _debt, card = add_card(
        t.uow,
        user_id=t.user_id,
        name=draft["name"],
        balance=Decimal(draft["balance"]),
        statement_day=int(draft["statement_day"]),
        due_day=int(draft["due_day"]),
        currency=draft["currency"],
        today=t.today,
        now=t.now,
    )
    t.commit()
    await t.reply(
        "\n".join(
            (
                t._("✅ Saved."),
                card_block(t, card),
                "",
                t._(
                    "I'll remind you of each minimum before its due date; /status shows the card, and /paid records a payment."
                ),
            )
        )
    )


async def addcard(update: Update, context: Context) -> object:
    """/addcard alone asks step by step; with a line it saves, or asks what the line lacks."""
    assert context.user_data is not None
    context.user_data.pop(DRAFT, None)  # a new /addcard starts afresh
    args = context.args or []
    async with turn(update, context) as t:
        if not args:
            intro = t._(
                "Let's add a credit card. Amounts in {currency}; /cancel stops at any step.",
                currency=t.user.currency,
            )
            return await start_card_flow(t, context, lead=intro)
        try:
            line = parse_card_line(" ".join(args), t.user.currency)
            if line.name is None:
                raise DomainError("the card needs a name", code="name_empty")
        except DomainError as error:
            await t.reply(f"{domain_error_text(error, t._, t.locale)}\n\n{t._(USAGE)}")
            return END
        draft: Draft = {"name": line.name, "currency": t.user.currency}
        if line.balance is not None:
            draft["balance"] = str(line.balance.amount)
            draft["currency"] = line.balance.currency
        if line.statement_day is not None:
            draft["statement_day"] = str(line.statement_day)
        if line.due_day is not None:
            draft["due_day"] = str(line.due_day)
        if _next_state(draft) != SUMMARY:
            context.user_data[DRAFT] = draft
            return await _ask(t, _next_state(draft), draft)
        try:
            await _save(t, draft)
        except DomainError as error:
            t.uow.rollback()
            await t.reply(f"{domain_error_text(error, t._, t.locale)}\n\n{t._(USAGE)}")
        return END
    return END


# ---- 账单分期 --------------------------------------------------------------------------------


def _period_label(t: Turn, periods: int) -> str:
    return t._.plural("{n} month", "{n} months", periods)


async def convert_pressed(update: Update, context: Context) -> object:
    """The 🧾 button under a card: how many installments?"""
    query = update.callback_query
    assert query is not None
    async with turn(update, context) as t:
        debt_id = decode(query.data, t.update_user_id).int_arg(0)
        # Validates the card and the statement now, with a fee that changes nothing asked here.
        shortest = INSTALLMENT_PERIODS[0]
        preview = preview_installments(
            t.uow,
            user_id=t.user_id,
            debt_id=debt_id,
            periods=shortest,
            fee_rate=Decimal(0),
            today=t.today,
        )
        await t.answer()
        card = preview.card
        text = t._(
            "<b>{card}</b>: convert {amount} of the statement of {date} into monthly installments? Do it in the bank's app, then tell me the terms here. How many months?",
            card=esc(card.name),
            amount=m(t, preview.amount, card.currency),
            date=d(t, card.statement.statement_date),
        )
        buttons = [t.button(_period_label(t, n), PERIODS, debt_id, n) for n in INSTALLMENT_PERIODS]
        await t.reply(text, kb(buttons, [t.button(t._("Not now"), NOT_NOW)]))
    return END


async def periods_pressed(update: Update, context: Context) -> object:
    """The number of installments: now the fee per installment (buttons, or typed)."""
    query = update.callback_query
    assert query is not None
    async with turn(update, context) as t:
        data = decode(query.data, t.update_user_id)
        debt_id, periods = data.int_arg(0), data.int_arg(1)
        if periods not in INSTALLMENT_PERIODS:
            raise BadCallback("not an offered number of installments")
        await t.answer()
        await remove_buttons(query)
        assert context.user_data is not None
        context.user_data[FEE_DRAFT] = {"debt": str(debt_id), "periods": str(periods)}
        await _ask_fee(t, debt_id, periods)
        return FEE
    return END


async def _ask_fee(t: Turn, debt_id: int, periods: int, lead: str = "") -> None:
    text = t._(
        "What fee does the bank charge per installment? Press it, or type it as the bank's app shows it, for example <code>0.6%</code>."
    )
    buttons = [t.button(percent(fee), FEE_PICKED, debt_id, periods, fee) for fee in FEE_BUTTONS]
    await t.reply(f"{lead}\n\n{text}" if lead else text, kb(buttons))


async def fee_typed(update: Update, context: Context) -> object:
    """A typed fee per installment: show the plan."""
    message = update.effective_message
    assert message is not None
    assert message.text is not None
    assert context.user_data is not None
    draft = context.user_data.get(FEE_DRAFT)
    async with turn(update, context) as t:
        try:
            assert isinstance(draft, dict)
            debt_id, periods = int(draft["debt"]), int(draft["periods"])
        except (AssertionError, KeyError, ValueError):
            context.user_data.pop(FEE_DRAFT, None)
            await t.reply(t._("I lost track of this — press 🧾 under /status again."))
            return END
        try:
            fee = parse_fee_rate(message.text)
        except DomainError as error:
            await _ask_fee(t, debt_id, periods, domain_error_text(error, t._, t.locale))
            return FEE
        context.user_data.pop(FEE_DRAFT, None)
        await _preview(t, debt_id, periods, fee)
        return END
    return FEE


async def fee_pressed(update: Update, context: Context) -> object:
    """A fee button: show the plan."""
    query = update.callback_query
    assert query is not None
    async with turn(update, context) as t:
        data = decode(query.data, t.update_user_id)
        fee = _fee_arg(data, 2)
        await t.answer()
        await remove_buttons(query)
        if context.user_data is not None:
            context.user_data.pop(FEE_DRAFT, None)
        await _preview(t, data.int_arg(0), data.int_arg(1), fee)
    return END


def _fee_arg(data: Callback, index: int) -> Decimal:
    try:
        fee = Decimal(data.arg(index))
    except InvalidOperation:
        raise BadCallback("not a fee") from None
    if not fee.is_finite():
        raise BadCallback("not a fee")
    return fee


async def _preview(t: Turn, debt_id: int, periods: int, fee: Decimal) -> None:
    preview = preview_installments(
        t.uow, user_id=t.user_id, debt_id=debt_id, periods=periods, fee_rate=fee, today=t.today
    )
    cur = preview.card.currency
    confirm = t.button(
        t._("✅ The bank converted it"),
        CONFIRM,
        debt_id,
        periods,
        fee,
        to_minor(preview.amount, cur),
    )
    await t.reply(preview_text(t, preview), kb([confirm, t.button(t._("Not now"), NOT_NOW)]))


def preview_text(t: Turn, preview: InstallmentsPreview) -> str:
    """The installment plan before it is recorded: the payments, the fees, the true rate."""
    card = preview.card
    cur = card.currency
    rows = preview.quote.rows
    first = rows[0]
    lines = [
        t._(
            "<b>{card}</b>: {amount} of the statement of {date} in {n} monthly installments",
            card=esc(card.name),
            amount=m(t, preview.amount, cur),
            date=d(t, card.statement.statement_date),
            n=preview.periods,
        ),
        t._(
            "Each: <b>{payment}</b> ({principal} + fee {fee}), from {first} to {last}.",
            payment=m(t, first.payment, cur),
            principal=m(t, first.principal, cur),
            fee=m(t, first.fee, cur),
            first=d(t, first.due_date),
            last=d(t, rows[-1].due_date),
        ),
        t._(
            "Fees in all: <b>{fees}</b>, an annualised rate of <b>{apr}</b>: the fee is charged on the whole amount every month, even as it is repaid.",
            fees=m(t, preview.quote.totals.fee, cur),
            apr=percent(preview.quote.apr.simple.quantize(Decimal("0.0001"))),
        ),
    ]
    if preview.card_left > 0:
        lines.append(
            t._("The card keeps {amount} of this statement.", amount=m(t, preview.card_left, cur))
        )
    lines.append(t._("Press the button once the bank has converted it, and I'll record it."))
    return "\n".join(lines)


async def confirm_pressed(update: Update, context: Context) -> None:
    """The bank converted the statement: record the installment debt and the card's rest."""
    query = update.callback_query
    assert query is not None
    async with turn(update, context) as t:
        data = decode(query.data, t.update_user_id)
        debt_id, periods, fee = data.int_arg(0), data.int_arg(1), _fee_arg(data, 2)
        card = t.uow.debts.require_for_user(t.user_id, debt_id)
        amount = from_minor(data.int_arg(3), card.currency)
        name = installments_name(card.name, t._(" installments"))
        done = convert_to_installments(
            t.uow,
            user_id=t.user_id,
            debt_id=debt_id,
            periods=periods,
            fee_rate=fee,
            today=t.today,
            now=t.now,
            amount=amount,
            name=name,
        )
        t.commit()
        await t.answer()
        await remove_buttons(query)
        first = done.quote.rows[0]
        lines = [
            t._(
                "✅ Recorded <b>{debt}</b>: {n} installments of {payment} from {date}.",
                debt=esc(done.installments.name),
                n=len(done.quote.rows),
                payment=m(t, first.payment, card.currency),
                date=d(t, first.due_date),
            )
        ]
        if done.card_summary is None:
            lines.append(
                t._(
                    "Nothing is left on {card}'s statement, so I closed the card here.",
                    card=esc(card.name),
                )
            )
        else:
            lines += ["", card_block(t, done.card_summary)]
        lines.append(t._("/status shows what you owe today."))
        await t.reply("\n".join(lines))


async def not_now(update: Update, context: Context) -> object:
    """Not now: nothing is converted."""
    query = update.callback_query
    assert query is not None
    async with turn(update, context) as t:
        decode(query.data, t.update_user_id)
        await t.answer()
        await remove_buttons(query)
        if context.user_data is not None:
            context.user_data.pop(FEE_DRAFT, None)
        await t.reply(t._("OK, nothing was changed."))
    return END


# ---- wiring ---------------------------------------------------------------------------------


def card_states() -> dict[object, list[BaseHandler[Update, Any, Any]]]:
    """The card questions' states, for this feature's conversation or another one's."""
    text = filters.TEXT & ~filters.COMMAND
    return {
        NAME: [
            CallbackQueryHandler(default_name_pressed, pattern=rf"^{DEFAULT_NAME}:"),
            MessageHandler(text, _typed(NAME)),
        ],
        BALANCE: [MessageHandler(text, _typed(BALANCE))],
        STATEMENT_DAY: [
            CallbackQueryHandler(day_pressed, pattern=rf"^{DAY}:"),
            MessageHandler(text, _typed(STATEMENT_DAY)),
        ],
        DUE_DAY: [
            CallbackQueryHandler(day_pressed, pattern=rf"^{DAY}:"),
            MessageHandler(text, _typed(DUE_DAY)),
        ],
        SUMMARY: [
            CallbackQueryHandler(save_pressed, pattern=rf"^{SAVE}:"),
            MessageHandler(text, _typed(SUMMARY)),
        ],
    }


def handlers() -> list[Handler]:
    """The /addcard conversation (persistent) and the 账单分期 buttons."""
    text = filters.TEXT & ~filters.COMMAND
    with warnings.catch_warnings():
        # Buttons are tracked per chat and user, not per message: intended (see the module doc).
        warnings.filterwarnings("ignore", message=".*per_message.*", category=PTBUserWarning)
        conversation = ConversationHandler(
            entry_points=[
                CommandHandler("addcard", addcard),
                CallbackQueryHandler(convert_pressed, pattern=rf"^{CONVERT}:"),
                CallbackQueryHandler(periods_pressed, pattern=rf"^{PERIODS}:"),
                CallbackQueryHandler(fee_pressed, pattern=rf"^{FEE_PICKED}:"),
                CallbackQueryHandler(not_now, pattern=rf"^{NOT_NOW}:"),
            ],
            states={
                **card_states(),
                FEE: [MessageHandler(text, fee_typed)],
            },
            fallbacks=[CommandHandler("cancel", cancel)],
            name="addcard",
            persistent=True,
            per_user=True,
            per_chat=True,
            allow_reentry=True,
        )
    return [conversation, CallbackQueryHandler(confirm_pressed, pattern=rf"^{CONFIRM}:")]
