"""Outbox rows as Telegram messages, in the user's language (the ``jobs.types.Render`` that
``bot.app`` gives the jobs; ``jobs`` never imports ``bot``).

Each kind reads the payload ``tracker.reminders`` planned with the models of
``tracker.reminder_payloads`` (``parse``), which the sender has brought up to date from the
ledger just before (``jobs.current``: its facts are as of the payload's ``as_of`` day). Nothing
here reads the clock or the database: "in 3 days", "3 days overdue" and the penalty so far are
counted from ``now`` (the moment of sending) in the user's timezone, so a late message says what
is true when it goes out. A risk warning whose due date has come is dropped (None): the due
reminder and the overdue alert speak for it. A payload that cannot be read is logged and dropped
(None), never sent half-made.

Message ids live here; their Chinese is in ``bot/locales/zh/reminders.po``.
"""

# User-facing messages are gettext ids, one string each however long (as in bot/features):
# ruff: noqa: E501

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_skeleton
from telegram import InlineKeyboardMarkup

from bot.features.reminders_buttons import (
    LATER_KIND,
    progress_keyboard,
    reminder_keyboard,
    risk_keyboard,
)
from bot.formatting import MAX_MESSAGE, day, esc, listing, money
from bot.i18n import Translator, translator
from jobs.types import REPLY_KIND, Rendered
from tracker.reminder_payloads import (
    AffordableParams,
    CountParams,
    CrowdedWeekParams,
    DigestOverdue,
    DigestPayload,
    DuePayload,
    InstallmentPayload,
    LaterPayload,
    OverduePayload,
    Refreshed,
    RiskPayload,
    load,
    parse,
    text,
)
from tracker.reminder_payloads import UnreadablePayload as Unreadable
from tracker.reminders import DIGEST_HORIZON_DAYS, IntentKind
from tracker.storage.models import Outbox, User

logger = logging.getLogger(__name__)

#: Lists in the digest show at most this many lines (then "…and N more").
LIST_CAP = 10
_SMALLER_CAPS = (LIST_CAP, 5, 2)
_FALLBACK_ZONE = "Asia/Shanghai"


class Moot(Exception):
    """A message no longer true at the moment of sending: not sent."""


# ---- the context of one message -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Ctx:
    """The user's language, zone and the day the message goes out (their local date)."""

    _: Translator
    owner: int
    sent_on: date
    outbox_id: int | None
    later: bool = False
    shift_days: int = 0  # days from the payload's facts (``as_of``) to the day it goes out

    def money(self, amount: Decimal, currency: str) -> str:
        return money(amount, currency, self._.locale)

    def day(self, value: date) -> str:
        """12月15日 / Dec 15 this year; with the year otherwise."""
        if value.year == self.sent_on.year:
            return str(format_skeleton("MMMd", value, locale=self._.locale))
        return day(value, self._.locale)

    def when(self, due: date) -> str:
        """today / tomorrow / in 3 days, counted from the day the message goes out."""
        days = (due - self.sent_on).days
        if days == 0:
            return self._("today")
        if days == 1:
            return self._("tomorrow")
        return self._.plural("in {n} day", "in {n} days", days)


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(_FALLBACK_ZONE)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _local_day(moment: datetime, zone: ZoneInfo) -> date:
    return _aware(moment).astimezone(zone).date()


# ---- the kinds -------------------------------------------------------------------------------


def _later_line(c: _Ctx) -> list[str]:
    return [c._("⏰ You asked me to remind you again.")] if c.later else []


def _due(c: _Ctx, payload: Mapping[str, Any]) -> Rendered:
    inst = parse(DuePayload, payload)
    facts = {
        "amount": c.money(inst.remaining, inst.currency),
        "debt": esc(inst.debt_name),
        "date": c.day(inst.due_date),
    }
    lines = _later_line(c)
    if inst.due_date >= c.sent_on:
        lines.append(
            c._(
                "🔔 Reminder: {amount} to <b>{debt}</b> is due on {date} ({when}).",
                when=c.when(inst.due_date),
                **facts,
            )
        )
        lines.append(c._("Already paid? Tap a button below so your record stays right."))
    else:  # a re-send that arrives after the due day
        lines.append(c._("🔔 Reminder: {amount} to <b>{debt}</b> was due on {date}.", **facts))
        lines.append(
            c._(
                "If it is still unpaid, pay it as soon as you can: penalty interest runs from the due date. Already paid? Tap a button below."
            )
        )
    keyboard = reminder_keyboard(c._, c.owner, inst.installment_id, c.outbox_id)
    return Rendered("\n".join(lines), keyboard)


