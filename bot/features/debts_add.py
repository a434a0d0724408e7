"""/adddebt: a debt added step by step (a persistent conversation) or in one line.

The draft is a ``DebtDraft`` (debts_steps) in ``context.user_data["adddebt"]``
(bot.conversation), so a flow survives a restart. Every answer is checked before it is kept: a wrong one gets the error, an
example and the same question again.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import InvalidOperation
from typing import Any

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler

from bot.callbacks import decode
from bot.conversation import END, TEXT, LostDraft, conversation
from bot.errors import domain_error_text
from bot.features import cards
from bot.features.debts_steps import (
    APP_NEXT_DUE,
    APP_PRINCIPAL,
    APP_TERM,
    DRAFTS,
    EXTRA_VALUE,
    EXTRAS,
    FEE,
    FIRST_DUE,
    LINE_PERIOD,
    METHOD,
    NAME,
    PAID_COUNT,
    PRINCIPAL,
    RATE,
    RATE_PERIOD,
    RUNNING,
    SAVE,
    SUMMARY,
    TERM,
    USE_BUTTONS,
    WELCOME,
    DebtDraft,
    Step,
    UseButtons,
    draft_of,
    is_running,
    not_text,
    press_app_next_due,
    press_due,
    press_extra,
    press_fee,
    press_loan_default,
    press_method,
    press_rate_unit,
    press_running,
    question,
    read_app_next_due,
    read_app_principal,
    read_app_term,
    read_extra,
    read_fee,
    read_first_due,
    read_method,
    read_name,
    read_paid_count,
    read_principal,
    read_rate,
    read_running,
    read_term,
    running_spec,
    spec_of,
    start_running,
)
from bot.features.debts_text import (
    USAGE,
    problem_text,
    quote_text,
    running_saved_text,
)
from bot.runtime import Context, Turn, remove_buttons, turn
from bot.types import Handler
from tracker.calculator import Quote
from tracker.errors import DomainError
from tracker.parsing.debt_line import PartialLine, parse_debt_line, partial_debt_line
from tracker.parsing.debt_terms import DebtSpec
from tracker.parsing.rates import rate_readings
from tracker.rates import RateUnit
from tracker.services.debts_entry import add_debt, check_spec
from tracker.services.debts_position import position

#: A draft that lacks an answer, or no longer reads: the user starts again.
LOST = (LostDraft, KeyError, ValueError, InvalidOperation)


def _draft(context: Context) -> DebtDraft:
    """The draft (an empty one if there is none: a step that needs an answer finds it lost)."""
    return DRAFTS.load(context) or DebtDraft()


async def _prompt(t: Turn, state: int, draft: DebtDraft, lead: str = "") -> None:
    """Ask the question of ``state`` (after ``lead``, e.g. an error)."""
    text, keyboard = question(t, state, draft)
    await t.reply(f"{lead}\n\n{text}" if lead else text, keyboard)


def _text_step(state: int, read: Step) -> Callable[[Update, Context], Any]:
    """A handler for typed answers in ``state``."""

    async def handle(update: Update, context: Context) -> int:
        assert update.message is not None
        assert update.message.text is not None
        draft = _draft(context)
        async with turn(update, context) as t:
            try:
                following = read(t, draft, update.message.text)
            except DomainError as error:
                await _prompt(t, state, draft, domain_error_text(error, t._, t.locale))
                return state
            except UseButtons:
                await _prompt(t, state, draft, t._(USE_BUTTONS))
                return state
            except LOST:
                return await _lost(t, context)
            DRAFTS.save(context, draft)
            if following == SAVE:
                return await _save_running(t, context, draft, state)
            await _prompt(t, following, draft)
            return following
        return state

    return handle


async def _lost(t: Turn, context: Context) -> int:
    """The draft is incomplete (an old or damaged one): start again."""
    DRAFTS.drop(context)
    await t.reply(t._("I lost track of this debt — please start again with /adddebt."))
    return END


def _button_step(
    state: int, press: Callable[[Turn, DebtDraft, str], int]
) -> Callable[[Update, Context], Any]:
    """A handler for button presses in ``state``; the button's first argument goes to ``press``."""

    async def handle(update: Update, context: Context) -> int:
        query = update.callback_query
        assert query is not None
        draft = _draft(context)
        async with turn(update, context) as t:
            callback = decode(query.data, t.update_user_id)
            await t.answer()
            try:
                following = press(t, draft, callback.args[0] if callback.args else "")
            except DomainError as error:
                await _prompt(t, state, draft, domain_error_text(error, t._, t.locale))
                return state
            except LOST:
                return await _lost(t, context)
            DRAFTS.save(context, draft)
            await remove_buttons(query)
            if following == END:
                return END
            if following == SAVE:
                return await _save_running(t, context, draft, state)
            await _prompt(t, following, draft)
            return following
        return state

    return handle


