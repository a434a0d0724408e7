"""Words for debts: methods, rates, penalties, a quote's summary and a schedule, in zh and en.

Shared by the /adddebt flow (``debts_add``) and /debts, /schedule, /status (``debts``).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from telegram import InlineKeyboardButton

from bot.errors import domain_error_text, register
from bot.formatting import esc, listing, percent
from bot.i18n import N_
from bot.runtime import Keyboard, Turn, kb
from bot.views import d, m, status_label
from tracker.calculator import Quote
from tracker.calculator import percent as apr_percent
from tracker.dates import add_months
from tracker.errors import DomainError
from tracker.ledger import PenaltyMode, PenaltyPolicy, Status
from tracker.rates import Rate, RateUnit
from tracker.schedule_types import LoanTerms, Method, ScheduleRow
from tracker.services.debts import DebtSpec, Position

#: A method in the user's language (also the method buttons: one language per conversation).
METHOD_NAMES: dict[Method, str] = {
    Method.ANNUITY: N_("annuity (equal payments)"),
    Method.EQUAL_PRINCIPAL: N_("equal principal"),
    Method.INTEREST_ONLY: N_("interest-only, principal at the end"),
    Method.FLAT_FEE: N_("flat fee per installment"),
    Method.DAILY_ACCRUAL: N_("daily interest"),
    Method.CUSTOM: N_("custom installments"),
}

#: The parts of the one-line form, as error messages name them.
PART_NAMES: dict[str, str] = {
    "name": N_("the name"),
    "principal": N_("the principal"),
    "rate": N_("the rate"),
    "term": N_("the number of months"),
    "method": N_("the repayment method"),
    "first_due": N_("the first due date"),
    "start_date": N_("the loan date"),
    "lender": N_("the lender"),
}

register(
    {
        "loan_date_future": N_("The loan date {start} is in the future."),
        "loan_date_order": N_(
            "The loan date ({start}) must be before the first due date ({first_due})."
        ),
        "loan_date_empty": N_(
            "Please write the loan date right after 放款日, for example <code>放款日2026-11-01</code>."
        ),
        "paid_count_garbage": N_("I couldn't read “{text}” as a number of installments."),
        "paid_count_too_many": N_(
            "You said {count} installments were paid, but only {due} were due by today."
        ),
        "remaining_principal_above_loan": N_(
            "The remaining principal ({remaining}) can't be more than the amount borrowed ({principal})."
        ),
    },
    {
        "loan": N_(
            "For example: <code>2026-11-01</code> or <code>11月1日</code> (the day the money reached you)."
        ),
    },
)

STATUS_ICONS: dict[Status, str] = {
    Status.PAID: "✅",
    Status.UPCOMING: "▫️",
    Status.PARTIAL: "◐",
    Status.DUE: "🔔",
    Status.OVERDUE: "⚠️",
}

#: The one-line form and its rules; shown by ``/adddebt help`` and after a mistake in one line.
USAGE = N_(
    "<b>Add a debt in one line</b>\n"
    "<code>/adddebt name principal rate months [method] [first due] [loan date] [lender: …]</code>\n\n"
    "<code>/adddebt Jintiao 10000 0.05%/day 12 annuity 2026-12-15 loan 2026-11-15 lender: JD Finance</code>\n"
    "<code>/adddebt Card 20000 18%/year 24 annuity 2026-12-05</code>\n"
    "<code>/adddebt Baitiao 6000 0.5%/month 12 flat_fee</code>\n\n"
    "· The rate keeps its period: <code>0.05%/day</code>, <code>1.5%/month</code>, <code>18%/year</code>; a bare % from 4% up is a year, below that I ask.\n"
    "· Methods: annuity, equal_principal, interest_only, flat_fee, daily; without one, annuity.\n"
    "· With flat_fee the rate is the fee per installment on the original principal: <code>0.5%/month</code> or <code>0.5%</code>.\n"
    "· Without a first due date: a month after the loan date, or from today; without a loan date: a month before the first due date. The principal is in your currency unless you write one (<code>USD500</code>).\n"
    "· The company you repay goes last, after <code>lender:</code>, if the name is not it already.\n"
    "Or send /adddebt alone and I'll ask step by step."
)

#: The question when a rate names no period (``0.05%``); the buttons show each reading.
RATE_PERIOD_QUESTION = N_(
    "Is “{rate}” a rate per day, per month or per year? Lenders quote all three, and the cost differs many times over. Choose below, or type it with its period, for example <code>{rate}/day</code>."
)
LINE_PERIOD_QUESTION = N_(
    "Is “{rate}” a rate per day, per month or per year? Lenders quote all three, and the cost differs many times over. Choose below and I'll save the debt."
)


def method_name(t: Turn, method: Method) -> str:
    """A repayment method in the user's language."""
    return t._(METHOD_NAMES[method])


