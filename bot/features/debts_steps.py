"""The /adddebt questions: what each step asks, and how it reads and keeps the answer.

A step reader takes the turn, the draft (a ``DebtDraft`` in ``context.user_data["adddebt"]``,
bot.conversation) and the typed text or button argument; it raises a DomainError for a wrong
answer before changing the draft, and returns the next state.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from decimal import Decimal

from bot.conversation import Draft, Drafts, need
from bot.features.debts_text import (
    LINE_PERIOD_QUESTION,
    METHOD_BUTTONS,
    RATE_PERIOD_QUESTION,
    app_next_due_question,
    app_principal_question,
    app_term_question,
    extras_text,
    method_name,
    paid_count_question,
    quote_text,
    rate_text,
    running_text,
)
from bot.formatting import esc
from bot.i18n import N_
from bot.runtime import Keyboard, Turn, kb
from bot.views import d, m
from tracker.dates import add_months
from tracker.errors import DomainError, InvalidAmount, InvalidRate, InvalidTerms
from tracker.ledger import PenaltyMode, PenaltyPolicy
from tracker.parsing import parse_amount, parse_method, parse_rate, parse_term
from tracker.parsing.debt_terms import (
    DebtSpec,
    check_loan_date,
    clean_lender,
    clean_name,
    default_penalty,
    parse_daily_late_fee,
    parse_fee_rate,
    parse_first_due,
    parse_grace_days,
    parse_loan_date,
    parse_paid_count,
    parse_penalty_multiplier,
    parse_rate_per,
    remaining_principal,
)
from tracker.parsing.rates import rate_readings
from tracker.parsing.text import is_skip
from tracker.rates import Rate, RateUnit
from tracker.schedule_types import LoanTerms, Method
from tracker.services.debts_entry import check_spec, due_so_far, from_app_figures
from tracker.services.debts_entry import paid_before_tracking as with_paid_before_tracking

NAME, PRINCIPAL, RATE, TERM, METHOD, FEE, FIRST_DUE, SUMMARY, EXTRAS, EXTRA_VALUE = range(10)
#: After the rate step, or a one-line /adddebt, gave a rate without its period (``0.05%``).
RATE_PERIOD, LINE_PERIOD = 10, 11
#: A loan already running (first due date past, issue 9): what has happened since, how many
#: installments were paid, or the three figures the lender's app shows.
RUNNING, PAID_COUNT, APP_PRINCIPAL, APP_TERM, APP_NEXT_DUE = range(12, 17)
#: Not a state: the step's answer completes a running loan, which is saved now.
SAVE = -2
STEPS = 6


class DebtDraft(Draft):
    """The answers so far (amounts in the debt's currency)."""

    name: str | None = None
    principal: Decimal | None = None
    currency: str | None = None
    rate: Decimal | None = None
    unit: RateUnit | None = None
    #: A rate typed without its period (``0.05%``), waiting for it.
    rate_text: str | None = None
    #: A one-line /adddebt waiting for its rate's period.
    line: str | None = None
    term: int | None = None
    method: Method | None = None
    #: The fee per installment of a flat-fee plan.
    fee: Decimal | None = None
    first_due: date | None = None
    # The optional terms (⚙️): None (or False) is the default.
    upfront: Decimal | None = None
    start: date | None = None
    grace: int | None = None
    pmode: PenaltyMode | None = None
    pmult: Decimal | None = None
    pdaily: Decimal | None = None
    #: Penalty on overdue interest too (复利).
    pint: bool = False
    #: Whether paying off early still owes the remaining fees (None: not said).
    pfees: bool | None = None
    #: The lender ("" when skipped: the name says it).
    lender: str | None = None
    #: The optional term being asked.
    asking: str | None = None
    # A loan already running: the question asked, the count paid, or the app's figures.
    asked: str | None = None
    paid: int | None = None
    app_principal: Decimal | None = None
    app_term: int | None = None
    app_next_due: date | None = None

    def replace_with(self, other: DebtDraft) -> None:
        """Take every answer of ``other`` (a trial copy that passed its checks)."""
        for field in type(self).model_fields:
            setattr(self, field, getattr(other, field))


DRAFTS = Drafts("adddebt", DebtDraft)
#: The draft's key in user_data.
DRAFT = DRAFTS.key

QUESTIONS = {
    NAME: N_(
        "What is the debt called? For example <code>金条</code>, <code>白条</code> or <code>招行信用卡</code>."
    ),
    PRINCIPAL: N_(
        "How much was borrowed (the principal)? For example <code>10000</code>, <code>1.2万</code> or <code>USD500</code>."
    ),
    RATE: N_(
        "What interest rate does the contract give, with its period? For example <code>0.05%/day</code>, <code>日利率0.05%</code>, <code>1.5%/month</code> or <code>年化18%</code>. For an installment plan with a fee instead of interest (分期手续费), write <code>0</code>."
    ),
    TERM: N_(
        "Over how many monthly installments? For example <code>12</code>, <code>24期</code> or <code>1年</code>."
    ),
    METHOD: N_("How is it repaid? Choose below (or type the method's name)."),
    FEE: N_(
        "What fee is charged per installment, as a share of the principal? For example <code>0.5%</code> (0.5 % each month)."
    ),
    FIRST_DUE: N_(
        "When is the first installment due? Choose a date below or type one, for example <code>2027-01-15</code>, <code>1月15日</code> or <code>15号</code>."
    ),
}
STEP_NUMBERS = {
    NAME: 1,
    PRINCIPAL: 2,
    RATE: 3,
    RATE_PERIOD: 3,
    TERM: 4,
    METHOD: 5,
    FEE: 5,
    FIRST_DUE: 6,
}

EXTRA_QUESTIONS = {
    "grace": N_(
        "How many grace days does the lender allow after each due date before a payment counts as overdue? For example <code>0</code> or <code>3</code>."
    ),
    "multiplier": N_(
        "Penalty interest (罚息) on overdue principal runs at how many times the contract rate? Usually <code>1.5</code>."
    ),
    "daily": N_(
        "What late fee is charged per day on the overdue amount? For example <code>0.05%</code> (白条 charges 0.05 % a day)."
    ),
    "upfront": N_(
        "Was a fee taken when the money was paid out (an upfront or service fee)? Type the amount, or <code>0</code> for none."
    ),
    "lender": N_(
        "Which company do you repay (the lender)? For example <code>JD Finance</code> or <code>China Merchants Bank</code>. Press ⏭ Skip if the name already says it."
    ),
    "start": N_(
        "On what day was the money paid out to you (the loan date)? Interest runs from then. For example <code>2026-11-01</code> or <code>11月1日</code>."
    ),
}

WELCOME = N_("Let's add a debt. /cancel stops at any step; nothing is saved until you press Save.")
USE_BUTTONS = N_("Please choose with the buttons below.")


def spec_of(draft: DebtDraft) -> DebtSpec:
    """The debt a complete draft describes (LostDraft if it is not complete)."""
    method = need(draft.method)
    rate = Rate(need(draft.rate), need(draft.unit))
    if method is Method.FLAT_FEE:
        rate = Rate(Decimal(0), RateUnit.MONTH)  # the fee per installment replaces the rate
    fee = draft.fee if draft.fee is not None else Decimal(0)
    terms = LoanTerms(
        principal=need(draft.principal),
        rate=rate,
        term=need(draft.term),
        method=method,
        first_due=need(draft.first_due),
        currency=need(draft.currency),
        fee_rate=fee if method is Method.FLAT_FEE else Decimal(0),
        upfront_fee=draft.upfront if draft.upfront is not None else Decimal(0),
        start_date=draft.start,
    )
    penalty = default_penalty(method)
    if draft.pmode is not None:
        penalty = PenaltyPolicy(
            mode=draft.pmode,
            multiplier=draft.pmult if draft.pmult is not None else Decimal("1.5"),
            daily_rate=draft.pdaily if draft.pdaily is not None else Decimal(0),
        )
    penalty = replace(penalty, on_interest=draft.pint)
    return DebtSpec(
        name=need(draft.name),
        terms=terms,
        grace_days=draft.grace or 0,
        penalty=penalty,
        fees_on_payoff=draft.pfees,
        lender=draft.lender or None,
    )


def draft_of(spec: DebtSpec) -> DebtDraft:
    """A draft ``spec_of`` reads back as ``spec`` (a one-line debt asked about, issue 9)."""
    terms = spec.terms
    draft = DebtDraft(
        name=spec.name,
        principal=terms.principal,
        currency=terms.currency,
        rate=terms.rate.value,
        unit=terms.rate.unit,
        term=terms.term,
        method=terms.method,
        first_due=terms.first_due,
        fee=terms.fee_rate if terms.method is Method.FLAT_FEE else None,
        upfront=terms.upfront_fee or None,
        start=terms.start_date,
        grace=spec.grace_days or None,
        pfees=spec.fees_on_payoff,
        lender=spec.lender,
    )
    if spec.penalty != default_penalty(terms.method):
        draft.pmode = spec.penalty.mode
        draft.pmult = spec.penalty.multiplier
        draft.pdaily = spec.penalty.daily_rate
        draft.pint = spec.penalty.on_interest
    return draft


def is_running(t: Turn, draft: DebtDraft) -> bool:
    """Whether the draft's first due date is before today: a loan already running."""
    return need(draft.first_due) < t.today


def start_running(draft: DebtDraft) -> int:
    """Forget earlier answers about a running loan and ask what has happened since."""
    draft.asked = draft.paid = draft.app_term = None
    draft.app_principal = None
    draft.app_next_due = None
    return RUNNING


def _next_original_due(t: Turn, spec: DebtSpec) -> date | None:
    """The original plan's first due date from today on: the likeliest next due date."""
    rows = check_spec(spec).rows
    return next((row.due_date for row in rows if row.due_date >= t.today), None)


def due_choices(t: Turn) -> list[date]:
    """The two likeliest first due dates: one and two months from today."""
    return [add_months(t.today, 1), add_months(t.today, 2)]


def period_buttons(t: Turn, text: str) -> Keyboard:
    """One button per plausible reading of a rate without its period, with its yearly rate."""
    return kb(
        *[[t.button(rate_text(t, rate), "adu", rate.unit.value)] for rate in rate_readings(text)]
    )


def question(t: Turn, state: int, draft: DebtDraft) -> tuple[str, Keyboard | None]:
    if state == RATE_PERIOD:
        asked = t._(RATE_PERIOD_QUESTION, rate=esc(need(draft.rate_text)))
        buttons = period_buttons(t, need(draft.rate_text))
        return f"<b>{STEP_NUMBERS[state]}/{STEPS}</b> {asked}", buttons
    if state == LINE_PERIOD:
        asked = t._(LINE_PERIOD_QUESTION, rate=esc(need(draft.rate_text)))
        return asked, period_buttons(t, need(draft.rate_text))
    if state in QUESTIONS:
        text = f"<b>{STEP_NUMBERS[state]}/{STEPS}</b> " + t._(QUESTIONS[state])
        if state == METHOD:
            return text, kb(
                *[[t.button(method_name(t, m), "adm", m.value)] for m in METHOD_BUTTONS]
            )
        if state == FEE and draft.unit is RateUnit.MONTH and need(draft.rate):
            fee = f"{(need(draft.rate) * 100).normalize():f}%"
            return text, kb([t.button(t._("Use {fee} per installment", fee=fee), "adf")])
        if state == FIRST_DUE:
            days = due_choices(t)
            return text, kb([t.button(d(t, day), "add", day.strftime("%Y%m%d")) for day in days])
        return text, None
    spec = spec_of(draft)
    if state in (RUNNING, PAID_COUNT, APP_PRINCIPAL, APP_TERM, APP_NEXT_DUE):
        return running_question(t, state, draft, spec)
    if state == SUMMARY:
        text = "\n".join(
            (
                quote_text(t, spec, check_spec(spec)),
                # One line: the summary must fit a phone (the ⚙️ screen lists them one by one).
                extras_text(t, spec).replace("\n", " "),
                t._("Save this debt?"),
            )
        )
        return text, kb(
            [t.button(t._("💾 Save"), "ads", "save")],
            [t.button(t._("⚙️ Lender, fees, grace days, penalty"), "ads", "extras")],
            [t.button(t._("✖️ Cancel"), "ads", "cancel")],
        )
    if state == EXTRAS:
        text = "\n".join(
            (
                t._("<b>Optional terms</b> — change only what your contract says differently:"),
                extras_text(t, spec, loan_date=True),
            )
        )
        return text, kb(
            [
                t.button(t._("Grace days"), "adx", "grace"),
                t.button(t._("Upfront fee"), "adx", "upfront"),
            ],
            [
                t.button(t._("Penalty × contract rate"), "adx", "multiplier"),
                t.button(t._("Daily late fee"), "adx", "daily"),
            ],
            [
                t.button(t._("Loan date"), "adx", "start"),
                t.button(t._("Lender"), "adx", "lender"),
            ],
            [t.button(_compound_label(t, spec), "adx", "compound")],
            [t.button(_payoff_fees_label(t, spec), "adx", "payfees")]
            if spec.terms.method is Method.FLAT_FEE
            else [],
            [t.button(t._("✅ Back to the summary"), "adx", "done")],
        )
    asking = draft.asking or "grace"
    if asking == "lender":  # optional: the name stands in for it until it is said
        return t._(EXTRA_QUESTIONS[asking]), kb([t.button(t._("⏭ Skip"), "adv", "skip")])
    if asking == "start":  # the one optional term with a default worth a button
        default = add_months(spec.terms.first_due, -1)
        label = t._("Default: {date}", date=d(t, default))
        return t._(EXTRA_QUESTIONS[asking]), kb([t.button(label, "adv", "default")])
    return t._(EXTRA_QUESTIONS[asking]), None


def running_question(
    t: Turn, state: int, draft: DebtDraft, spec: DebtSpec
) -> tuple[str, Keyboard | None]:
    """The questions about a loan already running (issue 9)."""
    due = due_so_far(spec, t.today)
    if state == RUNNING:
        return running_text(t, spec, due), kb(
            [t.button(t._("✅ All paid so far"), "adr", "all")],
            [t.button(t._("🔢 Some paid: how many?"), "adr", "some")],
            [t.button(t._("⚠️ I'm behind"), "adr", "behind")],
            [t.button(t._("📱 Enter what my app shows"), "adr", "app")],
            [t.button(t._("✖️ Cancel"), "adr", "cancel")],
        )
    if state == PAID_COUNT:
        return paid_count_question(t, draft.asked or "some", due), None
    if state == APP_PRINCIPAL:
        balance = due[-1].balance if due else spec.terms.principal
        return app_principal_question(t, spec, balance or spec.terms.principal), None
    if state == APP_TERM:
        return app_term_question(t, max(1, spec.terms.term - len(due))), None
    upcoming = _next_original_due(t, spec)
    if upcoming is None:
        return app_next_due_question(t, add_months(t.today, 1).isoformat()), None
    button = t.button(d(t, upcoming), "adn", upcoming.strftime("%Y%m%d"))
    return app_next_due_question(t, upcoming.isoformat()), kb([button])


# ---- steps: each reads an answer, keeps it in the draft and names the next state -------------


def read_name(t: Turn, draft: DebtDraft, text: str) -> int:
    draft.name = clean_name(text)
    return PRINCIPAL


def read_principal(t: Turn, draft: DebtDraft, text: str) -> int:
    parsed = parse_amount(text, t.user.currency)
    draft.principal, draft.currency = parsed.amount, parsed.currency
    return RATE


def read_rate(t: Turn, draft: DebtDraft, text: str) -> int:
    try:
        rate = parse_rate(text)
    except InvalidRate:
        if not rate_readings(text):
            raise
        # No period and no plain one (0.05%): ask, keeping what was typed for the answer.
        draft.rate_text = text
        return RATE_PERIOD
    draft.rate_text = None
    draft.rate, draft.unit = rate.value, rate.unit
    return TERM


def press_rate_unit(t: Turn, draft: DebtDraft, value: str) -> int:
    rate = parse_rate_per(need(draft.rate_text), RateUnit(value))
    draft.rate_text = None
    draft.rate, draft.unit = rate.value, rate.unit
    return TERM


def read_term(t: Turn, draft: DebtDraft, text: str) -> int:
    draft.term = parse_term(text)
    return METHOD


def choose_method(draft: DebtDraft, method: Method) -> int:
    if method is Method.CUSTOM:
        raise InvalidTerms(
            "custom plans are recorded with /plan", code="method_unknown", text="custom"
        )
    draft.method = method
    # The default penalty depends on the method.
    draft.pmode = None
    draft.pmult = draft.pdaily = None
    return FEE if method is Method.FLAT_FEE else FIRST_DUE


def read_method(t: Turn, draft: DebtDraft, text: str) -> int:
    return choose_method(draft, parse_method(text))


def read_fee(t: Turn, draft: DebtDraft, text: str) -> int:
    draft.fee = parse_fee_rate(text)
    return FIRST_DUE


def set_first_due(draft: DebtDraft, day: date) -> int:
    trial = draft.model_copy(update={"first_due": day})
    check_spec(spec_of(trial))  # a date that makes no schedule is refused here, not at Save
    draft.first_due = day
    return SUMMARY


def read_first_due(t: Turn, draft: DebtDraft, text: str) -> int:
    return set_first_due(draft, parse_first_due(text, today=t.today))


def read_extra(t: Turn, draft: DebtDraft, text: str) -> int:
    asking = draft.asking or "grace"
    trial = draft.model_copy()
    if asking == "grace":
        trial.grace = parse_grace_days(text)
    elif asking == "multiplier":
        trial.pmode = PenaltyMode.RATE_MULTIPLIER
        trial.pmult = parse_penalty_multiplier(text)
    elif asking == "daily":
        trial.pmode = PenaltyMode.DAILY_RATE_ON_OVERDUE
        trial.pdaily = parse_daily_late_fee(text)
    elif asking == "lender":
        trial.lender = "" if is_skip(text) else clean_lender(text)
    elif asking == "start":
        start = parse_loan_date(text, today=t.today)
        check_loan_date(start, need(draft.first_due), t.today)
        trial.start = start
    else:
        currency = need(draft.currency)
        parsed = parse_amount(text, currency, allow_zero=True)
        if parsed.currency != currency:
            raise InvalidAmount("another currency", code="amount_currency_conflict", text=text)
        trial.upfront = parsed.amount
    check_spec(spec_of(trial))
    trial.asking = None
    draft.replace_with(trial)
    return EXTRAS


def not_text(t: Turn, draft: DebtDraft, text: str) -> int:
    raise UseButtons


class UseButtons(Exception):
    """Text where a button is expected: ask again with the buttons."""


Step = Callable[[Turn, DebtDraft, str], int]


def press_method(t: Turn, draft: DebtDraft, value: str) -> int:
    return choose_method(draft, Method(value))


def press_fee(t: Turn, draft: DebtDraft, value: str) -> int:
    draft.fee = need(draft.rate)
    return FIRST_DUE


def press_due(t: Turn, draft: DebtDraft, value: str) -> int:
    return set_first_due(draft, date(int(value[:4]), int(value[4:6]), int(value[6:8])))


def press_loan_default(t: Turn, draft: DebtDraft, value: str) -> int:
    """The loan date's default, or no lender (Skip): the optional term is left unsaid."""
    if draft.asking == "lender":
        draft.lender = None
    else:
        draft.start = None
    draft.asking = None
    return EXTRAS


def _compound_label(t: Turn, spec: DebtSpec) -> str:
    """The toggle for penalty on overdue interest (复利), showing its current state."""
    if spec.penalty.on_interest:
        return t._("Penalty on overdue interest too (复利): on")
    return t._("Penalty on overdue interest too (复利): off")


def _payoff_fees_label(t: Turn, spec: DebtSpec) -> str:
    """The toggle for the fees an early payoff still owes, showing its current state."""
    if spec.fees_on_payoff is False:
        return t._("Paying off early drops the remaining fees")
    return t._("Paying off early still owes the remaining fees")


def press_extra(t: Turn, draft: DebtDraft, value: str) -> int:
    if value == "done":
        return SUMMARY
    if value == "compound":  # off unless the contract says so (lenders differ)
        draft.pint = not draft.pint
        return EXTRAS
    if value == "payfees":  # not said counts as still owed: the safe answer
        draft.pfees = draft.pfees is False
        return EXTRAS
    if value not in EXTRA_QUESTIONS:
        raise ValueError(f"unknown option {value!r}")
    draft.asking = value
    return EXTRA_VALUE


# ---- a loan already running (issue 9) --------------------------------------------------------


def keep_paid_count(t: Turn, draft: DebtDraft, count: int) -> int:
    """Keep how many installments were paid before tracking, once checked against today."""
    with_paid_before_tracking(spec_of(draft), count, t.today)
    draft.paid = count
    return SAVE


def read_running(t: Turn, draft: DebtDraft, text: str) -> int:
    """A count typed instead of pressing a button (``前4期已经还了``) is understood."""
    try:
        count = parse_paid_count(text)
    except DomainError:
        raise UseButtons from None
    return keep_paid_count(t, draft, count)


def read_paid_count(t: Turn, draft: DebtDraft, text: str) -> int:
    return keep_paid_count(t, draft, parse_paid_count(text))


def read_app_principal(t: Turn, draft: DebtDraft, text: str) -> int:
    spec = spec_of(draft)
    try:
        principal = remaining_principal(text, spec)
    except InvalidTerms as error:
        if error.code != "remaining_principal_above_loan":
            raise
        cur = spec.terms.currency  # both amounts as the user reads money, not as stored
        raise InvalidTerms(
            str(error),
            code=error.code,
            remaining=m(t, error.params["remaining"], cur),
            principal=m(t, spec.terms.principal, cur),
        ) from None
    draft.app_principal = principal
    return APP_TERM


def read_app_term(t: Turn, draft: DebtDraft, text: str) -> int:
    draft.app_term = parse_term(text)
    return APP_NEXT_DUE


def set_app_next_due(draft: DebtDraft, day: date) -> int:
    from_app_figures(  # a plan these figures cannot make is refused here, not at saving
        spec_of(draft), need(draft.app_principal), need(draft.app_term), day
    )
    draft.app_next_due = day
    return SAVE


def read_app_next_due(t: Turn, draft: DebtDraft, text: str) -> int:
    return set_app_next_due(draft, parse_first_due(text, today=t.today))


def press_app_next_due(t: Turn, draft: DebtDraft, value: str) -> int:
    return set_app_next_due(draft, date(int(value[:4]), int(value[4:6]), int(value[6:8])))


def running_spec(t: Turn, draft: DebtDraft) -> tuple[DebtSpec, DebtSpec | None]:
    """The running loan the answers describe, and the loan as first described if the plan
    was built from the app's figures (else None)."""
    spec = spec_of(draft)
    if draft.app_next_due is not None:
        built = from_app_figures(
            spec, need(draft.app_principal), need(draft.app_term), draft.app_next_due
        )
        return built, spec
    return with_paid_before_tracking(spec, need(draft.paid), t.today), None


def press_running(t: Turn, draft: DebtDraft, value: str) -> int:
    """What has happened since the first due date: all paid, some, behind, or the app's figures."""
    if value == "all":
        return keep_paid_count(t, draft, len(due_so_far(spec_of(draft), t.today)))
    if value in ("some", "behind"):
        draft.asked = value
        return PAID_COUNT
    if value == "app":
        return APP_PRINCIPAL
    raise ValueError(f"unknown answer {value!r}")