def _overdue(c: _Ctx, payload: Mapping[str, Any]) -> Rendered:
    inst = parse(OverduePayload, payload)
    cur = inst.currency
    days = inst.days_overdue + c.shift_days
    per_day = inst.penalty_per_day
    accrued = inst.penalty_accrued + per_day * c.shift_days
    amount = c.money(inst.remaining, cur)
    debt = esc(inst.debt_name)
    due = c.day(inst.due_date)
    lines = _later_line(c)
    lines.append(
        c._.plural(
            "⚠️ <b>{debt}</b>: {amount} is overdue since {date} ({n} day).",
            "⚠️ <b>{debt}</b>: {amount} is overdue since {date} ({n} days).",
            max(days, 1),
            debt=debt,
            amount=amount,
            date=due,
        )
    )
    if per_day > 0:
        lines.append(
            c._(
                "Penalty interest so far: {accrued}; about {per_day} more each day until it is paid.",
                accrued=c.money(accrued, cur),
                per_day=c.money(per_day, cur),
            )
        )
    elif accrued > 0:
        lines.append(c._("Penalty interest so far: {accrued}.", accrued=c.money(accrued, cur)))
    letter = c._(
        "Hello. About my {debt} account: the installment of {amount} due on {date} is overdue. "
        "I can pay it by [date]. Please do not add further penalty interest while I pay, "
        "and confirm this arrangement in writing. Thank you.",
        debt=debt,
        amount=amount,
        date=c.day(inst.due_date),
    )
    lines += [
        "",
        c._(
            "<b>Your credit record:</b> lenders report overdue payments to the credit reference centre (征信). "
            "Such a record stays for five years after the overdue amount is paid. "
            "The lender must tell you before reporting, so acting now still makes a difference."
        ),
        "",
        c._(
            "<b>What to do now:</b> contact {debt}'s customer service today, in its app or by phone. "
            "Say when you can pay and ask for an arrangement, such as a few days' extension or smaller installments.",
            debt=debt,
        ),
        c._("A message you can send (tap to copy, fill in the date):"),
        f"<code>{letter}</code>",
        _free_help(c),
    ]
    keyboard = reminder_keyboard(c._, c.owner, inst.installment_id, c.outbox_id)
    return Rendered("\n".join(lines), keyboard)


def _free_help(c: _Ctx) -> str:
    return c._(
        "Asking is free: the lender's customer service and the 12378 banking consumer hotline. "
        "Never pay a “negotiation agent” to do it for you: many are scams."
    )


#: Risk reason codes in words; None: not said as a reason (``no_budget`` gets its own tip).
def _reason(c: _Ctx, code: str, params: Mapping[str, Any], cur: str) -> str | None:
    if code == "due_exceeds_affordable":
        return c._(
            "· it is more than your budget leaves for your debts in a month ({affordable})",
            affordable=c.money(parse(AffordableParams, params).affordable, cur),
        )
    if code == "crowded_week":
        crowded = parse(CrowdedWeekParams, params)
        return c._(
            "· with your other installments due the same week it comes to {week_total}, more than your budget allows ({affordable})",
            week_total=c.money(crowded.week_total, cur),
            affordable=c.money(crowded.affordable, cur),
        )
    if code == "recent_late":
        return c._.plural(
            "· {n} late payment in the last 90 days",
            "· {n} late payments in the last 90 days",
            parse(CountParams, params).count,
        )
    if code == "recent_partial":
        return c._.plural(
            "· {n} partial payment in the last 90 days",
            "· {n} partial payments in the last 90 days",
            parse(CountParams, params).count,
        )
    if code == "recent_hardship":
        return c._("· you told me recently that your situation has changed")
    if code != "no_budget":
        logger.info("risk reason %r has no words yet: left out", code)
    return None