def rate_text(t: Turn, rate: Rate) -> str:
    """A contract rate as the lender quotes it, with its nominal annual rate if not yearly."""
    annual = percent(rate.annual())
    if rate.unit is RateUnit.DAY:
        return t._("{rate} a day ({annual} a year)", rate=percent(rate.value), annual=annual)
    if rate.unit is RateUnit.MONTH:
        return t._("{rate} a month ({annual} a year)", rate=percent(rate.value), annual=annual)
    return t._("{rate} a year", rate=percent(rate.value))


def pricing_text(t: Turn, terms: LoanTerms) -> str:
    """What the lender charges: the fee per installment, or the interest rate."""
    if terms.method is Method.FLAT_FEE:
        return t._("fee {fee} of the principal per installment", fee=percent(terms.fee_rate))
    return rate_text(t, terms.rate)


def penalty_text(t: Turn, terms: LoanTerms, penalty: PenaltyPolicy) -> str:
    """How lateness is charged, with what it comes to per day."""
    if penalty.mode is PenaltyMode.DAILY_RATE_ON_OVERDUE:
        return t._("late fee {rate} a day on the overdue amount", rate=percent(penalty.daily_rate))
    per_day = penalty.rate_per_day(terms.rate.daily(terms.day_count))
    multiplier = format(penalty.multiplier.normalize(), "f")
    if penalty.on_interest:
        return t._(
            "{multiplier}× the contract rate on overdue principal and interest ({rate} a day)",
            multiplier=multiplier,
            rate=percent(per_day),
        )
    return t._(
        "{multiplier}× the contract rate on overdue principal ({rate} a day)",
        multiplier=multiplier,
        rate=percent(per_day),
    )


def terms_line(t: Turn, spec: DebtSpec) -> str:
    """Principal · pricing · installments · method."""
    terms = spec.terms
    count = t._.plural("{n} monthly installment", "{n} monthly installments", terms.term)
    return " · ".join(
        (
            m(t, terms.principal, terms.currency),
            pricing_text(t, terms),
            count,
            method_name(t, terms.method),
        )
    )


def row_line(t: Turn, row: ScheduleRow, currency: str) -> str:
    """One installment: number, date, amount and what part of it is interest or fee."""
    base = t._(
        "{number}. {date}: {amount}",
        number=row.number,
        date=d(t, row.due_date),
        amount=m(t, row.payment, currency),
    )
    if row.interest and row.fee:
        return base + t._(
            " (interest {interest}, fee {fee})",
            interest=m(t, row.interest, currency),
            fee=m(t, row.fee, currency),
        )
    if row.fee:
        return base + t._(" (fee {fee})", fee=m(t, row.fee, currency))
    if row.interest:
        return base + t._(" (interest {interest})", interest=m(t, row.interest, currency))
    return base