async def summary_pressed(update: Update, context: Context) -> int:
    """Save, change the optional terms, or cancel."""
    query = update.callback_query
    assert query is not None
    draft = _draft(context)
    async with turn(update, context) as t:
        action = decode(query.data, t.update_user_id).arg(0)
        await t.answer()
        await remove_buttons(query)
        if action == "extras":
            await _prompt(t, EXTRAS, draft)
            return EXTRAS
        if action != "save":
            return await _cancelled(t, context)
        try:
            spec = spec_of(draft)
            running = is_running(t, draft)
        except LOST:
            return await _lost(t, context)
        if running:  # a loan already running: what has happened since? (issue 9)
            following = start_running(draft)
            DRAFTS.save(context, draft)
            await _prompt(t, following, draft)
            return following
        try:
            _debt, result = add_debt(t.uow, user_id=t.user_id, spec=spec, now=t.now)
        except DomainError as error:
            t.uow.rollback()
            await _prompt(t, SUMMARY, draft, domain_error_text(error, t._, t.locale))
            return SUMMARY
        DRAFTS.drop(context)
        await t.commit_and_reply(saved_text(t, spec, result))
        return END
    return SUMMARY


def saved_text(t: Turn, spec: DebtSpec, result: Quote) -> str:
    """The reply after saving: the debt, its first installments and cost, and what next."""
    return "\n".join(
        (
            t._("✅ Saved."),
            quote_text(t, spec, result),
            t._("/schedule shows every installment; /status shows what you owe today."),
        )
    )


async def running_pressed(update: Update, context: Context) -> int:
    """An answer to "what has happened since?": save, ask a count or the app's figures."""
    query = update.callback_query
    assert query is not None
    draft = _draft(context)
    async with turn(update, context) as t:
        value = decode(query.data, t.update_user_id).arg(0)
        await t.answer()
        await remove_buttons(query)
        if value == "cancel":
            return await _cancelled(t, context)
        try:
            following = press_running(t, draft, value)
        except DomainError as error:
            await _prompt(t, RUNNING, draft, domain_error_text(error, t._, t.locale))
            return RUNNING
        except LOST:
            return await _lost(t, context)
        DRAFTS.save(context, draft)
        if following == SAVE:
            return await _save_running(t, context, draft, RUNNING)
        await _prompt(t, following, draft)
        return following
    return RUNNING


async def _save_running(t: Turn, context: Context, draft: DebtDraft, state: int) -> int:
    """Save a running loan as the answers describe it, in one transaction, then say so.

    A problem found only now (none is expected: every answer was checked) asks ``state`` again.
    """
    try:
        spec, described = running_spec(t, draft)
    except LOST:
        return await _lost(t, context)
    except DomainError as error:
        await _prompt(t, state, draft, domain_error_text(error, t._, t.locale))
        return state
    try:
        debt, _result = add_debt(t.uow, user_id=t.user_id, spec=spec, now=t.now, today=t.today)
        assert debt.id is not None  # stored by add_debt
        pos = position(t.uow, user_id=t.user_id, debt_id=debt.id, today=t.today)
    except DomainError as error:
        t.uow.rollback()
        await _prompt(t, state, draft, domain_error_text(error, t._, t.locale))
        return state
    DRAFTS.drop(context)
    await t.commit_and_reply(running_saved_text(t, spec, pos, app=described))
    return END


async def _cancelled(t: Turn, context: Context) -> int:
    DRAFTS.drop(context)
    await t.reply(t._("Cancelled. Nothing was saved. /help shows what you can do."))
    return END


async def cancel(update: Update, context: Context) -> int:
    """/cancel inside the flow: forget the draft."""
    async with turn(update, context) as t:
        return await _cancelled(t, context)
    return END


async def adddebt(update: Update, context: Context) -> int | str:
    """/adddebt alone starts the questions; with arguments it is the one-line form."""
    DRAFTS.drop(context)  # a new /adddebt starts afresh
    args = context.args or []
    async with turn(update, context) as t:
        if not args:
            draft = DRAFTS.save(context, DebtDraft())
            await _prompt(t, NAME, draft, t._(WELCOME))
            return NAME
        if args[0].casefold() in ("help", "?", "帮助"):
            await t.reply(t._(USAGE))
            return END
        return await _save_line(t, context, " ".join(args), None)
    return END


async def _save_line(t: Turn, context: Context, line: str, unit: RateUnit | None) -> int | str:
    """Save a one-line debt; a rate without its period is asked about first (LINE_PERIOD)."""
    try:
        spec = parse_debt_line(line, today=t.today, currency=t.user.currency, rate_unit=unit)
        if spec.terms.first_due < t.today:  # a loan already running: asked first (issue 9)
            check_spec(spec)
            draft = draft_of(spec)
            start_running(draft)
            DRAFTS.save(context, draft)
            await _prompt(t, RUNNING, draft)
            return RUNNING
        _debt, result = add_debt(t.uow, user_id=t.user_id, spec=spec, now=t.now)
    except DomainError as error:
        rate = str(error.params.get("text", ""))
        if unit is None and error.params.get("part") == "rate" and rate_readings(rate):
            draft = DRAFTS.save(context, DebtDraft(line=line, rate_text=rate))
            await _prompt(t, LINE_PERIOD, draft)
            return LINE_PERIOD
        partial = partial_debt_line(line, currency=t.user.currency)
        if error.code == "debt_line_missing" and partial is not None:
            return await _continue_line(t, context, partial)
        await t.reply(f"{problem_text(t, error)}\n\n{t._(USAGE)}")
        return END
    DRAFTS.drop(context)
    await t.commit_and_reply(saved_text(t, spec, result))
    return END