def _risk(c: _Ctx, payload: Mapping[str, Any]) -> Rendered:
    inst = parse(RiskPayload, payload)
    if inst.due_date <= c.sent_on:
        raise Moot("a risk warning on or after the due date")
    codes = [reason.code for reason in inst.reasons]
    lines = [
        c._(
            "⚠️ <b>This payment may be hard to make:</b> {amount} to <b>{debt}</b>, due on {date} ({when}).",
            amount=c.money(inst.remaining, inst.currency),
            debt=esc(inst.debt_name),
            date=c.day(inst.due_date),
            when=c.when(inst.due_date),
        )
    ]
    words = []
    for reason in inst.reasons:
        said = _reason(c, reason.code, reason.params, inst.currency)
        if said is not None:
            words.append(said)
    if words:
        lines.append(c._("Why I think so:"))
        lines += words
    lines += [
        "",
        c._(
            "<b>Talk to the lender before the due date</b>, not after. Explain what changed, say how much you can pay and when, and ask for a short extension or smaller installments; ask for the answer in writing. "
            "Asked early, lenders often agree; after the due date come penalty interest and a mark on your credit record (征信)."
        ),
    ]
    if "no_budget" in codes:
        lines.append(
            c._("Set a /budget and I can tell you whether each payment fits what you earn.")
        )
    else:
        lines.append(c._("/budget shows what you can afford each month."))
    lines.append(_hardship_pointer(c._))
    return Rendered("\n".join(lines), risk_keyboard(c._, c.owner, inst.installment_id))


def _hardship_pointer(_: Translator) -> str:
    return _("/hardship prepares options and a message for your lender.")


def _digest(c: _Ctx, payload: Mapping[str, Any]) -> Rendered:
    digest = parse(DigestPayload, payload)
    for cap in _SMALLER_CAPS:
        said = _digest_text(c, digest, cap)
        if len(said) <= MAX_MESSAGE:
            return Rendered(said, progress_keyboard(c._, c.owner))
    raise Unreadable("the digest does not fit one message")


def _digest_text(c: _Ctx, digest: DigestPayload, cap: int) -> str:
    upcoming: Sequence[InstallmentPayload] = digest.upcoming
    overdue: Sequence[DigestOverdue] = digest.overdue
    totals = list(digest.upcoming_totals.items())
    lines = [c._("📋 <b>Your weekly summary</b>, {date}", date=c.day(c.sent_on))]
    for line in digest.progress:
        cur = line.currency
        facts = {"paid": c.money(line.paid, cur), "planned": c.money(line.planned, cur)}
        if line.behind > 0:
            lines.append(
                c._(
                    "This month: {paid} of {planned} paid, {behind} still to pay.",
                    behind=c.money(line.behind, cur),
                    **facts,
                )
            )
        else:
            lines.append(c._("This month: {paid} of {planned} paid ✅", **facts))
    if digest.on_time_streak:
        lines.append(
            c._.plural(
                "On time {n} time in a row.", "On time {n} times in a row.", digest.on_time_streak
            )
        )
    lines += [
        "",
        c._.plural(
            "<b>Due in the next {n} day</b>",
            "<b>Due in the next {n} days</b>",
            DIGEST_HORIZON_DAYS,
        ),
    ]
    if upcoming:
        lines += [
            f"· {c.day(i.due_date)} <b>{esc(i.debt_name)}</b> {c.money(i.remaining, i.currency)}"
            for i in upcoming[:cap]
        ]
        lines += _more(c, len(upcoming) - cap)
        if totals:
            amounts = listing((c.money(amount, cur) for cur, amount in totals), c._.language)
            lines.append(c._("In all: {amounts}", amounts=amounts))
    else:
        lines.append(c._("Nothing is due."))
    if overdue:
        lines += ["", c._("<b>⚠️ Overdue</b>")]
        for inst in overdue[:cap]:
            lines.append(
                c._.plural(
                    "· <b>{debt}</b> {amount}, {n} day late, penalty so far {penalty}",
                    "· <b>{debt}</b> {amount}, {n} days late, penalty so far {penalty}",
                    max(inst.days_overdue + c.shift_days, 1),
                    debt=esc(inst.debt_name),
                    amount=c.money(inst.remaining, inst.currency),
                    penalty=c.money(inst.penalty_accrued, inst.currency),
                )
            )
        lines += _more(c, len(overdue) - cap)
        lines.append(
            c._(
                "Each day adds penalty interest: contact the lender today and ask for an arrangement. /status shows the details."
            )
        )
    lines += ["", c._("/reminders changes when this summary comes, or turns it off.")]
    return "\n".join(lines)