def quote_text(t: Turn, spec: DebtSpec, q: Quote, *, first: int = 3) -> str:
    """A debt as it will be stored: terms, the first installments, the total and its true cost."""
    terms = spec.terms
    cur = terms.currency
    lines = [f"<b>{esc(spec.name)}</b>", terms_line(t, spec)]
    if terms.start_date is None:
        lines.append(t._("First installments:"))
    else:  # on the same line: the loan date explains the first installment's interest
        lines.append(t._("First installments (loan paid out {date}):", date=d(t, terms.start_date)))
    lines += [row_line(t, row, cur) for row in q.rows[:first]]
    if len(q.rows) > first:
        lines.append("…")
    fees = q.totals.fee + terms.upfront_fee
    lines += [
        t._("Total to repay: <b>{total}</b>", total=m(t, q.totals.payment, cur)),
        t._(
            "Cost of credit: <b>{cost}</b> (interest {interest}, fees {fees})",
            cost=m(t, q.cost, cur),
            interest=m(t, q.totals.interest, cur),
            fees=m(t, fees, cur),
        ),
        t._(
            "Annualised rate (IRR, as PBOC asks lenders to show it): <b>{simple}</b> simple, {compound} compound",
            simple=apr_percent(q.apr.simple),
            compound=apr_percent(q.apr.compound),
        ),
    ]
    return "\n".join(lines)


def extras_text(t: Turn, spec: DebtSpec, *, loan_date: bool = False) -> str:
    """Grace days, penalty and upfront fee on one line each, and the loan date if asked."""
    terms = spec.terms
    upfront = m(t, terms.upfront_fee, terms.currency) if terms.upfront_fee else t._("none")
    lines = [
        t._("· Grace days: {days}", days=spec.grace_days),
        t._("· Penalty: {penalty}", penalty=penalty_text(t, terms, spec.penalty)),
        t._("· Upfront fee: {fee}", fee=upfront),
    ]
    if loan_date:
        lines.append(loan_date_text(t, terms))
        lender = esc(spec.lender) if spec.lender else t._("not given (the name stands in)")
        lines.append(t._("· Lender: {lender}", lender=lender))
    return "\n".join(lines)


def loan_date_text(t: Turn, terms: LoanTerms) -> str:
    """The loan date (放款日), or the default it falls back to."""
    if terms.start_date is not None:
        return t._("· Loan date: {date}", date=d(t, terms.start_date))
    default = add_months(terms.first_due, -1)
    return t._("· Loan date: {date} (a month before the first due date)", date=d(t, default))


#: Installments on one /schedule page: with the name and the totals, a phone screen.
SCHEDULE_PAGE = 6


def schedule_start(pos: Position) -> int:
    """Where /schedule opens: at the first installment not yet paid (the last page if none)."""
    rows = pos.state.installments
    first_open = next((k for k, item in enumerate(rows) if item.remaining > 0), None)
    if first_open is None:
        return max(0, len(rows) - SCHEDULE_PAGE)
    return first_open


def schedule_text(t: Turn, pos: Position, start: int | None = None) -> str:
    """One page of a debt's installments with where each stands today, and the totals."""
    cur = pos.debt.currency
    states = {item.number: item for item in pos.state.installments}
    first = schedule_start(pos) if start is None else max(0, min(start, len(pos.rows) - 1))
    page = pos.rows[first : first + SCHEDULE_PAGE]
    lines = [f"<b>{esc(pos.debt.name)}</b>"]
    before = [item for item in pos.state.installments if item.before_tracking]
    for row in page:
        state = states.get(row.number)
        status = state.status if state is not None else Status.UPCOMING
        label = status_label(t, status)
        if state is not None and state.before_tracking:
            label = t._(PAID_BEFORE_TRACKING)
        line = f"{STATUS_ICONS[status]} " + t._(
            "{number}. {date} {amount} — {status}",
            number=row.number,
            date=d(t, row.due_date),
            amount=m(t, row.payment, cur),
            status=label,
        )
        if state is not None and status is Status.OVERDUE:
            line += t._(
                ", {left} left, {days} days late",
                left=m(t, state.remaining, cur),
                days=state.days_overdue,
            )
        elif state is not None and status in (Status.PARTIAL, Status.DUE) and state.paid:
            line += t._(", {left} left", left=m(t, state.remaining, cur))
        lines.append(line)
    if len(page) < len(pos.rows):
        lines.append(
            t._(
                "Installments {first}–{last} of {count}.",
                first=page[0].number,
                last=page[-1].number,
                count=len(pos.rows),
            )
        )
    total = sum((row.payment for row in pos.rows), Decimal(0))
    lines.append(
        t._(
            "Total {total}; paid so far {paid}.",
            total=m(t, total, cur),
            paid=m(t, pos.state.total_paid, cur),
        )
    )
    if before:
        lines.append(before_tracking_text(t, len(before)))
    return "\n".join(lines)


