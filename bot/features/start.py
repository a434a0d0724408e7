"""Onboarding and settings: /start, /help, /language, /timezone, /currency, /cancel."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from babel.numbers import get_currency_name
from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, ConversationHandler

from bot.callbacks import BadCallback, decode
from bot.formatting import esc
from bot.i18n import N_, translator
from bot.runtime import Context, Turn, kb, turn
from bot.types import Handler
from tracker.errors import DomainError
from tracker.storage.enums import Language

COMMANDS = [
    ("start", N_("What this bot does and how to begin")),
    ("help", N_("All commands with examples")),
    ("language", N_("中文 / English")),
    ("timezone", N_("Your timezone, for reminders")),
    ("currency", N_("Your main currency")),
    ("cancel", N_("Leave the current step")),
]

COMMON_TIMEZONES = (
    "Asia/Shanghai",
    "Asia/Hong_Kong",
    "Asia/Taipei",
    "Asia/Singapore",
    "Europe/London",
    "America/New_York",
)
COMMON_CURRENCIES = ("CNY", "HKD", "USD", "EUR")

WELCOME = N_(
    "Hello {name}! I help you keep to your loan repayment plan and, when life gets hard, "
    "prepare an honest proposal for your lender.\n\n"
    "<b>1.</b> Add a debt: /adddebt\n"
    "<b>2.</b> See what you owe today: /status\n"
    "<b>3.</b> Tell me your budget: /budget\n"
    "<b>4.</b> Log a payment: /paid 500 — or just write <code>还了500</code>\n\n"
    "Your settings: language {language}, timezone {timezone}, currency {currency}. "
    "Change them with /language, /timezone, /currency. /help lists everything."
)

HELP = N_(
    "<b>Debts</b>\n"
    "/adddebt — add a debt step by step, or in one line:\n"
    "<code>/adddebt Jintiao 10000 0.05%/day 12 annuity 2026-12-15 lender: JD Finance</code>\n"
    "/addcard — a credit card: its statement, the minimum, and what paying only the minimum costs: "
    "<code>/addcard Visa 15000 5 23</code>\n"
    "/debts — your debts · /schedule — the installments · /status — what you owe today\n\n"
    "<b>Plans and payments</b>\n"
    "/plan — record a plan agreed with the lender, with its confirmation\n"
    "/paid 500 — log a payment (or write <code>paid 500</code>, or paste the lender's SMS)\n"
    "/undo — take back the last payment · /history — payments so far\n"
    "/prepay — pay early or pay off: what it takes and what it saves\n\n"
    "<b>Money and hard times</b>\n"
    "/budget — income and expenses: what you can afford\n"
    "/hardship — your situation changed: costed options and a pack for talking to the lender\n"
    "/reminders — when I remind you, e.g. <code>/reminders 3,1,0 09:00</code>\n\n"
    "<b>Your data</b>\n"
    "/progress — a chart of your progress · /calendar — due dates for your phone's calendar\n"
    "/export — download your data · /deletedata — delete everything\n\n"
    "<b>Settings</b>\n"
    "/language · /timezone Asia/Shanghai · /currency CNY · /cancel leaves any step"
)


def _settings_line(t: Turn) -> dict[str, str]:
    return {
        "language": "中文" if t.user.language is Language.ZH else "English",
        "timezone": t.user.timezone,
        "currency": t.user.currency,
    }


async def start(update: Update, context: Context) -> None:
    """Greet the user and explain what the bot is for."""
    async with turn(update, context) as t:
        name = update.effective_user.first_name if update.effective_user else ""
        await t.reply(t._(WELCOME, name=esc(name), **_settings_line(t)))


async def help_command(update: Update, context: Context) -> None:
    """List every command with an example."""
    async with turn(update, context) as t:
        await t.reply(t._(HELP))


async def language(update: Update, context: Context) -> None:
    """Offer the two languages as buttons."""
    async with turn(update, context) as t:
        await t.reply(
            t._("Choose your language:"),
            kb([t.button("中文", "lang", "zh"), t.button("English", "lang", "en")]),
        )


async def language_chosen(update: Update, context: Context) -> None:
    """Switch the user's language."""
    query = update.callback_query
    assert query is not None
    async with turn(update, context) as t:
        choice = decode(query.data, t.update_user_id).arg(0)
        if choice not in ("zh", "en"):  # forged or from a future version: not a language
            raise BadCallback(f"unknown language {choice!r}")
        t.user.language = Language(choice)
        t._ = translator(t.user.language)
        t.commit()
        await t.answer()
        await t.reply(t._("Done: from now on I'll speak to you in English."))