def _more(c: _Ctx, hidden: int) -> list[str]:
    if hidden <= 0:
        return []
    return [c._.plural("…and {n} more.", "…and {n} more.", hidden)]


_KINDS: dict[str, Callable[[_Ctx, Mapping[str, Any]], Rendered]] = {
    IntentKind.DUE.value: _due,
    IntentKind.OVERDUE.value: _overdue,
    IntentKind.RISK.value: _risk,
    IntentKind.DIGEST.value: _digest,
}
#: What a "remind me later" row may re-send.
_LATER_OF = (IntentKind.DUE.value, IntentKind.OVERDUE.value, IntentKind.RISK.value)


def _reply(payload: Mapping[str, Any]) -> Rendered:
    """A committed reply whose first send did not happen (a crash): its text, as written."""
    rows = payload.get("keyboard") or []
    if not isinstance(rows, list):
        raise Unreadable("'keyboard' is not a list of rows")
    keyboard = InlineKeyboardMarkup.de_json({"inline_keyboard": rows}, None) if rows else None
    return Rendered(text(payload.get("text")), keyboard)


# ---- the entry point -------------------------------------------------------------------------


def render(row: Outbox, user: User, now: datetime) -> Rendered | None:
    """The message for ``row`` in ``user``'s language as true at ``now``; None drops it.

    None is logged: a warning if the payload cannot be read, info if the message is moot.
    """
    try:
        return _render(row, user, now)
    except Moot as why:
        logger.info("outbox row %s (%s, %s): not sent: %s", row.id, row.kind, row.key, why)
        return None
    except (Unreadable, ValueError, TypeError, ArithmeticError) as error:
        logger.warning(
            "outbox row %s (%s, %s): unreadable payload, dropped: %s",
            row.id,
            row.kind,
            row.key,
            error,
        )
        return None


def _render(row: Outbox, user: User, now: datetime) -> Rendered:
    payload = load(row.payload)
    zone = _zone(user.timezone)
    sent_on = _local_day(now, zone)
    kind = row.kind
    later = False
    # The day the payload's facts are for: as brought up to date by the sender, else the day
    # it was planned for (a "later" row: the original reminder's).
    as_of = _local_day(row.due_at, zone)
    if kind == LATER_KIND:
        resend = parse(LaterPayload, payload)
        kind = resend.kind
        if kind not in _LATER_OF:
            raise Unreadable(f"a later row cannot re-send {kind!r}")
        later = True
        if resend.original_at is not None:
            as_of = _local_day(resend.original_at, zone)
    refreshed = parse(Refreshed, payload).as_of
    if refreshed is not None:
        as_of = refreshed
    if kind == REPLY_KIND:
        return _reply(payload)
    renderer = _KINDS.get(kind)
    if renderer is None:
        raise Unreadable(f"unknown kind {kind!r}")
    c = _Ctx(
        _=translator(user.language),
        owner=user.telegram_user_id,
        sent_on=sent_on,
        outbox_id=row.id,
        later=later,
        shift_days=max(0, (sent_on - as_of).days),
    )
    rendered = renderer(c, payload)
    if len(rendered.text) > MAX_MESSAGE:
        raise Unreadable("the message does not fit Telegram's limit")
    return rendered