def schedule_pages(t: Turn, pos: Position, start: int | None = None) -> Keyboard:
    """Buttons to the earlier and later installments (and the first and last pages)."""
    count = len(pos.rows)
    first = schedule_start(pos) if start is None else max(0, min(start, count - 1))
    debt_id = pos.debt.id
    back: list[InlineKeyboardButton] = []
    forward: list[InlineKeyboardButton] = []
    if first > 0:
        if first > SCHEDULE_PAGE:
            back.append(t.button("⏮ 1", "dschp", debt_id, 0))
        back.append(t.button(t._("◀ Earlier"), "dschp", debt_id, max(0, first - SCHEDULE_PAGE)))
    if first + SCHEDULE_PAGE < count:
        forward.append(t.button(t._("Later ▶"), "dschp", debt_id, first + SCHEDULE_PAGE))
        last = max(0, count - SCHEDULE_PAGE)
        if last > first + SCHEDULE_PAGE:
            forward.append(t.button(f"{count} ⏭", "dschp", debt_id, last))
    return kb([*back, *forward])


def problem_text(t: Turn, error: DomainError) -> str:
    """What is wrong with a one-line /adddebt: the missing parts, or the part that is unclear."""
    if error.code == "debt_line_missing":
        missing = error.params.get("missing", ())
        parts = listing((t._(PART_NAMES[p]) for p in missing), t._.language)  # 利率、期数
        return t._("Missing: {parts}.", parts=parts)
    text = domain_error_text(error, t._, t.locale)
    part = error.params.get("part")
    if part in PART_NAMES:
        space = "" if t._.language == "zh" else " "  # Chinese runs on after a full-width colon
        return t._("Problem with {part}:", part=t._(PART_NAMES[part])) + space + text
    return text


# ---- a loan already running when it is added (issue 9) ---------------------------------------

#: How /schedule labels an installment paid before the debt was tracked here.
PAID_BEFORE_TRACKING = N_("paid before tracking")

RUNNING_QUESTION = N_(
    "The first installment was due before today. What has happened since? Installments you paid are marked “paid before tracking”: no payments are invented for them."
)


def before_tracking_text(t: Turn, count: int) -> str:
    """Installments 1..count were paid before tracking began, as a sentence."""
    if count == 1:
        return t._("Installment 1: paid before tracking.")
    return t._("Installments 1–{last}: paid before tracking.", last=count)


def running_text(t: Turn, spec: DebtSpec, due: Sequence[ScheduleRow]) -> str:
    """The question for a loan whose first due date is past: the installments due so far."""
    terms = spec.terms
    lines = [f"<b>{esc(spec.name)}</b>", terms_line(t, spec)]
    if terms.start_date is None:
        lines.append(t._("Due by today:"))
    else:
        lines.append(t._("Due by today (loan paid out {date}):", date=d(t, terms.start_date)))
    shown = list(due) if len(due) <= 3 else [due[0], None, due[-1]]
    lines += ["…" if row is None else row_line(t, row, terms.currency) for row in shown]
    lines.append(t._(RUNNING_QUESTION))
    return "\n".join(lines)