async def _continue_line(t: Turn, context: Context, partial: PartialLine) -> int | str:
    """A line with only a name (and a principal): ask the rest instead of showing the help.

    A credit card (``/adddebt 信用卡 15000``) goes on with the card's questions — a card has a
    statement, not a rate and a term; anything else with the loan's next question.
    """
    amount = partial.principal
    if partial.is_card:
        DRAFTS.drop(context)
        return await cards.start_card_flow(
            t,
            context,
            partial.name,
            amount.amount if amount is not None else None,
            amount.currency if amount is not None else None,
        )
    draft = DebtDraft(name=partial.name)
    state = PRINCIPAL
    if amount is not None:
        draft.principal, draft.currency = amount.amount, amount.currency
        state = RATE
    DRAFTS.save(context, draft)
    await _prompt(t, state, draft)
    return state


async def line_period_pressed(update: Update, context: Context) -> int | str:
    """The period of a one-line /adddebt's rate was chosen: read the line again and save."""
    query = update.callback_query
    assert query is not None
    draft = _draft(context)
    async with turn(update, context) as t:
        callback = decode(query.data, t.update_user_id)
        await t.answer()
        try:
            line, unit = draft.line, RateUnit(callback.arg(0))
        except ValueError:
            return await _lost(t, context)
        if line is None:
            return await _lost(t, context)
        await remove_buttons(query)
        return await _save_line(t, context, line, unit)
    return LINE_PERIOD


def handlers() -> list[Handler]:
    """The /adddebt conversation (persistent: a half-added debt survives a restart)."""
    return [
        conversation(
            "adddebt",
            entry_points=[CommandHandler("adddebt", adddebt)],
            states={
                NAME: [MessageHandler(TEXT, _text_step(NAME, read_name))],
                PRINCIPAL: [MessageHandler(TEXT, _text_step(PRINCIPAL, read_principal))],
                RATE: [MessageHandler(TEXT, _text_step(RATE, read_rate))],
                RATE_PERIOD: [
                    CallbackQueryHandler(
                        _button_step(RATE_PERIOD, press_rate_unit), pattern=r"^adu:"
                    ),
                    MessageHandler(TEXT, _text_step(RATE_PERIOD, read_rate)),
                ],
                LINE_PERIOD: [
                    CallbackQueryHandler(line_period_pressed, pattern=r"^adu:"),
                    MessageHandler(TEXT, _text_step(LINE_PERIOD, not_text)),
                ],
                TERM: [MessageHandler(TEXT, _text_step(TERM, read_term))],
                METHOD: [
                    CallbackQueryHandler(_button_step(METHOD, press_method), pattern=r"^adm:"),
                    MessageHandler(TEXT, _text_step(METHOD, read_method)),
                ],
                FEE: [
                    CallbackQueryHandler(_button_step(FEE, press_fee), pattern=r"^adf:"),
                    MessageHandler(TEXT, _text_step(FEE, read_fee)),
                ],
                FIRST_DUE: [
                    CallbackQueryHandler(_button_step(FIRST_DUE, press_due), pattern=r"^add:"),
                    MessageHandler(TEXT, _text_step(FIRST_DUE, read_first_due)),
                ],
                SUMMARY: [
                    CallbackQueryHandler(summary_pressed, pattern=r"^ads:"),
                    MessageHandler(TEXT, _text_step(SUMMARY, not_text)),
                ],
                EXTRAS: [
                    CallbackQueryHandler(_button_step(EXTRAS, press_extra), pattern=r"^adx:"),
                    MessageHandler(TEXT, _text_step(EXTRAS, not_text)),
                ],
                EXTRA_VALUE: [
                    CallbackQueryHandler(
                        _button_step(EXTRA_VALUE, press_loan_default), pattern=r"^adv:"
                    ),
                    MessageHandler(TEXT, _text_step(EXTRA_VALUE, read_extra)),
                ],
                RUNNING: [
                    CallbackQueryHandler(running_pressed, pattern=r"^adr:"),
                    MessageHandler(TEXT, _text_step(RUNNING, read_running)),
                ],
                PAID_COUNT: [MessageHandler(TEXT, _text_step(PAID_COUNT, read_paid_count))],
                APP_PRINCIPAL: [
                    MessageHandler(TEXT, _text_step(APP_PRINCIPAL, read_app_principal))
                ],
                APP_TERM: [MessageHandler(TEXT, _text_step(APP_TERM, read_app_term))],
                APP_NEXT_DUE: [
                    CallbackQueryHandler(
                        _button_step(APP_NEXT_DUE, press_app_next_due), pattern=r"^adn:"
                    ),
                    MessageHandler(TEXT, _text_step(APP_NEXT_DUE, read_app_next_due)),
                ],
                # `/adddebt 信用卡 15000` hands over to the card's questions (string states).
                **cards.card_states(),
            },
            cancel=cancel,
        )
    ]