async def timezone(update: Update, context: Context) -> None:
    """Set the timezone from an argument, or offer common ones."""
    async with turn(update, context) as t:
        if not context.args:
            await t.reply(
                t._(
                    "Your timezone is {timezone}. Send /timezone followed by its name, for example <code>/timezone Asia/Shanghai</code>, or choose:",
                    timezone=t.user.timezone,
                ),
                kb(
                    *[
                        [t.button(name, "tz", str(index))]
                        for index, name in enumerate(COMMON_TIMEZONES)
                    ]
                ),
            )
            return
        _set_timezone(t, " ".join(context.args).strip())
        await t.reply(
            t._(
                "Timezone set to {timezone}. Reminders follow your local time.",
                timezone=t.user.timezone,
            )
        )


def _set_timezone(t: Turn, name: str) -> None:
    match = _find_timezone(name)
    if match is None:
        raise DomainError(f"unknown timezone {name!r}", code="timezone_unknown", text=name)
    t.user.timezone = match
    t.commit()


def _find_timezone(name: str) -> str | None:
    if name in available_timezones():
        return name
    lowered = {zone.lower(): zone for zone in available_timezones()}
    match = lowered.get(name.lower().replace(" ", "_"))
    if match is None:
        return None
    try:
        ZoneInfo(match)
    except ZoneInfoNotFoundError:
        return None
    return match


async def timezone_chosen(update: Update, context: Context) -> None:
    """Set the timezone picked from the buttons."""
    query = update.callback_query
    assert query is not None
    async with turn(update, context) as t:
        index = decode(query.data, t.update_user_id).int_arg(0)
        if index >= len(COMMON_TIMEZONES):
            raise DomainError("unknown timezone button", code="timezone_unknown", text=index)
        _set_timezone(t, COMMON_TIMEZONES[index])
        await t.answer()
        await t.reply(
            t._(
                "Timezone set to {timezone}. Reminders follow your local time.",
                timezone=t.user.timezone,
            )
        )


async def currency(update: Update, context: Context) -> None:
    """Set the main currency (used for new debts and the budget)."""
    async with turn(update, context) as t:
        if not context.args:
            await t.reply(
                t._(
                    "Your currency is {currency}. Send /currency followed by a code, for example <code>/currency CNY</code>, or choose:",
                    currency=t.user.currency,
                ),
                kb([t.button(code, "cur", code) for code in COMMON_CURRENCIES]),
            )
            return
        _set_currency(t, context.args[0])
        await t.reply(t._("Currency set to {currency}.", currency=t.user.currency))


def _set_currency(t: Turn, text: str) -> None:
    code = text.strip().upper()
    if len(code) != 3 or not code.isalpha() or get_currency_name(code, locale="en") == code:
        raise DomainError(
            f"unknown currency {text!r}", code="amount_currency_unknown", currency=text
        )
    t.user.currency = code
    t.commit()


async def currency_chosen(update: Update, context: Context) -> None:
    """Set the currency picked from the buttons."""
    query = update.callback_query
    assert query is not None
    async with turn(update, context) as t:
        _set_currency(t, decode(query.data, t.update_user_id).arg(0))
        await t.answer()
        await t.reply(t._("Currency set to {currency}.", currency=t.user.currency))


async def cancel(update: Update, context: Context) -> int:
    """Leave whatever flow the user is in."""
    async with turn(update, context) as t:
        if context.user_data is not None:
            context.user_data.clear()
        await t.reply(t._("Cancelled. Nothing was saved. /help shows what you can do."))
    return ConversationHandler.END


def handlers() -> list[Handler]:
    """The onboarding and settings handlers."""
    return [
        CommandHandler("start", start),
        CommandHandler("help", help_command),
        CommandHandler("language", language),
        CommandHandler("timezone", timezone),
        CommandHandler("currency", currency),
        CallbackQueryHandler(language_chosen, pattern=r"^lang:"),
        CallbackQueryHandler(timezone_chosen, pattern=r"^tz:"),
        CallbackQueryHandler(currency_chosen, pattern=r"^cur:"),
    ]