def paid_count_question(t: Turn, asked: str, due: Sequence[ScheduleRow]) -> str:
    """How many installments were paid: after "some paid", or after "I'm behind"."""
    facts = {
        "due": len(due),
        "date": d(t, due[-1].due_date) if due else "—",
        "example": max(1, len(due) - 1),
    }
    if asked == "behind":
        return t._(
            "How many installments had you paid before falling behind? By today {due} were due, the last on {date}. Type a number from 0 to {due}, for example <code>0</code> or <code>{example}</code>: the unpaid ones count as overdue from their due dates.",
            **facts,
        )
    return t._(
        "How many installments have you paid? By today {due} were due, the last on {date}; the unpaid ones count as overdue. For example <code>{example}</code>, <code>前{example}期</code> or <code>{example} paid</code>.",
        **facts,
    )


def app_principal_question(t: Turn, spec: DebtSpec, example: Decimal) -> str:
    """The first of the three figures a lender's app shows: the remaining principal."""
    typed = format(example, "f")  # as it would be typed: 8140.37
    return t._(
        "What remaining principal (剩余本金) does your lender's app show? At most the amount borrowed, {principal}. For example <code>{example}</code>.",
        principal=m(t, spec.terms.principal, spec.terms.currency),
        example=typed,
    )


def app_term_question(t: Turn, example: int) -> str:
    return t._(
        "How many installments are left, counting the next one (剩余期数)? For example <code>{example}</code>.",
        example=example,
    )


def app_next_due_question(t: Turn, example: str) -> str:
    return t._(
        "When is the next installment due? Choose the date below or type one, for example <code>{example}</code>.",
        example=example,
    )


def running_saved_text(t: Turn, spec: DebtSpec, pos: Position, *, app: DebtSpec | None) -> str:
    """The reply after saving a running loan: what was paid before, what is owed and overdue.

    ``app`` is the loan as first described when the plan was built from the app's figures.
    """
    terms = spec.terms
    cur = terms.currency
    state = pos.state
    lines = [t._("✅ Saved."), f"<b>{esc(spec.name)}</b>", terms_line(t, spec)]
    if app is not None:
        lines.append(
            t._.plural(
                "Built from what your app shows: {principal} of principal left, {n} installment to go, the next due {date} (the loan was {original}).",
                "Built from what your app shows: {principal} of principal left, {n} installments to go, the next due {date} (the loan was {original}).",
                terms.term,
                principal=m(t, terms.principal, cur),
                date=d(t, terms.first_due),
                original=m(t, app.terms.principal, cur),
            )
        )
    if spec.paid_before_tracking:
        lines.append(before_tracking_text(t, spec.paid_before_tracking))
    lines.append(
        t._(
            "Principal still owed: {principal}; to settle today: <b>{total}</b>.",
            principal=m(t, state.owed_today.principal, cur),
            total=m(t, state.owed_today.total, cur),
        )
    )
    if state.overdue:
        first = state.overdue[0]
        lines.append(
            t._.plural(
                "⚠️ Overdue: {amount} since {date} ({n} day); penalty so far {penalty}, growing by {per_day} a day.",
                "⚠️ Overdue: {amount} since {date} ({n} days); penalty so far {penalty}, growing by {per_day} a day.",
                first.days_overdue,
                amount=m(t, state.overdue_amount, cur),
                date=d(t, first.due_date),
                penalty=m(t, state.owed_today.penalty, cur),
                per_day=m(t, state.penalty_per_day, cur),
            )
        )
    upcoming = next(
        (i for i in state.installments if i.remaining > 0 and i.status is not Status.OVERDUE),
        None,
    )
    if upcoming is not None:
        lines.append(
            t._(
                "Next: {amount} due {date}",
                amount=m(t, upcoming.remaining, cur),
                date=d(t, upcoming.due_date),
            )
        )
    if state.is_settled:
        lines.append(t._("✅ Fully repaid."))
    lines += ["", t._("/schedule shows every installment; /status shows what you owe today.")]
    return "\n".join(lines)


#: The methods offered as buttons when adding a debt, in this order.
METHOD_BUTTONS: tuple[Method, ...] = (
    Method.ANNUITY,
    Method.EQUAL_PRINCIPAL,
    Method.INTEREST_ONLY,
    Method.FLAT_FEE,
    Method.DAILY_ACCRUAL,
)
